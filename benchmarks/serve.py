"""Serving a model: the ONNX path (`paddy_mt.serve`: onnxruntime, numpy and Pillow, no torch) against fastai, on the same
model and the same images.

paddy_mt: the model written by `learn.to_onnx` (`export_command`), run by `OnnxPredictor`: `predict` for one image (opening
and resizing included), `acts` for a batch (batches of 64, images decoded in threads).
Baseline: the same learner's `learn.export` file, loaded with `load_paddy`: `learn.predict` for one image, `get_preds` on
`test_dl` for the batch (batches of 64), without a progress bar.
The model: `--model FILE.pkl`, or by default the embedded sample's recipe (`SAMPLE_RECIPE`: tf_efficientnet_lite0, 128 px)
from its offline pretrained weights, not trained: speed does not depend on the weights (use a trained model for --int8).
Images: the embedded sample's 333 test images (480x640 JPEGs). Each measurement runs in a fresh process, one thread each
(`--threads`): cold start is from the process's start to its first prediction, peak memory the process's own peak RSS.
`--int8` adds a dynamically quantised copy (`onnxruntime.quantization.quantize_dynamic`), reported with its latency and
the share of the test images on which its labels agree with the float model's.
Last line: `serve: paddy_mt <ms>, baseline <ms>, ratio <r>`: the one-image latency (median of `--latency` images) of both
sides in one process, alternating image by image, and the median of the per-image ratios: on a busy machine, the
fresh-process latencies move with the load from one process to the next; paired, both sides see the same load.

    python benchmarks/serve.py [--model FILE.pkl] [--threads 1] [--latency 50] [--repeats 1] [--int8] [--opt all|extended|basic|none]
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time
from pathlib import Path

def peak_rss_mb()->float:
    "This process's peak resident memory (VmHWM: unlike `ru_maxrss`, not inherited from the parent that forked it)"
    with open('/proc/self/status') as f: return next(int(l.split()[1]) for l in f if l.startswith('VmHWM'))/1024

def test_files():
    "The sample's test images, in submission order (imports fastai: only in the parent process)"
    from paddy_mt.paths import get_paddy_path
    from paddy_mt.data import paddy_test_files
    return [str(f) for f in paddy_test_files(get_paddy_path(verbose=False), verify=False)]

def make_model(a, tmp:Path)->Path:
    "The .pkl to measure: `--model`, or the sample's recipe from its pretrained weights, untrained"
    if a.model: return Path(a.model)
    import warnings
    from paddy_mt.paths import get_paddy_path
    from paddy_mt.recipe import SAMPLE_RECIPE
    from paddy_mt.train import run_recipe, recipe_dls, recipe_learner
    path = get_paddy_path(verbose=False)
    r = run_recipe(path, SAMPLE_RECIPE.replace(tasks=('disease','variety','age')))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        learn = recipe_learner(recipe_dls(path, r, num_workers=0, verify=False), r)
    return learn.export(tmp/'model.pkl')

def onnx_side(model, threads, opt):
    from paddy_mt.serve import OnnxPredictor
    pred = OnnxPredictor(model, threads=threads)
    if opt != 'all':   # another graph optimisation level: a new session on the same file
        import onnxruntime as ort
        so = ort.SessionOptions(); so.intra_op_num_threads,so.inter_op_num_threads = threads,1
        so.graph_optimization_level = {'none':ort.GraphOptimizationLevel.ORT_DISABLE_ALL, 'basic':ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
                                       'extended':ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED}[opt]
        pred.sess = ort.InferenceSession(str(model), so, providers=['CPUExecutionProvider'])
    return pred.predict,lambda fs: pred.acts(fs, bs=64, workers=threads)

def fastai_side(model, threads):
    import torch
    torch.set_num_threads(threads)
    from fastai.callback.progress import ProgressCallback
    from paddy_mt.inference import load_paddy
    learn = load_paddy(model, cpu=True)
    learn.remove_cb(ProgressCallback)   # as a server would: no progress bar
    return learn.predict,lambda fs: learn.get_preds(dl=learn.dls.test_dl(fs, bs=64, num_workers=0))[0]

def paired(onnx, pkl, a, files)->dict:
    "One-image latency of both sides in one process, alternating image by image (who goes first alternates too)"
    sides = [onnx_side(onnx, a.threads, a.opt)[0], fastai_side(pkl, a.threads)[0]]
    for f in files[:6]: [one(f) for one in sides]   # warm-up
    ts = [[],[]]
    for i,f in enumerate(files[6:6+a.latency]):
        for j in ((0,1) if i%2 == 0 else (1,0)): t = time.perf_counter(); sides[j](f); ts[j].append(1000*(time.perf_counter() - t))
    return dict(onnx_ms=statistics.median(ts[0]), fastai_ms=statistics.median(ts[1]), ratio=statistics.median(o/b for o,b in zip(*ts)))

def child(kind, model, a, t_spawn):
    "One measurement in this fresh process (the ONNX side never imports torch or fastai): prints one JSON line"
    files = json.loads(Path(a.files).read_text())
    if kind == 'paired': return print('RESULT ' + json.dumps(paired(*model.split(','), a, files)), flush=True)
    one,many = onnx_side(model, a.threads, a.opt) if kind.startswith('onnx') else fastai_side(model, a.threads)
    one(files[0])
    res = dict(cold_start_s=time.time() - t_spawn, rss_after_first_mb=peak_rss_mb())
    if kind.endswith('latency'):
        for f in files[1:6]: one(f)   # warm-up
        ts = []
        for f in files[6:6+a.latency]: t = time.perf_counter(); one(f); ts.append(1000*(time.perf_counter() - t))
        ts.sort(); res.update(latency_ms=ts[len(ts)//2], latency_p90_ms=ts[int(0.9*len(ts))])
    else:
        many(files[:64])   # warm-up
        best = min(_timed(many, files) for _ in range(2))
        res.update(images_per_s=len(files)/best, images=len(files))
    res.update(peak_rss_mb=peak_rss_mb(), torch_imported='torch' in sys.modules)
    print('RESULT ' + json.dumps(res), flush=True)

def _timed(f, *args):
    t = time.perf_counter(); f(*args); return time.perf_counter() - t

def run(kind, model, a)->dict:
    "`child(kind)` in a new process"
    env = {**os.environ, 'OMP_NUM_THREADS': str(a.threads), 'MKL_NUM_THREADS': str(a.threads)}
    argv = [sys.executable, __file__, '--child', kind, str(model), '--threads', str(a.threads), '--latency', str(a.latency), '--opt', a.opt,
            '--files', a.files]
    r = subprocess.run([*argv, '--t-spawn', repr(time.time())], capture_output=True, text=True, env=env)
    line = [l for l in r.stdout.splitlines() if l.startswith('RESULT ')]
    if not line: sys.exit(f'{kind} failed:\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}')
    return json.loads(line[0][7:])

def _summary(rs:list)->dict:
    "The median over repeats of each figure of one side: `rs` holds (latency run, batch run) pairs"
    med = lambda i,k: statistics.median(r[i][k] for r in rs)
    return dict(latency_ms=med(0,'latency_ms'), latency_p90_ms=med(0,'latency_p90_ms'), cold_start_s=med(0,'cold_start_s'),
                peak_rss_mb=med(0,'peak_rss_mb'), images_per_s=med(1,'images_per_s'), batch_peak_rss_mb=med(1,'peak_rss_mb'),
                torch=any(r[i]['torch_imported'] for r in rs for i in (0,1)))

def int8_agreement(fp32, int8, files)->dict:
    "The share of `files` on which the int8 model's labels equal the float model's, per category task"
    from paddy_mt.serve import OnnxPredictor
    p32,p8 = OnnxPredictor(fp32),OnnxPredictor(int8)
    a32,a8 = p32.acts(files),p8.acts(files)
    return {t.name: float((a32[t.name].argmax(1) == a8[t.name].argmax(1)).mean()) for t in p32.tasks if t.kind == 'category'}

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--model', help='a .pkl exported by paddy_mt (default: the sample recipe, untrained)')
    p.add_argument('--threads', type=int, default=1); p.add_argument('--latency', type=int, default=50)
    p.add_argument('--repeats', type=int, default=1, help='fresh processes per measurement and side; the medians are reported')
    p.add_argument('--int8', action='store_true'); p.add_argument('--opt', default='all', choices=['all','extended','basic','none'])
    p.add_argument('--child', nargs=2, help=argparse.SUPPRESS); p.add_argument('--t-spawn', type=float, help=argparse.SUPPRESS)
    p.add_argument('--files', help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child: return child(a.child[0], a.child[1], a, a.t_spawn)
    import pandas as pd
    from paddy_mt.onnx import export_command
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        pkl,files = make_model(a, tmp),test_files()
        a.files = str(tmp/'files.json'); Path(a.files).write_text(json.dumps(files))
        t = time.perf_counter(); onnx = export_command(pkl, tmp/'model.onnx'); export_s = time.perf_counter() - t
        models = {'onnx': onnx, 'fastai': pkl}
        if a.int8:
            import logging
            from onnxruntime.quantization import quantize_dynamic, QuantType
            logging.getLogger().setLevel(logging.ERROR)   # its advice to pre-process, and a note about the uint8 input
            quantize_dynamic(str(onnx), str(tmp/'int8.onnx'), weight_type=QuantType.QInt8)
            models['onnx_int8'] = tmp/'int8.onnx'
        runs = {k:[] for k in models}
        for _ in range(a.repeats):   # the sides alternate, so that a change in the machine's load hits both
            for k,m in models.items(): runs[k].append((run(f'{k}_latency', m, a), run(f'{k}_batch', m, a)))
        res = {k: _summary(rs) for k,rs in runs.items()}
        pair = run('paired', f'{onnx},{pkl}', a)
        agree = int8_agreement(onnx, models['onnx_int8'], files) if a.int8 else None
        sizes = {k: Path(m).stat().st_size/1e6 for k,m in models.items()}
    print(f'{os.cpu_count()} CPUs, {a.threads} thread(s) each, model {Path(a.model).name if a.model else "SAMPLE_RECIPE (untrained)"}, '
          f'ONNX export {export_s:.0f} s, onnxruntime graph optimisation: {a.opt}; latency: median of {a.latency} single images; '
          f'median of {a.repeats} run(s) per side')
    df = pd.DataFrame(res).T
    df['file_mb'] = pd.Series(sizes)
    print(df.to_string(float_format=lambda x: f'{x:.2f}'))
    o,f = res['onnx'],res['fastai']
    print(f"throughput: paddy_mt {o['images_per_s']:.1f} img/s, baseline {f['images_per_s']:.1f} img/s, ratio {o['images_per_s']/f['images_per_s']:.2f}")
    print(f"cold start: paddy_mt {o['cold_start_s']:.2f} s, baseline {f['cold_start_s']:.2f} s, ratio {o['cold_start_s']/f['cold_start_s']:.2f}")
    for k,what in (('peak_rss_mb','one image at a time'), ('batch_peak_rss_mb','batches of 64')):
        print(f"peak memory, {what}: paddy_mt {o[k]:.0f} MB, baseline {f[k]:.0f} MB, ratio {o[k]/f[k]:.2f}")
    if agree: print(f"int8: latency {res['onnx_int8']['latency_ms']:.1f} ms; labels equal to the float model's on "
                    + ', '.join(f'{v:.1%} ({t})' for t,v in agree.items()))
    print(f"latency, fresh processes: paddy_mt {o['latency_ms']:.1f} ms, baseline {f['latency_ms']:.1f} ms, ratio {o['latency_ms']/f['latency_ms']:.2f}")
    print(f"serve: paddy_mt {pair['onnx_ms']:.1f} ms, baseline {pair['fastai_ms']:.1f} ms, ratio {pair['ratio']:.2f}")

if __name__ == '__main__': main()
