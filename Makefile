# Every target installs into a local virtual environment on first use.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.relucheck-installed
JOBS   ?= 2

.PHONY: install verify verify-full test test-slow bench bench-large bench-compare bench-selfcheck \
        bench-peers figures lint clean

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
# Every round's wall time is saved (--benchmark-save-data) for the time test of
# make bench-compare (relucheck/bench/stats.py); BENCH_SELECT picks a subset (a pytest -k
# expression), BENCH_ARGS passes more pytest options.
BENCH_DIR     ?= reports/bench
BENCH_THREADS ?= 1
BENCH_SELECT  ?=
BENCH_ARGS    ?=
BENCH_ENV     := OMP_NUM_THREADS=$(BENCH_THREADS) OPENBLAS_NUM_THREADS=$(BENCH_THREADS) \
                 MKL_NUM_THREADS=$(BENCH_THREADS)
BENCH_RUN     := $(PY) -m pytest tests/benchmarks -o addopts="" --benchmark-only -q -rs \
                 --benchmark-autosave --benchmark-save-data
BENCH_PYTEST  := $(BENCH_RUN) $(if $(BENCH_SELECT),-k "$(BENCH_SELECT)")
bench: $(STAMP)
	@status=0; $(BENCH_ENV) $(BENCH_PYTEST) -m "not large" \
	    --benchmark-storage=file://$(BENCH_DIR) $(BENCH_ARGS) || status=$$?; \
	$(PY) -m relucheck.bench.report $(BENCH_DIR); \
	$(PY) -m relucheck.bench.history $(BENCH_DIR); \
	exit $$status

# The largest cells (10⁶ exact chambers at n = 1000, d = 3; n = 20 000, d = 50, P = 2 000):
# up to 15 + 10 minutes, so not in make bench. Same storage, so the report shows them too.
bench-large: $(STAMP)
	@status=0; $(BENCH_ENV) $(BENCH_PYTEST) -m large \
	    --benchmark-storage=file://$(BENCH_DIR) $(BENCH_ARGS) || status=$$?; \
	$(PY) -m relucheck.bench.report $(BENCH_DIR); \
	exit $$status

# Newest saved run vs the previous one on this machine: exit 1 on a slowdown the time test
# detects (Mann-Whitney U, p < 0.01, median ratio >= 1.2, >= 5 rounds a side), a counted
# work that grew, or an accuracy loss; a first run (no previous one) is not an error.
BENCH_COMPARE_ARGS ?=
bench-compare: $(STAMP)
	@$(PY) -m relucheck.bench.compare $(BENCH_DIR) $(BENCH_COMPARE_ARGS) || [ $$? -eq 3 ]

# Proof that bench-compare works here (issue 16): the SELFCHECK cells (fast ones, ~3 min a
# run) run twice at this commit, then with a planted 30 % slowdown of the fast solver, then
# with planted doubled iterations (tests/benchmarks/conftest.py); prints each comparison
# and its exit status. Expected: 0, then 1 (time slower), then 1 (work grew).
SELFCHECK_DIR ?= reports/bench-selfcheck
SELFCHECK     ?= (test_bench_ce_solver and fast and (n200 or n1000-d10)) or \
                 (beta_point and fast and (0.5 or 0.15 or 0.05)) or \
                 test_bench_exact_enumeration or certified_solve
bench-selfcheck: $(STAMP)
	@rm -rf $(SELFCHECK_DIR); set -e; \
	for plant in "" "" slowdown iterations; do \
	    echo "== bench run, planted defect: $${plant:-none}"; \
	    RELUCHECK_BENCH_PLANT=$$plant $(BENCH_ENV) $(BENCH_RUN) \
	        -k "$(SELFCHECK)" --benchmark-storage=file://$(SELFCHECK_DIR) >/dev/null; \
	done; \
	runs=$$(ls $(SELFCHECK_DIR)/*/*.json | sort); set -- $$runs; \
	for pair in "$$1 $$2 same commit" "$$2 $$3 planted slowdown" "$$2 $$4 planted iterations"; do \
	    set -- $$pair; old=$$1; new=$$2; shift 2; \
	    echo "== bench-compare, $$*:"; \
	    rc=0; $(PY) -m relucheck.bench.compare --old $$old --new $$new || rc=$$?; \
	    echo "== exit status $$rc ($$*)"; \
	done

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
	$(VENV)/bin/ruff check relucheck tests examples
	$(VENV)/bin/ruff format --check relucheck tests examples

clean:
	rm -rf $(VENV) $(PEERS) $(ADELIE) build *.egg-info .pytest_cache .ruff_cache .hypothesis .benchmarks
	find reports -mindepth 1 ! -name README.md -exec rm -rf {} +
