"""The CE mathematics: reconstruction identity, pruning, certificates (claims.md, CE)."""

from __future__ import annotations

import cvxpy as cp
import numpy as np
import pytest

from relucheck.datasets import generators
from relucheck.models.arrangements.patterns import enumerate_patterns, sample_patterns
from relucheck.models.two_layer.certificate import (
    cone_sup_bound,
    dual_gauge_bound,
    squared_loss_certificate,
)
from relucheck.models.two_layer.convex_program import cone_violation, convex_objective
from relucheck.models.two_layer.network import forward, objective
from relucheck.models.two_layer.reconstruction import balance, prune_neurons, reconstruct_network
from relucheck.solvers.two_layer_global import solve_two_layer, width_one_bounds


@pytest.fixture(scope="module")
def small():
    data = generators.planted_teacher(10, 3, 3, seed=5)
    patterns = enumerate_patterns(data.X)
    beta = 0.1 * dual_gauge_bound(data.X, data.y, patterns.without_zero().masks)
    return data.X, data.y, beta, patterns


def test_reconstruction_identity(small):
    """Inside the cones, the network's true objective equals the convex objective."""
    X, y, beta, patterns = small
    ps = patterns.without_zero()
    rng = np.random.default_rng(0)
    cv, cw = rng.random(ps.count), rng.random(ps.count) * (rng.random(ps.count) < 0.5)
    V, W = ps.directions.T * cv, ps.directions.T * cw
    assert cone_violation(X, ps.masks, V, W) == 0.0
    U, alpha = reconstruct_network(V, W)
    convex = convex_objective(X, y, beta, ps.masks, V, W)
    assert objective(X, y, U, alpha, beta) == pytest.approx(convex, rel=1e-12)


def test_wrong_reconstruction_scale_breaks_identity(small):
    """The planted defect (α = ‖v‖, u = v/‖v‖) changes the penalty: the identity must fail."""
    X, y, beta, patterns = small
    ps = patterns.without_zero()
    V = ps.directions.T * 2.0
    W = np.zeros_like(V)
    norms = np.linalg.norm(V, axis=0)
    wrong = objective(X, y, V / norms, norms, beta)
    assert wrong != pytest.approx(convex_objective(X, y, beta, ps.masks, V, W), rel=1e-3)


def test_pruning_keeps_fit_and_never_raises_penalty():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((8, 3))
    U = rng.standard_normal((3, 30))
    alpha = rng.standard_normal(30)
    f0 = forward(X, U, alpha)
    path0 = float(np.sum(np.abs(alpha) * np.linalg.norm(U, axis=0)))
    U_p, a_p = prune_neurons(X, U, alpha)
    assert a_p.shape[0] <= X.shape[0]
    np.testing.assert_allclose(forward(X, U_p, a_p), f0, rtol=1e-8, atol=1e-8)
    assert float(np.sum(np.abs(a_p) * np.linalg.norm(U_p, axis=0))) <= path0 + 1e-9
    for beta in (0.01, 1.0):
        y = rng.standard_normal(8)
        assert objective(X, y, U_p, a_p, beta) <= objective(X, y, *balance(U, alpha), beta) + 1e-8


def test_cone_sup_bound_is_tight_and_valid():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((9, 3))
    mask = X @ rng.standard_normal(3) >= 0
    A = np.where(mask[:, None], X, -X)
    c = rng.standard_normal(3)
    u = cp.Variable(3)
    exact = cp.Problem(cp.Maximize(c @ u), [cp.norm(u) <= 1, A @ u >= 0]).solve(solver="CLARABEL")
    bound = cone_sup_bound(c, A)
    assert bound >= exact - 1e-7
    assert bound == pytest.approx(exact, abs=1e-6)


@pytest.mark.parametrize("loss", ["squared", "hinge"])
def test_certificate_brackets_the_optimum(loss):
    data = generators.planted_teacher(10, 3, 3, seed=8, labels=loss == "hinge")
    patterns = enumerate_patterns(data.X)
    beta = 0.1 * dual_gauge_bound(data.X, data.y, patterns.without_zero().masks)
    sol = solve_two_layer(data.X, data.y, beta, patterns, loss=loss)
    assert sol.result.accurate
    assert sol.certificate.certifies == "full"
    assert sol.certificate.lower <= sol.result.value + 1e-7 * abs(sol.result.value)
    assert sol.result.certified_gap <= 1e-6
    assert sol.objective == pytest.approx(sol.result.value, rel=1e-6)


def test_certificate_from_any_residual_is_a_lower_bound(small):
    """Validity does not depend on optimality: random residuals give bounds below p_cvx."""
    X, y, beta, patterns = small
    sol = solve_two_layer(X, y, beta, patterns)
    rng = np.random.default_rng(3)
    for _ in range(5):
        cert = squared_loss_certificate(
            X, y, beta, rng.standard_normal(y.shape), patterns.without_zero().masks, exact=True
        )
        assert cert.lower <= sol.objective + 1e-9


def test_sampled_certificate_says_restricted(small):
    X, y, beta, patterns = small
    sampled = sample_patterns(X, 5, seed=0)
    sol = solve_two_layer(X, y, beta, sampled)
    assert sol.certificate.certifies == "restricted"
    full = solve_two_layer(X, y, beta, patterns)
    assert sol.objective >= full.certificate.lower - 1e-9


def test_width_one_is_bracketed_and_above_convex(small):
    X, y, beta, patterns = small
    sol = solve_two_layer(X, y, beta, patterns)
    w1 = width_one_bounds(X, y, beta, patterns)
    assert w1.accurate
    assert w1.lower <= w1.upper + 1e-9
    assert w1.lower > sol.objective  # the teacher needs more than one neuron


def test_second_opinion_never_looser_and_always_valid():
    """NNLS can stall on degenerate cones; the BVLS second opinion may only tighten the bound."""
    rng = np.random.default_rng(11)
    X = np.repeat(rng.standard_normal((6, 3)), 3, axis=0)  # repeated rows: degenerate cones
    for _ in range(5):
        mask = X @ rng.standard_normal(3) >= 0
        A = np.where(mask[:, None], X, -X)
        c = rng.standard_normal(3)
        u = cp.Variable(3)
        exact = cp.Problem(cp.Maximize(c @ u), [cp.norm(u) <= 1, A @ u >= 0]).solve(
            solver="CLARABEL"
        )
        plain = cone_sup_bound(c, A, second_opinion=False)
        both = cone_sup_bound(c, A, second_opinion=True)
        auto = cone_sup_bound(c, A)
        assert both <= plain + 1e-15 and both <= auto + 1e-15
        for bound in (plain, both, auto):
            assert bound >= exact - 1e-7
        assert auto == pytest.approx(exact, abs=1e-6)
