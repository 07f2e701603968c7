"""The CE claim end to end on a tiny instance; planted defects must turn a check to FAIL."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from relucheck.harness.claims import InstanceSpec, RunOptions
from relucheck.harness.records import Verdict
from relucheck.models.arrangements.patterns import sample_patterns
from relucheck.models.two_layer import reconstruction
from relucheck.solvers import backends, two_layer_global
from relucheck.theorems import convex_equivalence as ce
from relucheck.theorems.convex_equivalence import controls, equivalence

TINY = InstanceSpec.make(
    "CE",
    "tiny-teacher",
    3,
    kind="teacher",
    n=9,
    d=3,
    width=3,
    beta_frac=0.02,
    restarts=3,
    adam_steps=400,
)
NO_LICENSE = (False, "no MOSEK license (test)")


def verdicts(rows) -> dict[str, Verdict]:
    return {r.check: r.verdict for r in rows}


@pytest.fixture(autouse=True)
def no_mosek(monkeypatch):
    monkeypatch.setattr(equivalence, "probe_mosek", lambda: NO_LICENSE)


@pytest.fixture(scope="module")
def honest_rows():
    saved = equivalence.probe_mosek
    equivalence.probe_mosek = lambda: NO_LICENSE
    try:
        return ce.check(TINY, RunOptions())
    finally:
        equivalence.probe_mosek = saved


def test_every_check_id_reported_once(honest_rows):
    assert sorted(r.check for r in honest_rows) == sorted(ce.CHECK_IDS)


def test_honest_run_passes(honest_rows):
    v = verdicts(honest_rows)
    for check_id in ce.CHECK_IDS:
        if check_id == "mosek_cross_check":
            assert v[check_id] is Verdict.SKIPPED
        elif check_id == "best_restart_close":
            assert v[check_id] in (Verdict.PASS, Verdict.INCONCLUSIVE)
        else:
            assert v[check_id] is Verdict.PASS, (check_id, honest_rows)


def test_rows_state_relation_and_tolerance(honest_rows):
    for row in honest_rows:
        assert row.relation
        if row.verdict in (Verdict.PASS, Verdict.FAIL):
            assert row.tolerance is not None


def test_mosek_without_license_is_skipped_with_reason(honest_rows):
    row = next(r for r in honest_rows if r.check == "mosek_cross_check")
    assert row.verdict is Verdict.SKIPPED and "license" in row.reason


def test_mosek_requested_without_license_skips_instead_of_crashing(monkeypatch):
    monkeypatch.setattr(backends, "probe_mosek", lambda: NO_LICENSE)
    rows = ce.check(TINY, RunOptions(solver="mosek"))
    v = verdicts(rows)
    assert v["pattern_count"] is Verdict.PASS
    assert all(v[c] is Verdict.SKIPPED for c in ce.SOLVER_CHECKS)


def test_real_probe_never_raises():
    licensed, reason = backends.probe_mosek()
    assert isinstance(licensed, bool) and reason


def test_planted_no_cone_constraints_fails(monkeypatch):
    """Defect: the convex program without its cone constraints, passed off as the real one."""
    real = two_layer_global.solve_two_layer

    def gated(*args, **kwargs):
        kwargs["cone_constraints"] = False
        return real(*args, **kwargs)

    for module in (ce, equivalence, controls):  # every module that solves the program
        monkeypatch.setattr(module, "solve_two_layer", gated)
    assert Verdict.FAIL in verdicts(ce.check(TINY, RunOptions())).values()


def test_inaccurate_solve_is_inconclusive_and_controls_stay_controls(monkeypatch):
    """An inaccurate convex solve turns every solver check INCONCLUSIVE, never PASS."""
    real = two_layer_global.solve_two_layer

    def inaccurate(*args, **kwargs):
        sol = real(*args, **kwargs)
        sol.result.accurate, sol.result.status = False, "optimal_inaccurate"
        return sol

    monkeypatch.setattr(ce, "solve_two_layer", inaccurate)
    rows = [r for r in ce.check(TINY, RunOptions()) if r.check in ce.SOLVER_CHECKS]
    assert rows and {r.verdict for r in rows} == {Verdict.INCONCLUSIVE}
    assert (
        {r.check for r in rows if r.control}
        == {c for c in ce.SOLVER_CHECKS if c.startswith("control_")}
        != set()
    )


def test_planted_wrong_reconstruction_scale_fails(monkeypatch):
    """Defect: (u, α) = (v/‖v‖, ‖v‖): same fit, wrong penalty."""

    def wrong_scale(V, W, zero_tol=0.0):
        U, alpha = reconstruction.reconstruct_network(V, W, zero_tol=zero_tol)
        norms = np.linalg.norm(U, axis=0)
        return U / norms, alpha * norms

    monkeypatch.setattr(two_layer_global, "reconstruct_network", wrong_scale)
    v = verdicts(ce.check(TINY, RunOptions()))
    assert v["reconstruction_attains"] is Verdict.FAIL


def test_planted_sampled_patterns_as_exact_fails(monkeypatch):
    """Defect: a sampled pattern set declared exact."""

    def fake_exact(X, **kwargs):
        return dataclasses.replace(sample_patterns(X, 6, seed=1), exact=True)

    monkeypatch.setattr(ce, "enumerate_patterns", fake_exact)
    v = verdicts(ce.check(TINY, RunOptions()))
    assert v["pattern_count"] is Verdict.FAIL


def test_instances_are_seeded_and_stable():
    a, b = ce.instances("quick"), ce.instances("quick")
    assert [s.id for s in a] == [s.id for s in b]
    assert len({s.id for s in ce.instances("full")}) == len(ce.instances("full"))
    X1, X2 = ce.load_data(a[0]).X, ce.load_data(a[0]).X
    np.testing.assert_array_equal(X1, X2)
