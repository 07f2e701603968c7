"""Certified lower bounds on the CE convex optimum from a dual point (claims.md, CE, "Dual").

Weak duality for  p = min_f L(f) + β·γ(f)  (γ the gauge of the atoms ±σ(Xu), ‖u‖ ≤ 1) gives,
for every ν with γ°(ν) ≤ β,

    p ≥ −L*(ν),       γ°(ν) = max_{i, ±} sup { ±νᵀ D_i X u : ‖u‖₂ ≤ 1, (2D_i − I) X u ≥ 0 }.

Squared loss: −L*(ν) = −½‖y − r‖² + ½‖y‖² with ν = −r (r a residual); hinge loss:
ν = −a∘y with a ∈ [0, 1]^n and −L*(ν) = Σ a_i. A candidate is scaled by
s = min(1, β / γ̄) where γ̄ ≥ γ°(ν) is an UPPER bound that we certify ourselves:

    for every μ ≥ 0:  sup_{u ∈ K_i, ‖u‖ ≤ 1} cᵀu ≤ ‖c + A_iᵀ μ‖₂,   A_i = (2D_i − I) X,

because A_i u ≥ 0 on K_i. NNLS picks the μ that makes this tight (it is the Moreau
decomposition of c onto the polyhedral cone K_i), but the bound holds for whatever μ ≥ 0 it
returns, so a solver inaccuracy can only loosen the certificate, never invalidate it.

Which program a number certifies: the bound is a lower bound on the FULL program only when
``masks`` holds every chamber of the arrangement (an exact :class:`PatternSet`). Over a
sampled subset it certifies only the restricted program (claims.md, "Known pitfalls").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import lsq_linear, nnls


def cone_sup_multipliers(
    c: np.ndarray, A: np.ndarray, *, second_opinion: bool | None = None
) -> tuple[np.ndarray, float]:
    """The μ ≥ 0 behind :func:`cone_sup_bound`, and the bound ‖c + Aᵀμ‖₂ it certifies."""
    if not np.any(c):
        return np.zeros(A.shape[0]), 0.0
    mu, _ = nnls(A.T, -c, maxiter=50 * max(A.shape))
    mu = np.maximum(mu, 0.0)
    resid = c + A.T @ mu
    bound = float(np.linalg.norm(resid))
    if second_opinion is None:
        w = A @ resid
        scale = 1e-9 * (np.linalg.norm(A) * max(bound, 1e-300) + 1e-300)
        second_opinion = bool(w.min(initial=0.0) < -scale or np.max(np.abs(mu * w)) > scale)
    if second_opinion:
        res = lsq_linear(A.T, -c, bounds=(0.0, np.inf), method="bvls", tol=1e-12, max_iter=10_000)
        mu2 = np.maximum(res.x, 0.0)
        bound2 = float(np.linalg.norm(c + A.T @ mu2))
        if bound2 < bound:
            mu, bound = mu2, bound2
    return mu, bound


def cone_sup_bound(c: np.ndarray, A: np.ndarray, *, second_opinion: bool | None = None) -> float:
    """Certified upper bound on sup { cᵀu : ‖u‖₂ ≤ 1, A u ≥ 0 } (tight up to solver accuracy).

    Every μ ≥ 0 gives the valid bound ‖c + Aᵀμ‖. scipy's ``nnls`` sometimes stops at a clearly
    suboptimal μ on degenerate cones (seen with scipy 1.17: 6.0 where the sup is 0.19; scipy
    issues #21140, #25389), which keeps the bound valid but useless, so a second μ from
    bounded-variable least squares is tried and the smaller bound kept: always
    (``second_opinion=True``), never (``False``), or when NNLS's own optimality conditions
    fail (``None``, the default): w = A(c + Aᵀμ) ≥ 0 and μ ⊙ w = 0.
    """
    return cone_sup_multipliers(c, A, second_opinion=second_opinion)[1]


def dual_gauge_bound(
    X: np.ndarray,
    nu: np.ndarray,
    masks: np.ndarray,
    signs: tuple[int, ...] = (1, -1),
) -> float:
    """Upper bound on γ°(ν) restricted to the given patterns (and output signs)."""
    best = 0.0
    for mask in np.asarray(masks, dtype=bool):
        A = np.where(mask[:, None], X, -X)  # (2D − I) X
        c = X.T @ (mask * nu)  # X^T D ν
        for sign in signs:
            best = max(best, cone_sup_bound(sign * c, A))
    return best


@dataclass(frozen=True)
class DualCertificate:
    """A certified lower bound and how it was obtained."""

    lower: float  # −L*(s·ν): a lower bound on the program over ``masks``
    scale: float  # s = min(1, β / gauge)
    gauge: float  # certified upper bound on γ°(ν) before scaling
    certifies: str  # "full" (all chambers) or "restricted" (a subset of patterns)


def squared_loss_certificate(
    X: np.ndarray,
    y: np.ndarray,
    beta: float,
    residual: np.ndarray,
    masks: np.ndarray,
    *,
    exact: bool,
    signs: tuple[int, ...] = (1, -1),
) -> DualCertificate:
    """Lower bound −½‖y − s r‖² + ½‖y‖² from a residual r = y − f (claims.md CE, Dual).

    ``signs`` restricts the output signs of the atoms (a single-neuron program uses one).
    """
    gauge = dual_gauge_bound(X, residual, masks, signs)
    scale = 1.0 if gauge <= beta else beta / gauge
    point = scale * residual
    lower = -0.5 * float(np.sum((y - point) ** 2)) + 0.5 * float(np.sum(y**2))
    return DualCertificate(lower, scale, gauge, "full" if exact else "restricted")


def hinge_loss_certificate(
    X: np.ndarray,
    y: np.ndarray,
    beta: float,
    multipliers: np.ndarray,
    masks: np.ndarray,
    *,
    exact: bool,
    signs: tuple[int, ...] = (1, -1),
) -> DualCertificate:
    """Lower bound Σ s·a_i from hinge multipliers a (clipped to [0, 1]), ν = a∘y.

    With ν = −a∘y the constraint reads γ°(ν) ≤ β; we pass −ν = a∘y so that the atom sign
    convention matches the squared case (a residual-like vector correlating with +atoms).
    """
    a = np.clip(np.asarray(multipliers, dtype=float), 0.0, 1.0)
    gauge = dual_gauge_bound(X, a * y, masks, signs)
    scale = 1.0 if gauge <= beta else beta / gauge
    return DualCertificate(scale * float(a.sum()), scale, gauge, "full" if exact else "restricted")


def relative_gap(upper: float, lower: float) -> float:
    """(upper − lower) / max(|upper|, tiny): the certified relative duality gap."""
    return (upper - lower) / max(abs(upper), 1e-300)
