# Two commands matter (see README.md):  `make run` (the main job) and `make test` (the notebook tests).
# Both create the virtual environment .venv first if it is missing or out of date.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
FLAGS  ?=

.PHONY: setup run test export clean-nbs lab outputs
setup: $(STAMP)

$(STAMP): settings.ini setup.py constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -U pip setuptools wheel
	$(BIN)/python -m pip install -q --no-cache-dir -c constraints.txt torch torchvision
	$(BIN)/python -m pip install -q --no-cache-dir -c constraints.txt -e ".[dev]"
	touch $(STAMP)

# The main job: trains a multi-task model on the embedded sample (or $$PADDY_PATH) and predicts its test images
run: setup
	mkdir -p data
	$(BIN)/paddy_mt_train --out data/paddy_mt.pkl
	$(BIN)/paddy_mt_predict data/paddy_mt.pkl "$$($(BIN)/python -c 'from paddy_mt.paths import get_paddy_path; print(get_paddy_path(verbose=False))')" --out data/submission.csv
	head -5 data/submission.csv

# Every notebook in nbs/ runs as a test on the CPU; FLAGS="slow cuda" turns the flagged cells on (GPU runner)
test: setup
	PATH=$(abspath $(BIN)):$$PATH $(BIN)/python .ci/nbtest.py $(if $(FLAGS),--flags "$(FLAGS)")

export: setup
	$(BIN)/nbdev_export

clean-nbs: setup
	$(BIN)/nbdev_clean

# The course in JupyterLab, from this project's environment, on the notebooks (installs JupyterLab once; runs offline)
lab: setup
	test -x $(BIN)/jupyter-lab || $(BIN)/python -m pip install -q -c constraints.txt jupyterlab
	$(BIN)/jupyter lab --notebook-dir=nbs $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

# Re-run notebooks and save them with their outputs (NBS="nbs/05_learner.ipynb ..."; default all), then clean them
NBS ?= $(wildcard nbs/[0-9]*.ipynb)
outputs: setup
	OMP_NUM_THREADS=2 $(BIN)/python .ci/save_outputs.py $(if $(FLAGS),--flags "$(FLAGS)") $(NBS)
	$(BIN)/nbdev_clean
