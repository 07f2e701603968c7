"""The PR claim end to end on tiny instances; planted defects must turn a check to FAIL."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from relucheck.datasets import generators
from relucheck.harness.claims import InstanceSpec, RunOptions
from relucheck.harness.records import Verdict
from relucheck.solvers import path_global
from relucheck.theorems import REGISTRY
from relucheck.theorems import path_regularization as pr
from relucheck.theorems.path_regularization import growth as pr_growth
from relucheck.theorems.path_regularization import program as pr_program
from relucheck.theorems.path_regularization import spiral as pr_spiral

TINY = InstanceSpec.make(
    "PR",
    "tiny-exact",
    3,
    kind="exact",
    data="gaussian",
    n=6,
    d=2,
    m=2,
    beta_frac=0.1,
    draws=30,
    restarts=3,
    adam_steps=800,
)
# the same instance with minimal training: the planted defect sits in the convex part
PLANTED = InstanceSpec.make(
    "PR",
    "tiny-exact",
    3,
    kind="exact",
    data="gaussian",
    n=6,
    d=2,
    m=2,
    beta_frac=0.1,
    draws=30,
    restarts=1,
    adam_steps=50,
)
REDUCTION = InstanceSpec.make(
    "PR", "tiny-reduction", 31, kind="reduction", data="gaussian", n=8, d=2, beta_frac=0.1
)
GROWTH = InstanceSpec.make("PR", "tiny-growth", 41, kind="growth", d=2, ns=(4, 6, 8, 10))


def verdicts(rows) -> dict[str, Verdict]:
    return {r.check: r.verdict for r in rows}


@pytest.fixture(scope="module")
def honest_rows():
    return pr.check(TINY, RunOptions())


def test_registered_and_check_lists_consistent():
    assert REGISTRY["PR"] is pr.CLAIM
    declared = set(pr.CHECK_IDS)
    for spec in pr.instances("quick") + pr.instances("full"):
        assert set(pr.checks_for(spec)) <= declared
    assert set().union(*pr.CHECKS_BY_KIND.values()) == declared


def test_quick_profile_is_tiny():
    for spec in pr.instances("quick"):
        p = spec.p
        if p["kind"] == "exact":
            assert p["n"] <= 10 and p["d"] == 2 and p["m"] <= 2


def test_honest_exact_instance_passes(honest_rows):
    v = verdicts(honest_rows)
    assert sorted(v) == sorted(pr.CHECKS_BY_KIND["exact"])
    for check_id, verdict in v.items():
        if check_id == "best_restart_close":
            assert verdict in (Verdict.PASS, Verdict.INCONCLUSIVE)
        else:
            assert verdict == Verdict.PASS, (check_id, verdict)


def test_controls_are_marked(honest_rows):
    for row in honest_rows:
        assert row.control == row.check.startswith("control_")


def test_planted_defect_no_second_layer_cone_fails(monkeypatch):
    """Drop (2D_2 − I)h ≥ 0 in the solver's program: the reconstruction no longer attains."""
    real = path_global.path_convex_program

    def defective(X, y, beta, groups, *, second_layer_cone=True):
        return real(X, y, beta, groups, second_layer_cone=False)

    monkeypatch.setattr(path_global, "path_convex_program", defective)
    v = verdicts(pr.check(PLANTED, RunOptions()))
    assert v["reconstruction_attains"] == Verdict.FAIL
    assert v["certified_gap"] == Verdict.FAIL


def test_reduction_passes_and_can_fail(monkeypatch):
    first = pr_program.check_reduction(REDUCTION, RunOptions())
    assert verdicts([first])["m1_reduces_to_ce"] == Verdict.PASS
    real = pr_program.enumerate_groups

    def wrong_signs(X, m, patterns=None, **kw):  # same count, every output sign +1
        g = real(X, m, patterns, **kw)
        return dataclasses.replace(g, sigma=np.ones_like(g.sigma))

    monkeypatch.setattr(pr_program, "enumerate_groups", wrong_signs)
    row = pr_program.check_reduction(REDUCTION, RunOptions())
    assert row.verdict == Verdict.FAIL and row.value > 1e-6


def test_groups_realized_detects_missing_groups(monkeypatch):
    real = pr_program.enumerate_groups

    def partial(X, m, patterns=None, **kw):
        g = real(X, m, patterns, **kw)
        keep = np.ones(g.count, dtype=bool)
        keep[::4] = False
        return dataclasses.replace(g.take(keep), exact=True)  # lies about being exact

    monkeypatch.setattr(pr_program, "enumerate_groups", partial)
    X = generators.gaussian(6, 2, 3).X
    row = pr_program.check_groups_realized(X, pr_program.enumerate_groups(X, 2), 0, 0.0, {})
    assert row.verdict == Verdict.FAIL and row.data["sampled_outside_exact"] > 0


def test_growth_passes_and_a_flat_count_fails(monkeypatch):
    rows = pr_growth.check_growth(GROWTH)
    assert [r.verdict for r in rows] == [Verdict.PASS, Verdict.PASS]
    deg = rows[1].data
    assert abs(deg["degree_m1"] - 1.0) < 0.05 and 2.0 < deg["degree_m2"] < 3.3
    real = pr_growth.enumerate_groups
    monkeypatch.setattr(pr_growth, "enumerate_groups", lambda X, m, ps=None, **kw: real(X, 1, ps))
    rows = pr_growth.check_growth(GROWTH)
    assert rows[1].verdict == Verdict.FAIL


