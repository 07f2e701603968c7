"""Second-order-cone algebra, vectorised over k cones, for the interior-point method.

The Jordan-algebra operations (determinant, product, division), the Nesterov-Todd scaling and
the longest feasible step, as in Vandenberghe, "The CVXOPT linear and quadratic cone program
solvers" (2010), sections 4-5; each one is tested in tests/test_group_cone_ipm.py.
"""

from __future__ import annotations

import numpy as np

# ---------------------------------------------------------------- cone algebra (vectorised)
# Second-order-cone blocks are arrays of shape (k, p + 1): column 0 is the "t" coordinate.


def soc_det(x: np.ndarray) -> np.ndarray:
    """x₀² − ‖x₁‖² per cone (positive inside the cone)."""
    return x[:, 0] ** 2 - np.einsum("ij,ij->i", x[:, 1:], x[:, 1:])


def soc_product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Jordan product a∘b = (aᵀb, a₀b₁ + b₀a₁) per cone."""
    out = np.empty_like(a)
    out[:, 0] = np.einsum("ij,ij->i", a, b)
    out[:, 1:] = a[:, :1] * b[:, 1:] + b[:, :1] * a[:, 1:]
    return out


def soc_divide(lam: np.ndarray, v: np.ndarray) -> np.ndarray:
    """w with lam∘w = v (the inverse of lam's arrow matrix applied to v)."""
    det = soc_det(lam)
    w = np.empty_like(v)
    w[:, 0] = (lam[:, 0] * v[:, 0] - np.einsum("ij,ij->i", lam[:, 1:], v[:, 1:])) / det
    w[:, 1:] = (v[:, 1:] - w[:, :1] * lam[:, 1:]) / lam[:, :1]
    return w


def soc_scaling(s: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nesterov-Todd scaling matrices W and W⁻¹ (k, p+1, p+1), with W z = W⁻¹ s = λ.

    With s̄ = s/√det s, z̄ = z/√det z, γ = √((1 + s̄ᵀz̄)/2), w̄ = (s̄ + J z̄)/(2γ) and
    η = (det s / det z)^¼:  W = η [[w̄₀, w̄₁ᵀ], [w̄₁, I + w̄₁w̄₁ᵀ/(1 + w̄₀)]] and W⁻¹ is the
    same with w̄₁ → −w̄₁ and η → 1/η (J = diag(1, −1, …, −1)).
    """
    ds, dz = np.sqrt(soc_det(s)), np.sqrt(soc_det(z))
    sb, zb = s / ds[:, None], z / dz[:, None]
    gamma = np.sqrt(0.5 * (1.0 + np.einsum("ij,ij->i", sb, zb)))
    wb = np.empty_like(sb)
    wb[:, 0] = (sb[:, 0] + zb[:, 0]) / (2 * gamma)
    wb[:, 1:] = (sb[:, 1:] - zb[:, 1:]) / (2 * gamma[:, None])
    eta = np.sqrt(ds / dz)
    k, q = s.shape
    inner = (
        np.eye(q - 1)[None]
        + np.einsum("ki,kj->kij", wb[:, 1:], wb[:, 1:]) / (1.0 + wb[:, 0])[:, None, None]
    )
    W = np.empty((k, q, q))
    W[:, 0, 0] = wb[:, 0]
    W[:, 0, 1:] = wb[:, 1:]
    W[:, 1:, 0] = wb[:, 1:]
    W[:, 1:, 1:] = inner
    Winv = W.copy()
    Winv[:, 0, 1:] *= -1.0
    Winv[:, 1:, 0] *= -1.0
    W *= eta[:, None, None]
    Winv /= eta[:, None, None]
    return W, Winv


def soc_max_step(x: np.ndarray, dx: np.ndarray) -> float:
    """Largest α ≤ 1e30 with x + α·dx in every cone (x strictly inside)."""
    a = soc_det(dx)
    b = 2.0 * (x[:, 0] * dx[:, 0] - np.einsum("ij,ij->i", x[:, 1:], dx[:, 1:]))
    c = soc_det(x)
    steps = np.full(x.shape[0], np.inf)
    # x₀ + α dx₀ must stay ≥ 0 and the determinant a α² + b α + c must stay ≥ 0
    neg0 = dx[:, 0] < 0
    steps[neg0] = -x[neg0, 0] / dx[neg0, 0]
    disc = b * b - 4 * a * c
    with np.errstate(invalid="ignore", divide="ignore"):
        root = np.sqrt(np.maximum(disc, 0.0))
        # smallest positive root of a α² + b α + c (c > 0), in cancellation-free form
        r1 = np.where(b < 0, (-b + root) / (2 * a), 2 * c / (-b - root))
        r2 = np.where(b < 0, 2 * c / (-b + root), (-b - root) / (2 * a))
    for r in (r1, r2):
        ok = np.isfinite(r) & (r > 0) & (disc >= 0)
        steps[ok] = np.minimum(steps[ok], r[ok])
    return float(steps.min(initial=np.inf))


def _lin_max_step(x: np.ndarray, dx: np.ndarray) -> float:
    neg = dx < 0
    if not np.any(neg):
        return np.inf
    return float(np.min(-x[neg] / dx[neg]))
