"""How a recipe's results spread over training seeds: the measurement behind the learning tests' margins.

Trains a recipe (default: the embedded sample's `SAMPLE_RECIPE`) on one validation split with several training seeds,
optionally with some labels blanked (missing labels), and prints each run, then the mean ± sd and the range of every
task's primary metric next to its trivial baseline. Last line:
`seeds: paddy_mt <first task's primary metric, mean>, baseline <its trivial baseline>, ratio <r>`.

    python benchmarks/seeds.py --tasks disease,variety,age --seeds 5            # the lesson's margins (06_train)
    python benchmarks/seeds.py --size 96 --epochs 2 --seeds 5 --blank variety=0.5   # missing labels (91_tests_tasks)
    python benchmarks/seeds.py --size 64 --epochs 1 --seeds 5 --balance upgrad      # balancing (04b_balance)
"""
import argparse, contextlib, io, warnings
from paddy_mt.all import *
from paddy_mt.testing import blank_labels

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--seeds', type=int, default=5, help='training seeds 0..N-1')
    p.add_argument('--split_seed', type=int, default=42)
    p.add_argument('--tasks', default='disease,variety')
    p.add_argument('--size', type=int, default=None); p.add_argument('--epochs', type=int, default=None)
    p.add_argument('--balance', default=None, help='how the tasks are balanced, e.g. upgrad (see `balance_choices`)')
    p.add_argument('--blank', default=None, help='COLUMN=FRACTION: empty that share of the column in train.csv, e.g. variety=0.5')
    p.add_argument('--data', default=None, help='a Paddy data folder; default the embedded sample')
    a = p.parse_args()
    warnings.filterwarnings('ignore')
    defaults.callbacks = [c for c in defaults.callbacks if c is not ProgressCallback]
    path = get_paddy_path(a.data, verbose=False)
    over = {k:v for k,v in dict(size=a.size, epochs=a.epochs, balance=a.balance).items() if v is not None}
    if a.blank:
        col,frac = a.blank.split('='); path = blank_labels(path, col, float(frac))
    recipe = SAMPLE_RECIPE.replace(tasks=tuple(a.tasks.split(',')), split_seed=a.split_seed, **over)
    print(f'data {path} ({data_source(path)}); recipe {recipe.changes()}; blank {a.blank}; seeds 0-{a.seeds-1}; '
          f'{defaults.cpus} CPUs, torch {torch.__version__}', flush=True)
    rows = []
    for seed in range(a.seeds):
        with contextlib.redirect_stdout(io.StringIO()): learn = fit_paddy(path, recipe, seed=seed, verbose=False)
        res,tasks = paddy_results(learn),learn.tasks
        rows.append({'seed':seed, 'fit_time':res['fit_time'], **{f'{t.name}_{t.primary}':res[f'{t.name}_{t.primary}'] for t in tasks}})
        print(pd.DataFrame(rows[-1:]).to_string(index=False, header=seed == 0, float_format='{:.4f}'.format), flush=True)
    df = pd.DataFrame(rows).drop(columns='seed')
    print('\n' + df.agg(['mean','std','min','max']).T.assign(baseline=[np.nan]+[t.baseline for t in tasks]).to_string(float_format='{:.4f}'.format))
    t = tasks[0]; m = df[f'{t.name}_{t.primary}'].mean()
    print(f'seeds: paddy_mt {m:.4f}, baseline {t.baseline:.4f}, ratio {m/t.baseline:.2f}')

if __name__ == '__main__': main()
