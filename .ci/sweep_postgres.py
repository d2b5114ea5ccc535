"""The multi-machine test of the sweep (nbs/09a_sweep_store.ipynb, nbs/09b_sweep_run.ipynb): two workers share a dry sweep on a real PostgreSQL server.

Starts a throw-away server on 127.0.0.1 (in a temporary folder; as the `postgres` user when run as root, since the server
refuses to run as root), lets a new worker process and this one share a 4-point sweep of `dry_fit` runs, and checks that
every point ran exactly once and that both workers ran some: the new worker's first run waits (`dry_fit`'s `hold`) until
this process has run a point of its own, so that both run some whatever the timing. Where no PostgreSQL server binaries
are installed (`initdb`, `pg_ctl`: Debian's `postgresql` package) it says so and counts as skipped. Ends with a line
`N passed, M failed`."""
import contextlib, glob, os, pwd, shutil, socket, subprocess, sys, tempfile, time
from pathlib import Path
from optuna.trial import TrialState
from paddy_mt.recipe import SAMPLE_RECIPE
from paddy_mt.testing import tiny_sample
from paddy_mt.sweep_store import create_sweep, grid_points, load_sweep, sweep_progress, trial_point
from paddy_mt.sweep_run import relay, spawn_worker, sweep_worker, wait_joined

def _pg_bin(name): return shutil.which(name) or next(iter(sorted(glob.glob(f'/usr/lib/postgresql/*/bin/{name}'), reverse=True)), None)

@contextlib.contextmanager
def local_postgres(user='sweeper'):
    "A throw-away PostgreSQL server on 127.0.0.1: yields `(url, '')`, or `(None, why)` where none can be started"
    initdb, pg_ctl = _pg_bin('initdb'), _pg_bin('pg_ctl')
    if not (initdb and pg_ctl): yield None, 'no PostgreSQL server binaries (initdb, pg_ctl) on this machine'; return
    d, as_user = Path(tempfile.mkdtemp(prefix='paddy-pg-')), []
    if os.geteuid() == 0:
        try: pw = pwd.getpwnam('postgres')
        except KeyError: yield None, 'running as root, and there is no postgres user to run the server as'; return
        os.chown(d, pw.pw_uid, pw.pw_gid); as_user = ['runuser', '-u', 'postgres', '--']
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]
    def run(*cmd): return subprocess.run(as_user + list(cmd), capture_output=True, text=True, timeout=60)
    started = False
    try:
        r = run(initdb, '-D', str(d/'data'), '-A', 'trust', '-U', user, '--no-sync')
        if r.returncode: yield None, f'initdb failed: {r.stderr.strip()[-300:]}'; return
        r = run(pg_ctl, '-D', str(d/'data'), '-l', str(d/'log'), '-w', '-t', '60', '-o', f'-p {port} -k {d} -c listen_addresses=127.0.0.1 -F', 'start')
        if r.returncode: yield None, f'pg_ctl start failed: {(r.stderr or r.stdout).strip()[-300:]}'; return
        started = True
        yield f'postgresql://{user}@127.0.0.1:{port}/postgres', ''
    finally:
        if started: run(pg_ctl, '-D', str(d/'data'), '-m', 'immediate', 'stop')
        shutil.rmtree(d, ignore_errors=True)

def check_shared_sweep(pg:str):
    "Two workers, a new process and this one, share a dry sweep on `pg`: each point runs exactly once, and each worker runs some"
    started = Path(tempfile.mkdtemp(prefix='paddy-started-'))
    create_sweep('pg', 'resnet18,convnext_atto', SAMPLE_RECIPE.replace(pretrained=False), storage=pg, path=tiny_sample(), repeats=2,
                 heartbeat=2, fit='paddy_mt.testing.dry_fit', results='paddy_mt.testing.dry_results',
                 fit_kwargs=dict(started=str(started), hold='^resnet18-0$'))
    w = spawn_worker('pg', pg, env=dict(OMP_NUM_THREADS='1'))
    wait_joined(w)
    while not (started/'resnet18-0').exists():   # the new worker has taken the first point, and holds it...
        if w.poll() is not None: raise RuntimeError(f'the new worker exited with code {w.returncode}')
        time.sleep(0.05)
    here = sweep_worker('pg', pg, max_runs=1)     # ...while this one runs another point
    (started/'release').touch()
    here += sweep_worker('pg', pg)                # then both share what is left
    assert relay([w]) == [0], 'the new worker failed'
    study = load_sweep('pg', pg)
    assert sweep_progress(study) == dict(done=4, failed=0, running=0, left=0, total=4), sweep_progress(study)
    done = [t for t in study.trials if t.state == TrialState.COMPLETE]
    assert sorted(trial_point(t) for t in done) == sorted(grid_points(study.user_attrs['grid'])), [trial_point(t) for t in done]
    workers = {t.user_attrs['worker'] for t in done}
    assert len(workers) == 2 and 1 <= here <= 3, (workers, here)
    shutil.rmtree(started)
    print(f'sweep_postgres: 4 points, each done once, by 2 workers ({here} here)')

if __name__ == '__main__':
    with local_postgres() as (pg, why):
        if pg is None: print(f'sweep_postgres: SKIPPED ({why})\n0 passed, 0 failed'); sys.exit(0)
        try: check_shared_sweep(pg)
        except Exception as e:
            print(f'sweep_postgres: FAILED: {type(e).__name__}: {e}\n0 passed, 1 failed'); sys.exit(1)
    print('1 passed, 0 failed')
