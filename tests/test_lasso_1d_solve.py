"""`relucheck solve lasso-1d` and `solve tv1d` against independent CVXPY formulations.

The data below (unsorted x, a target the claims never use, CSV and .npy input) were not
used to tune anything.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import cvxpy as cp
import numpy as np
import pytest

from relucheck.cli import main


def run_subprocess(*args: str) -> subprocess.CompletedProcess:
    """The real entry point, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "relucheck", *args], capture_output=True, text=True, timeout=300
    )


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(capsys):
    """In-process ``relucheck`` (fast); the subprocess test covers the real entry point."""

    def run(*args: str) -> Outcome:
        code = main(list(args))
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return run


def dual_lasso_value(x: np.ndarray, y: np.ndarray, beta: float) -> float:
    """The Lasso's DUAL, written from scratch: max νᵀy − ½‖ν‖², 1ᵀν = 0, |νᵀσ(±(x − x_j))| ≤ β."""
    nu = cp.Variable(x.shape[0])
    cons = [cp.sum(nu) == 0]
    for t in x:
        cons.append(cp.abs(nu @ np.maximum(x - t, 0)) <= beta)
        cons.append(cp.abs(nu @ np.maximum(t - x, 0)) <= beta)
    prob = cp.Problem(cp.Maximize(nu @ y - 0.5 * cp.sum_squares(nu)), cons)
    return prob.solve(solver="CLARABEL")


def skip_network_value(x: np.ndarray, y: np.ndarray, lam: float) -> float:
    """Training with a skip term as a convex program over a DENSE grid of kinks (no D matrix)."""
    grid = np.union1d(x, np.linspace(x.min() - 1, x.max() + 1, 301))
    z, a, c = cp.Variable(grid.shape[0]), cp.Variable(), cp.Variable()
    fit = np.maximum(x[:, None] - grid[None, :], 0) @ z + a * x + c
    prob = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(fit - y) + lam * cp.norm1(z)))
    return prob.solve(solver="CLARABEL")


@pytest.fixture
def data(tmp_path: Path):
    rng = np.random.default_rng(20261123)
    x = rng.uniform(-3, 5, size=13)  # unsorted on purpose
    y = np.where(x > 1, 2.0 - x, x**2 / 3) + 0.2 * rng.standard_normal(13)
    np.save(tmp_path / "x.npy", x)
    np.savetxt(tmp_path / "y.csv", y[None, :], delimiter=",")
    return tmp_path, x, y


def test_lasso_1d_json_agrees_with_independent_dual(data):
    tmp, x, y = data
    out = run_subprocess(
        "solve", "lasso-1d", "--x", str(tmp / "x.npy"), "--y", str(tmp / "y.csv"), "--beta", "0.4",
        "--json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    facts = json.loads(out.stdout)
    ref = dual_lasso_value(x, y, 0.4)
    assert abs(facts["value"] - ref) <= 1e-6 * abs(ref)
    assert facts["certified_lower"] <= facts["value"]
    assert 0 <= facts["certified_gap"] <= 1e-6
    assert set(facts["knots"]) <= set(x.tolist())
    assert len(facts["fitted"]) == x.shape[0]


def test_tv1d_json_agrees_with_independent_dense_grid(data, run_cli):
    tmp, x, y = data
    out = run_cli(
        "solve", "tv1d", "--x", str(tmp / "x.npy"), "--y", str(tmp / "y.csv"), "--lam", "0.25",
        "--json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    facts = json.loads(out.stdout)
    ref = skip_network_value(x, y, 0.25)
    assert abs(facts["value"] - ref) <= 1e-6 * abs(ref)
    assert facts["certified_gap"] <= 1e-9  # the exact method, not an interior point
    assert len(facts["knots"]) <= x.shape[0] - 2
    # the fitted values come back in the caller's (unsorted) order
    spline = np.interp(x, *zip(*sorted(zip(x, facts["fitted"], strict=True)), strict=True))
    np.testing.assert_allclose(spline, facts["fitted"])


def test_tv1d_methods_agree_and_no_skip_is_the_lasso(data, run_cli):
    tmp, x, y = data
    common = ["--x", str(tmp / "x.npy"), "--y", str(tmp / "y.csv"), "--json"]
    exact = json.loads(run_cli("solve", "tv1d", "--lam", "0.25", *common).stdout)
    conic = json.loads(
        run_cli("solve", "tv1d", "--lam", "0.25", "--method", "cvxpy", *common).stdout
    )
    assert abs(exact["value"] - conic["value"]) <= 1e-6 * exact["value"]
    assert exact["knots"] == conic["knots"]
    no_skip = json.loads(run_cli("solve", "tv1d", "--lam", "0.25", "--no-skip", *common).stdout)
    lasso = json.loads(run_cli("solve", "lasso-1d", "--beta", "0.25", *common).stdout)
    assert abs(no_skip["value"] - lasso["value"]) <= 1e-9 * lasso["value"]
    assert no_skip["value"] >= exact["value"] - 1e-9  # a free linear term can only help


def test_human_output_names_knots(data, run_cli):
    tmp, _, _ = data
    out = run_cli("solve", "tv1d", "--x", str(tmp / "x.npy"), "--y", str(tmp / "y.csv"),
                  "--lam", "0.25")  # fmt: skip
    assert out.returncode == 0 and "knots" in out.stdout and "certified" in out.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["--lam", "0"], "--lam must be"),
        (["--lam", "nan"], "--lam must be"),
    ],
)
def test_bad_lambda(data, run_cli, args, message):
    tmp, _, _ = data
    out = run_cli("solve", "tv1d", "--x", str(tmp / "x.npy"), "--y", str(tmp / "y.csv"), *args)
    assert out.returncode == 2 and message in out.stderr and out.stdout == ""


