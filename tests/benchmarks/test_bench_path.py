"""CE benchmarks outside the single-β grid (issue 13): the β path, exact patterns, large n.

Rows keep time AND certified accuracy, like :mod:`test_bench_solvers`, plus the peak of
Python-tracked memory during the timed call (``tracemalloc``: numpy reports its buffers to
it, so this is the arrays' peak; it adds a few percent of time) and the process's peak
RSS, the CPU seconds of every round (``cpu_s``) and the counted work of a call (``work``,
:mod:`relucheck.bench.work`; marked not deterministic when a solve stopped at its time
limit). Rounds: :data:`POINT_ROUNDS` for the fast solver's cold points, :data:`WARM_ROUNDS`
for the warm path, one for the Clarabel points (minutes each) and the time-limited
exact-pattern cells.

* ``beta-path``: the case ``gaussian-n1000-d10-P200`` of :mod:`relucheck.bench.cases`
  at β = f · gauge for f in PATH_FRACTIONS; the fast solver's whole warm-started path in
  one row, and every point solved cold by the fast solver and by Clarabel (the ≥ 10× target
  of issue 13 is per point, fast cold vs Clarabel).
* ``exact``: Gaussian X with a planted width-4 teacher (noise 0.1), ALL chambers
  (``enumerate_patterns``), β = EXACT_FRACTION · gauge; n = 300, d = 3 (≈ 9·10⁴ chambers)
  and n = 10⁴, d = 2 (2·10⁴) in ``make bench``, n = 1000, d = 3 (≈ 10⁶) in ``make bench-large``.
* ``large-n``: n = 20 000, d = 50, P = 2 000 sampled gates, β = 0.15 · gauge, in
  ``make bench-large`` (marker ``large``).
"""

from __future__ import annotations

import resource
import time
import tracemalloc

import pytest

from relucheck.bench.cases import build_case, case_by_id
from relucheck.bench.work import bench_call
from relucheck.datasets.generators import planted_teacher
from relucheck.models.arrangements.patterns import enumerate_patterns, sample_patterns
from relucheck.solvers.fast_two_layer import masks_for, scanner_for
from relucheck.solvers.two_layer_global import solve_two_layer, solve_two_layer_path
from relucheck.solvers.two_layer_path import path_gauge

GAP_TARGET = 1e-6
PATH_CASE = "gaussian-n1000-d10-P200"
PATH_FRACTIONS = (0.5, 0.15, 0.05, 1e-2, 1e-3)
EXACT_FRACTION = 0.05
#: seconds before a fast solve stops uncertified (its row then records how far it got)
TIME_LIMIT = {"bench": 300.0, "large": 900.0}
#: the exact-pattern cells of make bench stop at twice issue 13's targets (60 s at n = 300,
#: d = 3; 120 s at n = 10⁴, d = 2): both targets are missed today (see the README), so the
#: cells record how far a solve gets (status, certified gap) instead of failing the run
EXACT_LIMIT = {(300, 3): 120.0, (10_000, 2): 240.0}
#: rounds of the fast solver's cold points (0.4 s, 1.2 s, 4 s a round; 11 s and 30 s at 1e-2 and
#: 1e-3 · gauge, which run once, as the warm path does (~35 s))
POINT_ROUNDS = {0.5: 10, 0.15: 10, 0.05: 5, 1e-2: 1, 1e-3: 1}
WARM_ROUNDS = 1


def _peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # KiB on Linux


def _timed(benchmark, fn, *args, rounds: int = 1, **kwargs):
    """``rounds`` timed rounds with counted work; returns (last result, peak traced GB)."""
    tracemalloc.start()
    try:
        out, _ = bench_call(benchmark, fn, args=args, kwargs=kwargs, rounds=rounds)
        peak = tracemalloc.get_traced_memory()[1] / 1e9
    finally:
        tracemalloc.stop()
    return out, peak


def _record(benchmark, sol, *, require_certified: bool = True, **facts) -> None:
    res = sol.result
    value = float(min(sol.objective, sol.objective_pruned))
    benchmark.extra_info.update(
        {
            "objective": value,
            "certified_lower": res.certified_lower,
            "certified_gap": res.certified_gap,
            "certifies": res.certifies,
            "status": res.status,
            "accurate": res.accurate,
            "width": sol.width,
            "peak_rss_gb": _peak_rss_gb(),
            **facts,
        }
    )
    if res.status == "time_limit":  # how far it got depends on the speed of the machine
        benchmark.extra_info["work_deterministic"] = False
    assert res.certified_lower <= value + 1e-9 * abs(value)  # a bound, whatever the status
    if require_certified or res.status != "time_limit":
        assert res.certified_gap <= GAP_TARGET, f"certified gap {res.certified_gap:.2e}"


