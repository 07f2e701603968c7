"""From a PR convex solution back to a parallel network, and pruning (claims.md PR).

Reconstruction (relucheck.models.parallel.program, step 4b): every group g with Z_g ≠ 0 becomes
one sub-network (W_k, v_k, s_k) = (Z_g, ε_g, σ_g). Inside C_g it outputs L_g(Z_g) and its
path norm is ‖Z_g‖_F, so the network's objective equals the convex objective at z (up to
the solver's tolerance on the cone constraints; the TRUE ReLU network is always evaluated).

Pruning (step 4c) is the Carathéodory step of CE (relucheck.models.two_layer.reconstruction)
applied to whole sub-networks: with c_k = R_k (path norm) and unit-norm atoms a_k = f_k / c_k (true
outputs), while the atoms are dependent move c along a null vector η with Σ η ≤ 0 until one
weight hits zero, then rescale W_k by c_k'/c_k (a sub-network is positively homogeneous of
degree 1 in W_k, and so is R_k). The fit is unchanged and Σ c never grows, so the objective
never increases; at most rank ≤ n sub-networks remain.
"""

from __future__ import annotations

import numpy as np

from relucheck.models.parallel.groups import GroupSet
from relucheck.models.parallel.network import path_regularizer, subnetwork_outputs

__all__ = ["reconstruct_parallel", "prune_subnetworks", "caratheodory"]


def reconstruct_parallel(
    groups: GroupSet, z: np.ndarray, *, zero_tol: float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(W (K, d, m), v (K, m), s (K,), group index (K,)) for the groups with ‖Z_g‖_F > zero_tol."""
    d, m = groups.X.shape[1], groups.m
    Z = np.asarray(z, dtype=np.float64).reshape(groups.count, m, d).transpose(0, 2, 1)
    norms = np.linalg.norm(Z, axis=(1, 2))
    live = np.flatnonzero(norms > zero_tol)
    return Z[live].copy(), groups.eps[live].copy(), groups.sigma[live].copy(), live


def caratheodory(fits: np.ndarray, c: np.ndarray, rank_tol: float = 1e-10) -> np.ndarray:
    """New weights c' ≥ 0 with fits @ c' = fits @ c, Σ c' ≤ Σ c, independent support.

    ``fits`` (n, K) are the atoms as columns. Any n + 1 columns are dependent, so each step
    looks at a block of at most n + 1 live columns (an SVD of n × (n + 1)).
    """
    c = np.array(c, dtype=np.float64)
    n = fits.shape[0]
    live = np.flatnonzero(c > 0)
    while live.size:
        block = live[: n + 1]  # all live columns once at most n remain
        _, sv, vt = np.linalg.svd(fits[:, block], full_matrices=True)
        if block.size <= n and sv[-1] > rank_tol * max(sv[0], 1e-300):
            break  # the live atoms are independent
        eta = vt[-1]  # a (near-)null vector of the block
        if eta.sum() > 0:
            eta = -eta  # Σ c never grows
        neg = np.flatnonzero(eta < 0)
        steps = c[block[neg]] / -eta[neg]
        c[block] = np.maximum(c[block] + steps.min() * eta, 0.0)
        c[block[neg[np.argmin(steps)]]] = 0.0
        live = np.flatnonzero(c > 0)
    return c


def prune_subnetworks(
    X: np.ndarray, W: np.ndarray, v: np.ndarray, s: np.ndarray, *, rank_tol: float = 1e-10
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Carathéodory pruning of sub-networks: ≤ rank ≤ n remain, objective never increased."""
    K = W.shape[0]
    if K == 0:
        return W, v, s
    R = np.array([path_regularizer(W[k : k + 1], v[k : k + 1], s[k : k + 1]) for k in range(K)])
    out = subnetwork_outputs(X, W, v, s)  # (K, n)
    live = (R > 0) & np.any(out != 0.0, axis=1)  # dead sub-networks only cost penalty
    W, v, s, R, out = W[live], v[live], s[live], R[live], out[live]
    c = caratheodory((out / R[:, None]).T, R, rank_tol)
    keep = c > 0
    scale = c[keep] / R[keep]
    return W[keep] * scale[:, None, None], v[keep], s[keep]
