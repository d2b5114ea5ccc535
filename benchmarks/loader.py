"""Loader throughput: 480x640 JPEGs to augmented 224 px batches, plain fastai vs paddy_mt's default pipeline.

Both build the same multi-target DataBlock with the same transforms (`Resize(336)` then `aug_transforms(size=224)`);
the baseline opens images with fastai's `PILImage.create` (full-size decoding at every epoch), paddy_mt with its
defaults (a pre-shrunk copy made once, and libjpeg reduced-scale decoding). Each side runs in its own process, so peak
memory is its own. Prints a table, then `loader: paddy_mt <v> img/s, baseline <v> img/s, ratio <r>` (goal: >= 3).

    python benchmarks/loader.py [--n 300] [--size 224] [--bs 64] [--workers 2] [--epochs 2]
"""
import argparse, json, os, subprocess, sys, time, resource

def peak_rss_mb():
    "Peak resident memory of this process and of its (worker) children, in MB"
    return sum(resource.getrusage(w).ru_maxrss for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))/1024

def run_one(kind, a):
    from paddy_mt.all import make_sample, paddy_cache, paddy_dls, read_paddy_csv, DataBlock, ImageBlock, CategoryBlock, \
        get_image_files, parent_label, RandomSplitter, Resize, aug_transforms, Path, defaults
    path = Path(a.data) if a.data else make_sample(paddy_cache(f'bench_n{a.n}'), n=a.n, n_workers=defaults.cpus)
    t0 = time.perf_counter()
    if kind == 'baseline':
        variety = read_paddy_csv(path).set_index('image_id').variety.to_dict()
        dblock = DataBlock(blocks=(ImageBlock, CategoryBlock, CategoryBlock), n_inp=1, get_items=get_image_files,
                           get_y=[parent_label, lambda o: variety[o.name]], splitter=RandomSplitter(0.2, seed=42),
                           item_tfms=Resize(int(a.size*1.5)), batch_tfms=aug_transforms(size=a.size, min_scale=0.75))
        dls = dblock.dataloaders(path/'train_images', bs=a.bs, num_workers=a.workers)
    else: dls = paddy_dls(path, size=a.size, bs=a.bs, seed=42, num_workers=a.workers)
    setup_s = time.perf_counter()-t0
    times = []
    for _ in range(a.epochs):
        t = time.perf_counter(); n = sum(len(xb) for xb,*_ in dls.train); times.append(time.perf_counter()-t)
    return dict(images_per_s=n/min(times), epoch_s=min(times), setup_s=setup_s, peak_rss_mb=peak_rss_mb(), images=n)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--n', type=int, default=300); p.add_argument('--size', type=int, default=224)
    p.add_argument('--bs', type=int, default=64); p.add_argument('--workers', type=int, default=os.cpu_count())
    p.add_argument('--epochs', type=int, default=2); p.add_argument('--data', default=None)
    p.add_argument('--one', choices=['baseline','paddy_mt'], help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.one: return print(json.dumps(run_one(a.one, a)))
    import pandas as pd
    args = [a for a in sys.argv[1:]]
    res = {k: json.loads(subprocess.run([sys.executable, __file__, *args, '--one', k], check=True, capture_output=True,
                                        text=True).stdout.strip().splitlines()[-1]) for k in ('baseline','paddy_mt')}
    print(f'{os.cpu_count()} CPUs, {a.workers} workers, bs {a.bs}, size {a.size}; setup_s includes the one-time shrink')
    print(pd.DataFrame(res).T.to_string(float_format=lambda x: f'{x:.2f}'))
    b,m = res['baseline']['images_per_s'], res['paddy_mt']['images_per_s']
    print(f'loader: paddy_mt {m:.1f} img/s, baseline {b:.1f} img/s, ratio {m/b:.2f}')

if __name__ == '__main__': main()
