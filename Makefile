# Every target installs into a local virtual environment on first use.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.relucheck-installed
JOBS   ?= 2

.PHONY: install verify verify-full test test-slow bench figures lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,mosek]'
	@touch $(STAMP)

verify: $(STAMP)
	$(PY) -m relucheck verify --profile quick --jobs $(JOBS)

verify-full: $(STAMP)
	$(PY) -m relucheck verify --profile full --jobs $(JOBS)
	$(PY) -m pytest -m slow -q

test: $(STAMP)
	$(PY) -m pytest -q

test-slow: $(STAMP)
	$(PY) -m pytest -m slow -q

# Planted defects: each mutant of relucheck/mutants/catalog.py applied alone in a temporary
# copy of the package, its claim verified; exit 1 unless every one is caught (README).
.PHONY: mutants
mutants: $(STAMP)
	$(PY) -m relucheck.mutants --jobs $(JOBS)

bench: $(STAMP)
	$(PY) -m pytest tests/benchmarks -o addopts="" --benchmark-only -q \
	    --benchmark-autosave --benchmark-storage=file://reports/bench

figures: $(STAMP)
	$(PY) -m relucheck report latest

lint: $(STAMP)
	$(VENV)/bin/ruff check relucheck tests
	$(VENV)/bin/ruff format --check relucheck tests

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis .benchmarks
	find reports -mindepth 1 ! -name README.md -exec rm -rf {} +