def test_figures_from_stored_rows(honest_rows, tmp_path: Path):
    rng = np.random.default_rng(0)
    X = generators.with_bias(rng.standard_normal((6, 2)))
    spiral = {
        "X": X.tolist(),
        "y": [1, 1, 1, -1, -1, -1],
        "m": 2,
        "beta": 0.1,
        "acc_two_layer": 0.5,
        "acc_three_layer": 1.0,
        "two_layer": {"U": rng.standard_normal((3, 4)).tolist(), "alpha": [1, -1, 1, -1]},
        "three_layer": {
            "W": rng.standard_normal((2, 3, 2)).tolist(),
            "v": [[1, -1], [1, 1]],
            "s": [1, -1],
        },
    }
    growth = pr_growth.check_growth(
        dataclasses.replace(GROWTH, params=(("d", 2), ("kind", "growth"), ("ns", (4, 6, 8))))
    )
    rows = [("tiny", r.check, r.data) for r in honest_rows + growth]
    rows.append(("spiral", "spiral_fit", spiral))
    df = pd.DataFrame(
        [{"claim": "PR", "name": n, "check": c, "data": json.dumps(d)} for n, c, d in rows]
    )
    # data must be JSON-able the way the store writes it
    for r in honest_rows:
        json.dumps(r.to_dict())
    paths = pr.figures(df, tmp_path)
    names = {p.name for p in paths}
    assert {"pr_spiral_boundaries.png", "pr_groups_vs_n.png", "pr_objective_vs_K.png"} <= names


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "relucheck", *args], capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def data_files(tmp_path: Path):
    d = generators.gaussian(8, 2, 3)
    np.save(tmp_path / "X.npy", d.X)
    np.save(tmp_path / "y.npy", d.y)
    return tmp_path


def test_cli_width_one_equals_two_layer(data_files):
    X, y = str(data_files / "X.npy"), str(data_files / "y.npy")
    two = run_cli("solve", "two-layer", "--X", X, "--y", y, "--beta", "0.3", "--json")
    path = run_cli(
        "solve", "path-regularized", "--X", X, "--y", y, "--beta", "0.3", "--width", "1", "--json"
    )
    assert two.returncode == 0 and path.returncode == 0, path.stderr
    a, b = json.loads(two.stdout), json.loads(path.stdout)
    assert set(a) <= set(b)
    assert b["value"] == pytest.approx(a["value"], rel=1e-9)
    assert b["certified_lower"] == pytest.approx(a["certified_lower"], rel=1e-9)
    assert b["certifies"] == "full" and b["patterns"] == a["patterns"]
    assert b["groups"] == 2 * a["patterns"]


def test_cli_width_two_and_sampled(data_files, tmp_path: Path):
    X, y = str(data_files / "X.npy"), str(data_files / "y.npy")
    out = tmp_path / "net.npz"
    exact = run_cli(
        "solve",
        "path-regularized",
        "--X",
        X,
        "--y",
        y,
        "--beta",
        "0.3",
        "--width",
        "2",
        "--json",
        "--save",
        str(out),
    )
    sampled = run_cli(
        "solve",
        "path-regularized",
        "--X",
        X,
        "--y",
        y,
        "--beta",
        "0.3",
        "--width",
        "2",
        "--groups",
        "sampled:50",
        "--json",
    )
    assert exact.returncode == 0 and sampled.returncode == 0
    e, s = json.loads(exact.stdout), json.loads(sampled.stdout)
    assert e["certifies"] == "full" and s["certifies"] == "restricted"
    assert s["value"] >= e["certified_lower"] - 1e-9
    assert e["certified_gap"] < 1e-6
    with np.load(out) as net:
        assert net["W"].shape[1:] == (2, 2) and net["W"].shape[0] == e["width"]


@pytest.mark.parametrize(
    "extra,message",
    [
        (["--width", "0"], "--width"),
        (["--width", "2", "--groups", "many"], "--groups"),
        (["--width", "2", "--beta", "-1"], "beta"),
    ],
)
def test_cli_bad_input(data_files, extra, message):
    X, y = str(data_files / "X.npy"), str(data_files / "y.npy")
    args = ["solve", "path-regularized", "--X", X, "--y", y, "--beta", "0.3", *extra]
    out = run_cli(*args)
    assert out.returncode == 2
    assert out.stderr.startswith("relucheck: error:") and message in out.stderr


def test_cli_refuses_exact_when_too_large(tmp_path: Path):
    d = generators.gaussian(60, 3, 1)
    np.save(tmp_path / "X.npy", d.X)
    np.save(tmp_path / "y.npy", d.y)
    out = run_cli(
        "solve",
        "path-regularized",
        "--X",
        str(tmp_path / "X.npy"),
        "--y",
        str(tmp_path / "y.npy"),
        "--beta",
        "0.3",
        "--width",
        "2",
    )
    assert out.returncode == 2 and "sampled" in out.stderr


@pytest.mark.slow
def test_spiral_passes_and_depth_matters(monkeypatch):
    spec = next(s for s in pr.instances("quick") if s.p["kind"] == "spiral")
    assert pr_spiral.check_spiral(spec, RunOptions()).verdict == Verdict.PASS
    one = dataclasses.replace(spec, params=tuple((k, 1 if k == "m" else v) for k, v in spec.params))
    assert pr_spiral.check_spiral(one, RunOptions()).verdict == Verdict.FAIL
