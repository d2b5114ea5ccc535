"""Run notebooks top to bottom on this machine and save them WITH their outputs, clean: what `make outputs` does.

Cells flagged with a test flag (settings.ini `tst_flags`) are skipped like `nbdev_test` skips them, unless the flag is
given with --flags (e.g. --flags slow to run the CPU-only slow experiments whose outputs are committed). Progress bars
are stored in their final state, pictures as JPEG, and the script fails if an output shows a machine path (a
warning printing a file location) or an error. Then run `nbdev_clean`.

    python .ci/save_outputs.py nbs/05_learner.ipynb            # one or more notebooks
    python .ci/save_outputs.py --flags slow nbs/07_variation.ipynb
"""
import argparse, base64, io, os, re, sys, time
from pathlib import Path

def final_text(s:str)->str:
    "Text as a terminal shows it: a carriage return rewrites its line, so only what follows the last one stays"
    return '\n'.join(line.rsplit('\r', 1)[-1] for line in s.split('\n'))

# torch's deprecation of `torch.jit.script`, which importing fastai and timm triggers: paddy_mt's __init__ filters it for
# users (and Jupyter keeps that filter), but under execnb it can come back in a cell's output, with torch's path
JIT_WARNING = re.compile(r'^\S*torch/jit/_script\.py:\d+: FutureWarning: `torch\.jit\.script` is deprecated.*\n\s*warnings\.warn\(\n', re.M)

def jpeg(png_b64:str, quality=80)->str:
    "A PNG picture (base64) as a JPEG (base64), on white"
    from PIL import Image
    im = Image.open(io.BytesIO(base64.b64decode(png_b64)))
    if im.mode in ('RGBA','LA','P'): bg = Image.new('RGB', im.size, 'white'); bg.paste(im.convert('RGBA'), mask=im.convert('RGBA').split()[-1]); im = bg
    out = io.BytesIO(); im.convert('RGB').save(out, 'JPEG', quality=quality, optimize=True)
    return base64.b64encode(out.getvalue()).decode()

BAD = re.compile(r'(/work/|/root/|/home/|/tmp/|\.venv|site-packages)')

def clean(nb)->list:
    "Tidy the outputs of `nb` in place; the problems that remain (paths, errors), one line each"
    problems = []
    for i,c in enumerate(nb.cells):
        for o in c.get('outputs', []):
            if o.get('output_type') == 'stream': o['text'] = JIT_WARNING.sub('', final_text(''.join(o['text']) if isinstance(o['text'], list) else o['text']))
            data = o.get('data', {})
            if 'image/png' in data: data['image/jpeg'] = jpeg(data.pop('image/png'))
            if o.get('output_type') == 'error': problems.append(f'cell {i}: {o.get("ename")}: {o.get("evalue")}')
            text = o.get('text', '') + ''.join(str(v) for k,v in data.items() if k.startswith('text/'))
            if m := BAD.search(text): problems.append(f'cell {i}: output shows a machine path: ...{text[max(0,m.start()-60):m.end()+40]!r}')
        if 'outputs' in c: c['outputs'] = [o for o in c['outputs'] if o.get('output_type') != 'stream' or o['text']]   # a stream left empty goes
    return problems

def run(fn:Path, flags:set)->list:
    from execnb.nbio import read_nb, write_nb
    from execnb.shell import CaptureShell
    from nbdev.config import get_config
    from nbdev.process import extract_directives
    skip = set(get_config().tst_flags.split()) - flags
    def preproc(cell):
        if cell.cell_type != 'code': return True
        dirs = extract_directives(cell, remove=False)   # `#| slow`...; the cell keeps its source (with the directives)
        return bool(skip & set(dirs)) or 'eval:' in dirs and dirs['eval:'] == ['false']
    nb = read_nb(fn)
    os.environ['IN_TEST'] = '1'   # as under nbdev_test: flagged cells that run, run for real
    sh = CaptureShell(fn)
    t0 = time.time()
    for c in nb.cells:   # execnb leaves a cell's old outputs when it prints nothing now: clear those of the cells that run
        if c.cell_type == 'code' and not preproc(c): c.outputs = []
    sh.run_all(nb, exc_stop=True, preproc=preproc)
    if sh.exc: raise RuntimeError(f'{fn}: {sh.exc!r}')
    problems = clean(nb)
    write_nb(nb, fn)
    print(f'{fn}: {time.time()-t0:.0f} s' + ''.join(f'\n  {p}' for p in problems), flush=True)
    return problems

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('notebooks', nargs='+')
    p.add_argument('--flags', default='', help='test flags to run (space-separated), e.g. "slow"')
    a = p.parse_args()
    bad = [q for fn in a.notebooks for q in run(Path(fn), set(a.flags.split()))]
    sys.exit(1 if bad else 0)
