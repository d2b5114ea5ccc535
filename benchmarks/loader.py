"""Loader throughput: 480x640 JPEGs to augmented 224 px batches, plain fastai vs paddy_mt's fast pipeline.

Baseline: fastai's `DataBlock` as the Paddy course notebooks build it: `PILImage.create` (full-size decoding at every
epoch), `Resize(336, 'squish')` (1.5 x 224) and `aug_transforms(size=224, min_scale=0.75)`, which fastai runs in the
main process. paddy_mt: `paddy_dls(..., pipeline=fast_pipeline)`, what a `Recipe` with `fast=True` (the default) trains
with: a pre-shrunk copy made once, libjpeg reduced-scale decoding, a squish resize without fastai's no-op crop and pad,
the random crop folded into the one affine resampling pass, whose grid `AffineWarp` builds in separable passes, fused
lighting, presize 224/sqrt(0.75)=259, and (with no GPU) the batch transforms run in the worker processes. `--ablation`
adds one row per ingredient. Each row runs in its own process, so its peak memory is its own. Batches go where fastai
puts them (the GPU if there is one). Prints a table, then `loader: paddy_mt <v> img/s, baseline <v> img/s, ratio <r>`
(goal >= 3).

    python benchmarks/loader.py [--n 1000] [--size 224] [--bs 64] [--workers 2] [--epochs 2] [--ablation]
"""
import argparse, json, os, subprocess, sys, time, resource

def peak_rss_mb():
    "Peak resident memory of this process and of its largest (worker) child, in MB"
    return sum(resource.getrusage(w).ru_maxrss for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))/1024

def make_dls(kind, path, a):
    from paddy_mt.all import (paddy_dls, fastai_pipeline, fast_pipeline, read_paddy_csv, DataBlock, ImageBlock,
        CategoryBlock, get_image_files, parent_label, RandomSplitter, Resize, aug_transforms, Zoom, crop_zoom, partial, TfmdDL)
    big = int(a.size*1.5)
    if kind == 'baseline':
        variety = read_paddy_csv(path).set_index('image_id').variety.to_dict()
        dblock = DataBlock(blocks=(ImageBlock, CategoryBlock, CategoryBlock), n_inp=1, get_items=get_image_files,
                           get_y=[parent_label, lambda o: variety[o.name]], splitter=RandomSplitter(0.2, seed=42),
                           item_tfms=Resize(big, method='squish'), batch_tfms=aug_transforms(size=a.size, min_scale=0.75))
        return dblock.dataloaders(path/'train_images', bs=a.bs, num_workers=a.workers)
    def fast_except(**tfms):
        "`fast_pipeline`, with some of its parts replaced by fastai's"
        return lambda *args, **kwargs: {**fast_pipeline(*args, **kwargs), **tfms}
    fastai_aug = aug_transforms(size=a.size, min_scale=0.75)
    crop_in_affine = aug_transforms(size=a.size, xtra_tfms=[Zoom(p=1., draw=partial(crop_zoom, min_scale=0.75), size=a.size)])
    # the ablation: each row adds one ingredient to the one above it; the last row is `paddy_dls(pipeline=fast_pipeline)`
    steps = {'+ shrunk copy, reduced-scale decode': dict(presize=big, pipeline=fastai_pipeline),
             '+ squish without crop and pad': dict(presize=big, pipeline=fast_except(dl_type=TfmdDL, batch_tfms=fastai_aug)),
             '+ crop in the affine pass': dict(presize=big, pipeline=fast_except(dl_type=TfmdDL, batch_tfms=crop_in_affine)),
             '+ AffineWarp grid, fused lighting': dict(presize=big, pipeline=fast_except(dl_type=TfmdDL)),
             '+ presize 224/sqrt(0.75)': dict(pipeline=fast_except(dl_type=TfmdDL)),
             'paddy_mt': dict(pipeline=fast_pipeline)}
    return paddy_dls(path, size=a.size, bs=a.bs, seed=42, num_workers=a.workers, **steps[kind])

def run_one(kind, a):
    from paddy_mt.all import cached_sample, Path
    path = Path(a.data) if a.data else cached_sample('bench', n=a.n)
    t0 = time.perf_counter()
    dls = make_dls(kind, path, a)
    setup_s = time.perf_counter()-t0
    times = []
    for _ in range(a.epochs):
        t = time.perf_counter(); n = sum(len(xb) for xb,*_ in dls.train); times.append(time.perf_counter()-t)
    return dict(images_per_s=n/min(times), epoch_s=min(times), setup_s=setup_s, peak_rss_mb=peak_rss_mb(), images=n)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--n', type=int, default=1000); p.add_argument('--size', type=int, default=224)
    p.add_argument('--bs', type=int, default=64); p.add_argument('--workers', type=int, default=os.cpu_count())
    p.add_argument('--epochs', type=int, default=2); p.add_argument('--data', default=None)
    p.add_argument('--ablation', action='store_true', help='one more row per ingredient of the fast pipeline')
    p.add_argument('--one', help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.one: return print(json.dumps(run_one(a.one, a)))
    import pandas as pd
    kinds = ['baseline', *(['+ shrunk copy, reduced-scale decode', '+ squish without crop and pad', '+ crop in the affine pass',
                            '+ AffineWarp grid, fused lighting', '+ presize 224/sqrt(0.75)'] if a.ablation else []), 'paddy_mt']
    res = {}
    for k in kinds:
        r = subprocess.run([sys.executable, __file__, *sys.argv[1:], '--one', k], capture_output=True, text=True)
        if r.returncode: sys.exit(f'{k} failed:\n{r.stderr[-3000:]}')
        res[k] = json.loads(r.stdout.strip().splitlines()[-1])
    import torch
    dev = torch.cuda.get_device_name() if torch.cuda.is_available() else 'no GPU'
    print(f'{os.cpu_count()} CPUs, {dev}, {a.workers} workers, bs {a.bs}, size {a.size}, best of {a.epochs} epochs; '
          'setup_s includes the one-time shrink')
    df = pd.DataFrame(res).T
    df['ratio'] = df.images_per_s/df.images_per_s['baseline']
    print(df.to_string(float_format=lambda x: f'{x:.2f}'))
    b,m = res['baseline']['images_per_s'], res['paddy_mt']['images_per_s']
    print(f'loader: paddy_mt {m:.1f} img/s, baseline {b:.1f} img/s, ratio {m/b:.2f}')

if __name__ == '__main__': main()
