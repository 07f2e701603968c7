# Every target installs into a local virtual environment on first use.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.relucheck-installed
JOBS   ?= 2

.PHONY: install verify verify-full test test-slow bench bench-large bench-compare bench-peers figures lint clean

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

# Benchmarks: saved with machine and commit info under $(BENCH_DIR); the report (speed
# ratios, accuracy) and the history page are written even when a benchmark fails.
# BLAS threads: 1 by default, because on a shared 2-core box BLAS threads oversubscribe
# (the pruning step of one CE solve took 1.6 s with one thread and 37 s with two under load).
BENCH_DIR     ?= reports/bench
BENCH_THREADS ?= 1
BENCH_ENV     := OMP_NUM_THREADS=$(BENCH_THREADS) OPENBLAS_NUM_THREADS=$(BENCH_THREADS) \
                 MKL_NUM_THREADS=$(BENCH_THREADS)
bench: $(STAMP)
	@status=0; $(BENCH_ENV) $(PY) -m pytest tests/benchmarks -o addopts="" -m "not large" \
	    --benchmark-only -q -rs \
	    --benchmark-autosave --benchmark-storage=file://$(BENCH_DIR) || status=$$?; \
	$(PY) -m relucheck.bench.report $(BENCH_DIR); \
	$(PY) -m relucheck.bench.history $(BENCH_DIR); \
	exit $$status

# The largest cells (10⁶ exact chambers at n = 1000, d = 3; n = 20 000, d = 50, P = 2 000):
# up to 15 + 10 minutes, so not in make bench. Same storage, so the report shows them too.
bench-large: $(STAMP)
	@status=0; $(BENCH_ENV) $(PY) -m pytest tests/benchmarks -o addopts="" -m large \
	    --benchmark-only -q -rs \
	    --benchmark-autosave --benchmark-storage=file://$(BENCH_DIR) || status=$$?; \
	$(PY) -m relucheck.bench.report $(BENCH_DIR); \
	exit $$status

# Newest saved run vs the previous one on this machine: exit 1 on a >10% median slowdown
# or an accuracy loss; a first run (no previous one) is not an error.
bench-compare: $(STAMP)
	@$(PY) -m relucheck.bench.compare $(BENCH_DIR) || [ $$? -eq 3 ]

# pyscnn (pulls PyTorch) lives in its own environment; the project never imports it.
# torchvision, a declared but never imported requirement of pyscnn, would pull a newer
# torch with CUDA libraries, hence --no-deps and the explicit list.
PEERS       ?= .venv-peers
PEERS_STAMP := $(PEERS)/.peers-installed
PEERS_WORK  := reports/bench-peers/work

$(PEERS_STAMP):
	$(PYTHON) -m venv $(PEERS)
	$(PEERS)/bin/pip install --quiet torch==2.13.0
	$(PEERS)/bin/pip install --quiet --no-deps pyscnn==0.0.10
	$(PEERS)/bin/pip install --quiet numpy scipy scikit-learn cvxpy tqdm opt_einsum \
	    typing_extensions linalg_backends
	@touch $@

# adelie (group-lasso path solver, issue 13) in a third environment of its own. On the β path
# (bench/peer_path.py PATH_CASES) it runs twice: tol 1e-10 with adelie's constraint defaults, and
# tol 1e-12 with the constraint's inner "pinball" solver at 1e-12 (its iteration cap raised:
# at 1e-12 the default 1e5 stops the path). pyscnn on the path: PYSCNN_PATH_CASES only, at
# tol 1e-6, to bound the time (one β took 4-6 minutes at n = 1000: 242 s at 0.5, 333 s at
# 0.1, 351 s at 0.01); set PYSCNN_PATH_CASES to more instance ids for more of the path.
ADELIE       ?= .venv-adelie
ADELIE_STAMP := $(ADELIE)/.adelie-installed
PATH_CASE    := planted-n1000-d10-P200-path
PYSCNN_PATH_CASES ?= $(PATH_CASE)-f0.1 $(PATH_CASE)-f0.01

$(ADELIE_STAMP):
	$(PYTHON) -m venv $(ADELIE)
	$(ADELIE)/bin/pip install --quiet adelie==1.1.52
	@touch $@

bench-peers: $(STAMP) $(PEERS_STAMP) $(ADELIE_STAMP)
	rm -rf $(PEERS_WORK)
	$(PY) -m relucheck.bench.peers export $(PEERS_WORK)/in
	$(BENCH_ENV) $(PEERS)/bin/python tools/peers/pyscnn_solve.py $(PEERS_WORK)/in \
	    $(PEERS_WORK)/out --tol 1e-6
	$(BENCH_ENV) $(PEERS)/bin/python tools/peers/pyscnn_solve.py $(PEERS_WORK)/in \
	    $(PEERS_WORK)/out --tol 1e-8 --tol 1e-10 --cases gaussian-n200-d10-P200
	$(BENCH_ENV) $(ADELIE)/bin/python tools/peers/adelie_solve.py $(PEERS_WORK)/in \
	    $(PEERS_WORK)/out/adelie --tol 1e-10 --label "adelie-ce tol=1e-10"
	$(BENCH_ENV) $(ADELIE)/bin/python tools/peers/adelie_solve.py $(PEERS_WORK)/in \
	    $(PEERS_WORK)/out/adelie --tol 1e-12 --constraint-config pinball_tol=1e-12 \
	    --constraint-config pinball_max_iters=1e7 --label "adelie-ce tol=1e-12 pin=1e-12"
	$(BENCH_ENV) $(PEERS)/bin/python tools/peers/pyscnn_solve.py $(PEERS_WORK)/in/path-beta \
	    $(PEERS_WORK)/out/path-pyscnn --tol 1e-6 --cases $(PYSCNN_PATH_CASES)
	$(BENCH_ENV) $(PY) -m relucheck.bench.peers evaluate $(PEERS_WORK)/in \
	    $(PEERS_WORK)/out --out reports/bench-peers

figures: $(STAMP)
	$(PY) -m relucheck report latest

lint: $(STAMP)
	$(VENV)/bin/ruff check relucheck tests
	$(VENV)/bin/ruff format --check relucheck tests

clean:
	rm -rf $(VENV) $(PEERS) $(ADELIE) build *.egg-info .pytest_cache .ruff_cache .hypothesis .benchmarks
	find reports -mindepth 1 ! -name README.md -exec rm -rf {} +
