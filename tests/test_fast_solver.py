"""The project's own CE solver (relucheck.solvers.fast_two_layer) against Clarabel."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from relucheck.datasets.generators import planted_teacher
from relucheck.models.arrangements.patterns import enumerate_patterns, sample_patterns
from relucheck.models.two_layer.certificate import dual_gauge_bound
from relucheck.models.two_layer.convex_program import cone_violation, convex_objective
from relucheck.models.two_layer.gauge_scan import GaugeScanner
from relucheck.solvers.fast_two_layer import shift_to_feasible, solve_working_set
from relucheck.solvers.two_layer_global import solve_two_layer, uses_fast_solver


@pytest.fixture(scope="module")
def teacher():
    data = planted_teacher(24, 3, width=3, seed=4)
    patterns = enumerate_patterns(data.X)
    beta = 0.1 * dual_gauge_bound(data.X, data.y, patterns.without_zero().masks)
    return data.X, data.y, beta, patterns


def test_fast_matches_clarabel_and_certifies_full(teacher):
    X, y, beta, patterns = teacher
    fast = solve_two_layer(X, y, beta, patterns, solver="fast")
    ref = solve_two_layer(X, y, beta, patterns, solver="clarabel")
    assert fast.result.solver == "FAST" and fast.result.accurate
    assert fast.result.certifies == "full"
    assert fast.result.certified_gap <= 1e-6
    assert abs(fast.objective - ref.objective) <= 1e-6 * abs(ref.objective)
    # the certified bracket of each solver contains the other's value
    assert fast.result.certified_lower <= ref.objective + 1e-9
    assert ref.result.certified_lower <= fast.objective + 1e-9


def test_solution_is_exactly_feasible(teacher):
    X, y, beta, patterns = teacher
    live = patterns.without_zero()
    ws = solve_working_set(X, y, beta, live.masks, live.directions, tol=1e-7)
    assert ws.status == "certified"
    assert cone_violation(X, live.masks, ws.V, ws.W) <= 1e-24  # rounding of u + t·g only
    value = convex_objective(X, y, beta, live.masks, ws.V, ws.W)
    assert value == pytest.approx(ws.value, rel=1e-12)
    assert ws.lower <= ws.value and ws.gap <= 1e-7


def test_perturbed_solution_is_not_certified(teacher):
    """Negative control: the stopping rule sees a wrong point (the certificate can fail)."""
    X, y, beta, patterns = teacher
    live = patterns.without_zero()
    ws = solve_working_set(X, y, beta, live.masks, live.directions, tol=1e-7)
    V = ws.V * 1.01
    fit = np.sum(live.masks * (X @ (V - ws.W)).T, axis=0)
    residual = y - fit
    value = convex_objective(X, y, beta, live.masks, V, ws.W)
    gauge = GaugeScanner(X, live.masks).bounds(residual, beta).max()
    s = min(1.0, beta / gauge)
    lower = -0.5 * np.sum((y - s * residual) ** 2) + 0.5 * y @ y
    assert (value - lower) / value > 1e-4


def test_stops_uncertified_when_iterations_run_out(teacher):
    X, y, beta, patterns = teacher
    live = patterns.without_zero()
    ws = solve_working_set(
        X, y, beta, live.masks, live.directions, max_iterations=1, initial_groups=1
    )
    assert not ws.accurate and ws.status == "max_iterations" and ws.gap > 1e-7


def test_time_limit_stops_uncertified(teacher):
    X, y, beta, patterns = teacher
    live = patterns.without_zero()
    ws = solve_working_set(
        X, y, beta, live.masks, live.directions, initial_groups=1, time_limit=0.0
    )
    assert ws.status == "time_limit" and not ws.accurate and ws.iterations == 1


def test_gauge_scanner_bounds_are_valid_and_tight_above_threshold():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 4))
    patterns = sample_patterns(X, 60, seed=1).without_zero()
    scanner = GaugeScanner(X, patterns.masks)
    for _trial in range(3):
        r = rng.standard_normal(30)
        threshold = 0.5 * dual_gauge_bound(X, r, patterns.masks)
        b = scanner.bounds(r, threshold)
        for i in range(0, patterns.count, 7):
            for k, sign in enumerate((1, -1)):
                exact = dual_gauge_bound(X, r, patterns.masks[i : i + 1], (sign,))
                assert b[i, k] >= exact - 1e-9 * max(1.0, exact)  # always an upper bound
                if b[i, k] > threshold:
                    assert b[i, k] == pytest.approx(exact, rel=1e-6, abs=1e-9)
        assert scanner.all_tight(threshold)


def test_gauge_refinement_keeps_bounds_valid_and_saves_exact_solves():
    """Projected-gradient multipliers are valid (any μ ≥ 0 is) and settle most patterns."""
    data = planted_teacher(60, 4, width=3, seed=8)
    patterns = sample_patterns(data.X, 60, seed=2).without_zero()
    rng = np.random.default_rng(5)
    r = rng.standard_normal(60)
    threshold = 0.6 * dual_gauge_bound(data.X, r, patterns.masks)
    plain, refined = GaugeScanner(data.X, patterns.masks), GaugeScanner(data.X, patterns.masks)
    plain.refine_iterations = 0
    b_plain, b_refined = plain.bounds(r, threshold), refined.bounds(r, threshold)
    for i in range(patterns.count):
        for k, sign in enumerate((1, -1)):
            exact = dual_gauge_bound(data.X, r, patterns.masks[i : i + 1], (sign,))
            assert b_refined[i, k] >= exact - 1e-9 * max(1.0, exact)
    # same verdict on every pattern against the threshold, with fewer exact solves
    np.testing.assert_array_equal(b_plain > threshold, b_refined > threshold)
    assert refined.nnls_solves < plain.nnls_solves


def test_shift_to_feasible_restores_every_row():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((50, 3))
    g = rng.standard_normal(3)
    mask = X @ g >= 0
    u = g + 0.5 * rng.standard_normal(3)
    v = shift_to_feasible(X, mask, g / np.linalg.norm(g), u)
    assert np.all(np.where(mask, 1.0, -1.0) * (X @ v) >= 0.0)


def test_auto_threshold_and_unsupported_programs():
    assert uses_fast_solver("auto", 1000, 1000, "squared", True)
    assert not uses_fast_solver("auto", 12, 40, "squared", True)
    assert not uses_fast_solver("auto", 1000, 1000, "hinge", True)
    assert uses_fast_solver("fast", 10, 10, "squared", True)
    assert not uses_fast_solver("fast", 10, 10, "hinge", True)  # falls back to Clarabel
    assert not uses_fast_solver("fast", 10, 10, "squared", False)


def test_cli_solve_fast_json(tmp_path, teacher):
    X, y, beta, _ = teacher
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "relucheck",
            "solve",
            "two-layer",
            "--X",
            str(tmp_path / "X.npy"),
            "--y",
            str(tmp_path / "y.npy"),
            "--beta",
            str(beta),
            "--solver",
            "fast",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    facts = json.loads(out.stdout)
    assert facts["solver"] == "FAST" and facts["certified_gap"] <= 1e-6