@pytest.fixture(scope="module")
def path_data():
    return build_case(case_by_id(PATH_CASE))


def test_bench_beta_path_fast_warm(benchmark, path_data):
    data = path_data
    betas = [f * data.gauge for f in PATH_FRACTIONS]
    points, peak = _timed(
        benchmark, solve_two_layer_path, data.X, data.y, betas, data.patterns, solver="fast",
        rounds=WARM_ROUNDS,
    )  # fmt: skip
    rows = [
        {
            "beta_fraction": beta / data.gauge,
            "seconds": sol.result.seconds,
            "certified_gap": sol.result.certified_gap,
            "width": sol.width,
        }
        for beta, sol in points
    ]
    benchmark.extra_info.update(
        {"kind": "ce-beta-path", "case": PATH_CASE, "solver": "fast", "mode": "warm path",
         "points": rows, "peak_traced_gb": peak, "peak_rss_gb": _peak_rss_gb()}
    )  # fmt: skip
    worst = max(r["certified_gap"] for r in rows)
    assert worst <= GAP_TARGET, f"worst certified gap on the path {worst:.2e}"


@pytest.mark.parametrize("solver", ["fast", "clarabel"])
@pytest.mark.parametrize("fraction", PATH_FRACTIONS)
def test_bench_beta_point(benchmark, path_data, fraction, solver):
    data = path_data
    kwargs = {"solver": solver, "rounds": POINT_ROUNDS[fraction] if solver == "fast" else 1}
    if solver == "fast":
        kwargs["time_limit"] = TIME_LIMIT["bench"]
    sol, peak = _timed(
        benchmark, solve_two_layer, data.X, data.y, fraction * data.gauge, data.patterns, **kwargs
    )
    _record(
        benchmark, sol, kind="ce-beta-point", case=PATH_CASE, solver=solver, mode="cold",
        beta_fraction=fraction, beta=fraction * data.gauge, n=data.X.shape[0],
        d=data.X.shape[1], P=data.patterns.count, peak_traced_gb=peak,
    )  # fmt: skip


def _exact_cell(benchmark, n: int, d: int, limit: float, require_certified: bool = True) -> None:
    ds = planted_teacher(n, d, 4, seed=0, noise=0.1)

    def run():
        patterns = enumerate_patterns(ds.X).without_zero()
        gauge = path_gauge(ds.X, ds.y, scanner_for(ds.X, masks_for(patterns)))
        sol = solve_two_layer(
            ds.X, ds.y, EXACT_FRACTION * gauge, patterns, solver="fast", time_limit=limit
        )
        return patterns, gauge, sol

    start = time.perf_counter()
    (patterns, gauge, sol), peak = _timed(benchmark, run)
    _record(
        benchmark, sol, kind="ce-exact", case=f"exact-n{n}-d{d}", solver="fast", n=n, d=d,
        P=patterns.count, beta_fraction=EXACT_FRACTION, beta=EXACT_FRACTION * gauge,
        peak_traced_gb=peak, total_s=time.perf_counter() - start, time_limit=limit,
        require_certified=require_certified,
    )  # fmt: skip
    assert sol.result.certifies == "full"


@pytest.mark.parametrize(("n", "d"), [(300, 3), (10_000, 2)])
def test_bench_exact_patterns(benchmark, n, d):
    _exact_cell(benchmark, n, d, EXACT_LIMIT[(n, d)], require_certified=False)


@pytest.mark.large
def test_bench_exact_patterns_million(benchmark):
    _exact_cell(benchmark, 1000, 3, TIME_LIMIT["large"])


@pytest.mark.large
def test_bench_large_n_sampled(benchmark):
    ds = planted_teacher(20_000, 50, 5, seed=0, noise=0.1)
    patterns = sample_patterns(ds.X, 2000, seed=1000).without_zero()
    gauge = path_gauge(ds.X, ds.y, scanner_for(ds.X, masks_for(patterns)))
    sol, peak = _timed(
        benchmark, solve_two_layer, ds.X, ds.y, 0.15 * gauge, patterns, solver="fast",
        time_limit=TIME_LIMIT["large"],
    )  # fmt: skip
    _record(
        benchmark, sol, kind="ce-large-n", case="gaussian-n20000-d50-P2000", solver="fast",
        n=20_000, d=50, P=patterns.count, beta_fraction=0.15, peak_traced_gb=peak,
        timings=dict(sol.timings),
    )  # fmt: skip
