"""The mathematics behind SR and LASSO-1D, against brute force and independent formulations."""

from __future__ import annotations

import cvxpy as cp
import numpy as np
import pytest

from relucheck.models.radon import deep_linear as dl
from relucheck.models.radon import dual_2d as rd
from relucheck.models.radon import maurey
from relucheck.models.univariate import ramp_lasso as rl
from relucheck.models.univariate import skip_network as sn
from relucheck.models.univariate import splines as sp
from relucheck.models.univariate.skip_reduction import reduce_network
from relucheck.solvers.lasso_1d import min_norm_interpolation, solve_ramp_lasso
from relucheck.solvers.skip_train_1d import nonnegative_qp, reweight_atoms
from relucheck.solvers.trend_filter_1d import trend_filter_cvxpy, trend_filter_exact

# ------------------------------------------------------------------ skip network


@pytest.mark.parametrize("skip, bias_penalty", [(True, False), (False, False), (True, True)])
def test_skip_network_gradient_matches_finite_differences(skip, bias_penalty):
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((9, 2)), rng.standard_normal(9)
    fb, fs, layout = sn.flat_objective_functions(X, y, 0.3, 5, skip=skip, bias_penalty=bias_penalty)
    theta = rng.standard_normal(layout.size)
    value, grad = fs(theta)
    eps = 1e-6
    num = np.array(
        [(fs(theta + eps * e)[0] - fs(theta - eps * e)[0]) / (2 * eps) for e in np.eye(theta.size)]
    )
    np.testing.assert_allclose(grad, num, atol=1e-6)
    net = layout.net(theta)
    assert value == pytest.approx(sn.objective(X, y, net, 0.3, bias_penalty), rel=1e-12)
    values, grads = fb(np.vstack([theta, theta]))
    np.testing.assert_allclose(values, value)
    np.testing.assert_allclose(grads[1], grad)


def test_rescaling_keeps_function_and_balancing_minimizes_penalty():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((7, 3))
    net = sn.SkipNet(rng.standard_normal((3, 4)), rng.standard_normal(4),
                     rng.standard_normal(4), rng.standard_normal(3), 0.4)  # fmt: skip
    np.testing.assert_allclose(sn.forward(X, sn.rescale(net, [0.3, 2, 5, 1])), sn.forward(X, net))
    bal = sn.rescale(net, sn.balancing_factors(net))
    assert sn.penalty(bal, 1.0) == pytest.approx(sn.path_norm(net), rel=1e-12)
    np.testing.assert_allclose(np.abs(bal.v), np.linalg.norm(bal.W, axis=0))
    balb = sn.rescale(net, sn.balancing_factors(net, bias_penalty=True))
    assert sn.penalty(balb, 1.0, True) == pytest.approx(sn.path_norm(net, True), rel=1e-12)


# ------------------------------------------------------------------ splines, trend filtering