def test_bad_inputs(tmp_path: Path, run_cli):
    np.save(tmp_path / "x.npy", np.array([0.0, 1.0, 1.0, 2.0]))
    np.save(tmp_path / "y.npy", np.array([0.0, 1.0, 2.0, 0.0]))
    np.save(tmp_path / "y3.npy", np.zeros(3))
    np.save(tmp_path / "X2.npy", np.zeros((4, 2)))
    np.save(tmp_path / "ynan.npy", np.array([0.0, np.nan, 1.0, 2.0]))
    x, y = str(tmp_path / "x.npy"), str(tmp_path / "y.npy")
    cases = [
        (["tv1d", "--x", x, "--y", y, "--lam", "1"], "distinct"),
        (["lasso-1d", "--x", x, "--y", str(tmp_path / "y3.npy"), "--beta", "1"], "entries"),
        (["lasso-1d", "--x", str(tmp_path / "X2.npy"), "--y", y, "--beta", "1"], "scalar"),
        (["lasso-1d", "--x", x, "--y", str(tmp_path / "ynan.npy"), "--beta", "1"], "NaN"),
        (["lasso-1d", "--x", x, "--y", str(tmp_path / "none.npy"), "--beta", "1"], "no such"),
        (["lasso-1d", "--x", x, "--y", y, "--beta", "-2"], "--beta must be"),
    ]
    for args, message in cases:
        out = run_cli("solve", *args)
        assert out.returncode == 2, (args, out.stderr)
        assert message in out.stderr and out.stderr.startswith("relucheck: error:")


def test_repeated_x_is_fine_for_the_lasso(tmp_path: Path, run_cli):
    """Repeated inputs are legal for the Lasso (breakpoints are the distinct points)."""
    np.save(tmp_path / "x.npy", np.array([0.0, 1.0, 1.0, 2.0, 3.0]))
    np.save(tmp_path / "y.npy", np.array([0.0, 1.0, 1.4, 0.0, 0.5]))
    out = run_cli("solve", "lasso-1d", "--x", str(tmp_path / "x.npy"), "--y",
                  str(tmp_path / "y.npy"), "--beta", "0.1", "--json")  # fmt: skip
    assert out.returncode == 0, out.stderr
    facts = json.loads(out.stdout)
    ref = dual_lasso_value(np.array([0.0, 1.0, 1.0, 2.0, 3.0]), np.array([0, 1, 1.4, 0, 0.5]), 0.1)
    assert abs(facts["value"] - ref) <= 1e-6 * abs(ref)
