"""From a convex solution back to a network, and pruning to few neurons (claims.md, CE).

Reconstruction (the inverse of the convex lifting): each v_i ≠ 0 gives the neuron
(u, α) = (v_i/√‖v_i‖, +√‖v_i‖) and each w_i ≠ 0 gives (w_i/√‖w_i‖, −√‖w_i‖). Inside its
cone σ(X v_i) = D_i X v_i, and (β/2)(‖u‖² + α²) = β‖v_i‖, so the network's objective equals
the convex objective at (V, W).

Pruning (a Carathéodory step): write the network in balanced form, f = Σ_j c_j a_j with
a_j = sign(α_j) σ(X ū_j), ū_j = u_j/‖u_j‖, path weight c_j = |α_j|‖u_j‖ ≥ 0 and penalty
β Σ_j c_j. While the fits a_j are linearly dependent, A η = 0 for some η ≠ 0; orient η so
that Σ_j η_j ≤ 0 and move c ← c + t η until a weight hits zero. The fit f is unchanged and
the penalty does not grow, so the objective never increases; at the end the a_j are
independent, hence at most n neurons remain.
"""

from __future__ import annotations

import numpy as np


def reconstruct_network(
    V: np.ndarray, W: np.ndarray, *, zero_tol: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Network (U (d, m), α (m,)) from convex variables V, W (d, P); columns ≤ zero_tol dropped."""
    norms_v = np.linalg.norm(V, axis=0)
    norms_w = np.linalg.norm(W, axis=0)
    keep_v = norms_v > zero_tol
    keep_w = norms_w > zero_tol
    scale_v = np.sqrt(norms_v[keep_v])
    scale_w = np.sqrt(norms_w[keep_w])
    U = np.concatenate([V[:, keep_v] / scale_v, W[:, keep_w] / scale_w], axis=1)
    alpha = np.concatenate([scale_v, -scale_w])
    return U, alpha


def balance(U: np.ndarray, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rescale each neuron to |α_j| = ‖u_j‖ (same function, penalty never larger)."""
    norms = np.linalg.norm(U, axis=0)
    c = np.abs(alpha) * norms
    with np.errstate(divide="ignore", invalid="ignore"):
        directions = np.where(norms > 0, U / np.where(norms > 0, norms, 1.0), 0.0)
    root = np.sqrt(c)
    return directions * root, np.sign(alpha) * root


def _dependency(fits: np.ndarray, rank_tol: float) -> tuple[np.ndarray | None, np.ndarray]:
    """A (near-)null vector η of some column block of ``fits``, or None if independent.

    Any n + 1 columns in R^n are dependent, so while there are more than n columns it is
    enough to look at the first n + 1 — an SVD of n × (n + 1) per step, not of n × m.
    """
    n, m = fits.shape
    block = np.arange(min(m, n + 1))
    _, s, vt = np.linalg.svd(fits[:, block], full_matrices=True)
    if len(block) <= n and s[-1] > rank_tol * s[0]:
        return None, block
    return vt[-1], block


def prune_neurons(
    X: np.ndarray,
    U: np.ndarray,
    alpha: np.ndarray,
    *,
    rank_tol: float = 1e-10,
) -> tuple[np.ndarray, np.ndarray]:
    """Carathéodory pruning: at most rank(A) ≤ n neurons, objective never increased.

    ``rank_tol`` is relative to the largest singular value of the fit matrix A; a
    direction with σ_min ≤ rank_tol·σ_max is treated as a dependency, which moves the fit
    by at most ~rank_tol·‖A‖·‖c‖ (callers re-evaluate the true objective afterwards).
    """
    norms = np.linalg.norm(U, axis=0)
    c = np.abs(alpha) * norms
    live = (c > 0) & (norms > 0)
    directions = U[:, live] / norms[live]
    signs = np.sign(alpha[live])
    c = c[live]
    fits = signs * np.maximum(X @ directions, 0.0)  # a_j as columns, (n, m)
    alive = np.any(fits != 0.0, axis=0)  # dead neurons fit nothing and only cost penalty
    directions, signs, c, fits = directions[:, alive], signs[alive], c[alive], fits[:, alive]

    while fits.shape[1] > 0:
        eta, block = _dependency(fits, rank_tol)
        if eta is None:
            break
        if eta.sum() > 0:
            eta = -eta
        negative = eta < 0
        steps = c[block][negative] / -eta[negative]
        t = steps.min()
        c[block] = c[block] + t * eta
        keep = np.ones(fits.shape[1], dtype=bool)
        keep[block[np.flatnonzero(negative)[np.argmin(steps)]]] = False
        keep &= c > 0
        directions, signs, c, fits = directions[:, keep], signs[keep], c[keep], fits[:, keep]

    root = np.sqrt(c)
    return directions * root, signs * root
