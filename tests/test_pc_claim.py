"""The PC claim: honest instances pass; every check and control can fail when planted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from relucheck.harness.claims import InstanceSpec, RunOptions
from relucheck.harness.records import Verdict
from relucheck.solvers.minibatch_gd import StepRule
from relucheck.theorems import REGISTRY
from relucheck.theorems import pointwise_convergence as pc
from relucheck.theorems.pointwise_convergence import ball_n, controls, gap, runs, sweep

SMALL_TARGETS = (("ball", 1, 2, 0.5), ("halfspace", 2, 0, 0.1))


def small(kind: str, name: str, seed: int = 10, **params) -> InstanceSpec:
    """Reduced instances of every kind (seconds, not minutes)."""
    base = {
        "sweep": dict(
            schedule="random",
            targets=SMALL_TARGETS,
            steps=20_000,
            n=200_000,
            n_eval=50_000,
            batch=1024,
        ),
        "fixed_step": dict(
            schedule="random", targets=SMALL_TARGETS, steps=5_000, n=50_000, batch=1024
        ),
        "ball_n": dict(
            d=2, rho=0.5, Ns=(4, 8, 16, 32), steps=20_000, n=100_000, n_eval=200_000, batch=1024
        ),
        "gap": dict(schedule="cyclic", targets=pc.GAP_TARGETS[:3], steps=40_000, batch=8),
        "mlp": dict(
            target=("ball", 2, 8, 0.6),
            n=5_000,
            width=8,
            steps=1_500,
            batch=32,
            eta=0.02,
            watch=200,
        ),
        "fourier": dict(dims=(1, 2, 3, 4), T_max=1000.0),
    }[kind]
    base.update(params)
    return InstanceSpec.make("PC", name, seed, kind=kind, **base)


def verdicts(rows) -> dict[str, Verdict]:
    return {r.check: r.verdict for r in rows}


def run(spec: InstanceSpec):
    rows = pc.check(spec, RunOptions())
    assert [r.check for r in rows] == list(pc.checks_for(spec))
    assert all(r.relation == pc.RELATIONS[r.check] for r in rows)
    return rows


@pytest.fixture(scope="module")
def sweep_rows():
    return run(small("sweep", "sweep-random"))


# ------------------------------------------------------------------------ registry


def test_registered_with_instances_per_profile():
    assert REGISTRY["PC"] is pc.CLAIM
    assert "own derivations" in pc.CLAIM.own_derivation  # says what is ours, not the seed's
    quick, full = pc.instances("quick"), pc.instances("full")
    kinds = {s.p["kind"] for s in quick}
    assert kinds == set(pc.CHECKS_BY_KIND)
    assert all(set(pc.checks_for(s)) <= set(pc.CHECK_IDS) for s in quick + full)
    dims = {t[1] for s in full if s.p["kind"] == "sweep" for t in s.p["targets"]}
    assert dims == {1, 2, 3, 5, 8}
    assert max(s.p.get("steps", 0) for s in full) == 1_000_000
    hash(quick[0])  # specs are hashable


# ---------------------------------------------------------------------- honest runs


def test_small_sweep_passes(sweep_rows):
    v = verdicts(sweep_rows)
    assert all(x is Verdict.PASS for x in v.values()), sweep_rows
    by = {r.check: r for r in sweep_rows}
    assert by["w_growth_rate"].data["w_T"] == pytest.approx(
        by["w_growth_rate"].data["w_T_predicted"], rel=0.03
    )
    assert all(-0.2 < s < -0.14 for s in by["lp_error_rate"].data["slopes_l2_norm"])


@pytest.fixture(scope="module")
def gap_rows():
    return run(small("gap", "gap"))


def test_small_fourier_mlp_ball_n_fixed_step_pass():
    for spec in (
        small("fourier", "fourier"),
        small("mlp", "mlp"),
        small("ball_n", "ball-n"),
        small("fixed_step", "fixed"),
    ):
        rows = run(spec)
        assert all(r.verdict is Verdict.PASS for r in rows), rows


def test_gap_regime_passes_with_its_facts(gap_rows):
    assert all(r.verdict is Verdict.PASS for r in gap_rows), gap_rows
    data = gap_rows[0].data
    assert data["first_exact_fit"] == [-1, -1, -1]  # never an exact zero loss
    # ρ = 0.53 is off the gap's midpoint 0.5: the limit's boundary value is not ½.
    assert data["boundary_value_limit"][1] == pytest.approx(0.2)
    assert data["boundary_value_T"][1] == pytest.approx(0.2, abs=1e-3)


# ----------------------------------------------------------------- planted failures


def test_planted_smooth_head_is_never_exact(monkeypatch):
    def smooth(r, w, b):
        return 1.0 / (1.0 + np.exp(-4.0 * w * (b - r)))

    for module in (sweep, runs):  # the sweep's rows and the shared boundary values
        monkeypatch.setattr(module, "head", smooth)
    v = verdicts(run(small("sweep", "sweep-random", steps=5_000, n=50_000)))
    assert v["exact_after_finite_time"] is Verdict.FAIL


def test_planted_linear_w_growth_fails_the_rates(monkeypatch):
    monkeypatch.setattr(sweep, "StepRule", lambda eta, power: StepRule(eta, power, 2.0))
    v = verdicts(run(small("sweep", "sweep-random", steps=5_000, n=50_000)))
    assert v["w_growth_rate"] is Verdict.FAIL
    assert v["lp_error_rate"] is Verdict.FAIL
    assert v["hitting_time_slope"] is Verdict.FAIL


def test_planted_noisy_b_step_fails_the_boundary(monkeypatch):
    """η_b = η/w violates condition (ii) of the rule: the boundary value stays noisy."""
    monkeypatch.setattr(sweep, "StepRule", lambda eta, power: StepRule(eta, 1.0))
    v = verdicts(run(small("sweep", "sweep-random", batch=256)))
    assert v["boundary_half"] is Verdict.FAIL


def test_planted_large_step_fails_the_rule_hypothesis(monkeypatch):
    monkeypatch.setattr(sweep, "ETA", 2.5)
    rows = pc.check(small("sweep", "sweep-random", steps=2_000, n=50_000), RunOptions())
    assert verdicts(rows)["stable_step_rule"] is Verdict.FAIL


class FrozenB(StepRule):
    def b_step(self, w):
        return np.zeros_like(w)


def test_planted_frozen_threshold_never_enters_the_gap(monkeypatch):
    monkeypatch.setattr(gap, "StepRule", lambda eta, power: FrozenB(eta, power))
    v = verdicts(run(small("gap", "gap", steps=2_000)))
    assert v["limit_in_sample_gap"] is Verdict.FAIL
    assert v["gap_corner_limit"] is Verdict.FAIL


def test_too_few_steps_fail_the_corner_limit():
    v = verdicts(run(small("gap", "gap", steps=300)))
    assert v["gap_corner_limit"] is Verdict.FAIL


def test_planted_wrong_polygon_area_fails(monkeypatch):
    real = ball_n.regular_polygon_excess_area
    monkeypatch.setattr(ball_n, "regular_polygon_excess_area", lambda N, rho: 2 * real(N, rho))
    assert run(small("ball_n", "ball-n"))[0].verdict is Verdict.FAIL


def test_fixed_step_control_fails_when_the_rule_is_stable(monkeypatch):
    """A control that cannot fail is a defect: give it the stable rule, it must not detect."""
    monkeypatch.setattr(controls, "StepRule", lambda eta, power: StepRule(eta, 3.0))
    row = run(small("fixed_step", "fixed"))[0]
    assert row.control and row.verdict is Verdict.FAIL


def test_mlp_control_fails_without_a_step():
    row = run(small("mlp", "mlp", eta=0.0))[0]
    assert row.control and row.verdict is Verdict.FAIL


def test_fourier_control_fails_on_a_wrong_closed_form(monkeypatch):
    def wrong(d, T):
        return np.ones_like(np.asarray(T, float))

    monkeypatch.setattr(controls, "centre_partial_sum", wrong)
    row = run(small("fourier", "fourier"))[0]
    assert row.control and row.verdict is Verdict.FAIL


# --------------------------------------------------------------------------- figures


def test_figures_from_stored_rows(tmp_path, sweep_rows, gap_rows):
    rows = list(sweep_rows) + list(gap_rows)
    for spec in (small("fourier", "fourier"), small("fixed_step", "f", steps=1_000)):
        rows += pc.check(spec, RunOptions())
    frame = pd.DataFrame(
        [{"claim": "PC", "check": r.check, "name": "x", "data": r.to_dict()["data"]} for r in rows]
    )
    paths = pc.figures(frame, tmp_path)
    names = {p.stem for p in paths}
    assert {
        "pc_probe_trajectories",
        "pc_error_rate",
        "pc_hitting_times",
        "pc_w_growth",
        "pc_fourier_centre",
    } <= names
    assert all(p.is_file() for p in paths)


# ----------------------------------------------------------------- quick profile (slow)


@pytest.mark.slow
@pytest.mark.parametrize("name", [s.name for s in pc.instances("quick")])
def test_quick_instances_pass(name):
    spec = next(s for s in pc.instances("quick") if s.name == name)
    rows = run(spec)
    assert all(r.verdict is Verdict.PASS for r in rows), rows
