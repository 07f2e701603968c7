"""Benchmark-session hooks: accuracy relative to the best certificate, machine fingerprint,
library versions, and the planted defects that prove ``make bench-compare`` works.

``RELUCHECK_BENCH_PLANT`` (test-only; production code has no plant) selects a defect for
the whole session, recorded in the run's ``machine_info["relucheck_plant"]``:

* ``slowdown``: after every working-set solve of the fast solver, extra passes over the
  data (x ← Xᵀ(X x), normalised) until :data:`PLANT_SLOWDOWN` (30 %) of that solve's CPU
  time is added: a CPU-bound slowdown of the solve phase (25-30 % of a whole fast cell,
  whose reconstruct/prune/certify phases are not slowed), with the same counted work;
* ``iterations``: every working-set solve of the fast solver and every CVXPY solve runs
  twice (the second result is returned): CVXPY solves and their iterations double exactly,
  the fast solver's counts grow (outer iterations about double; its NNLS count, cumulative
  over a shared scanner, more), and time grows by 15-100 %.
"""

from __future__ import annotations

import os
import time
from importlib import metadata

import numpy as np
import pytest

from relucheck.bench.compare import machine_fingerprint
from relucheck.bench.report import annotate_accuracy
from relucheck.bench.work import WORK_VERSION

PLANT = os.environ.get("RELUCHECK_BENCH_PLANT", "").strip()
PLANTS = ("slowdown", "iterations")
PLANT_SLOWDOWN = 0.30
LIBRARIES = ("numpy", "scipy", "cvxpy", "clarabel", "scs", "mosek", "scikit-learn")


def pytest_benchmark_update_json(config, benchmarks, output_json):
    """Before pytest-benchmark saves a run: ``gap_to_best`` across the solvers of each case."""
    annotate_accuracy(output_json["benchmarks"])


def pytest_benchmark_update_machine_info(config, machine_info):
    """Record the fingerprint ``make bench-compare`` matches runs by, the load (noise), the
    library versions (counted work is compared exactly only between equal versions) and
    the planted defect, if any."""
    from threadpoolctl import threadpool_info

    machine_info["relucheck_blas_threads"] = max(
        (pool.get("num_threads", 0) for pool in threadpool_info()), default=None
    )
    machine_info["relucheck_fingerprint"] = machine_fingerprint(machine_info)
    try:
        machine_info["load_average"] = list(os.getloadavg())
    except OSError:
        machine_info["load_average"] = None
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    machine_info["relucheck_libraries"] = versions
    machine_info["relucheck_work_version"] = WORK_VERSION
    machine_info["relucheck_plant"] = PLANT or None


def _slowed(solve):
    def planted(X, y, *args, **kwargs):
        start = time.process_time()
        out = solve(X, y, *args, **kwargs)
        end = time.process_time() + PLANT_SLOWDOWN * (time.process_time() - start)
        A = np.asarray(X, dtype=float)
        v = np.asarray(y, dtype=float).copy()
        while time.process_time() < end:  # the extra passes over the data
            v = A @ (A.T @ v)
            v /= max(float(np.linalg.norm(v)), 1e-300)
        return out

    return planted


def _twice(fn):
    def planted(*args, **kwargs):
        fn(*args, **kwargs)
        return fn(*args, **kwargs)

    return planted


@pytest.fixture(autouse=True, scope="session")
def planted_defect():
    """The defect ``RELUCHECK_BENCH_PLANT`` names, applied for the session (None: none)."""
    if not PLANT:
        yield None
        return
    if PLANT not in PLANTS:
        raise pytest.UsageError(f"RELUCHECK_BENCH_PLANT={PLANT!r}: choose one of {PLANTS}")
    import cvxpy

    import relucheck.solvers.two_layer_path as path_module

    patch = pytest.MonkeyPatch()
    if PLANT == "slowdown":
        patch.setattr(path_module, "solve_working_set", _slowed(path_module.solve_working_set))
    else:
        patch.setattr(path_module, "solve_working_set", _twice(path_module.solve_working_set))
        patch.setattr(cvxpy.Problem, "solve", _twice(cvxpy.Problem.solve))
    try:
        yield PLANT
    finally:
        patch.undo()
