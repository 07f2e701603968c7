"""Benchmarks of the CE pipeline (``make bench``): time AND accuracy, never time alone.

Each benchmark stores the accuracy it reached in ``extra_info`` so nightly comparisons
can reject a speed-up that lost precision, and the counted work of one call (``work``, see
:mod:`relucheck.bench.work`: solver iterations, Adam steps, L-BFGS iterations, LP and NNLS
calls; for enumerations also the chambers and the enumeration's own counts, see
:func:`~relucheck.bench.work.enumeration_work`) next to the CPU seconds of every round
(``cpu_s``). Only the algorithm is timed: data, patterns and β are prepared outside the timed call.
"""

from __future__ import annotations

import pytest

from relucheck.bench.work import bench_call, enumeration_work
from relucheck.datasets import generators
from relucheck.models.arrangements.patterns import enumerate_patterns
from relucheck.models.two_layer.certificate import dual_gauge_bound
from relucheck.solvers.nonconvex import train_two_layer
from relucheck.solvers.two_layer_global import solve_two_layer

#: rounds: the enumerations and certified solves take well under a second here
ROUNDS = {"enumerate": 15, "certified": 10, "train": 5}


@pytest.fixture(scope="module")
def teacher():
    data = generators.planted_teacher(16, 3, 3, seed=1)
    patterns = enumerate_patterns(data.X)
    beta = 0.05 * dual_gauge_bound(data.X, data.y, patterns.without_zero().masks)
    return data.X, data.y, beta, patterns


@pytest.mark.parametrize(("n", "d"), [(1000, 2), (20, 3), (12, 4)])
def test_bench_enumerate_patterns(benchmark, n, d):
    X = generators.gaussian(n, d, seed=n + d).X
    patterns, _ = bench_call(benchmark, enumerate_patterns, args=(X,), rounds=ROUNDS["enumerate"])
    benchmark.extra_info["work"].update(enumeration_work(patterns))
    benchmark.extra_info.update({"count": patterns.count, "method": patterns.method})


@pytest.mark.parametrize("loss", ["squared", "hinge"])
def test_bench_certified_solve(benchmark, teacher, loss):
    X, y, beta, patterns = teacher
    if loss == "hinge":
        y = (y > 0).astype(float) * 2 - 1
    sol, _ = bench_call(
        benchmark,
        solve_two_layer,
        args=(X, y, beta, patterns),
        kwargs={"loss": loss},
        rounds=ROUNDS["certified"],
    )
    benchmark.extra_info.update(
        {"certified_gap": sol.result.certified_gap, "P": patterns.count, "width": sol.width}
    )
    assert sol.result.certified_gap <= 1e-6


def test_bench_train_two_layer(benchmark, teacher):
    X, y, beta, _ = teacher
    result, _ = bench_call(
        benchmark,
        train_two_layer,
        args=(X, y, beta),
        kwargs={"width": X.shape[0] + 1, "restarts": 8, "seed": 0},
        rounds=ROUNDS["train"],
    )
    p_cvx = solve_two_layer(X, y, beta, teacher[3]).objective
    benchmark.extra_info.update({"best_relative_excess": result.best_value / p_cvx - 1})
