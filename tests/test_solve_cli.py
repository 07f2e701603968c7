"""`relucheck solve two-layer` end to end, against an independent CVXPY formulation."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cvxpy as cp
import numpy as np
import pytest

from relucheck.models.arrangements.patterns import enumerate_patterns


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "relucheck", *args], capture_output=True, text=True, timeout=300
    )


def independent_value(X: np.ndarray, y: np.ndarray, beta: float) -> float:
    """The CE program written group by group (a different code path from the project's)."""
    groups = enumerate_patterns(X).masks
    groups = groups[groups.any(axis=1)]
    fit, reg, cons = 0, 0, []
    for mask in groups.astype(float):
        v, w = cp.Variable(X.shape[1]), cp.Variable(X.shape[1])
        fit = fit + cp.multiply(mask, X @ (v - w))
        reg = reg + cp.norm(v) + cp.norm(w)
        sign = 2 * mask - 1
        cons += [cp.multiply(sign, X @ v) >= 0, cp.multiply(sign, X @ w) >= 0]
    prob = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(fit - y) + beta * reg), cons)
    return prob.solve(solver="CLARABEL")


@pytest.fixture
def data(tmp_path: Path):
    rng = np.random.default_rng(20261122)
    X = rng.uniform(-2, 2, size=(11, 3))
    y = np.tanh(X[:, 0] * X[:, 1]) + 0.1 * rng.standard_normal(11)
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    return tmp_path, X, y


def test_json_agrees_with_independent_cvxpy(data):
    tmp, X, y = data
    out = run_cli(
        "solve",
        "two-layer",
        "--X",
        str(tmp / "X.npy"),
        "--y",
        str(tmp / "y.npy"),
        "--beta",
        "0.3",
        "--json",
        "--save",
        str(tmp / "net.npz"),
    )
    assert out.returncode == 0, out.stderr
    facts = json.loads(out.stdout)
    for key in ("value", "certified_gap", "width", "patterns", "solver", "seconds"):
        assert key in facts
    assert facts["certified_gap"] <= 1e-6
    assert facts["certifies"] == "full"
    assert facts["width"] <= X.shape[0] + 1
    ref = independent_value(X, y, 0.3)
    assert abs(facts["value"] - ref) <= 1e-6 * abs(ref)
    saved = np.load(tmp / "net.npz")
    assert saved["U"].shape == (3, facts["width"])


def test_human_output_and_bias_and_hinge(data):
    tmp, X, y = data
    np.save(tmp / "labels.npy", np.where(y > np.median(y), 1.0, -1.0))
    out = run_cli(
        "solve",
        "two-layer",
        "--X",
        str(tmp / "X.npy"),
        "--y",
        str(tmp / "labels.npy"),
        "--beta",
        "0.5",
        "--bias",
        "--loss",
        "hinge",
    )
    assert out.returncode == 0, out.stderr
    assert "relative gap" in out.stdout and "d=4" in out.stdout


def test_sampled_patterns_certify_only_restricted(data):
    tmp, _, _ = data
    out = run_cli(
        "solve",
        "two-layer",
        "--X",
        str(tmp / "X.npy"),
        "--y",
        str(tmp / "y.npy"),
        "--beta",
        "0.3",
        "--patterns",
        "sampled:20",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    facts = json.loads(out.stdout)
    assert facts["certifies"] == "restricted" and not facts["patterns_exact"]


@pytest.mark.parametrize(
    ("setup", "args", "needle"),
    [
        ("nan", ["--beta", "0.3"], "NaN"),
        ("short_y", ["--beta", "0.3"], "rows"),
        ("ok", ["--beta", "0"], "beta"),
        ("ok", ["--beta", "-1"], "beta"),
        ("ok", ["--beta", "nan"], "beta"),
        ("missing", ["--beta", "0.3"], "no such file"),
        ("text", ["--beta", "0.3"], "cannot read"),
        ("ok", ["--beta", "0.3", "--patterns", "sampled:x"], "--patterns"),
        ("ok", ["--beta", "0.3", "--loss", "hinge"], "labels"),
        ("ok", ["--beta", "0.3", "--save", "/nonexistent-dir/net.npz"], "--save"),
    ],
)
def test_bad_input_exits_2_with_one_line(data, setup, args, needle):
    tmp, X, y = data
    xfile, yfile = tmp / "X.npy", tmp / "y.npy"
    if setup == "nan":
        bad = X.copy()
        bad[0, 0] = np.nan
        np.save(tmp / "bad.npy", bad)
        xfile = tmp / "bad.npy"
    elif setup == "short_y":
        np.save(tmp / "short.npy", y[:-1])
        yfile = tmp / "short.npy"
    elif setup == "missing":
        xfile = tmp / "absent.npy"
    elif setup == "text":
        xfile = tmp / "words.npy"
        xfile.write_text("not an array")
    out = run_cli("solve", "two-layer", "--X", str(xfile), "--y", str(yfile), *args)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], out.stderr
    assert "Traceback" not in out.stderr
    assert not list(tmp.glob("*.npz"))