def random_1d(n: int, seed: int, cluster: bool = False) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, n)
    if cluster:  # nearly coincident points: an ill-conditioned difference operator
        x[: n // 3] = 0.5 + 1e-5 * rng.standard_normal(n // 3)
    y = np.cos(2 * x) + 0.3 * rng.standard_normal(n)
    return x, y


def test_difference_operator_is_slope_changes():
    x, y = random_1d(9, 3)
    order = np.argsort(x)
    D = sp.difference_operator(x[order])
    np.testing.assert_allclose(D @ y[order], sp.slope_changes(x, y))


def test_spline_network_reproduces_and_costs_total_slope_change():
    x, y = random_1d(10, 4)
    net = sp.spline_to_network(x, y)
    np.testing.assert_allclose(sn.forward(x[:, None], net), y, atol=1e-12)
    assert sn.path_norm(net) == pytest.approx(sp.total_slope_change(x, y), rel=1e-12)
    pts = np.linspace(-4, 4, 50)
    np.testing.assert_allclose(sn.forward(pts[:, None], net), sp.evaluate_spline(x, y, pts))


@pytest.mark.parametrize("seed, cluster", [(5, False), (6, True), (7, False)])
@pytest.mark.parametrize("lam", [1e-3, 0.1, 3.0])
def test_trend_filter_exact_agrees_with_conic_and_is_certified(seed, cluster, lam):
    x, y = random_1d(30, seed, cluster)
    exact = trend_filter_exact(x, y, lam)
    conic = trend_filter_cvxpy(x, y, lam)
    assert -1e-12 <= exact.gap <= 1e-9  # 1e-5 clusters cost a few digits
    assert exact.objective <= conic.objective + 1e-9 * conic.objective
    assert exact.objective == pytest.approx(conic.objective, rel=1e-6)
    assert exact.objective == pytest.approx(sp.trend_filter_objective(x, y, exact.theta, lam))


def test_trend_filter_dual_bound_is_valid_anywhere():
    """Weak duality: the bound at ANY u (clipped) is below the objective at ANY θ."""
    from relucheck.solvers.trend_filter_1d import dual_lower_bound

    x, y = random_1d(12, 8)
    order = np.argsort(x)
    D = sp.difference_operator(x[order])
    rng = np.random.default_rng(0)
    for _ in range(50):
        u = rng.standard_normal(D.shape[0])
        theta = rng.standard_normal(12)
        lower = dual_lower_bound(D, y[order], u, 0.2)
        assert lower <= sp.trend_filter_objective(x[order], y[order], theta, 0.2) + 1e-12


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_interpolation_costs_match_the_formulas(seed):
    x, y = random_1d(9, seed)
    with_skip = min_norm_interpolation(x, y, skip=True)
    no_skip = min_norm_interpolation(x, y, skip=False)
    T = sp.total_slope_change(x, y)
    for lp, target in ((with_skip, T), (no_skip, sp.no_skip_interpolation_cost(x, y))):
        assert lp.lower <= target * (1 + 1e-7) and lp.upper >= target * (1 - 1e-7)
        assert lp.upper == pytest.approx(target, rel=1e-6)
    # the upper bound comes from an exactly interpolating z
    A, B = rl.ramp_dictionary(x, np.unique(x)), rl.free_basis(x, False)
    np.testing.assert_allclose(A @ no_skip.z + B @ no_skip.gamma, y, atol=1e-9)


def test_no_skip_cost_formula_on_convex_data_exceeds_total_slope_change():
    x = np.linspace(0, 1, 8)
    y = np.exp(2 * x)
    assert sp.no_skip_interpolation_cost(x, y) > sp.total_slope_change(x, y) * 1.1


# ------------------------------------------------------------------ ramp Lasso


def test_lasso_certificate_is_a_lower_bound_for_random_points():
    rng = np.random.default_rng(9)
    x = rng.uniform(-1, 1, 10)
    y = rng.standard_normal(10)
    A, B = rl.ramp_dictionary(x, np.unique(x)), rl.free_basis(x, False)
    sol = solve_ramp_lasso(x, y, 0.2)
    for _ in range(30):
        z = rng.standard_normal(A.shape[1]) * rng.integers(0, 2, A.shape[1])
        gamma = rng.standard_normal(1)
        cert = rl.certificate(A, B, y, 0.2, rng.standard_normal(10))
        assert cert.lower <= sol.objective + 1e-12
        assert cert.lower <= rl.objective(A, B, y, 0.2, z, gamma) + 1e-12


def test_lasso_network_has_the_lasso_objective():
    rng = np.random.default_rng(10)
    x = rng.uniform(-1, 1, 8)
    y = rng.standard_normal(8)
    for skip in (False, True):
        sol = solve_ramp_lasso(x, y, 0.1, skip=skip)
        net = rl.lasso_to_network(sol.breakpoints, sol.z, sol.gamma, skip=skip)
        assert sn.objective(x[:, None], y, net, 0.1) == pytest.approx(sol.objective, rel=1e-10)


# ------------------------------------------------------------------ reduction, d = 2 dual


@pytest.mark.parametrize("d, n", [(1, 8), (2, 10), (3, 12)])
def test_reduction_keeps_fit_never_raises_penalty_and_counts(d, n):
    rng = np.random.default_rng(d)
    X = rng.standard_normal((n, d))
    m = 3 * n
    net = sn.SkipNet(rng.standard_normal((d, m)), rng.standard_normal(m),
                     rng.standard_normal(m), rng.standard_normal(d), 0.2)  # fmt: skip
    red = reduce_network(X, net, skip=True)
    np.testing.assert_allclose(sn.forward(X, red.net), sn.forward(X, net), atol=1e-8)
    assert red.path_after <= red.path_before + 1e-12
    assert red.width_after <= n - (d + 1)
    assert sn.penalty(red.net, 1.0) <= sn.penalty(net, 1.0) + 1e-12
    no_skip = reduce_network(X, net, skip=False)
    np.testing.assert_allclose(sn.forward(X, no_skip.net), sn.forward(X, net), atol=1e-8)
    assert no_skip.width_after <= n - 1


def test_exact_neuron_supremum_matches_brute_force():
    rng = np.random.default_rng(11)
    for _ in range(3):
        X = rng.standard_normal((8, 2))
        B = np.hstack([np.ones((8, 1)), X])
        nu = rl.project_off(B, rng.standard_normal(8))
        exact, w, t = rd.best_neuron(X, nu)
        assert abs(nu @ np.maximum(X @ w - t, 0)) == pytest.approx(exact, rel=1e-12)
        angles = np.linspace(0, 2 * np.pi, 100_001)
        P = X @ np.vstack([np.cos(angles), np.sin(angles)])
        brute = max(np.abs(np.maximum(P - P[j], 0).T @ nu).max() for j in range(8))
        assert brute <= exact * (1 + 1e-12)
        assert brute >= exact * (1 - 1e-4)  # the grid's resolution
        # and random biases never beat it
        for _ in range(200):
            a = rng.uniform(0, 2 * np.pi)
            val = nu @ np.maximum(X @ [np.cos(a), np.sin(a)] - rng.normal(), 0)
            assert abs(val) <= exact * (1 + 1e-12)


def test_radon_lower_bound_is_valid_for_random_networks():
    rng = np.random.default_rng(12)
    X, y = rng.standard_normal((9, 2)), rng.standard_normal(9)
    lam = 0.2
    bounds = [rd.lower_bound(X, y, lam, rng.standard_normal(9)).lower for _ in range(10)]
    for _ in range(30):
        m = int(rng.integers(1, 6))
        net = sn.SkipNet(rng.standard_normal((2, m)), rng.standard_normal(m),
                         rng.standard_normal(m), rng.standard_normal(2), 0.1)  # fmt: skip
        assert max(bounds) <= sn.objective(X, y, net, lam) + 1e-12


def test_nonnegative_qp_matches_cvxpy():
    rng = np.random.default_rng(13)
    A = rng.standard_normal((10, 6))
    b = rng.standard_normal(10)
    c = nonnegative_qp(A.T @ A, A.T @ b - 0.3)
    v = cp.Variable(6)
    prob = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(A @ v - b) + 0.3 * cp.sum(v)), [v >= 0])
    prob.solve(solver="CLARABEL")
    ours = 0.5 * np.sum((A @ c - b) ** 2) + 0.3 * c.sum()
    assert np.all(c >= 0) and ours <= prob.value + 1e-9


