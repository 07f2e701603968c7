"""The structured interior-point method behind ``--solver fast`` (relucheck.solvers.group_cone_ipm).

Cone algebra against its defining identities, the two Newton-system solvers against each
other, the CE group operators against their adjoints, and the whole method (interior point
+ polish) against Clarabel on the same restricted program. Negative controls: a polish
held to a wrong active set is rejected, and a polish that does not converge sends the CE
solver to its Clarabel fallback, which still certifies.
"""

from __future__ import annotations

import numpy as np
import pytest

import relucheck.solvers.fast_two_layer as fast
from relucheck.datasets.generators import planted_teacher
from relucheck.models.arrangements.patterns import sample_patterns
from relucheck.models.two_layer.certificate import dual_gauge_bound
from relucheck.solvers import group_cone_ipm as ipm
from relucheck.solvers import manifold_polish as polish
from relucheck.solvers import soc_algebra as soc


def _interior(rng, k, q, margin=0.5):
    x = rng.normal(size=(k, q))
    x[:, 0] = np.linalg.norm(x[:, 1:], axis=1) + margin + rng.random(k)
    return x


def test_nt_scaling_maps_z_and_s_to_the_same_point():
    rng = np.random.default_rng(0)
    s, z = _interior(rng, 6, 5), _interior(rng, 6, 5)
    W, Winv = soc.soc_scaling(s, z)
    lam_z = np.einsum("kij,kj->ki", W, z)
    lam_s = np.einsum("kij,kj->ki", Winv, s)
    np.testing.assert_allclose(lam_z, lam_s, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(W @ Winv, np.broadcast_to(np.eye(5), W.shape), atol=1e-12)
    assert np.all(soc.soc_det(lam_z) > 0) and np.all(lam_z[:, 0] > 0)  # λ inside the cone


def test_soc_divide_inverts_the_jordan_product():
    rng = np.random.default_rng(1)
    lam, v = _interior(rng, 4, 7), rng.normal(size=(4, 7))
    np.testing.assert_allclose(soc.soc_product(lam, soc.soc_divide(lam, v)), v, atol=1e-12)


def test_soc_max_step_lands_on_the_boundary():
    rng = np.random.default_rng(2)
    x, dx = _interior(rng, 5, 4), rng.normal(size=(5, 4)) * 5
    alpha = soc.soc_max_step(x, dx)
    assert np.isfinite(alpha) and alpha > 0
    inside = x + 0.999 * alpha * dx
    assert np.all(inside[:, 0] >= np.linalg.norm(inside[:, 1:], axis=1))
    edge = x + alpha * dx
    slack = edge[:, 0] - np.linalg.norm(edge[:, 1:], axis=1)
    assert slack.min() == pytest.approx(0.0, abs=1e-9 * np.abs(edge).max())
    # a direction that stays inside has no limit
    assert soc.soc_max_step(x, np.c_[np.ones(5), np.zeros((5, 3))]) == np.inf


def test_woodbury_and_dense_newton_solves_agree():
    rng = np.random.default_rng(3)
    n, k, p = 7, 5, 3
    F = rng.normal(size=(n, k * p))
    A = rng.normal(size=(k, p, p))
    blocks = A @ np.swapaxes(A, 1, 2) + 0.1 * np.eye(p)
    rhs = rng.normal(size=(k, p))
    dense = ipm._dense_solve(F.T @ F, blocks, rhs)
    wood = ipm._woodbury_solve(F, blocks, rhs)
    np.testing.assert_allclose(wood, dense, rtol=1e-9, atol=1e-10)
    H = F.T @ F
    for g in range(k):
        H[g * p : (g + 1) * p, g * p : (g + 1) * p] += blocks[g]
    np.testing.assert_allclose(H @ dense.reshape(-1), rhs.reshape(-1), atol=1e-9)


@pytest.fixture(scope="module")
def instance():
    data = planted_teacher(80, 4, width=3, seed=11)
    patterns = sample_patterns(data.X, 40, seed=3).without_zero()
    beta = 0.1 * dual_gauge_bound(data.X, data.y, patterns.masks)
    cols = list(range(0, 2 * patterns.count, 3))[:16]
    return data.X, data.y, beta, patterns, cols


def test_ce_group_operators_are_adjoint_and_consistent(instance):
    X, y, _, patterns, cols = instance
    groups = fast.CEGroups(X, patterns.masks, cols)
    rng = np.random.default_rng(4)
    U, v, Z = rng.normal(size=(groups.k, groups.p)), rng.normal(size=X.shape[0]), None
    Z = rng.normal(size=(groups.k, groups.r))
    assert groups.fit(U) @ v == pytest.approx(np.sum(U * groups.fit_adjoint(v)), rel=1e-12)
    assert np.sum(groups.rows(U) * Z) == pytest.approx(
        np.sum(U * groups.rows_adjoint(Z)), rel=1e-12
    )
    np.testing.assert_allclose(
        groups.fit_columns(np.arange(groups.k)) @ U.reshape(-1), groups.fit(U)
    )
    w = rng.random(size=(groups.k, groups.r))
    gram = groups.rows_gram(w)
    C = groups.row_matrix(2, np.arange(groups.r))
    np.testing.assert_allclose(gram[2], C.T @ (w[2][:, None] * C), rtol=1e-12)


def test_ipm_with_polish_matches_clarabel_on_the_restricted_program(instance):
    X, y, beta, patterns, cols = instance
    groups = fast.CEGroups(X, patterns.masks, cols)
    res = ipm.solve_group_cone_qp(groups, y, beta)
    assert res.polished, res.polish
    U_ref, status, _ = fast.restricted_program(
        X, y, beta, patterns.masks, cols, {j: np.arange(X.shape[0]) for j in cols}
    )
    assert status.startswith("Clarabel")
    ours = polish.objective(groups, y, beta, res.U)
    ref = polish.objective(groups, y, beta, U_ref.T)
    # polished: at least as good as Clarabel (up to rounding), and feasible to 1e-10
    assert ours <= ref + 1e-10 * abs(ref)
    assert ours == pytest.approx(ref, rel=1e-8)
    rows = groups.rows(res.U)
    assert rows.min() >= -1e-10 * np.abs(rows).max()


def test_polish_rejects_a_wrong_active_set(instance):
    """Negative control: one group's binding rows declared free, as a misread iterate would."""
    X, y, beta, patterns, cols = instance
    groups = fast.CEGroups(X, patterns.masks, cols)
    res = ipm.solve_group_cone_qp(groups, y, beta)
    active = np.linalg.norm(res.U, axis=1) > 0
    qu = -groups.fit_adjoint(y)
    rows = groups.rows(res.U)
    binding = (np.abs(rows) <= 1e-9 * np.abs(rows).max()) & active[:, None]
    g = int(np.flatnonzero(binding.any(axis=1))[0])  # a group whose optimum binds rows
    wrong = binding.copy()
    wrong[g] = False
    polished, how = polish.polish_on_active_manifold(
        groups, qu, y, beta, res.U, active, wrong, rounds=1
    )
    assert polished is None and "changing" in how  # one row per change: not enough
    # with more rounds it either recovers the optimum or refuses; never a worse point
    best = polish.objective(groups, y, beta, res.U)
    polished, how = polish.polish_on_active_manifold(groups, qu, y, beta, res.U, active, wrong)
    if polished is not None:
        assert polish.objective(groups, y, beta, polished) <= best * (1 + 1e-10)
        assert groups.rows(polished).min() >= -1e-10 * np.abs(rows).max()
    # and the true active set is accepted as it is
    polished, how = polish.polish_on_active_manifold(groups, qu, y, beta, res.U, active, binding)
    assert polished is not None, how
    assert polish.objective(groups, y, beta, polished) == pytest.approx(best, rel=1e-10)


def test_unpolished_restricted_solves_fall_back_to_clarabel(instance, monkeypatch):
    """The stopping rule never depends on the polish: without it, Clarabel solves and the
    same certificate decides."""
    X, y, beta, patterns, _ = instance
    calls = []

    def no_polish(groups, y, beta, **kw):
        calls.append(groups.k)
        return ipm.IPMResult(np.zeros((groups.k, groups.p)), "stalled", 0, 1.0, 1.0, 1.0)

    monkeypatch.setattr(fast, "solve_group_cone_qp", no_polish)
    monkeypatch.setattr(fast, "_warm_restricted", lambda *a: None)
    ws = fast.solve_working_set(X, y, beta, patterns.masks, patterns.directions)
    assert calls and ws.status == "certified" and ws.gap <= 1e-6
    assert all(h["inner_status"].startswith("Clarabel") for h in ws.history)
    monkeypatch.undo()
    again = fast.solve_working_set(X, y, beta, patterns.masks, patterns.directions)
    assert again.status == "certified"
    assert again.value == pytest.approx(ws.value, rel=1e-8)
    assert not any(h["inner_status"].startswith("Clarabel") for h in again.history)
