"""PR model: the parallel network's forward pass, analytic gradient and rescaling to z."""

from __future__ import annotations

import numpy as np
import pytest

from relucheck.models.parallel import network as pn


@pytest.fixture
def net():
    rng = np.random.default_rng(7)
    X = rng.standard_normal((9, 3))
    y = rng.standard_normal(9)
    K, m = 3, 2
    W = rng.standard_normal((K, 3, m))
    v = rng.standard_normal((K, m))
    s = rng.standard_normal(K)
    return X, y, W, v, s


def test_forward_matches_a_plain_loop(net):
    X, y, W, v, s = net
    f = sum(s[k] * np.maximum(np.maximum(X @ W[k], 0) @ v[k], 0) for k in range(len(s)))
    np.testing.assert_allclose(pn.forward(X, W, v, s), f, rtol=1e-12, atol=1e-14)
    R = sum(
        np.sqrt(sum(np.sum(W[k][:, j] ** 2) * v[k, j] ** 2 * s[k] ** 2 for j in range(2)))
        for k in range(len(s))
    )
    assert pn.path_regularizer(W, v, s) == pytest.approx(R, rel=1e-14)


def test_gradient_matches_central_differences(net):
    X, y, W, v, s = net
    beta = 0.37
    _, fun = pn.flat_objective_functions(X, y, beta, 3, 2)
    theta = pn.pack(W, v, s)
    _, grad = fun(theta)
    h = 1e-6
    num = np.array(
        [(fun(theta + h * e)[0] - fun(theta - h * e)[0]) / (2 * h) for e in np.eye(theta.size)]
    )
    np.testing.assert_allclose(grad, num, atol=1e-7)


def test_batched_equals_single(net):
    X, y, W, v, s = net
    batched, single = pn.flat_objective_functions(X, y, 0.2, 3, 2)
    thetas = np.stack([pn.pack(W, v, s), 0.3 * pn.pack(W, v, s)])
    vals, grads = batched(thetas)
    for b in range(2):
        val, grad = single(thetas[b])
        assert vals[b] == pytest.approx(val, rel=1e-14)
        np.testing.assert_allclose(grads[b], grad, rtol=1e-12, atol=1e-14)


def test_gradient_check_can_fail(net):
    """A planted wrong gradient (regularizer term dropped) is caught by the same test."""
    X, y, W, v, s = net
    value, gW, gv, gs = pn.objective_and_gradient(X, y, W, v, s, 0.0)
    theta = pn.pack(W, v, s)
    _, fun = pn.flat_objective_functions(X, y, 0.5, 3, 2)
    h = 1e-6
    num = np.array(
        [(fun(theta + h * e)[0] - fun(theta - h * e)[0]) / (2 * h) for e in np.eye(theta.size)]
    )
    assert np.max(np.abs(pn.pack(gW, gv, gs) - num)) > 1e-3


def test_zero_subnetwork_has_zero_regularizer_gradient(net):
    X, y, W, v, s = net
    s = s.copy()
    s[1] = 0.0
    _, gW, gv, gs = pn.objective_and_gradient(X, y, W, v, s, 1.0)
    assert np.all(np.isfinite(gW)) and np.all(np.isfinite(gv)) and np.isfinite(gs).all()
    np.testing.assert_array_equal(gW[1], 0.0)


def test_rescaling_to_z_keeps_function_and_penalty(net):
    X, y, W, v, s = net
    Z, eps, sig = pn.rescale_to_z(W, v, s)
    W2, v2, s2 = pn.from_z(Z, eps, sig)
    np.testing.assert_allclose(pn.forward(X, W2, v2, s2), pn.forward(X, W, v, s), rtol=1e-12)
    assert pn.path_regularizer(W, v, s) == pytest.approx(
        np.linalg.norm(Z, axis=(1, 2)).sum(), rel=1e-12
    )
    # per-layer rescaling w -> t w, v -> v / t leaves the objective unchanged
    t = np.array([2.0, 0.5, 3.0])[:, None]
    assert pn.objective(X, y, W * t[:, None], v / t, s, 0.3) == pytest.approx(
        pn.objective(X, y, W, v, s, 0.3), rel=1e-12
    )


def test_pack_unpack_roundtrip(net):
    _, _, W, v, s = net
    W2, v2, s2 = pn.unpack(pn.pack(W, v, s), 3, 3, 2)
    np.testing.assert_array_equal(W2, W)
    np.testing.assert_array_equal(v2, v)
    np.testing.assert_array_equal(s2, s)
    with pytest.raises(ValueError):
        pn.unpack(np.zeros(5), 3, 3, 2)
