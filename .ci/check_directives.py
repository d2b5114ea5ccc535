"Check the notebooks keep their directives: every cell a module exports carries `#| export`, every `flagged_cell(X)` cell its `#| X`. Usage: python .ci/check_directives.py [ROOT]; last line `bad N`"
import json, re, glob, sys, os
root = sys.argv[1] if len(sys.argv)>1 else '.'
mods = {}
for m in glob.glob(f'{root}/paddy_mt/*.py'):
    for nbn, cid in re.findall(r'^# %% \.\./nbs/(\S+\.ipynb) #(\w+)', open(m).read(), re.M): mods.setdefault(nbn, set()).add(cid)
bad = 0
for f in sorted(glob.glob(f'{root}/nbs/*.ipynb')):
    nb = json.load(open(f)); n = os.path.basename(f)
    ids = {c['id']: ''.join(c['source']) for c in nb['cells'] if c['cell_type']=='code'}
    for cid in mods.get(n, ()):
        if cid not in ids: print(f'{n}: module cell {cid} not in notebook'); bad += 1
        elif not re.match(r'#\|\s*export', ids[cid]): print(f'{n}: cell {cid} exported but no #| export'); bad += 1
    for cid, s in ids.items():
        m = re.search(r"^if flagged_cell\('(\w+)'", s, re.M)
        if m and not re.search(rf'^#\|\s*{m.group(1)}\b', s, re.M): print(f'{n}: cell {cid} flagged_cell({m.group(1)}) without #| {m.group(1)}'); bad += 1
print('bad', bad)
sys.exit(1 if bad else 0)
