"""The PC indicator network: a ReLU variable transformation r and a clipped-ramp head.

claims.md, section PC. The network is

    g(x) = σ(½ + w(b − r(x))) − σ(−½ + w(b − r(x)))                     (PC, head)

with r(x) = max_i (u_iᵀx + c_i) computed exactly by the ReLU tree of
models/indicators/relu_max_tree.py, and two trainable scalars: the slope w > 0 and the threshold b.
With s = w(b − r) the head is the clipped ramp clip(½ + s, 0, 1): 1 for s ≥ ½, 0 for s ≤ −½,
linear in between. Its ReLU derivative uses the ≥ convention of claims.md,

    dg/ds = 1[½ + s ≥ 0] − 1[−½ + s ≥ 0] = 1[−½ ≤ s < ½],

so ∂g/∂w = (dg/ds)(b − r) and ∂g/∂b = (dg/ds) w. On the set where dg/ds = 1 the head equals
½ + s (also at s = −½, where it is 0), which is what the gradient code uses.

Loss on a sample (r_i, f_i), f_i = 1[r_i ≤ ρ]:  L(w, b) = (1/n) Σ_i (g(r_i) − f_i)².
Only points inside the ramp (−½ ≤ s_i < ½) contribute to ∇L; the others are saturated.

"Exact" at a point means the head is saturated on the correct side: s ≥ ½ where f = 1 and
s ≤ −½ where f = 0. There g equals f exactly in exact arithmetic; the float64 ReLU formula
returns 0 exactly, and 1 up to the rounding of ½ + s and s − ½ (a few eps·(1 + |s|)), which
:func:`head` keeps because it is the network's own output.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from relucheck.models.indicators.relu_max_tree import MaxAffine, relu


def head(r: np.ndarray, w: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
    """g = σ(½ + w(b − r)) − σ(−½ + w(b − r)), broadcasting w, b against r."""
    s = np.asarray(w) * (np.asarray(b) - np.asarray(r))
    return relu(0.5 + s) - relu(s - 0.5)


def head_slope(s: np.ndarray) -> np.ndarray:
    """dg/ds with the ≥ convention: 1[s ≥ −½] − 1[s ≥ ½] (as floats)."""
    return (s >= -0.5).astype(float) - (s >= 0.5).astype(float)


def head_gradients(
    r: np.ndarray, w: np.ndarray | float, b: np.ndarray | float
) -> tuple[np.ndarray, np.ndarray]:
    """(∂g/∂w, ∂g/∂b) at every r (same shape as the broadcast of r, w, b)."""
    u = np.asarray(b) - np.asarray(r)
    slope = head_slope(np.asarray(w) * u)
    return slope * u, slope * np.asarray(w) * np.ones_like(u)


def loss_and_gradient(
    r: np.ndarray, f: np.ndarray, w: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean squared loss over the last axis and its gradient in (w, b).

    ``r``, ``f`` have shape (K, n) for K independent problems, ``w``, ``b`` shape (K,).
    Returns (L, ∂L/∂w, ∂L/∂b), each of shape (K,).
    """
    w = np.asarray(w, dtype=float)
    b = np.asarray(b, dtype=float)
    u = b[..., None] - r
    s = w[..., None] * u
    g = relu(0.5 + s) - relu(s - 0.5)
    residual = g - f
    slope = head_slope(s)
    n = r.shape[-1]
    coeff = 2.0 * residual * slope / n
    return (
        np.mean(residual**2, axis=-1),
        np.sum(coeff * u, axis=-1),
        np.sum(coeff, axis=-1) * w,
    )


def saturated_correct(
    r: np.ndarray, f: np.ndarray, w: np.ndarray | float, b: np.ndarray | float
) -> np.ndarray:
    """True where the head is saturated on the side of the target: g = f exactly."""
    s = np.asarray(w) * (np.asarray(b) - np.asarray(r))
    return np.where(np.asarray(f) > 0.5, s >= 0.5, s <= -0.5)


def continuum_error(r_sorted: np.ndarray, rho: float, w: float, b: float, p: float) -> float:
    """∫|g − f°|^p dμ estimated on an independent sample whose r-values are ``r_sorted``.

    g and f° agree (both 1) for r < min(b − 1/(2w), ρ) and (both 0) for
    r > max(b + 1/(2w), ρ), so only the window in between is summed; the mean is still over
    the whole sample. The p-th power is returned (p = 1: the L¹ error itself).
    """
    n = r_sorted.shape[0]
    if w <= 0.0:
        lo, hi = 0, n
    else:
        half = 0.5 / w
        lo = int(np.searchsorted(r_sorted, min(b - half, rho), side="left"))
        hi = int(np.searchsorted(r_sorted, max(b + half, rho), side="right"))
    window = r_sorted[lo:hi]
    err = np.abs(head(window, w, b) - (window <= rho))
    return float(np.sum(err**p) / n)


@dataclass(frozen=True)
class IndicatorNetwork:
    """The full network x ↦ g(r(x)): ReLU tree for r, then the clipped-ramp head."""

    transform: MaxAffine
    w: float
    b: float

    @property
    def relu_depth(self) -> int:
        """ReLU layers: the tree's ⌈log₂ m⌉ plus the head's one."""
        return self.transform.depth + 1

    @property
    def relu_units(self) -> int:
        """m − 1 tree units plus the head's 2."""
        return self.transform.relu_units + 2

    def __call__(self, X: np.ndarray) -> np.ndarray:
        return head(self.transform(X), self.w, self.b)

    def gradients(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(∂g/∂w, ∂g/∂b) at every row of X (the tree has no trainable weights)."""
        return head_gradients(self.transform(X), self.w, self.b)
