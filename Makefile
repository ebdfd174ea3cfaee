# finmodel: `make reports` and `make test` work on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: install dev reports test lint bench lab clean

$(VENV)/.runtime: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.runtime       ## set up .venv with the package and its dependencies

dev: $(VENV)/.dev               ## set up .venv with the dev extras too

reports: $(VENV)/.runtime       ## budget reports for every bundled scenario into reports/
	$(BIN)/finmodel report scenarios --out reports --jobs $(JOBS)

test: $(VENV)/.dev              ## the whole test suite
	$(BIN)/python -m pytest -n 2 -q

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests benchmarks notebooks
	$(BIN)/mypy

bench: $(VENV)/.dev             ## speed figures, printed
	$(BIN)/python benchmarks/run.py

lab: $(VENV)/.runtime           ## JupyterLab on localhost with the notebooks folder
	$(BIN)/jupyter lab --ip=127.0.0.1 --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

clean:
	rm -rf $(VENV) reports/*/ reports/*.html
