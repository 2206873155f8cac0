# Two commands do everything on a fresh machine: `make reproduce` and `make test`.
# Each creates the virtual environment .venv from the pinned requirements if it is missing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready

.PHONY: reproduce test extract lab bench env clean-env book

reproduce: $(READY)  ## execute every notebook headless (papermill), rewriting data/processed and figures
	$(BIN)/python -m helpers.run

test: $(READY)  ## unit tests, data checks, and nbval over every stored notebook
	$(BIN)/python -m pytest

extract: $(READY)  ## maintainers: rebuild data/raw from ../shared/sources
	$(BIN)/python -m helpers.extract

bench: $(READY)  ## time the chain, per notebook, against an import-only floor (writes build/bench.csv)
	$(BIN)/python -m helpers.bench

lab: $(READY)  ## open the notebooks in JupyterLab with the project's kernel
	$(BIN)/jupyter lab notebooks/

# The HTML book: the stored notebooks as they are (no re-execution), the findings, every exhibit.
book: $(READY)  ## static HTML site in build/book/ (open build/book/index.html); tests/test_book.py checks it in Chromium
	$(BIN)/python -m helpers.book

env: $(READY)

$(READY): requirements.txt constraints.txt pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (compendium)" > /dev/null
	touch $@

clean-env:
	rm -rf $(VENV)
