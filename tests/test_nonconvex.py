"""Tests for relucheck.solvers.nonconvex: generic multi-start Adam + L-BFGS, and the
two-layer trainer of claims.md CE."""

from __future__ import annotations

import numpy as np
import pytest

from relucheck.models.two_layer import network as tln
from relucheck.solvers import nonconvex as nc

# -------------------------------------------------------------- generic test problems


def quadratic(K=4, p=5, seed=0):
    """Per-restart convex quadratic ½‖A θ − b‖² with known minimizer (model-agnostic)."""
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((p + 3, p))
    b = rng.standard_normal(p + 3)
    theta_star = np.linalg.lstsq(A, b, rcond=None)[0]
    v_star = 0.5 * float(np.sum((A @ theta_star - b) ** 2))

    def fun_batched(theta):
        r = theta @ A.T - b
        return 0.5 * np.sum(r * r, axis=1), r @ A

    def fun_single(theta):
        r = A @ theta - b
        return 0.5 * float(r @ r), A.T @ r

    init = rng.standard_normal((K, p)) * 3.0
    return fun_batched, fun_single, init, theta_star, v_star


def rosenbrock(theta):
    x, y = theta
    v = (1 - x) ** 2 + 100 * (y - x**2) ** 2
    g = np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])
    return float(v), g


# ------------------------------------------------------------------------------ Adam


def test_record_steps():
    np.testing.assert_array_equal(nc.record_steps(10, 5), [0, 5, 10])
    np.testing.assert_array_equal(nc.record_steps(10, 3), [0, 3, 6, 9, 10])
    np.testing.assert_array_equal(nc.record_steps(0), [0])
    s = nc.record_steps(2000)
    assert s[0] == 0 and s[-1] == 2000 and np.all(np.diff(s) > 0) and len(s) <= 62
    with pytest.raises(ValueError):
        nc.record_steps(10, 0)


def test_learning_rates():
    np.testing.assert_allclose(nc.learning_rates(5, 0.1), 0.1)
    lr = nc.learning_rates(100, 0.1, "cosine", final_fraction=0.01)
    assert lr[0] == pytest.approx(0.1) and np.all(np.diff(lr) <= 0) and lr[-1] > 0.001
    with pytest.raises(ValueError, match="unknown decay"):
        nc.learning_rates(5, 0.1, "step")


def test_adam_update_is_pure():
    state = nc.adam_init(np.ones((2, 3)))
    before = (state.theta.copy(), state.m.copy(), state.v.copy())
    new = nc.adam_update(state, np.ones((2, 3)), 0.1)
    for a, b in zip(before, (state.theta, state.m, state.v), strict=True):
        np.testing.assert_array_equal(a, b)
    assert state.t == 0 and new.t == 1
    # first bias-corrected Adam step has size lr in every coordinate
    np.testing.assert_allclose(new.theta, 1.0 - 0.1, rtol=1e-6)


def test_adam_converges_on_quadratic_and_records_trajectory():
    fb, _, init, theta_star, v_star = quadratic()
    run = nc.adam(fb, init, steps=3000, lr=0.05, record_every=100, decay="cosine")
    np.testing.assert_array_equal(run.steps, np.arange(0, 3001, 100))
    assert run.trajectory.shape == (31, 4)
    np.testing.assert_allclose(run.trajectory[0], fb(init)[0])
    np.testing.assert_allclose(run.trajectory[-1], run.values)
    np.testing.assert_allclose(run.values, fb(run.theta)[0])
    np.testing.assert_allclose(run.theta, np.broadcast_to(theta_star, init.shape), atol=1e-4)
    np.testing.assert_allclose(run.values, v_star, rtol=1e-6)
    assert np.all(run.finite) and run.state.t == 3000
    np.testing.assert_array_equal(init, quadratic()[2])  # input not modified


def test_adam_vectorized_equals_one_restart_at_a_time():
    fb, _, init, _, _ = quadratic(K=3)
    run = nc.adam(fb, init, steps=50, lr=0.05)
    for k in range(3):
        single = nc.adam(fb, init[k : k + 1], steps=50, lr=0.05)
        np.testing.assert_allclose(single.theta[0], run.theta[k], rtol=1e-12, atol=1e-14)


