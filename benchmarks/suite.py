"""Wall time of the notebook test suite: plain `nbdev_test` (its defaults) vs `.ci/nbtest.py`, what `make test` runs.

`.ci/nbtest.py` runs the same notebooks with the same `nbdev_test`, but with one math thread per notebook
(`OMP_NUM_THREADS=1`): with two notebooks at a time on two cores, torch's default of one thread per core makes every
matrix product fight for the cores. Both runs are timed one after the other, on the same machine, with `--flags` passed
to both. Prints each time and its notebook results, then `suite: paddy_mt <s> s, baseline <s> s, ratio <r>`.

    python benchmarks/suite.py [--flags ""]
"""
import argparse, os, re, subprocess, sys, time

def timed(cmd, env):
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    out = r.stdout + r.stderr
    failed = 'Failed On The Following Notebooks' in out or r.returncode != 0
    if failed: print(f'{cmd} failed:\n{out[-2000:]}')
    return time.perf_counter()-t, failed, re.findall(r'^(\S+\.ipynb): (\d+) secs$', out, flags=re.M)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--flags', default=''); a = p.parse_args()
    bindir = os.path.dirname(sys.executable)
    env = {k:v for k,v in os.environ.items() if k not in ('OMP_NUM_THREADS','MKL_NUM_THREADS')}
    env['PATH'] = bindir + os.pathsep + env.get('PATH', '')  # nbdev_test of this environment
    flags = ['--flags', a.flags] if a.flags else []
    res = {}
    res['baseline'] = timed([f'{bindir}/nbdev_test', '--timing', *flags], env)
    res['paddy_mt'] = timed([sys.executable, '.ci/nbtest.py', *flags], env)
    print(f'{os.cpu_count()} CPUs; notebooks in nbs/, flags {a.flags!r}')
    for k,(s,failed,nbs) in res.items():
        slow = ', '.join(f'{n} {t} s' for n,t in nbs[:3])
        print(f'{k:9s} {s:6.0f} s  {"FAILED" if failed else "all passed"}  slowest: {slow}')
    (m,_,_),(b,_,_) = res['paddy_mt'],res['baseline']
    print(f'suite: paddy_mt {m:.0f} s, baseline {b:.0f} s, ratio {m/b:.2f}')
    sys.exit(int(any(f for _,f,_ in res.values())))

if __name__ == '__main__': main()
