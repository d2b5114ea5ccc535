"""Does the default recipe learn? paddy_mt's default on the embedded sample vs the plain-fastai recipe of Road to the Top.

Both on the same images, the same validation split, the same architecture and pretrained weights, the same epochs and
learning rate, over several training seeds, taking turns (A B A B ...):
- paddy_mt: `fit_paddy(path, SAMPLE_RECIPE)`: `paddy_dls` (fast pipeline), `multitask_learner` (two heads), `fine_tune`;
- baseline: fastai as in "Road to the Top" part 4: a `DataBlock` with two `CategoryBlock`s, `Resize` + `aug_transforms`,
  a timm model with fastai's head and `n_out=20`, cross-entropy on `[:, :10]` plus cross-entropy on `[:, 10:]`,
  `error_rate` on each slice, `fine_tune`.
Prints each run, then per recipe the mean ± sd of each task's error rate and of the fit time, next to the majority
baseline, and a last line `quality: paddy_mt <disease error>, baseline <disease error>, ratio <r>`.

    python benchmarks/quality.py                 # 3 seeds on the embedded sample, CPU (about 10 minutes on 2 cores)
    python benchmarks/quality.py --seeds 5
"""
import argparse, contextlib, io, time, warnings
from paddy_mt.all import *

def fastai_recipe(path, valid_names:set, arch, size, presize, bs, epochs, lr, seed):
    "Road to the Top part 4's multi-target recipe, in plain fastai, on the validation images `valid_names`"
    df = pd.read_csv(path/'train.csv').set_index('image_id')
    dblock = DataBlock(blocks=(ImageBlock, CategoryBlock, CategoryBlock), n_inp=1, get_items=get_image_files,
                       get_y=[parent_label, lambda f: df.variety[f.name]], splitter=FuncSplitter(lambda f: f.name in valid_names),
                       item_tfms=Resize(presize, method='squish'), batch_tfms=aug_transforms(size=size, min_scale=0.75))
    set_seed(seed)
    dls = dblock.dataloaders(path/'train_images', bs=bs)
    def disease_err(inp, disease, variety): return error_rate(inp[:, :10], disease)
    def variety_err(inp, disease, variety): return error_rate(inp[:, 10:], variety)
    def combine_loss(inp, disease, variety): return F.cross_entropy(inp[:, :10], disease) + F.cross_entropy(inp[:, 10:], variety)
    file,_ = pretrained_source(arch)   # the offline ImageNet weights, handed to timm as a local file
    learn = vision_learner(dls, arch, n_out=20, loss_func=combine_loss, metrics=(disease_err, variety_err),
                           **({} if file is None else dict(pretrained_cfg_overlay=dict(file=str(file)))))
    t = time.perf_counter()
    with learn.no_bar(), learn.no_logging(): learn.fine_tune(epochs, lr)
    fit = time.perf_counter() - t
    loss,d,v = learn.validate()
    return dict(disease_error_rate=float(d), variety_error_rate=float(v), fit_time=fit)

def paddy_recipe(path, recipe:Recipe, split_seed, seed):
    "paddy_mt's default: `fit_paddy` with `SAMPLE_RECIPE`"
    with contextlib.redirect_stdout(io.StringIO()):   # the training table and where the weights come from
        learn = fit_paddy(path, recipe, seed=seed, split_seed=split_seed, verbose=False)
    res = paddy_results(learn)
    return {k:res[k] for k in ('disease_error_rate','variety_error_rate','fit_time')},learn

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--seeds', type=int, default=3, help='training seeds (runs of each recipe)')
    p.add_argument('--split_seed', type=int, default=42)
    p.add_argument('--data', default=None, help='a Paddy data folder; default the embedded sample')
    a = p.parse_args()
    warnings.filterwarnings('ignore')
    defaults.callbacks = [c for c in defaults.callbacks if c is not ProgressCallback]   # no progress bars in the log
    path = get_paddy_path(a.data, verbose=False)
    recipe = SAMPLE_RECIPE
    size = recipe.size; presize = math.ceil(size/math.sqrt(recipe.min_scale))
    print(f'data {path}; recipe {recipe.changes()}; presize {presize}; split seed {a.split_seed}; {a.seeds} seeds; '
          f'{defaults.cpus} CPUs, cuda {torch.cuda.is_available()}, torch {torch.__version__}')
    rows, base = [], None
    for seed in range(a.seeds):
        res,learn = paddy_recipe(path, recipe, a.split_seed, seed)
        rows.append(dict(recipe='paddy_mt', seed=seed, **res))
        if base is None:
            base = {f'{t.name}_error_rate':t.baseline for t in learn.tasks}
            valid = set(learn.dls.valid_ds.items.image_id)
        del learn
        rows.append(dict(recipe='fastai', seed=seed, **fastai_recipe(path, valid, recipe.arch, size, presize, recipe.bs,
                                                                    recipe.epochs, recipe.lr, seed)))
        print(pd.DataFrame(rows[-2:]).to_string(index=False, header=seed == 0, float_format='{:.4f}'.format), flush=True)
    df = pd.DataFrame(rows)
    summ = df.groupby('recipe', sort=False)[['disease_error_rate','variety_error_rate','fit_time']].agg(['mean','std'])
    print('\nmean and sd over seeds; majority baseline (the most common class of the training set): ' + ', '.join(f'{k} {v:.4f}' for k,v in base.items()))
    print(summ.to_string(float_format='{:.4f}'.format))
    m,b = summ.loc['paddy_mt', ('disease_error_rate','mean')],summ.loc['fastai', ('disease_error_rate','mean')]
    print(f'quality: paddy_mt {m:.4f}, baseline {b:.4f}, ratio {m/b:.2f}')

if __name__ == '__main__': main()
