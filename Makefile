# Two commands: `make repro` rebuilds every report; `make test` runs the test suite.
# Both create .venv with Python 3.11 and the package on first use (idempotent).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: setup repro test lint bench clean-reports

setup: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: install Python 3.11 or run make PYTHON=python3"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,lab]'
	$(BIN)/python -m ipykernel install --sys-prefix --name wmresearch --display-name "wmresearch"
	touch $(STAMP)

repro: setup
	$(BIN)/dvc repro

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check src tests benchmarks notebooks

bench: setup
	$(BIN)/python benchmarks/bench_companies_ingest.py

clean-reports:
	rm -rf reports metrics/*.json