def test_adam_freezes_restarts_that_become_non_finite():
    def fb(theta):
        v = 0.5 * np.sum(theta**2, axis=1)
        g = theta.copy()
        bad = theta[:, 0] < 0.5  # restart 1 walks into a NaN region
        v = np.where(bad, np.nan, v)
        return v, g

    init = np.array([[5.0, 5.0], [0.6, 1.0]])
    run = nc.adam(fb, init, steps=50, lr=0.05)
    assert run.finite.tolist() == [True, False]
    assert np.isfinite(run.values).all()
    assert run.theta[1, 0] >= 0.5  # frozen at its last finite point
    assert run.values[1] == pytest.approx(0.5 * np.sum(run.theta[1] ** 2))


def test_adam_zero_steps():
    fb, _, init, _, _ = quadratic()
    run = nc.adam(fb, init, steps=0, lr=0.1)
    np.testing.assert_array_equal(run.theta, init)
    np.testing.assert_array_equal(run.steps, [0])


# ---------------------------------------------------------------------------- L-BFGS


def test_lbfgs_polish_rosenbrock():
    res = nc.lbfgs_polish(rosenbrock, np.array([-1.2, 1.0]), max_iter=500)
    np.testing.assert_allclose(res.theta, [1.0, 1.0], atol=1e-5)
    assert res.converged and "CONVERGENCE" in res.message
    assert res.values[0] == pytest.approx(rosenbrock(np.array([-1.2, 1.0]))[0])
    assert res.values[-1] == pytest.approx(res.value)
    assert len(res.values) == res.iterations + 1
    np.testing.assert_array_equal(res.steps, np.arange(res.iterations + 1))


def test_lbfgs_polish_iteration_limit_and_skip():
    res = nc.lbfgs_polish(rosenbrock, np.array([-1.2, 1.0]), max_iter=3)
    assert res.iterations <= 3 and not res.converged
    assert res.value <= res.values[0]
    skip = nc.lbfgs_polish(rosenbrock, np.array([-1.2, 1.0]), max_iter=0)
    assert skip.iterations == 0 and not skip.converged and "skipped" in skip.message
    np.testing.assert_array_equal(skip.theta, [-1.2, 1.0])


# ------------------------------------------------------------------------ multistart


def test_train_multistart_generic():
    fb, fs, init, theta_star, v_star = quadratic(K=3)
    res = nc.train_multistart(fb, fs, init, adam_steps=200, lr=0.05, lbfgs_iters=100)
    assert res.final_values.shape == (3,) and res.thetas.shape == init.shape
    np.testing.assert_allclose(res.final_values, v_star, rtol=1e-9)
    np.testing.assert_allclose(res.thetas, np.broadcast_to(theta_star, (3, 5)), atol=1e-5)
    assert res.converged.all() and set(res.timings) == {"adam", "lbfgs"}
    assert res.params == []
    for (steps, values), it in zip(res.trajectories, res.lbfgs_iterations, strict=True):
        assert np.all(np.diff(steps) > 0)
        assert steps[-1] == 200 + it  # L-BFGS counter continues after Adam
        assert values[-1] == pytest.approx(res.final_values[0], rel=1e-9)


def test_train_multistart_uses_final_objective():
    fb, fs, init, _, _ = quadratic(K=2)
    res = nc.train_multistart(
        fb, fs, init, adam_steps=5, lbfgs_iters=0, final_objective=lambda t: t[:, 0] * 0 + 7.0
    )
    np.testing.assert_array_equal(res.final_values, [7.0, 7.0])
    assert not res.converged.any()
    with pytest.raises(ValueError, match="init"):
        nc.train_multistart(fb, fs, init[0], adam_steps=5)
    with pytest.raises(ValueError, match="NaN"):
        nc.train_multistart(fb, fs, init * np.nan, adam_steps=5)


# ------------------------------------------------------------- two-layer (claims CE)


def one_d_instance(beta, c=2.0):
    x = np.array([0.5, 1.0, 1.5, 2.0, 0.3, 1.2])
    y = c * x
    t_star = max(0.0, (x @ y - beta) / (x @ x))
    p_star = 0.5 * float(np.sum((x * t_star - y) ** 2)) + beta * t_star
    return x[:, None], y, t_star, p_star


