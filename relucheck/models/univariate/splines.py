"""Linear splines, TV(f′) and trend filtering on unequal spacing (claims.md SR 2).

For sorted distinct x_1 < … < x_n and values θ, the slopes of the linear interpolant are
s_i = (θ_{i+1} − θ_i)/(x_{i+1} − x_i), i = 1..n−1, and

    (Dθ)_i = s_{i+1} − s_i,   i = 1..n−2      (the kink of the interpolant at x_{i+1}).

One dimension, with the skip term free (Savarese et al. 2019; Parhi & Nowak): the weight
decay of a network is, after rescaling, Σ_k |v_k||w_k| = Σ_k |slope change at its kink| =
TV(f′) = ∫|f″|, so the fitted values at a global minimizer solve trend filtering

    min_θ ½‖y − θ‖² + λ‖Dθ‖₁,

and the canonical minimizer is the linear spline through (x_i, θ_i), extended linearly,
with kinks only at interior data points (at most n − 2 knots).

Interpolation (λ → 0, y matched exactly): with a skip connection the least cost is the
total slope change T = ‖Dy‖₁; without one (only a free output bias) it is

    max(T, (T + |s_1 + s_{n−1}|)/2)

(claims.md SR 2): the end slopes must then be produced by ramps too, and a ramp's slope
change counts once while it shifts both end slopes. The module's derivation of the
second formula (adjust the slopes outside [x_1, x_n] by p, q and minimize
max(T + |p| + |q|, |s_1 + s_{n−1} − p + q|)) is our own; relucheck checks it against a
certified linear program (relucheck/solvers/lasso_1d.py).
"""

from __future__ import annotations

import numpy as np

from relucheck.models.univariate.skip_network import SkipNet


def _sorted(x: np.ndarray, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=float).reshape(-1)
    theta = np.asarray(theta, dtype=float).reshape(-1)
    order = np.argsort(x, kind="stable")
    xs = x[order]
    if np.any(np.diff(xs) <= 0):
        raise ValueError("x values must be distinct")
    return xs, theta[order]


def slopes(x: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """s_i = (θ_{i+1} − θ_i)/(x_{i+1} − x_i) over x sorted ascending (n − 1 values)."""
    xs, ts = _sorted(x, theta)
    return np.diff(ts) / np.diff(xs)


def slope_changes(x: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Dθ: the kinks s_{i+1} − s_i at the interior points x_2..x_{n−1} (sorted order)."""
    return np.diff(slopes(x, theta))


def difference_operator(x: np.ndarray) -> np.ndarray:
    """D ∈ R^{(n−2)×n} with Dθ = slope_changes(x, θ) for sorted distinct x."""
    xs = np.asarray(x, dtype=float).reshape(-1)
    if np.any(np.diff(xs) <= 0):
        raise ValueError("difference_operator needs sorted distinct x")
    n = xs.shape[0]
    h = np.diff(xs)
    D = np.zeros((max(n - 2, 0), n))
    for i in range(n - 2):
        D[i, i] = 1.0 / h[i]
        D[i, i + 1] = -1.0 / h[i] - 1.0 / h[i + 1]
        D[i, i + 2] = 1.0 / h[i + 1]
    return D


def total_slope_change(x: np.ndarray, theta: np.ndarray) -> float:
    """T = ‖Dθ‖₁ = TV(f′) of the linear interpolant (extended linearly)."""
    return float(np.sum(np.abs(slope_changes(x, theta))))


def trend_filter_objective(x: np.ndarray, y: np.ndarray, theta: np.ndarray, lam: float) -> float:
    """½‖y − θ‖² + λ‖Dθ‖₁ (x, y, θ in the same order, any order)."""
    r = np.asarray(y, dtype=float) - np.asarray(theta, dtype=float)
    return 0.5 * float(r @ r) + lam * total_slope_change(x, theta)


def no_skip_interpolation_cost(x: np.ndarray, y: np.ndarray) -> float:
    """max(T, (T + |s_1 + s_{n−1}|)/2): least Σ|v_k||w_k| of an interpolant without skip."""
    s = slopes(x, y)
    T = float(np.sum(np.abs(np.diff(s))))
    return max(T, 0.5 * (T + abs(s[0] + s[-1])))


def knots(x: np.ndarray, theta: np.ndarray, rel_tol: float = 1e-6) -> np.ndarray:
    """Interior data points where the interpolant kinks by more than rel_tol·max|kink|."""
    xs, _ = _sorted(x, theta)
    kinks = slope_changes(x, theta)
    if kinks.size == 0:
        return xs[:0]
    scale = float(np.max(np.abs(kinks)))
    if scale == 0:
        return xs[:0]
    return xs[1:-1][np.abs(kinks) > rel_tol * scale]


def evaluate_spline(x: np.ndarray, theta: np.ndarray, points: np.ndarray) -> np.ndarray:
    """The linear interpolant of (x, θ), extended linearly beyond x_1 and x_n, at ``points``."""
    xs, ts = _sorted(x, theta)
    pts = np.asarray(points, dtype=float)
    s = np.diff(ts) / np.diff(xs)
    out = np.interp(pts, xs, ts)
    left, right = pts < xs[0], pts > xs[-1]
    out[left] = ts[0] + s[0] * (pts[left] - xs[0])
    out[right] = ts[-1] + s[-1] * (pts[right] - xs[-1])
    return out


def spline_to_network(x: np.ndarray, theta: np.ndarray, rel_tol: float = 0.0) -> SkipNet:
    """The canonical network of a linear spline: skip = first piece, one neuron per knot.

    f(t) = θ_1 + s_1 (t − x_1) + Σ_j (Dθ)_j σ(t − x_{j+1}); each kink z becomes the balanced
    neuron w = √|z|, b = w x_{j+1}, v = sign(z)√|z| with path weight |z|, so the network's
    weight decay is λ‖Dθ‖₁ exactly. Kinks ≤ rel_tol·max|kink| are dropped.
    """
    xs, ts = _sorted(x, theta)
    s = np.diff(ts) / np.diff(xs)
    z = np.diff(s)
    scale = float(np.max(np.abs(z), initial=0.0))
    keep = np.abs(z) > rel_tol * scale if scale > 0 else np.zeros_like(z, dtype=bool)
    root = np.sqrt(np.abs(z[keep]))
    return SkipNet(
        W=root[None, :],
        b=root * xs[1:-1][keep],
        v=np.sign(z[keep]) * root,
        c=np.array([s[0]]),
        c0=float(ts[0] - s[0] * xs[0]),
    )
