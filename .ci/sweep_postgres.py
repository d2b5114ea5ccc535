"""The multi-machine test of `paddy_mt.sweep` (nbs/10_sweep.ipynb): two workers share a dry sweep on a real PostgreSQL server.

Starts a throw-away server on 127.0.0.1 (in a temporary folder; as the `postgres` user when run as root, since the server
refuses to run as root), lets a new worker process and this one share a 4-point sweep of `dry_fit` runs, and checks that
every point ran exactly once and that both workers ran some. Where no PostgreSQL server binaries are installed (`initdb`,
`pg_ctl`: Debian's `postgresql` package) it says so and counts as skipped. Ends with a line `N passed, M failed`."""
import contextlib, glob, os, pwd, shutil, socket, subprocess, sys, tempfile
from pathlib import Path
from optuna.trial import TrialState
from paddy_mt.sweep import create_sweep, grid_points, load_sweep, relay, spawn_worker, sweep_progress, sweep_worker, wait_joined

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
    "Two workers, a new process and this one, share a dry sweep on `pg`: each point runs exactly once"
    create_sweep('pg', 'resnet18,convnext_atto', storage=pg, repeats=2, heartbeat=2, pretrained=False,
                 fit='paddy_mt.sweep.dry_fit', results='paddy_mt.sweep.dry_results', fit_kwargs=dict(seconds=1))
    w = spawn_worker('pg', pg, env=dict(OMP_NUM_THREADS='1'))
    wait_joined(w)  # now work beside it
    here = sweep_worker('pg', pg)
    assert relay([w]) == [0], 'the new worker failed'
    study = load_sweep('pg', pg)
    assert sweep_progress(study) == dict(done=4, failed=0, running=0, left=0, total=4), sweep_progress(study)
    done = [t for t in study.trials if t.state == TrialState.COMPLETE]
    assert sorted(tuple(t.params[k] for k in ('arch','lr','method','size','repeat')) for t in done) == sorted(grid_points(study.user_attrs['grid']))
    workers = {t.user_attrs['worker'] for t in done}
    assert len(workers) == 2 and 0 < here < 4, (workers, here)
    print(f'sweep_postgres: 4 points, each done once, by 2 workers ({here} here)')

if __name__ == '__main__':
    with local_postgres() as (pg, why):
        if pg is None: print(f'sweep_postgres: SKIPPED ({why})\n0 passed, 0 failed'); sys.exit(0)
        try: check_shared_sweep(pg)
        except Exception as e:
            print(f'sweep_postgres: FAILED: {type(e).__name__}: {e}\n0 passed, 1 failed'); sys.exit(1)
    print('1 passed, 0 failed')