def test_reweighting_never_raises_the_objective():
    rng = np.random.default_rng(14)
    X, y = rng.standard_normal((9, 2)), rng.standard_normal(9)
    net = sn.SkipNet(rng.standard_normal((2, 5)), rng.standard_normal(5),
                     rng.standard_normal(5), np.zeros(2), 0.0)  # fmt: skip
    new = reweight_atoms(X, y, net, 0.1)
    assert sn.objective(X, y, new, 0.1) <= sn.objective(X, y, net, 0.1)


# ------------------------------------------------------------------ deep linear, Maurey


@pytest.mark.parametrize("L", [1, 2, 3, 4, 6])
def test_scalar_optimum_beats_a_fine_grid(L):
    grid = np.linspace(0, 4, 200_001)
    for sigma in (0.05, 0.4, 0.9, 1.7, 3.0):
        s = dl.scalar_optimum(sigma, 0.4, L)
        best = dl.scalar_objective(grid, sigma, 0.4, L).min()
        assert dl.scalar_objective(s, sigma, 0.4, L) <= best + 1e-12


def test_deep_linear_gradient_and_factorization():
    rng = np.random.default_rng(15)
    Y = rng.standard_normal((4, 4))
    fb, fs, unpack = dl.flat_objective_functions(Y, 0.2, 3)
    theta = rng.standard_normal(48) * 0.7
    _, grad = fs(theta)
    eps = 1e-6
    num = np.array(
        [(fs(theta + eps * e)[0] - fs(theta - eps * e)[0]) / (2 * eps) for e in np.eye(48)]
    )
    np.testing.assert_allclose(grad, num, atol=1e-6)
    assert fs(theta)[0] == pytest.approx(dl.objective(unpack(theta), Y, 0.2))
    Ws = dl.balanced_factorization(Y, 3, rng)
    np.testing.assert_allclose(dl.product(Ws), Y, atol=1e-12)
    pen = 0.5 * sum(np.sum(W * W) for W in Ws)
    assert pen == pytest.approx(dl.factorization_penalty(Y, 3), rel=1e-12)


def test_closed_form_is_below_random_factorizations():
    rng = np.random.default_rng(16)
    Y = rng.standard_normal((4, 4))
    for L in (2, 3):
        _, _, value = dl.closed_form(Y, 0.3, L)
        for _ in range(50):
            Ws = [rng.standard_normal((4, 4)) * 0.8 for _ in range(L)]
            assert dl.objective(Ws, Y, 0.3) >= value - 1e-12


def test_maurey_expected_error_formula_matches_monte_carlo():
    rng = np.random.default_rng(17)
    net = maurey.random_network(5, 300, rng)
    X = maurey.sphere_points(200, 5, rng)
    K = 32
    rms = maurey.subsample_errors(net, X, (K,), 4000, rng)[0]
    exact = np.sqrt(maurey.expected_sq_error_constant(net, X) / K)
    assert rms == pytest.approx(exact, rel=0.05)
    assert exact <= 2.0 / np.sqrt(K)