@pytest.mark.parametrize("beta", [0.5, 3.0, 30.0])
def test_train_two_layer_finds_closed_form_1d(beta):
    """m = 1, d = 1, x > 0, y = c x: p* = min_{t≥0} ½‖x t − y‖² + β t,
    t* = max(0, (xᵀy − β)/‖x‖²) (soft threshold; t = uα by the rescaling identity)."""
    X, y, t_star, p_star = one_d_instance(beta)
    res = nc.train_two_layer(X, y, beta, width=1, restarts=4, seed=0)
    assert res.best_value == pytest.approx(p_star, rel=1e-6)
    assert np.all(res.final_values >= p_star * (1 - 1e-12))  # p* is the global minimum
    U, alpha = res.params[res.best_index]
    assert float(U[0, 0] * alpha[0]) == pytest.approx(t_star, abs=1e-4)
    if beta == 30.0:
        assert t_star == 0.0 and p_star == pytest.approx(0.5 * float(y @ y))


def test_train_two_layer_results_are_consistent():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((12, 3))
    y = rng.standard_normal(12)
    res = nc.train_two_layer(X, y, 0.1, width=5, restarts=3, seed=7, adam_steps=300)
    assert len(res.params) == 3 and res.thetas.shape == (3, 20)
    for k, (U, alpha) in enumerate(res.params):
        assert U.shape == (3, 5) and alpha.shape == (5,)
        # final values are the true-ReLU objective at the returned parameters
        assert res.final_values[k] == tln.objective(X, y, U, alpha, 0.1)
        np.testing.assert_array_equal(tln.pack(U, alpha), res.thetas[k])
        steps, values = res.trajectories[k]
        i_adam_end = int(np.searchsorted(steps, 300))
        assert steps[i_adam_end] == 300
        assert values[-1] <= values[i_adam_end]  # L-BFGS stage never ends above its start
        assert values[-1] == pytest.approx(res.final_values[k], rel=1e-12)
        assert values[-1] < values[0]
    assert res.info["width"] == 5 and res.info["seed"] == 7
    facts = res.facts()
    assert facts["best_value"] == res.best_value and facts["restarts"] == 3


def test_train_two_layer_is_reproducible():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((10, 2))
    y = rng.standard_normal(10)
    kw = dict(width=4, restarts=3, adam_steps=200, lbfgs_iters=200)
    a = nc.train_two_layer(X, y, 0.2, seed=11, **kw)
    b = nc.train_two_layer(X, y, 0.2, seed=11, **kw)
    c = nc.train_two_layer(X, y, 0.2, seed=12, **kw)
    np.testing.assert_array_equal(a.thetas, b.thetas)
    np.testing.assert_array_equal(a.final_values, b.final_values)
    for (s1, v1), (s2, v2) in zip(a.trajectories, b.trajectories, strict=True):
        np.testing.assert_array_equal(s1, s2)
        np.testing.assert_array_equal(v1, v2)
    assert not np.array_equal(a.thetas, c.thetas)


def test_train_two_layer_hinge():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((14, 3))
    y = np.where(X[:, 0] + 0.5 * X[:, 1] > 0, 1.0, -1.0)
    res = nc.train_two_layer(X, y, 0.05, width=4, restarts=2, seed=0, loss="hinge")
    assert np.all(np.isfinite(res.final_values))
    assert res.best_value < 14.0  # the zero network has hinge loss n = 14
    U, alpha = res.params[res.best_index]
    assert res.best_value == tln.objective(X, y, U, alpha, 0.05, "hinge")


def test_train_two_layer_errors():
    X = np.ones((4, 2))
    y = np.ones(4)
    with pytest.raises(ValueError, match="restarts"):
        nc.train_two_layer(X, y, 0.1, width=2, restarts=0, seed=0)
    with pytest.raises(ValueError, match="width"):
        nc.train_two_layer(X, y, 0.1, width=0, restarts=1, seed=0)
    with pytest.raises(ValueError, match="init_scale"):
        nc.train_two_layer(X, y, 0.1, width=2, restarts=1, seed=0, init_scale=-1.0)
    with pytest.raises(ValueError, match="unknown loss"):
        nc.train_two_layer(X, y, 0.1, width=2, restarts=1, seed=0, loss="l1")
    with pytest.raises(ValueError, match="non-negative"):
        nc.train_two_layer(X, y, -0.1, width=2, restarts=1, seed=0)
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        nc.train_two_layer(Xn, y, 0.1, width=2, restarts=1, seed=0)
    with pytest.raises(ValueError, match="lr"):
        nc.train_two_layer(X, y, 0.1, width=2, restarts=1, seed=0, lr=0.0)
