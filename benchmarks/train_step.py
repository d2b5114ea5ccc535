"""Training cost of the extra task: paddy_mt's multi-task learner vs a plain fastai single-task learner; and the cost of
each way of balancing the tasks (`multitask_learner(balance=...)`) against the plain sum of their losses.

Same architecture, same images, same batch. Prints a table, then (unless `--balance ''`) the balancing table: each
method's training step through fastai's loop (its callbacks included) and the memory that step needs on top of what is
allocated, with their ratios to 'sum', measured alternately (sum, uncertainty, dwa, upgrad... sum, uncertainty...).
The last line is `train_step: paddy_mt <ms> ms, baseline <ms> ms, ratio <r>` (goal: ratio <= 1.03; the extra head is
tiny). With --epoch it also times one real `learn.fit(1)` of each (data loading included).

    python benchmarks/train_step.py                          # CPU, small settings
    python benchmarks/train_step.py --arch convnext_small --size 224 --bs 64 --n 10407 --epoch --fp16   # GPU
"""
import argparse, time, os, re
from paddy_mt.all import *
from paddy_mt.balance import check_balance
from paddy_mt.train import reset_peak_mem, peak_mem

def sync(): 
    if torch.cuda.is_available(): torch.cuda.synchronize()

def stepper(learn, xb, yb, amp=False):
    "A function timing (ms) one forward + loss + backward + optimiser step of `learn` on the fixed batch `xb`, `yb`"
    model = learn.model.train(); opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    dt = torch.bfloat16 if amp else None
    def step():
        sync(); t = time.perf_counter()
        with torch.autocast(xb.device.type, dtype=dt, enabled=amp):
            loss = learn.loss_func(model(xb), *yb)
        loss.backward(); opt.step(); opt.zero_grad(set_to_none=True)
        sync(); return (time.perf_counter()-t)*1000
    return step

class TimedBatch(Callback):
    "Times the training batches of the fits it joins (all callbacks of the batch included), skips validation"
    order = -100
    def __init__(self, mem=False): self.mem,self.ms,self.mem_MB = mem,None,None
    def before_batch(self):
        if self.mem: self.base = mem_start(self.learn.dls.device)
        sync(); self.t = time.perf_counter()
    def after_batch(self):
        sync(); self.ms = (time.perf_counter()-self.t)*1000
        if self.mem: self.mem_MB = mem_rise(self.learn.dls.device, self.base)
    def before_validate(self): raise CancelValidException

def mem_start(dev):
    "Start measuring the peak memory of a step: what is in use now"
    if dev.type == 'cuda': torch.cuda.reset_peak_memory_stats(); return torch.cuda.memory_allocated()
    reset_peak_mem(False); return int(re.search(r'VmRSS:\s+(\d+) kB', Path('/proc/self/status').read_text()).group(1))/2**10

def mem_rise(dev, base)->float:
    "MB the step needed on top of `base` at its peak (CUDA memory allocated; on the CPU the process's resident memory)"
    if dev.type == 'cuda': return (torch.cuda.max_memory_allocated()-base)/2**20
    return peak_mem(False)*2**10 - base

def balance_stepper(dls, arch, batch, balance, dev):
    "A function running one training batch of `multitask_learner(..., balance=balance)` on `batch` through fastai's loop: (ms, MB)"
    set_seed(0); learn = multitask_learner(dls, arch, pretrained=False, balance=balance)
    ds = list(zip(*[o.cpu() for o in batch]))
    learn.dls = DataLoaders(TfmdDL(ds, bs=len(ds)), TfmdDL(ds, bs=len(ds)), device=dev); learn.dls.n_inp = 1
    learn.model.to(dev)
    def step(mem=False):
        t = TimedBatch(mem)
        with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-4, cbs=t)
        return t.ms, t.mem_MB
    return step

