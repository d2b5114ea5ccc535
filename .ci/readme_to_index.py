"nbs/index.ipynb from README.md (run from the repository root): the same text, image paths relative to nbs/, and a CPU demo after the quick start; then `make outputs NBS=nbs/index.ipynb`"
import json, re, sys, uuid
readme = open('README.md').read().replace('](nbs/images/', '](images/')
title, rest = readme.split('\n', 1)
m = re.search(r'^> (.+?)\n(?!>)', rest, re.M | re.S)
summary = ' '.join(l[2:].strip() for l in m.group(0).strip().splitlines())
rest = rest.replace(m.group(0), '')
parts = re.split(r'(?=^## )', rest, flags=re.M)
def md(s): return dict(cell_type='markdown', id=uuid.uuid4().hex[:8], metadata={}, source=s.strip('\n'))
def code(s): return dict(cell_type='code', id=uuid.uuid4().hex[:8], metadata={}, execution_count=None, outputs=[], source=s.strip('\n'))
demo = [md("Here is the Paddy quick start on the CPU in seconds: the embedded sample, small images, random weights, one epoch, all three tasks:"),
        code("from paddy_mt.all import *"),
        code("path = get_paddy_path()\ndls = paddy_dls(path, tasks=('disease','variety','age'), size=64, bs=32, seed=42, num_workers=0)\nlearn = multitask_learner(dls, 'resnet18', pretrained=False)\nlearn.fit_one_cycle(1, 0.01)"),
        code("probs,_ = learn.tta(dl=paddy_test_dl(dls, path), n=2)\n[p.shape for p in probs]"),
        code("#| hide\nfrom fastcore.test import test_eq, test_close\ntest_eq([t.name for t in learn.tasks], ['disease','variety','age'])\ntest_eq([tuple(p.shape) for p in probs[:2]], [(333, 10), (333, 10)])\ntest_eq(len(probs[2]), 333)   # the age: one number (days) per image\ntest_close(probs[0].sum(1), 1., eps=1e-4)")]
cells = [md(f'{title}\n\n> {summary}')]
for p in parts:
    if p.startswith('## Quick start'):
        q = p.split('`get_paddy_path` says', 1)
        cells.append(md(q[0])); cells += demo; cells.append(md('`get_paddy_path` says' + q[1]))
    else: cells.append(md(p))
old = json.load(open('nbs/index.ipynb'))
old['cells'] = cells
json.dump(old, open('nbs/index.ipynb', 'w'), indent=1, ensure_ascii=False)
open('nbs/index.ipynb', 'a').write('\n')
print(len(cells), 'cells')
