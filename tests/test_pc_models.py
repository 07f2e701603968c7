"""PC mathematics: ReLU max tree, gauges, clipped-ramp head, Fourier closed form, dense MLP."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special

from relucheck.datasets.indicators import (
    density_at_level,
    domain_sample,
    make_target,
    sample_gap,
    training_levels,
)
from relucheck.models.indicators import polyhedral_gauge as pg
from relucheck.models.indicators.dense_mlp import init_mlp, mlp_forward, mlp_loss_and_gradient
from relucheck.models.indicators.fourier_ball import (
    centre_partial_sum,
    centre_partial_sum_quadrature,
    window_oscillation,
)
from relucheck.models.indicators.network import (
    IndicatorNetwork,
    continuum_error,
    head,
    head_gradients,
    head_slope,
    loss_and_gradient,
    saturated_correct,
)
from relucheck.models.indicators.relu_max_tree import MaxAffine, relu_max_tree, tree_depth

# ------------------------------------------------------------------------ ReLU max tree


@pytest.mark.parametrize("m", [1, 2, 3, 5, 8, 13, 64, 100])
def test_relu_tree_equals_max_exactly_on_integers(m):
    """Integer inputs make every b − a exact, so the tree is bit-for-bit the maximum."""
    rng = np.random.default_rng(m)
    z = rng.integers(-1000, 1000, size=(500, m)).astype(float)
    assert np.array_equal(relu_max_tree(z), z.max(axis=1))


def test_relu_tree_within_ulps_on_floats():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((2000, 37)) * 10.0
    scale = np.abs(z).max(axis=1)
    err = np.abs(relu_max_tree(z) - z.max(axis=1))
    assert np.all(err <= 4 * np.finfo(float).eps * scale)


def test_tree_depth_and_units():
    assert [tree_depth(m) for m in (1, 2, 3, 4, 5, 64, 65)] == [0, 1, 2, 2, 3, 6, 7]
    gauge = pg.ball_gauge(2, 64)
    assert gauge.depth == 6 and gauge.relu_units == 63


def test_max_affine_blocks_and_reference(monkeypatch):
    from relucheck.models.indicators import relu_max_tree as mod

    monkeypatch.setattr(mod, "BLOCK_ELEMENTS", 64)  # force many row blocks
    rng = np.random.default_rng(1)
    gauge = MaxAffine(rng.standard_normal((7, 3)), rng.standard_normal(7))
    X = rng.standard_normal((333, 3))
    assert np.allclose(gauge(X), gauge.reference(X), rtol=0, atol=1e-14)


def test_relu_tree_needs_an_input():
    with pytest.raises(ValueError):
        relu_max_tree(np.zeros((3, 0)))


# ---------------------------------------------------------------------------- gauges


def test_box_and_half_space_gauges():
    X = np.random.default_rng(2).uniform(-1, 1, (1000, 3))
    assert np.allclose(pg.box_gauge(3)(X), np.abs(X).max(axis=1), atol=1e-15)
    a = np.array([3.0, 4.0, 0.0])
    assert np.allclose(pg.half_space_gauge(a)(X), X @ (a / 5.0), atol=1e-15)


@pytest.mark.parametrize("d", [2, 3, 5])
def test_simplex_normals_are_regular(d):
    n = pg.simplex_normals(d)
    gram = n @ n.T
    assert np.allclose(np.diag(gram), 1.0)
    assert np.allclose(gram[~np.eye(d + 1, dtype=bool)], -1.0 / d)
    assert np.allclose(n.sum(axis=0), 0.0, atol=1e-12)


def test_ball_gauge_d1_is_abs_and_below_norm():
    x = np.linspace(-1, 1, 101)[:, None]
    assert np.array_equal(pg.ball_gauge(1, 2)(x), np.abs(x[:, 0]))
    X = np.random.default_rng(3).standard_normal((500, 5))
    for d, N in ((2, 16), (3, 64), (5, 40)):
        Xd = X[:, :d]
        r = pg.ball_gauge(d, N, seed=0)(Xd)
        assert np.all(r <= np.linalg.norm(Xd, axis=1) * (1 + 1e-12))
    with pytest.raises(ValueError):
        pg.ball_directions(5, 6)


def test_polygon_excess_area_against_monte_carlo():
    rho, N = 0.5, 8
    X = domain_sample(400_000, 2, 7)
    inside_gauge = pg.ball_gauge(2, N)(X) <= rho
    ball = np.linalg.norm(X, axis=1) <= rho
    mc = 4.0 * np.mean(inside_gauge & ~ball)
    exact = pg.regular_polygon_excess_area(N, rho)
    assert abs(mc - exact) <= 5 * 4.0 * np.sqrt(exact / 4.0 / X.shape[0])
    assert np.all(~ball | inside_gauge)  # the disc is inside the circumscribed polygon


def test_gauge_converges_to_norm_as_N_grows():
    X = domain_sample(20_000, 3, 9)
    norm = np.linalg.norm(X, axis=1)
    gaps = [np.max(norm - pg.ball_gauge(3, N)(X)) for N in (16, 64, 256)]
    assert gaps[0] > gaps[1] > gaps[2]


# --------------------------------------------------------------------------- targets


@pytest.mark.parametrize(
    ("kind", "d", "N", "rho"),
    [("ball", 2, 64, 0.8), ("ball", 3, 32, 0.9), ("halfspace", 2, 0, 0.1), ("box", 2, 0, 0.6),
     ("simplex", 3, 0, 0.5)],
)  # fmt: skip
def test_level_points_sit_on_their_levels_inside_the_cube(kind, d, N, rho):
    target = make_target(kind, d, rho, N=N)
    levels = np.array([rho - 0.2, rho, rho + 0.2])
    X, r = target.level_points(levels, 2, seed=0)
    assert np.max(np.abs(X)) <= 1.0
    assert np.allclose(r, np.tile(levels, 2), atol=1e-12)


def test_training_levels_margin_grid_and_gap():
    target = make_target("ball", 2, 0.8, N=64)
    r = training_levels(target, 2000, 1, margin=0.05)
    assert r.shape == (2000,) and np.all(np.abs(r - 0.8) >= 0.05)
    lo, hi = sample_gap(r, 0.8)
    assert lo <= 0.75 and hi >= 0.85
    g = training_levels(make_target("ball", 1, 0.5, N=2), 20, 0, method="grid")
    assert np.allclose(np.sort(g)[::2], np.arange(10) * 0.1 + 0.05)
    assert sample_gap(g, 0.5) == pytest.approx((0.45, 0.55))
    assert density_at_level(training_levels(target, 200_000, 2), 0.8) == pytest.approx(
        2 * np.pi * 0.8 / 4, rel=0.05
    )
    with pytest.raises(ValueError):
        make_target("torus", 2, 1.0)
    with pytest.raises(ValueError):
        domain_sample(10, 2, 0, method="sobol")


# ------------------------------------------------------------------------------ head


def test_head_is_the_clipped_ramp():
    r = np.linspace(-1, 1, 2001)
    w, b = 3.0, 0.2
    assert np.allclose(head(r, w, b), np.clip(0.5 + w * (b - r), 0, 1), atol=1e-15)


def test_head_slope_uses_the_ge_convention():
    s = np.array([-0.75, -0.5, 0.0, 0.4999, 0.5, 0.9])
    assert np.array_equal(head_slope(s), [0, 1, 1, 1, 0, 0])


def test_head_and_loss_gradients_match_finite_differences():
    rng = np.random.default_rng(4)
    r = rng.uniform(0, 1, (3, 400))
    f = (r <= 0.5).astype(float)
    w = np.array([2.0, 5.0, 11.0])
    b = np.array([0.47, 0.52, 0.5])
    L, gw, gb = loss_and_gradient(r, f, w, b)
    h = 1e-7
    for k in range(3):
        dw, db = np.zeros(3), np.zeros(3)
        dw[k], db[k] = h, h
        num_w = loss_and_gradient(r, f, w + dw, b)[0] - loss_and_gradient(r, f, w - dw, b)[0]
        num_b = loss_and_gradient(r, f, w, b + db)[0] - loss_and_gradient(r, f, w, b - db)[0]
        assert num_w[k] / (2 * h) == pytest.approx(gw[k], rel=1e-5, abs=1e-9)
        assert num_b[k] / (2 * h) == pytest.approx(gb[k], rel=1e-5, abs=1e-9)
    gw1, gb1 = head_gradients(r[0], w[0], b[0])
    g = head(r[0], w[0], b[0])
    assert np.mean(2 * (g - f[0]) * gw1) == pytest.approx(gw[0])
    assert np.mean(2 * (g - f[0]) * gb1) == pytest.approx(gb[0])


def test_saturation_means_exact_output():
    r = np.arange(1025) / 1024.0  # dyadic levels: s = 16(½ − r) is exact
    f = (r <= 0.5).astype(float)
    ok = saturated_correct(r, f, 16.0, 0.5)
    g = head(r, 16.0, 0.5)
    assert np.all(np.abs(g - f)[ok] <= 4 * np.finfo(float).eps)
    assert np.all(np.abs(g - f)[~ok] > 0)
    assert np.array_equal(ok, np.abs(r - 0.5) >= 1 / 32)


def test_saturated_float_output_is_within_rounding_of_half_plus_s():
    r = np.random.default_rng(8).uniform(-1, 0.4, 10_000)
    s = 60.0 * (0.5 - r)
    g = head(r, 60.0, 0.5)
    assert np.all(np.abs(g - 1.0) <= 4 * np.finfo(float).eps * (1 + s))
    assert np.any(g != 1.0)  # not bit-exact: the tolerance is needed


@pytest.mark.parametrize(("w", "b"), [(8.0, 0.5), (8.0, 0.6), (0.3, 0.4), (-2.0, 0.5)])
def test_continuum_error_window_equals_full_sum(w, b):
    r = np.sort(np.random.default_rng(5).uniform(0, 1, 50_000))
    for p in (1.0, 2.0):
        full = np.mean(np.abs(head(r, w, b) - (r <= 0.5)) ** p)
        assert continuum_error(r, 0.5, w, b, p) == pytest.approx(full, rel=1e-12)


def test_ramp_errors_match_the_derivation():
    """Uniform levels (density p): ∫|g − f| = p/(4w) and ∫(g − f)² = p/(12w) at b = ρ."""
    r = np.linspace(0, 1, 2_000_001)
    w = 10.0
    assert continuum_error(r, 0.5, w, 0.5, 1.0) == pytest.approx(1 / (4 * w), rel=1e-4)
    assert continuum_error(r, 0.5, w, 0.5, 2.0) == pytest.approx(1 / (12 * w), rel=1e-4)


def test_indicator_network_forward_and_gradients():
    target = make_target("ball", 2, 0.6, N=16)
    net = IndicatorNetwork(target.transform, w=7.0, b=0.6)
    X = domain_sample(1000, 2, 3)
    r = target.r(X)
    assert np.array_equal(net(X), head(r, 7.0, 0.6))
    gw, gb = net.gradients(X)
    assert np.array_equal(gw, head_gradients(r, 7.0, 0.6)[0])
    assert net.relu_depth == 5 and net.relu_units == 17


# ------------------------------------------------------------------------ Fourier sums


@pytest.mark.parametrize("d", [1, 2, 3, 4, 5, 6])
def test_fourier_closed_form_matches_quadrature(d):
    for T in (0.3, 2.0, 17.5, 120.0):
        exact = float(centre_partial_sum(d, T))
        assert centre_partial_sum_quadrature(d, T) == pytest.approx(exact, rel=1e-9, abs=1e-12)


def test_fourier_known_forms_and_limits():
    T = np.linspace(0.1, 300, 1000)
    si = special.sici(T)[0]
    assert np.allclose(centre_partial_sum(1, T), 2 / np.pi * si)
    assert np.allclose(centre_partial_sum(3, T), 2 / np.pi * (si - np.sin(T)))
    assert window_oscillation(1, 5000, 10000) < 1e-3
    assert window_oscillation(3, 5000, 10000) == pytest.approx(4 / np.pi, rel=1e-3)
    assert window_oscillation(4, 5000, 10000) > window_oscillation(4, 500, 1000)
    with pytest.raises(ValueError):
        centre_partial_sum(0, 1.0)


# --------------------------------------------------------------------------- dense MLP


def test_mlp_gradient_matches_finite_differences():
    rng = np.random.default_rng(6)
    X = rng.standard_normal((40, 2))
    y = rng.standard_normal(40)
    net = init_mlp(2, 5, 3, seed=0)
    for c in net.biases:
        c += 0.1  # away from ReLU kinks at zero bias
    assert net.depth == 3
    _, gW, gc = mlp_loss_and_gradient(net, X, y)
    h = 1e-6
    for layer in (0, 2, 3):
        for idx in [(0, 0), (1, -1)] if net.weights[layer].shape[0] > 1 else [(0, 0)]:
            plus, minus = net.copy(), net.copy()
            plus.weights[layer][idx] += h
            minus.weights[layer][idx] -= h
            num = (
                np.mean((mlp_forward(plus, X) - y) ** 2) - np.mean((mlp_forward(minus, X) - y) ** 2)
            ) / (2 * h)
            assert num == pytest.approx(gW[layer][idx], rel=1e-5, abs=1e-8)
        plus, minus = net.copy(), net.copy()
        plus.biases[layer][0] += h
        minus.biases[layer][0] -= h
        num = (
            np.mean((mlp_forward(plus, X) - y) ** 2) - np.mean((mlp_forward(minus, X) - y) ** 2)
        ) / (2 * h)
        assert num == pytest.approx(gc[layer][0], rel=1e-5, abs=1e-8)
