#!/usr/bin/env bash
# What we run on a lent GPU machine (one H100/H200, no internet, torch/timm/pandas preinstalled, Python 3.12):
# the notebook tests with the `cuda` cells turned on, then the benchmarks at full size. The Python packages the
# machine lacks (fastai, nbdev, ...) travel as wheels in .whl/ (see the device notes in README.md).
# Usage on that machine, from the repository root:  OUT=/some/dir bash benchmarks/gpu.sh
set -uo pipefail
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
mkdir -p /tmp/site/fasthtml && touch /tmp/site/fasthtml/__init__.py /tmp/site/fasthtml/common.py  # fastprogress imports it; unused in scripts
export PYTHONPATH=/tmp/site:$PWD PATH=/tmp/site/bin:$PATH MPLBACKEND=Agg PADDY_MT_CACHE=/tmp/paddy_cache PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c "import torch,timm,fastai; print('torch',torch.__version__,'timm',timm.__version__,'fastai',fastai.__version__,'cpus',__import__('os').cpu_count())"
t0=$(date +%s)
echo "== notebooks, cuda cells on"
timeout 200 python3 .ci/nbtest.py --flags cuda --n_workers 8 > "$OUT/nbtest.log" 2>&1
grep -E "secs$|passed, |Failed|Error" "$OUT/nbtest.log" | tail -30
echo "nbtest wall $(( $(date +%s) - t0 )) s"
echo "== training step and epoch: convnext_small 224 px, Paddy-sized generated set (10,407 images)"
timeout 180 python3 benchmarks/train_step.py --arch convnext_small --size 224 --bs 64 --n 10407 --epoch --fp16 --workers 14 \
  2>&1 | grep -v -i warn | tee "$OUT/train_step.log" | tail -8
echo "== loader: 480x640 JPEGs to 224 px batches, 2 workers (Kaggle-like)"
timeout 100 python3 benchmarks/loader.py --n 2000 --workers 2 --epochs 1 2>&1 | grep -v -i warn | tee "$OUT/loader.log" | tail -5
echo "== inference: exported convnext_small, 224 px, 667 test images"
timeout 100 python3 benchmarks/inference.py --arch convnext_small --n 2000 --workers 8 2>&1 | grep -v -i warn | tee "$OUT/inference.log" | tail -6
echo "total $(( $(date +%s) - t0 )) s"