def balance_table(dls, arch, batch, methods, steps, dev)->pd.DataFrame:
    "Step time (median) and memory of each balancing method on the same model and batch, alternating, with ratios to 'sum'"
    fs = {m:balance_stepper(dls, arch, batch, m, dev) for m in methods}
    ms = {m:[] for m in methods}
    for i in range(2+steps):
        for m,f in fs.items():
            t,_ = f()
            if i >= 2: ms[m].append(t)
    mem = {m:max(f(mem=True)[1] for _ in range(2)) for m,f in fs.items()}
    t = pd.DataFrame({'step_ms':{m:float(np.median(v)) for m,v in ms.items()}, 'step_MB':mem})
    t['x_sum_time'],t['x_sum_MB'] = t.step_ms/t.step_ms['sum'],t.step_MB/t.step_MB['sum']
    return t

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--arch', default='resnet18'); p.add_argument('--size', type=int, default=64)
    p.add_argument('--bs', type=int, default=32); p.add_argument('--n', type=int, default=300)
    p.add_argument('--steps', type=int, default=20); p.add_argument('--epoch', action='store_true')
    p.add_argument('--fp16', action='store_true', help='mixed precision (bf16 autocast for the step, to_fp16 for the epoch)')
    p.add_argument('--workers', type=int, default=None); p.add_argument('--data', default=None)
    p.add_argument('--balance', default='sum,uncertainty,dwa,upgrad,mgda,dualproj',
                   help="balancing methods to time against 'sum' (comma-separated; '' for none)")
    a = p.parse_args()
    dev = default_device()
    path = Path(a.data) if a.data else cached_sample('bench', n=a.n)
    kw = dict(size=a.size, bs=a.bs, seed=42, num_workers=ifnone(a.workers, defaults.cpus), verify=False,
              pipeline=fast_pipeline)   # the data pipeline a `Recipe` trains with by default (`fast=True`)
    dls_m, dls_s = paddy_dls(path, **kw), paddy_dls(path, tasks='disease', **kw)
    set_seed(0); learn_m = multitask_learner(dls_m, a.arch, pretrained=False)   # its tasks derived from dls_m's targets
    set_seed(0); learn_s = vision_learner(dls_s, a.arch, pretrained=False)
    xb,yd,yv = dls_m.one_batch()
    runs = (('paddy_mt multi-task', learn_m, (yd,yv)), ('fastai single-task', learn_s, (yd,)))
    res = {name: dict(params=sum(p.numel() for p in l.model.parameters()), step_ms=[], epoch_s=[]) for name,l,_ in runs}
    for name,learn,yb in runs: learn.model.to(dev)
    steps = {name: stepper(learn, xb.to(dev), [y.to(dev) for y in yb], amp=a.fp16 and dev.type=='cuda') for name,learn,yb in runs}
    for i in range(3+a.steps):  # alternate step by step (A B A B ...), so that drift and warm-up favour neither
        for name,f in steps.items():
            t = f()
            if i >= 3: res[name]['step_ms'].append(t)
    if dev.type=='cuda':  # memory one step needs on top of what is allocated already (activations, gradients)
        for name,f in steps.items():
            torch.cuda.empty_cache(); base = torch.cuda.memory_allocated(); torch.cuda.reset_peak_memory_stats(); f()
            res[name]['step_mem_GB'] = (torch.cuda.max_memory_allocated()-base)/1e9
    for rep in range(2 if a.epoch else 0):  # whole epochs, data loading included: A B A B, best of two
        for name,learn,yb in runs:
            if a.fp16 and not hasattr(learn, 'mixed_precision'): learn.to_fp16()
            sync(); t = time.perf_counter()
            with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-3)
            sync(); res[name]['epoch_s'].append(time.perf_counter()-t)
    for r in res.values(): r['step_ms'] = float(np.median(r['step_ms'])); r['epoch_s'] = min(r['epoch_s']) if r['epoch_s'] else float('nan')
    where = torch.cuda.get_device_name() if dev.type=='cuda' else f'{os.cpu_count()} CPUs'
    print(f'device {dev} ({where}), arch {a.arch}, size {a.size}, bs {a.bs}, images {len(dls_m.train_ds)+len(dls_m.valid_ds)}')
    print(pd.DataFrame(res).T.to_string(float_format=lambda x: f'{x:.3f}'))
    if methods := [check_balance(m) for m in a.balance.split(',') if m]:
        if 'sum' not in methods: methods.insert(0, 'sum')
        bt = balance_table(dls_m, a.arch, (xb,yd,yv), methods, a.steps, dev)
        print(f"balancing the tasks: a training step through fastai's loop, {a.steps} alternating steps (median), "
              f"memory the step needs on top of what is allocated ({'CUDA allocated' if dev.type=='cuda' else 'process RSS'})")
        print(bt.to_string(float_format=lambda x: f'{x:.2f}'))
    m,s = res['paddy_mt multi-task'], res['fastai single-task']
    if a.epoch: print(f"epoch_time: paddy_mt {m['epoch_s']:.1f} s, baseline {s['epoch_s']:.1f} s, ratio {m['epoch_s']/s['epoch_s']:.3f}")
    print(f"train_step: paddy_mt {m['step_ms']:.1f} ms, baseline {s['step_ms']:.1f} ms, ratio {m['step_ms']/s['step_ms']:.3f}")

if __name__ == '__main__': main()
