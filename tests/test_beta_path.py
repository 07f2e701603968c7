"""The certified β path: library (solvers/two_layer_path.py) and CLI (--beta-path, --betas)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from relucheck.datasets.generators import planted_teacher
from relucheck.models.arrangements.patterns import sample_patterns
from relucheck.models.two_layer.gauge_scan import GaugeScanner
from relucheck.solvers.fast_two_layer import solve_working_set
from relucheck.solvers.two_layer_path import (
    continuation_betas,
    log_spaced_betas,
    path_gauge,
    solve_beta_path,
    solve_with_continuation,
)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "relucheck", *args], capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def problem():
    ds = planted_teacher(120, 4, 4, seed=3, noise=0.3)
    ps = sample_patterns(ds.X, 60, seed=0).without_zero()
    gauge = path_gauge(ds.X, ds.y, GaugeScanner(ds.X, ps.masks))
    return ds.X, ds.y, ps, gauge


def test_betas_are_log_spaced_from_the_gauge():
    b = log_spaced_betas(10.0, 4)
    assert b[0] == pytest.approx(10.0) and b[-1] == pytest.approx(1e-2)
    assert np.allclose(np.diff(np.log(b)), np.log(b[1] / b[0]))
    assert continuation_betas(8.0, 1.0) == [4.0, 2.0]  # strictly above the target
    with pytest.raises(ValueError):
        log_spaced_betas(1.0, 0)


def test_every_path_point_is_certified_and_matches_a_cold_solve(problem):
    X, y, ps, gauge = problem
    betas = [0.5 * gauge, 0.05 * gauge, 2e-3 * gauge]
    seen = []
    points = solve_beta_path(
        X, y, betas[::-1], ps.masks, ps.directions, on_point=lambda p: seen.append(p.beta)
    )
    assert seen == sorted(betas, reverse=True)  # solved (and reported) from the largest down
    for point in points:
        assert point.result.status == "certified" and point.result.gap <= 1e-6
        cold = solve_working_set(X, y, point.beta, ps.masks, ps.directions)
        assert cold.gap <= 1e-6
        assert point.result.value == pytest.approx(cold.value, rel=2e-6)
    # smaller β, smaller optimum, more neurons
    values = [p.result.value for p in points]
    assert values == sorted(values, reverse=True)
    assert points[-1].stepping_stones > 0


def test_single_small_beta_goes_down_a_path_and_certifies(problem):
    X, y, ps, gauge = problem
    res = solve_with_continuation(X, y, 1e-3 * gauge, ps.masks, ps.directions)
    assert res.status == "certified" and res.gap <= 1e-6
    assert res.work["stepping_stones"] >= 5


def test_a_planted_wrong_warm_start_is_not_passed_off_as_the_optimum(problem):
    """Negative control: the certificate judges every point, whatever it starts from.

    Stopping a solve started from the optimum of ANOTHER β after one iteration leaves the
    value of the wrong program; the gap the loop reports must expose it.
    """
    X, y, ps, gauge = problem
    other = solve_working_set(X, y, 0.5 * gauge, ps.masks, ps.directions)
    stuck = solve_working_set(
        X, y, 0.01 * gauge, ps.masks, ps.directions, warm_start=other.warm_start,
        max_iterations=1,
    )  # fmt: skip
    assert stuck.status != "certified" and stuck.gap > 1e-6


@pytest.fixture
def files(tmp_path: Path):
    ds = planted_teacher(80, 3, 3, seed=1, noise=0.2)
    test = planted_teacher(40, 3, 3, seed=1, noise=0.2)  # same teacher, new rows
    for name, arr in {"X": ds.X, "y": ds.y, "Xt": test.X[:40], "yt": test.y[:40]}.items():
        np.save(tmp_path / f"{name}.npy", arr)
    return tmp_path


def test_cli_betas_prints_one_certified_line_per_beta(files):
    out = run_cli(
        "solve", "two-layer", "--X", str(files / "X.npy"), "--y", str(files / "y.npy"),
        "--betas", "5", "--patterns", "sampled:50", "--X-test", str(files / "Xt.npy"),
        "--y-test", str(files / "yt.npy"), "--save", str(files / "net.npz"),
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) == 5
    assert [r["beta"] for r in rows] == sorted((r["beta"] for r in rows), reverse=True)
    assert rows[0]["beta_fraction"] == pytest.approx(1.0)
    assert rows[-1]["beta_fraction"] == pytest.approx(1e-3)
    for r in rows:
        assert r["accurate"] and r["certified_gap"] <= 1e-6
        assert {"value", "width", "seconds", "test_mse"} <= set(r)
    saved = np.load(files / "net.npz")
    best = json.loads(str(saved["facts"]))
    assert best["test_mse"] == min(r["test_mse"] for r in rows)


def test_cli_beta_path_matches_single_beta_solves(files):
    common = ["solve", "two-layer", "--X", str(files / "X.npy"), "--y", str(files / "y.npy")]
    common += ["--patterns", "sampled:50", "--solver", "fast"]
    out = run_cli(*common, "--beta-path", "0.5,2")
    assert out.returncode == 0, out.stderr
    rows = {r["beta"]: r for r in map(json.loads, out.stdout.splitlines())}
    for beta in (0.5, 2.0):
        one = run_cli(*common, "--beta", str(beta), "--json")
        assert one.returncode == 0, one.stderr
        assert rows[beta]["value"] == pytest.approx(json.loads(one.stdout)["value"], rel=2e-6)


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--beta", "1", "--betas", "3"], "not allowed with"),
        (["--beta-path", "1,-2"], "--beta-path"),
        (["--beta-path", "1,1"], "twice"),
        (["--betas", "0"], "--betas"),
        (["--betas", "3", "--X-test", "Xt.npy"], "go together"),
        (["--betas", "3", "--save", "net.npz"], "--save"),
        (["--beta", "1", "--X-test", "Xt.npy", "--y-test", "yt.npy"], "--X-test"),
        (["--betas", "3", "--loss", "hinge"], "hinge"),
    ],
)
def test_cli_path_refuses_bad_flags(files, flags, message):
    flags = [str(files / f) if f.endswith(".npy") or f.endswith(".npz") else f for f in flags]
    out = run_cli(
        "solve", "two-layer", "--X", str(files / "X.npy"), "--y", str(files / "y.npy"), *flags
    )
    assert out.returncode == 2
    assert message in out.stderr
    assert not (files / "net.npz").exists()
