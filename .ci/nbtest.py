"""Run every notebook in nbs/ as a test with `nbdev_test`, echo its output, and end with a line `N passed, M failed`.

Extra arguments go to nbdev_test, e.g. `--flags "slow cuda"` on a GPU runner or `--path nbs/00_data.ipynb`."""
import os, re, subprocess, sys, time

def main(args):
    cmd = ['nbdev_test', '--do_print', '--timing', *args]
    if '--n_workers' not in args: cmd += ['--n_workers', '2']
    t0, started, lines = time.time(), [], []
    # one math thread per notebook: notebooks run in parallel, and oversubscribed cores make torch many times slower
    env = {'OMP_NUM_THREADS': '1', 'MKL_NUM_THREADS': '1', **os.environ}
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1, env=env) as p:
        for line in p.stdout:
            sys.stdout.write(line); sys.stdout.flush(); lines.append(line.rstrip('\n'))
            started += re.findall(r'Starting \S*?([^/\s]+\.ipynb)', line)   # two workers' lines can share one line
    out = '\n'.join(lines)
    failed = []
    if 'Failed On The Following Notebooks' in out:
        tail = out.split('Failed On The Following Notebooks')[-1]
        failed = re.findall(r'^\t(\S+\.ipynb)\s*$', tail, flags=re.M)
    # A crash of nbdev_test itself (non-zero exit with no failure list) counts every started notebook as failed
    if p.returncode and not failed: failed = started or ['nbdev_test']
    n_fail = len(set(failed))
    print(f'notebook tests took {time.time()-t0:.0f} s')
    print(f'{max(len(started)-n_fail, 0)} passed, {n_fail} failed')
    return 1 if (p.returncode or n_fail or not started) else 0

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
