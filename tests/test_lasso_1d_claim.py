"""LASSO-1D end to end on a tiny instance; planted defects must turn a check to FAIL."""

from __future__ import annotations

import numpy as np
import pytest

from relucheck.harness.claims import InstanceSpec, RunOptions
from relucheck.harness.records import Verdict
from relucheck.models.univariate import ramp_lasso as rl
from relucheck.solvers import lasso_1d as solver_mod
from relucheck.theorems import lasso_1d as L

TINY = InstanceSpec.make(L.CLAIM_ID, "tiny", 7, n=8, beta_frac=0.08, restarts=3, adam_steps=600)


def verdicts(rows) -> dict[str, Verdict]:
    return {r.check: r.verdict for r in rows}


@pytest.fixture(scope="module")
def honest_rows():
    return L.check(TINY, RunOptions())


def test_every_check_reported_once(honest_rows):
    assert sorted(r.check for r in honest_rows) == sorted(L.CHECK_IDS)


def test_honest_run_passes(honest_rows):
    v = verdicts(honest_rows)
    for check_id in L.CHECK_IDS:
        if check_id == "best_restart_close":
            assert v[check_id] in (Verdict.PASS, Verdict.INCONCLUSIVE)
        else:
            assert v[check_id] is Verdict.PASS, (check_id, honest_rows)


def test_controls_are_marked_and_rows_state_relations(honest_rows):
    for row in honest_rows:
        assert row.relation and row.tolerance is not None
        assert row.control == row.check.startswith("control_")


def test_planted_midpoint_dictionary_fails(monkeypatch):
    """Defect: breakpoints at midpoints passed off as the data-breakpoint Lasso."""
    real = solver_mod.solve_ramp_lasso

    def midpoints(x, y, beta, breakpoints=None, **kwargs):
        if breakpoints is None:
            u = np.unique(x)
            breakpoints = 0.5 * (u[1:] + u[:-1])
        return real(x, y, beta, breakpoints, **kwargs)

    monkeypatch.setattr(L, "solve_ramp_lasso", midpoints)
    v = verdicts(L.check(TINY, RunOptions()))
    assert v["nonconvex_above_lasso"] is Verdict.FAIL
    assert v["dense_grid_same"] is Verdict.FAIL


def test_planted_certificate_ignoring_free_bias_fails(monkeypatch):
    """Defect: a dual point that is not orthogonal to 1 (the free bias ignored)."""

    def no_bias_certificate(A, B, y, beta, residual):
        r = np.asarray(y) - 0.0  # residual of the zero fit: dual infeasible for the free bias
        gauge = float(np.max(np.abs(A.T @ r)))
        s = min(1.0, beta / gauge)
        lower = 0.5 * float(y @ y) - 0.5 * float((y - s * r) @ (y - s * r))
        return rl.LassoCertificate(lower, s, gauge)

    monkeypatch.setattr(rl, "certificate", no_bias_certificate)
    v = verdicts(L.check(TINY, RunOptions()))
    assert v["lasso_certified"] is Verdict.FAIL


def test_planted_certificate_without_scaling_fails(monkeypatch):
    """Defect: the dual point r is used unscaled (exact at the optimum, unsound elsewhere)."""
    real = rl.certificate

    def unscaled(A, B, y, beta, residual):
        cert = real(A, B, y, 1e300, residual)  # beta so large that the scale stays 1
        return rl.LassoCertificate(cert.lower, 1.0, cert.gauge)

    monkeypatch.setattr(rl, "certificate", unscaled)
    rows = L.check(TINY, RunOptions())
    row = next(r for r in rows if r.check == "dual_bound_sound")
    assert row.verdict is Verdict.FAIL
    assert row.value > 0.0


def test_dual_bound_sound_measures_far_residuals(honest_rows):
    row = next(r for r in honest_rows if r.check == "dual_bound_sound")
    assert row.data["scales"]["zero_fit"] < 1.0  # the scaling is exercised
    assert row.value <= L.ROUNDING


def test_planted_midpoints_equal_to_data_is_detected(monkeypatch):
    """Defect in the control: 'midpoints' that are really the data points → not detected."""
    x, y, _ = L.load_data(TINY)
    beta = TINY.p["beta_frac"] * rl.beta_max(
        rl.ramp_dictionary(x, np.unique(x)), rl.free_basis(x, False), y
    )
    sol = solver_mod.solve_ramp_lasso(x, y, beta)
    real = solver_mod.solve_ramp_lasso

    def data_instead(x_, y_, beta_, breakpoints=None, **kw):
        return real(x_, y_, beta_, None, **kw)

    monkeypatch.setattr(L, "solve_ramp_lasso", data_instead)
    row = L.control_midpoints(x, y, beta, sol, RunOptions(), {})
    assert row.verdict is Verdict.FAIL and row.control


def test_planted_drop_of_unused_breakpoint_is_not_detected(monkeypatch):
    """Defect in the control: dropping a breakpoint where the fit does not kink → FAIL."""
    x, y, _ = L.load_data(TINY)
    beta = 0.3 * rl.beta_max(rl.ramp_dictionary(x, np.unique(x)), rl.free_basis(x, False), y)
    sol = solver_mod.solve_ramp_lasso(x, y, beta)
    real_changes = L.slope_changes(x, sol.fitted)
    assert np.min(np.abs(real_changes)) < 1e-6 * np.max(np.abs(real_changes))

    def smallest_first(x_, theta_):
        return 1.0 / (np.abs(real_changes) + 1e-300)  # argmax now picks a kink-free point

    monkeypatch.setattr(L, "slope_changes", smallest_first)
    row = L.control_drop_one(x, y, beta, sol, RunOptions(), {})
    assert row.verdict is Verdict.FAIL


def test_instances_are_seeded_and_stable():
    a, b = L.instances("quick"), L.instances("quick")
    assert [s.id for s in a] == [s.id for s in b]
    assert all(s.p["n"] <= 15 for s in a)
    np.testing.assert_array_equal(L.load_data(a[0])[0], L.load_data(b[0])[0])


def test_figure_from_stored_rows(honest_rows, tmp_path):
    import pandas as pd

    df = pd.DataFrame([{"claim": L.CLAIM_ID, "name": "tiny", **r.to_dict()} for r in honest_rows])
    paths = L.figures(df, tmp_path)
    assert {p.name for p in paths} == {"lasso1d_fits.pdf", "lasso1d_fits.png"}
