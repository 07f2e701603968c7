"""Certified dual lower bound for weight-decay training with free biases and skip, d = 2.

Problem (claims.md SR 3), after balancing (relucheck/models/univariate/skip_reduction.py):

    p = min ½‖Σ_k c_k s_k σ(Xŵ_k − t_k) + Bγ − y‖² + λ Σ_k c_k,   ‖ŵ_k‖ = 1, t_k ∈ R,

with B = [1, X] free. Weak duality (the pattern of relucheck/models/two_layer/certificate.py,
with the free affine part handled as in relucheck/models/univariate/ramp_lasso.py): for every ν with
Bᵀν = 0 and sup_{‖w‖=1, t} |νᵀσ(Xw − t)| ≤ λ,

    p ≥ ½‖Py‖² − ½‖Py − ν‖²,    P = I − BB⁺.

From a residual r we take ν = s·Pr, s = min(1, λ/γ) with γ the EXACT supremum below.

Exact supremum for d = 2 (our derivation): for fixed w, t ↦ νᵀσ(Xw − t) is piecewise
linear with breakpoints t = x_jᵀw and vanishes for t below all of them (the sum is then
νᵀ(Xw − t1) = 0 because ν ⊥ 1, X) and above all of them, so the supremum over t is attained
at some t = x_jᵀw. For the anchor j, h_j(w) = Σ_i ν_i σ((x_i − x_j)ᵀw) is linear on each arc
of the unit circle between consecutive angles where some (x_i − x_j)ᵀw changes sign; on an
arc with active set S it equals g_Sᵀw, g_S = Σ_{i∈S} ν_i (x_i − x_j), whose extremes over the
arc are at its endpoints or at ±g_S/‖g_S‖ when that direction lies inside the arc. Checking
every anchor and arc is O(n³ log n) and exact up to round-off.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from relucheck.models.univariate.ramp_lasso import project_off

TWO_PI = 2.0 * np.pi


def _unit(angles: np.ndarray) -> np.ndarray:
    return np.column_stack([np.cos(angles), np.sin(angles)])


def _anchor_sup(E: np.ndarray, nu: np.ndarray) -> tuple[float, np.ndarray]:
    """max over the unit circle of |Σ_i ν_i σ(e_iᵀw)| for the rows e_i of E (none zero).

    Returns the maximum and a unit w attaining it.
    """
    if E.shape[0] == 0:
        return 0.0, np.array([1.0, 0.0])
    phi = np.arctan2(E[:, 1], E[:, 0])
    crit = np.unique(np.mod(np.concatenate([phi + np.pi / 2, phi - np.pi / 2]), TWO_PI))
    starts = crit
    ends = np.concatenate([crit[1:], [crit[0] + TWO_PI]])
    mids = 0.5 * (starts + ends)
    active = (E @ _unit(mids).T) > 0  # (n, arcs)
    G = (active * nu[:, None]).T @ E  # (arcs, 2): g_S per arc
    cand_angles = [starts, ends]
    cand_values = [
        np.abs(np.einsum("ak,ak->a", G, _unit(starts))),
        np.abs(np.einsum("ak,ak->a", G, _unit(ends))),
    ]
    norms = np.linalg.norm(G, axis=1)
    length = ends - starts
    for sign in (1.0, -1.0):
        psi = np.arctan2(sign * G[:, 1], sign * G[:, 0])
        inside = (np.mod(psi - starts, TWO_PI) <= length) & (norms > 0)
        cand_angles.append(psi[inside])
        cand_values.append(norms[inside])
    angles = np.concatenate(cand_angles)
    values = np.concatenate(cand_values)
    i = int(np.argmax(values))
    return float(values[i]), _unit(angles[i : i + 1])[0]


def best_neuron(X: np.ndarray, nu: np.ndarray) -> tuple[float, np.ndarray, float]:
    """(sup, ŵ, t): the supremum of |νᵀσ(Xw − t)| over ‖w‖ = 1, t ∈ R and a maximizer.

    X (n, 2) and ν ⊥ [1, X] (exact, see the module docstring).
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"the exact supremum is implemented for d = 2; got X {X.shape}")
    nu = np.asarray(nu, dtype=float)
    best, w_best, t_best = 0.0, np.array([1.0, 0.0]), float(X[0, 0])
    for j in range(X.shape[0]):
        E = X - X[j]
        nonzero = np.any(E != 0, axis=1)
        value, w = _anchor_sup(E[nonzero], nu[nonzero])
        if value > best:
            best, w_best, t_best = value, w, float(X[j] @ w)
    return best, w_best, t_best


def neuron_correlation_sup(X: np.ndarray, nu: np.ndarray) -> float:
    """sup_{‖w‖=1, t ∈ R} |νᵀσ(Xw − t)| for X (n, 2) and ν ⊥ [1, X] (exact, see module)."""
    return best_neuron(X, nu)[0]


@dataclass(frozen=True)
class RadonCertificate:
    """A certified lower bound on p and how it was built."""

    lower: float
    scale: float
    gauge: float  # the exact sup over neurons of the projected residual, before scaling


def lower_bound(X: np.ndarray, y: np.ndarray, lam: float, residual: np.ndarray) -> RadonCertificate:
    """½‖Py‖² − ½‖Py − sPr‖², s = min(1, λ/γ), γ = sup over neurons (module docstring)."""
    X = np.asarray(X, dtype=float)
    B = np.hstack([np.ones((X.shape[0], 1)), X])
    nu = project_off(B, np.asarray(residual, dtype=float))
    gauge = neuron_correlation_sup(X, nu)
    scale = 1.0 if gauge <= lam else lam / gauge
    Py = project_off(B, np.asarray(y, dtype=float))
    point = scale * nu
    lower = 0.5 * float(Py @ Py) - 0.5 * float((Py - point) @ (Py - point))
    return RadonCertificate(lower, scale, gauge)
