"""Inference with an exported model: fastai's `test_dl` + `get_preds` (and `predict` for one image) vs paddy_mt's
batch predictor `predict_files` (and `predict_image`).

Baseline: a plain fastai single-task learner (disease), data as the Paddy course notebooks build it (`PILImage.create`,
`Resize(336, 'squish')`, `aug_transforms(size=224, min_scale=0.75)`), exported with `learn.export`, loaded with
`load_learner`, predicted with `learn.get_preds(dl=learn.dls.test_dl(files))`: raw outputs, nothing checked.
paddy_mt: a two-task learner of a `Recipe` (`recipe_dls`/`recipe_learner`, so that it carries its recipe and the
source of its data, as `fit_paddy`'s models do) on the same architecture, exported the same way, loaded with
`load_paddy` and predicted with `predict_files`: undecodable files checked first, the data source checked (no warning
here: the test images come from the sample the model was made on), reduced-scale decoding, each task's label and
probability in a table. Both untrained (`pretrained=False`): speed does not depend on the weights.
Each side runs in its own process (peak memory is its own). Prints a table, then
`inference: paddy_mt <v> img/s, baseline <v> img/s, ratio <r>` (and a line for the one-image latency before it).

    python benchmarks/inference.py [--arch resnet18] [--n 1000] [--size 224] [--bs 64] [--workers 2] [--latency 10]
"""
import argparse, json, os, subprocess, sys, tempfile, time, resource

def peak_rss_mb(): return sum(resource.getrusage(w).ru_maxrss for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))/1024

def data(a):
    from paddy_mt.all import cached_sample, Path
    return Path(a.data) if a.data else cached_sample('bench', n=a.n)

def export(kind, a):
    from paddy_mt.all import (DataBlock, ImageBlock, CategoryBlock, get_image_files, parent_label, RandomSplitter, Resize,
        aug_transforms, vision_learner, recipe_dls, recipe_learner, data_source)
    from paddy_mt.recipe import Recipe
    path = data(a)
    if kind == 'baseline':
        dblock = DataBlock(blocks=(ImageBlock, CategoryBlock), get_items=get_image_files, get_y=parent_label,
                           splitter=RandomSplitter(0.2, seed=42), item_tfms=Resize(int(a.size*1.5), method='squish'),
                           batch_tfms=aug_transforms(size=a.size, min_scale=0.75))
        learn = vision_learner(dblock.dataloaders(path/'train_images', bs=a.bs, num_workers=0), a.arch, pretrained=False)
    else:
        r = Recipe(arch=a.arch, pretrained=False, size=a.size, bs=a.bs, split_seed=42, data=data_source(path))
        learn = recipe_learner(recipe_dls(path, r, num_workers=0), r)
    learn.export(a.model)

def measure(kind, a):
    import torch
    from paddy_mt.all import load_learner, load_paddy, predict_files, predict_image, paddy_test_files, defaults
    files = paddy_test_files(data(a), verify=False)
    sync = torch.cuda.synchronize if torch.cuda.is_available() else (lambda: None)
    t = time.perf_counter()
    learn = load_learner(a.model, cpu=not torch.cuda.is_available()) if kind=='baseline' else load_paddy(a.model)
    if torch.cuda.is_available() and kind=='baseline': learn.dls.to('cuda')
    load_s = time.perf_counter()-t
    if kind=='baseline':
        batch = lambda: learn.get_preds(dl=learn.dls.test_dl(files, bs=a.bs, num_workers=a.workers))[0]
        one = lambda f: learn.predict(f)
    else:
        batch = lambda: predict_files(learn, files, bs=a.bs, num_workers=a.workers)
        one = lambda f: predict_image(learn, f)
    times = []
    for _ in range(2):  # the first pass includes warm-up (worker start, allocator, cuDNN)
        sync(); t = time.perf_counter()
        with learn.no_bar(): batch()
        sync(); times.append(time.perf_counter()-t)
    lat = []
    with learn.no_bar():
        for f in files[:a.latency+2]:
            sync(); t = time.perf_counter(); one(f); sync(); lat.append((time.perf_counter()-t)*1000)
    lat = sorted(lat[2:])
    res = dict(images_per_s=len(files)/min(times), batch_s=min(times), latency_ms=lat[len(lat)//2], load_s=load_s,
               peak_rss_mb=peak_rss_mb(), images=len(files))
    if torch.cuda.is_available(): res['peak_gpu_mb'] = torch.cuda.max_memory_allocated()/2**20
    return res

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--arch', default='resnet18'); p.add_argument('--n', type=int, default=1000)
    p.add_argument('--size', type=int, default=224); p.add_argument('--bs', type=int, default=64)
    p.add_argument('--workers', type=int, default=os.cpu_count()); p.add_argument('--latency', type=int, default=20)
    p.add_argument('--data', default=None)
    p.add_argument('--one', help=argparse.SUPPRESS); p.add_argument('--export', help=argparse.SUPPRESS)
    p.add_argument('--model', help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.export: return export(a.export, a)
    if a.one: return print(json.dumps(measure(a.one, a)))
    import pandas as pd, torch
    res = {}
    with tempfile.TemporaryDirectory() as tmp:
        for k in ('baseline','paddy_mt'):
            args = [sys.executable, __file__, *sys.argv[1:], '--model', f'{tmp}/{k}.pkl']
            for step in ('--export', '--one'):
                r = subprocess.run([*args, step, k], capture_output=True, text=True)
                if r.returncode: sys.exit(f'{k} {step} failed:\n{r.stderr[-3000:]}')
            res[k] = json.loads(r.stdout.strip().splitlines()[-1])
    dev = torch.cuda.get_device_name() if torch.cuda.is_available() else 'no GPU'
    print(f'{os.cpu_count()} CPUs, {dev}, arch {a.arch}, size {a.size}, bs {a.bs}, {a.workers} workers, best of 2 passes, '
          f'latency: median of {a.latency} single images')
    df = pd.DataFrame(res).T
    df['ratio'] = df.images_per_s/df.images_per_s['baseline']
    print(df.to_string(float_format=lambda x: f'{x:.2f}'))
    b,m = res['baseline'], res['paddy_mt']
    print(f"latency: paddy_mt {m['latency_ms']:.1f} ms, baseline {b['latency_ms']:.1f} ms, ratio {m['latency_ms']/b['latency_ms']:.2f}")
    print(f"inference: paddy_mt {m['images_per_s']:.1f} img/s, baseline {b['images_per_s']:.1f} img/s, ratio {m['images_per_s']/b['images_per_s']:.2f}")

if __name__ == '__main__': main()
