# Two commands: `make repro` rebuilds every report; `make test` runs the test suite.
# Both create .venv with Python 3.11 and the package on first use (idempotent).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: help setup browser repro test lint deps bench clean-reports

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

setup: $(STAMP) ## Create .venv, install the package and the Jupyter kernel "wmresearch"

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: install Python 3.11 or run make PYTHON=python3"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,lab]'
	$(BIN)/python -m ipykernel install --sys-prefix --name wmresearch --display-name "wmresearch"
	@# byte-compiled once here, the package is never compiled again by the pipeline's many
	@# processes, even where writing bytecode is turned off (PYTHONDONTWRITEBYTECODE)
	$(BIN)/python -m compileall -q src
	touch $(STAMP)

repro: setup ## Rebuild every report with dvc repro (only what changed)
	$(BIN)/dvc repro

# The browser test drives the distribution's Chromium, never a downloaded one: installed with
# apt-get where it is missing and we can (root, apt), otherwise one line saying what to install.
browser: ## Make sure the distribution's Chromium is installed (for the browser test)
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then \
	  :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing the distribution's chromium for the browser test (apt-get)"; \
	  apt-get install -y -q chromium >/dev/null 2>&1 \
	    || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1; } \
	    || { echo "make test: apt-get could not install chromium; install it (apt-get install chromium) and rerun"; exit 1; }; \
	else \
	  echo "make test: the browser test needs Chromium; install your distribution's package (e.g. sudo apt-get install chromium) and rerun"; \
	  exit 1; \
	fi

# one BLAS thread per test worker (unless set): two workers on two cores, each multiplying
# small matrices, otherwise run four threads that wait on each other
test: setup browser ## Run the whole test suite (unit, real-data, pipeline, browser)
	OPENBLAS_NUM_THREADS=$${OPENBLAS_NUM_THREADS:-1} $(BIN)/python -m pytest -n auto --dist loadgroup

lint: setup ## ruff and the import-layer contracts
	$(BIN)/ruff check src tests benchmarks notebooks
	$(BIN)/lint-imports

deps: setup ## Rewrite each stage's code deps in dvc.yaml from the import graph
	$(BIN)/wmresearch deps --write

bench: setup ## Print the speed benchmarks (benchmarks/*.py)
	for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean-reports: ## Delete built reports and metrics
	rm -rf reports metrics/*.json metrics/evaluate
