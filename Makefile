# Two commands do everything on a fresh machine: `make reproduce` and `make test`; `make help` lists all.
# Each creates the virtual environment .venv from the pinned requirements if it is missing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready
# One BLAS thread per process: the last digits of a result then do not depend on the thread count a
# machine picks, and two notebooks at a time do not oversubscribe two cores. helpers.run.BLAS sets the
# same for the notebooks it runs and, through helpers/pytest_plugin.py, for every pytest run
# (tests/test_run.py checks that they agree); here they also reach JupyterLab's kernels (make lab).
export OMP_NUM_THREADS := 1
export OPENBLAS_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
# OpenBLAS's Haswell kernels wherever the CPU has AVX2 and FMA, as helpers.run.BLAS gives the kernels
# it starts: the tests then compute the forensic grid (whose cache the notebooks read) to the last bit
# as the notebooks do, and a figure drawn from it does not depend on which process computed it.
ifneq ($(shell grep -qw avx2 /proc/cpuinfo 2>/dev/null && grep -qw fma /proc/cpuinfo && echo yes),)
export OPENBLAS_CORETYPE := Haswell
endif
# Options for `make lab`, e.g. make lab LAB="--port 8890 --no-browser"
LAB ?=
# OpenBLAS's kernels of an older CPU for `make verify` (helpers.run.OTHER_KERNELS), e.g. make verify KERNELS=Prescott
KERNELS ?=

.PHONY: help reproduce verify test extract lab bench book env check-env clean clean-env

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## /\1\t/' | awk -F'\t' '{printf "  make %-11s %s\n", $$1, $$2}'

reproduce: check-env  ## execute every notebook headless, rewriting data/processed, figures/ and the notebooks
	$(BIN)/python -m helpers.run

verify: check-env  ## rerun everything into build/verify/ and compare each exhibit with the committed one; as an older CPU: KERNELS=Prescott
	$(BIN)/python -m helpers.verify $(if $(KERNELS),--kernels $(KERNELS))

# Each file goes whole to one of two processes (pyproject: --dist loadfile), in the order collected: the
# longest files first (tests/conftest.py, LONGEST_FIRST), then the notebooks and the rest, so that no
# long file runs last.
test: check-env  ## unit tests, data checks and nbval over every notebook (two processes; outputs in build/test/)
	$(BIN)/python -m pytest -n 2

extract: check-env  ## maintainers: rebuild data/raw from ../shared/sources
	$(BIN)/python -m helpers.extract

bench: check-env  ## time the chain per notebook against an import-only floor (writes build/bench.csv)
	$(BIN)/python -m helpers.bench

# Rooted at the repository, so that its file browser reaches build/ and its terminals start where the
# README's commands run; it opens on notebooks/. The checkout first on PYTHONPATH, as the runner gives
# its kernels (helpers.run.kernel_environment): the kernels import the helpers beside these notebooks.
lab: check-env  ## JupyterLab, opened on notebooks/ (its runs write to build/interactive/); options: make lab LAB="..."
	@echo 'JupyterLab: runs here write to build/interactive/. Options: make lab LAB="--port 8890 --no-browser"'
	PYTHONPATH="$(CURDIR)$${PYTHONPATH:+:$$PYTHONPATH}" $(BIN)/jupyter lab --ServerApp.root_dir=$(CURDIR) --LabApp.default_url=/lab/tree/notebooks \
		$(if $(filter 0,$(shell id -u)),--allow-root) $(LAB)

# The HTML book: the stored notebooks as they are (no re-execution), the findings, every exhibit.
book: check-env  ## static HTML site in build/book/ (open build/book/index.html); tests/test_book.py checks it in Chromium
	$(BIN)/python -m helpers.book

env: check-env  ## build .venv from the pins (one to two minutes)

check-env: $(READY)
	@$(BIN)/python -m helpers.environment || { echo "the environment in $(VENV) is damaged: run make clean-env, then make again" >&2; exit 1; }

$(READY): requirements.txt constraints.txt pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version'
	@echo "$(if $(wildcard $(BIN)/python),updating,building) $(VENV) from the pinned requirements (one to two minutes)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar off -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3" > /dev/null
	touch $@

# Not while a run holds build/run.lock (helpers.run.lock): it would delete the files that run is writing.
clean:  ## remove build outputs (build/: reruns, verify, bench, test and interactive runs, the forensic grid's cache, the last run's durations)
	@if [ -e build/run.lock ] && ! flock -n build/run.lock true; then \
		echo "a run is using this checkout ($$(cat build/run.lock)); wait for it to finish, then make clean" >&2; exit 1; fi
	rm -rf build notebooks/build

clean-env:  ## remove .venv (the next make rebuilds it)
	rm -rf $(VENV)
