"""The ramp-dictionary Lasso with a free affine part (claims.md LASSO-1D; SR 2).

For scalar inputs x_1..x_n and breakpoints t_1..t_T the dictionary is

    A = [σ(x − t_j), σ(t_j − x)]_{j ≤ T}        (ramps; claims.md LASSO-1D)

and the program, with a FREE (unpenalized) part B γ,

    min_{z, γ}  ½‖A z + B γ − y‖² + β‖z‖₁.

B = [1] is the unregularized output bias ξ of claims.md LASSO-1D (a network without a skip
connection); B = [1, x] is SR's skip term cx + c_0. Eliminating γ leaves the ordinary Lasso
min_z ½‖P(Az − y)‖² + β‖z‖₁ with P = I − B B⁺ the projection off range(B).

Certified lower bound (our derivation; the pattern of relucheck/models/two_layer/certificate.py):
for every ν with Bᵀν = 0 and ‖Aᵀν‖_∞ ≤ β, weak duality gives

    p ≥ ½‖P y‖² − ½‖P y − ν‖²,

because ½‖a‖² ≥ νᵀa − ½‖ν‖² with a = P(y − Az), νᵀP = νᵀ, and |νᵀAz| ≤ β‖z‖₁. From any
residual r we take ν = s·P r with s = min(1, β/‖Aᵀ P r‖_∞): the projection makes the point
orthogonal to the free part (the free bias is accounted for), the scaling makes it feasible.
A solver's inaccuracy can only loosen this bound, never invalidate it.

A Lasso solution is a network with the same objective (claims.md LASSO-1D): a ramp
z·σ(±(x − t)) is the neuron v σ(w x − b) with w = ±√|z|, b = w t, v = sign(z)√|z|, whose
weight decay (β/2)(w² + v²) is β|z|.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from relucheck.models.univariate.skip_network import SkipNet


def ramp_dictionary(x: np.ndarray, breakpoints: np.ndarray, both: bool = True) -> np.ndarray:
    """A (n, 2T) = [σ(x − t_j)]_j then [σ(t_j − x)]_j (only the first block if not ``both``)."""
    x = np.asarray(x, dtype=float).reshape(-1, 1)
    t = np.asarray(breakpoints, dtype=float).reshape(1, -1)
    right = np.maximum(x - t, 0.0)
    if not both:
        return right
    return np.hstack([right, np.maximum(t - x, 0.0)])


def free_basis(x: np.ndarray, skip: bool) -> np.ndarray:
    """B: the unpenalized part, [1] (output bias) or [1, x] (skip connection)."""
    x = np.asarray(x, dtype=float).reshape(-1)
    cols = [np.ones_like(x)] + ([x] if skip else [])
    return np.column_stack(cols)


def project_off(B: np.ndarray, r: np.ndarray) -> np.ndarray:
    """P r = r − B B⁺ r: the component of r orthogonal to range(B)."""
    coef, *_ = np.linalg.lstsq(B, r, rcond=None)
    return r - B @ coef


def best_free_part(A: np.ndarray, B: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
    """γ minimizing ‖Az + Bγ − y‖ for fixed z (the free part is never penalized)."""
    coef, *_ = np.linalg.lstsq(B, y - A @ z, rcond=None)
    return coef


def objective(
    A: np.ndarray, B: np.ndarray, y: np.ndarray, beta: float, z: np.ndarray, gamma: np.ndarray
) -> float:
    """½‖Az + Bγ − y‖² + β‖z‖₁."""
    r = A @ z + B @ gamma - y
    return 0.5 * float(r @ r) + beta * float(np.sum(np.abs(z)))


@dataclass(frozen=True)
class LassoCertificate:
    """A certified lower bound from a residual; ``gauge`` = ‖Aᵀ P r‖_∞ before scaling."""

    lower: float
    scale: float
    gauge: float


def certificate(
    A: np.ndarray, B: np.ndarray, y: np.ndarray, beta: float, residual: np.ndarray
) -> LassoCertificate:
    """Lower bound ½‖Py‖² − ½‖Py − sPr‖², s = min(1, β/‖AᵀPr‖_∞) (module docstring)."""
    nu = project_off(B, np.asarray(residual, dtype=float))
    gauge = float(np.max(np.abs(A.T @ nu))) if A.size else 0.0
    scale = 1.0 if gauge <= beta else beta / gauge
    Py = project_off(B, np.asarray(y, dtype=float))
    point = scale * nu
    lower = 0.5 * float(Py @ Py) - 0.5 * float((Py - point) @ (Py - point))
    return LassoCertificate(lower, scale, gauge)


def beta_max(A: np.ndarray, B: np.ndarray, y: np.ndarray) -> float:
    """‖Aᵀ P y‖_∞: the smallest β at which z = 0 is optimal."""
    return float(np.max(np.abs(A.T @ project_off(B, np.asarray(y, dtype=float)))))


def lasso_to_network(
    breakpoints: np.ndarray, z: np.ndarray, gamma: np.ndarray, *, skip: bool
) -> SkipNet:
    """The 1-D network with the Lasso's objective: one neuron per nonzero ramp coefficient."""
    t = np.asarray(breakpoints, dtype=float)
    T = t.shape[0]
    z = np.asarray(z, dtype=float)
    orient = np.concatenate([np.ones(T), -np.ones(T)])[: z.shape[0]]
    tt = np.concatenate([t, t])[: z.shape[0]]
    keep = z != 0
    root = np.sqrt(np.abs(z[keep]))
    w = orient[keep] * root
    b = w * tt[keep]
    v = np.sign(z[keep]) * root
    gamma = np.asarray(gamma, dtype=float)
    c = np.array([gamma[1]]) if skip else np.zeros(1)
    return SkipNet(w[None, :], b, v, c, float(gamma[0]))
