"""How the shapes fixture's learning spreads over seeds: the margins of the learning tests on generated data.

Trains the multi-task learner of `05_learner` on the shapes of `paddy_mt.testing` (a colour, tags and a size; a small
ResNet from random weights, 8 epochs of one cycle at 1e-2), once per seed, optionally with more colours blanked or
another balancing, and prints each run, then the mean ± sd and the range of every task's primary metric next to its
trivial baseline. CPU threads change the arithmetic's order, hence the results: give the tests' count (`--threads 1`,
as `make test` runs) or the committed outputs' (`--threads 2`, as `make outputs` runs). Last line:
`shapes_seeds: paddy_mt <colour error, mean>, baseline <its trivial baseline>, ratio <r>`.

    python benchmarks/shapes_seeds.py --threads 1                       # 05_learner's margins
    python benchmarks/shapes_seeds.py --threads 1 --blank colour=0.5    # missing labels (91_tests_tasks)
    python benchmarks/shapes_seeds.py --threads 1 --balance upgrad      # Jacobian descent (04b_balance)
"""
import argparse, warnings
from paddy_mt.all import *
from paddy_mt.testing import shapes_learner, shape_items, blank_rows

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--seeds', type=int, default=5, help='seeds 0..N-1 (`set_seed` before the data and the model)')
    p.add_argument('--threads', type=int, default=1, help="torch's CPU threads")
    p.add_argument('--epochs', type=int, default=8)
    p.add_argument('--balance', default='sum', help='how the tasks are balanced, e.g. upgrad (see `balance_choices`)')
    p.add_argument('--blank', default=None, help='COLUMN=FRACTION: empty that share of the column, e.g. colour=0.5')
    a = p.parse_args()
    warnings.filterwarnings('ignore')
    torch.set_num_threads(a.threads)
    items = blank_rows(shape_items(), a.blank.split('=')[0], float(a.blank.split('=')[1])) if a.blank else None
    print(f'shapes, test_resnet from random weights, {a.epochs} epochs, balance {a.balance}, blank {a.blank}, '
          f'seeds 0-{a.seeds-1}, {a.threads} threads, torch {torch.__version__}', flush=True)
    rows = []
    for seed in range(a.seeds):
        learn = shapes_learner(items, seed=seed, epochs=a.epochs, balance=a.balance)
        res = paddy_results(learn)
        rows.append({'seed':seed, **{f'{t.name}_{t.primary}':res[f'{t.name}_{t.primary}'] for t in learn.tasks}})
        print(pd.DataFrame(rows[-1:]).to_string(index=False, header=seed == 0, float_format='{:.4f}'.format), flush=True)
    df,tasks = pd.DataFrame(rows).drop(columns='seed'),learn.tasks
    print('\n' + df.agg(['mean','std','min','max']).T.assign(baseline=[t.baseline for t in tasks]).to_string(float_format='{:.4f}'.format))
    m = df.iloc[:, 0].mean()
    print(f'shapes_seeds: paddy_mt {m:.4f}, baseline {tasks[0].baseline:.4f}, ratio {m/tasks[0].baseline:.2f}')

if __name__ == '__main__': main()
