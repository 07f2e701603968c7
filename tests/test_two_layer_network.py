"""Tests for relucheck.models.two_layer.network (claims.md CE, non-convex problem)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from relucheck.models.two_layer import network as tln

# ----------------------------------------------------------------------------- helpers


def relu(t):
    return np.maximum(t, 0.0)


def loop_forward(X, U, alpha):
    """f_i = Σ_j max(x_iᵀu_j, 0) α_j by explicit loops."""
    n, m = X.shape[0], U.shape[1]
    f = np.zeros(n)
    for i in range(n):
        for j in range(m):
            f[i] += max(float(X[i] @ U[:, j]), 0.0) * alpha[j]
    return f


def loop_objective(X, y, U, alpha, beta, loss):
    f = loop_forward(X, U, alpha)
    if loss == "squared":
        data = 0.5 * sum((f[i] - y[i]) ** 2 for i in range(len(y)))
    else:
        data = sum(max(0.0, 1.0 - y[i] * f[i]) for i in range(len(y)))
    reg = 0.5 * beta * (np.sum(U**2) + np.sum(alpha**2))
    return data + reg


def instance(seed, n=9, d=3, m=4, loss="squared"):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = np.sign(rng.standard_normal(n)) if loss == "hinge" else rng.standard_normal(n)
    y[y == 0] = 1.0
    U = rng.standard_normal((d, m))
    alpha = rng.standard_normal(m)
    return X, y, U, alpha


def away_from_kinks(X, y, U, alpha, loss, margin=1e-3):
    """True if no pre-activation x_iᵀu_j and (hinge) no margin 1 − y_i f_i is near 0."""
    if np.min(np.abs(X @ U)) < margin:
        return False
    if loss == "hinge":
        f = relu(X @ U) @ alpha
        if np.min(np.abs(1.0 - y * f)) < margin:
            return False
    return True


def smooth_point(seed, loss, **kw):
    """A random instance whose parameters are away from every kink."""
    for s in range(seed, seed + 1000):
        X, y, U, alpha = instance(s, loss=loss, **kw)
        if away_from_kinks(X, y, U, alpha, loss):
            return X, y, U, alpha
    raise AssertionError("no smooth point found")


def central_fd(fun, theta, h=1e-6):
    g = np.zeros_like(theta)
    for k in range(theta.size):
        e = np.zeros_like(theta)
        e[k] = h
        g[k] = (fun(theta + e) - fun(theta - e)) / (2 * h)
    return g


# ----------------------------------------------------------------------------- forward


def test_losses_tuple():
    assert tln.LOSSES == ("squared", "hinge")


def test_forward_equals_explicit_loop():
    X, _, U, alpha = instance(0, n=11, d=4, m=6)
    np.testing.assert_allclose(tln.forward(X, U, alpha), loop_forward(X, U, alpha), rtol=1e-13)


def test_forward_batched_equals_loop_over_restarts():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((8, 3))
    U = rng.standard_normal((5, 3, 4))
    alpha = rng.standard_normal((5, 4))
    f = tln.forward(X, U, alpha)
    assert f.shape == (5, 8)
    for k in range(5):
        np.testing.assert_allclose(f[k], loop_forward(X, U[k], alpha[k]), rtol=1e-13)


@pytest.mark.parametrize("loss", tln.LOSSES)
def test_objective_equals_explicit_formula(loss):
    X, y, U, alpha = instance(2, loss=loss)
    v = tln.objective(X, y, U, alpha, 0.3, loss)
    assert isinstance(v, float)
    assert v == pytest.approx(loop_objective(X, y, U, alpha, 0.3, loss), rel=1e-13)


@pytest.mark.parametrize("loss", tln.LOSSES)
def test_objective_batched(loss):
    rng = np.random.default_rng(3)
    X, y, _, _ = instance(3, loss=loss)
    U = rng.standard_normal((4, 3, 5))
    alpha = rng.standard_normal((4, 5))
    v = tln.objective(X, y, U, alpha, 0.2, loss)
    assert v.shape == (4,)
    for k in range(4):
        assert v[k] == pytest.approx(loop_objective(X, y, U[k], alpha[k], 0.2, loss), rel=1e-13)


def test_squared_loss_is_a_sum_not_a_mean():
    X = np.ones((4, 1))
    y = np.full(4, 2.0)
    # zero network: loss = ½ Σ y_i² = ½ · 4 · 4 = 8
    assert tln.objective(X, y, np.zeros((1, 1)), np.zeros(1), 1.0) == pytest.approx(8.0)


def test_hinge_at_zero_network_is_n():
    X, y, _, _ = instance(4, n=7, loss="hinge")
    v = tln.objective(X, y, np.zeros((3, 2)), np.zeros(2), 1.0, "hinge")
    assert v == pytest.approx(7.0)


# ---------------------------------------------------------------------------- gradient


@pytest.mark.parametrize("loss", tln.LOSSES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradient_matches_central_differences(loss, seed):
    X, y, U, alpha = smooth_point(10 * seed, loss)
    beta = 0.37
    d, m = U.shape
    v, gU, ga = tln.objective_and_gradient(X, y, U, alpha, beta, loss)
    assert v == pytest.approx(tln.objective(X, y, U, alpha, beta, loss), rel=1e-14)

    def fun(theta):
        Ut, at = tln.unpack(theta, d, m)
        return tln.objective(X, y, Ut, at, beta, loss)

    g_fd = central_fd(fun, tln.pack(U, alpha))
    np.testing.assert_allclose(tln.pack(gU, ga), g_fd, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("loss", tln.LOSSES)
def test_batched_gradient_matches_central_differences(loss):
    rng = np.random.default_rng(5)
    X, y, _, _ = instance(5, loss=loss)
    K, d, m = 3, 3, 4
    Us, alphas = [], []
    while len(Us) < K:
        U = rng.standard_normal((d, m))
        a = rng.standard_normal(m)
        if away_from_kinks(X, y, U, a, loss):
            Us.append(U)
            alphas.append(a)
    U, alpha = np.stack(Us), np.stack(alphas)
    v, gU, ga = tln.objective_and_gradient(X, y, U, alpha, 0.1, loss)
    assert v.shape == (K,) and gU.shape == (K, d, m) and ga.shape == (K, m)
    for k in range(K):
        vk, gUk, gak = tln.objective_and_gradient(X, y, U[k], alpha[k], 0.1, loss)
        assert v[k] == pytest.approx(vk, rel=1e-14)
        np.testing.assert_allclose(gU[k], gUk, rtol=1e-13, atol=1e-14)
        np.testing.assert_allclose(ga[k], gak, rtol=1e-13, atol=1e-14)

        def fun(theta, k=k):
            Ut, at = tln.unpack(theta, d, m)
            return tln.objective(X, y, Ut, at, 0.1, loss)

        g_fd = central_fd(fun, tln.pack(U[k], alpha[k]))
        np.testing.assert_allclose(tln.pack(gU[k], ga[k]), g_fd, rtol=1e-6, atol=1e-7)


def test_relu_derivative_uses_geq_convention():
    # x_1ᵀu = 0 exactly: the ≥ convention counts the neuron as active for the gradient.
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    y = np.array([1.0, 0.0])
    U = np.array([[0.0], [1.0]])  # X U = [0, 1]
    alpha = np.array([2.0])
    _, gU, _ = tln.objective_and_gradient(X, y, U, alpha, 0.0)
    # f = [0, 2], r = f − y = [−1, 2]; dp/du = α Xᵀ(1[XU ≥ 0] ⊙ r) = 2 · [−1, 2]
    np.testing.assert_allclose(gU[:, 0], [-2.0, 4.0])


@pytest.mark.parametrize("loss", tln.LOSSES)
def test_flat_functions_agree_with_objective_and_gradient(loss):
    X, y, U, alpha = instance(6, loss=loss)
    fb, fs = tln.flat_objective_functions(X, y, 0.2, U.shape[1], loss)
    theta = tln.pack(U, alpha)
    v, g = fs(theta)
    v0, gU, ga = tln.objective_and_gradient(X, y, U, alpha, 0.2, loss)
    assert v == pytest.approx(v0, rel=1e-14)
    np.testing.assert_allclose(g, tln.pack(gU, ga), rtol=1e-14)
    vb, gb = fb(np.stack([theta, 2 * theta]))
    assert vb[0] == pytest.approx(v0, rel=1e-14)
    np.testing.assert_allclose(gb[0], g, rtol=1e-14)
    assert vb[1] == pytest.approx(tln.objective(X, y, 2 * U, 2 * alpha, 0.2, loss), rel=1e-14)


# ------------------------------------------------------------------------ pack/unpack


def test_pack_unpack_round_trip():
    X, _, U, alpha = instance(7, d=3, m=5)
    theta = tln.pack(U, alpha)
    assert theta.shape == (tln.n_params(3, 5),) == (20,)
    U2, a2 = tln.unpack(theta, 3, 5)
    np.testing.assert_array_equal(U2, U)
    np.testing.assert_array_equal(a2, alpha)
    np.testing.assert_array_equal(tln.pack(U2, a2), theta)
    U2[0, 0] += 1.0  # copies: theta untouched
    assert theta[0] == U[0, 0]


def test_pack_unpack_round_trip_batched():
    rng = np.random.default_rng(8)
    U = rng.standard_normal((6, 2, 3))
    alpha = rng.standard_normal((6, 3))
    theta = tln.pack(U, alpha)
    assert theta.shape == (6, 9)
    U2, a2 = tln.unpack(theta, 2, 3)
    np.testing.assert_array_equal(U2, U)
    np.testing.assert_array_equal(a2, alpha)
    for k in range(6):
        np.testing.assert_array_equal(theta[k], tln.pack(U[k], alpha[k]))


# -------------------------------------------------------------------- invariances


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    log_c=st.lists(st.floats(-3.0, 3.0), min_size=4, max_size=4),
)
def test_positive_homogeneity_leaves_f_unchanged(seed, log_c):
    """u_j → c_j u_j, α_j → α_j / c_j (c_j > 0) leaves σ(X U) α unchanged."""
    X, _, U, alpha = instance(seed, m=4)
    c = np.exp(np.array(log_c))
    np.testing.assert_allclose(
        tln.forward(X, U * c, alpha / c), tln.forward(X, U, alpha), rtol=1e-10, atol=1e-12
    )


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), loss=st.sampled_from(tln.LOSSES))
def test_neuron_permutation_invariance(seed, loss):
    X, y, U, alpha = instance(seed, m=5, loss=loss)
    perm = np.random.default_rng(seed).permutation(5)
    v = tln.objective(X, y, U, alpha, 0.3, loss)
    vp = tln.objective(X, y, U[:, perm], alpha[perm], 0.3, loss)
    assert vp == pytest.approx(v, rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    beta=st.floats(1e-3, 10.0),
    loss=st.sampled_from(tln.LOSSES),
)
def test_balancing_neurons_never_increases_objective(seed, beta, loss):
    """Rescaling each neuron to ‖u_j‖ = |α_j| keeps f and turns the penalty into
    β Σ_j |α_j| ‖u_j‖ (the rescaling identity), which is ≤ (β/2) Σ_j (‖u_j‖² + α_j²)."""
    X, y, U, alpha = instance(seed, m=4, loss=loss)
    norms = np.linalg.norm(U, axis=0)
    c = np.sqrt(np.abs(alpha) / norms)
    Ub, ab = U * c, alpha / c
    np.testing.assert_allclose(np.linalg.norm(Ub, axis=0), np.abs(ab), rtol=1e-12)
    data = tln.objective(X, y, U, alpha, 0.0, loss)
    vb = tln.objective(X, y, Ub, ab, beta, loss)
    assert vb == pytest.approx(data + beta * np.sum(np.abs(alpha) * norms), rel=1e-10)
    assert vb <= tln.objective(X, y, U, alpha, beta, loss) * (1 + 1e-12)


@pytest.mark.parametrize(
    ("beta", "u", "a"),
    [(1.0, [1.0, 2.0], 0.5), (0.3, [0.1, -0.2, 0.3], -4.0), (2.5, [3.0], 1e-2)],
)
def test_rescaling_identity(beta, u, a):
    """min_{c>0} (β/2)(c²‖u‖² + α²/c²) = β|α|‖u‖, attained at c² = |α|/‖u‖."""
    nu = float(np.linalg.norm(u))

    def pen(log_c):
        c2 = np.exp(2 * log_c)
        return 0.5 * beta * (c2 * nu**2 + a**2 / c2)

    res = minimize_scalar(pen, bracket=(-1.0, 1.0), tol=1e-12)
    assert res.fun == pytest.approx(beta * abs(a) * nu, rel=1e-10)
    assert np.exp(2 * res.x) == pytest.approx(abs(a) / nu, rel=1e-4)
    assert pen(0.5 * np.log(abs(a) / nu)) == pytest.approx(beta * abs(a) * nu, rel=1e-13)


# ------------------------------------------------------------------------ bad input


def test_errors_on_bad_input():
    X, y, U, alpha = instance(9)
    with pytest.raises(ValueError, match="unknown loss"):
        tln.objective(X, y, U, alpha, 0.1, loss="logistic")
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="X contains NaN"):
        tln.objective(Xn, y, U, alpha, 0.1)
    with pytest.raises(ValueError, match="X contains NaN"):
        tln.forward(Xn, U, alpha)
    yn = y.copy()
    yn[1] = np.inf
    with pytest.raises(ValueError, match="y contains NaN"):
        tln.objective(X, yn, U, alpha, 0.1)
    Un = U.copy()
    Un[0, 0] = np.nan
    with pytest.raises(ValueError, match="U contains NaN"):
        tln.objective_and_gradient(X, y, Un, alpha, 0.1)
    with pytest.raises(ValueError, match="alpha contains NaN"):
        tln.forward(X, U, np.full_like(alpha, np.nan))
    with pytest.raises(ValueError, match="non-negative"):
        tln.objective(X, y, U, alpha, -0.1)
    with pytest.raises(ValueError, match="beta must be finite"):
        tln.objective(X, y, U, alpha, np.nan)
    with pytest.raises(ValueError, match="y must have shape"):
        tln.objective(X, y[:-1], U, alpha, 0.1)
    with pytest.raises(ValueError, match="expected \\(d, m\\)"):
        tln.forward(X, U[:-1], alpha)
    with pytest.raises(ValueError, match="columns but alpha"):
        tln.forward(X, U, alpha[:-1])
    with pytest.raises(ValueError, match="\\(K, d, m\\) and \\(K, m\\)"):
        tln.forward(X, np.stack([U, U]), np.stack([alpha, alpha, alpha]))
    with pytest.raises(ValueError, match="must have shapes"):
        tln.forward(X, U, np.stack([alpha, alpha]))
    with pytest.raises(ValueError, match="2-D"):
        tln.forward(X[0], U, alpha)
    with pytest.raises(ValueError, match="labels"):
        tln.objective(X, y, U, alpha, 0.1, loss="hinge")  # real-valued y
    with pytest.raises(ValueError, match="theta must have shape"):
        tln.unpack(np.zeros(7), 3, 4)
    with pytest.raises(ValueError, match="pack needs"):
        tln.pack(U, alpha[:-1])
    with pytest.raises(ValueError, match="width"):
        tln.flat_objective_functions(X, y, 0.1, 0)
    fb, fs = tln.flat_objective_functions(X, y, 0.1, 4)
    with pytest.raises(ValueError, match="theta must have shape"):
        fs(np.zeros(5))
    with pytest.raises(ValueError, match="theta must have shape"):
        fb(np.zeros(16))
