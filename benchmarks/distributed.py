"""Distributed data parallel: the same training epoch in one process and in two (torchrun, one thread each), in one run.

Both runs train the same images with the same batch size per process (so two processes take half as many steps, on
twice the images each), `--epochs` epochs, and report the last one (the first warms up): its training and validation
time. The CPU's own parallelism is measured before and after (two one-thread matrix-multiplying processes against
one: 2.00 when the machine has two free cores), since other work on the machine bounds what two processes can gain.
Last line: `distributed: paddy_mt <2-process epoch> s, baseline <1-process epoch> s, ratio <r>` (ratio below 1: faster).

    python benchmarks/distributed.py                   # resnet18, 64 px, 300 images, bs 24 per process
    python benchmarks/distributed.py --procs 4 --images 2000 --size 128 --arch convnext_tiny    # a larger machine
"""
import argparse, json, os, subprocess, sys, tempfile, time

def parse():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # long option names: torchrun takes an option after the script for its own when it is a prefix of one (--n: --nnodes)
    p.add_argument('--images', type=int, default=300); p.add_argument('--size', type=int, default=64)
    p.add_argument('--arch', default='resnet18'); p.add_argument('--bs', type=int, default=24)
    p.add_argument('--epochs', type=int, default=2); p.add_argument('--procs', type=int, default=2)
    p.add_argument('--worker', default=None, help='(internal) train in this launched process; rank 0 writes its timings here')
    return p.parse_args()

def worker(a):
    "One process of a run (alone, or started by torchrun): train, time each epoch, rank 0 writes the timings"
    import torch
    from paddy_mt.all import (cached_sample, paddy_dls, multitask_learner, set_seed, Callback, num_distrib,
                              rank_distrib, check_launch, on_rank0_first)
    torch.set_num_threads(1)
    world = check_launch(num_distrib() > 1)
    data = on_rank0_first(cached_sample, 'bench', n=a.images)
    set_seed(0)
    dls = paddy_dls(data, size=a.size, bs=a.bs, seed=0, num_workers=0, verify=False)
    learn = multitask_learner(dls, a.arch, pretrained=False)
    class Time(Callback):
        def before_fit(self): self.epochs = []
        def before_train(self): self.t,self.n = time.perf_counter(),0
        def after_batch(self): self.n += self.training
        def before_validate(self): self.epochs.append(dict(train=time.perf_counter()-self.t, batches=self.n)); self.t = time.perf_counter()
        def after_validate(self): self.epochs[-1]['valid'] = time.perf_counter()-self.t
    tm = Time()
    with learn.distrib_ctx(), learn.no_bar(), learn.no_logging(): learn.fit(a.epochs, 1e-3, cbs=tm)
    if rank_distrib() == 0:
        with open(a.worker, 'w') as f: json.dump(dict(world=world, n_train=len(dls.train_ds), n_valid=len(dls.valid_ds), **tm.epochs[-1]), f)

_BURN = "import time,torch; torch.set_num_threads(1); a=torch.randn(384,384); t=time.time()\nfor _ in range(200): a@a\nprint(time.time()-t)"

def cpu_parallelism(n:int, env)->float:
    "How many times more work n one-thread processes get done together than one alone, right now (ideal: n)"
    one = float(subprocess.run([sys.executable, '-c', _BURN], env=env, capture_output=True, text=True).stdout)
    ps = [subprocess.Popen([sys.executable, '-c', _BURN], env=env, stdout=subprocess.PIPE, text=True) for _ in range(n)]
    return n * one / max(float(p.communicate()[0]) for p in ps)

def main(a):
    env = {k:v for k,v in os.environ.items() if k not in ('WORLD_SIZE','RANK','LOCAL_RANK')} | dict(OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
    args = [f'--{k}={v}' for k,v in vars(a).items() if k != 'worker']
    res,par = {},[cpu_parallelism(a.procs, env)]
    with tempfile.TemporaryDirectory() as d:
        for n in (1, a.procs):
            js = os.path.join(d, f'{n}.json')
            launch = [sys.executable] if n == 1 else [sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', str(n)]
            t0 = time.time()
            r = subprocess.run(launch + [__file__, *args, f'--worker={js}'], env=env, capture_output=True, text=True)
            if r.returncode: sys.exit(f'the {n}-process run failed:\n{r.stderr[-3000:]}')
            with open(js) as f: res[n] = {**json.load(f), 'wall':time.time()-t0}
    par.append(cpu_parallelism(a.procs, env))
    one,many = res[1],res[a.procs]
    print(f"{a.arch}, {a.size} px, {one['n_train']} training / {one['n_valid']} validation images, bs {a.bs} per process, "
          f"one thread per process, {os.cpu_count()} CPUs; the last of {a.epochs} epochs:")
    for n,r in res.items():
        print(f"  {n} process(es): train {r['train']:6.2f} s ({r['batches']} batches per process), valid {r['valid']:5.2f} s, "
              f"epoch {r['train']+r['valid']:6.2f} s; whole run {r['wall']:5.1f} s")
    print(f"CPU parallelism of {a.procs} one-thread processes: {par[0]:.2f} before, {par[1]:.2f} after (ideal {a.procs})")
    ep = lambda r: r['train'] + r['valid']
    print(f"distributed: paddy_mt {ep(many):.2f} s, baseline {ep(one):.2f} s, ratio {ep(many)/ep(one):.2f}")

if __name__ == '__main__':
    a = parse()
    worker(a) if a.worker else main(a)
