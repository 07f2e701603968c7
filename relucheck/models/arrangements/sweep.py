"""Chambers of a central line arrangement in ``R^2`` by an angular sweep, with a certificate.

A line ``{zᵀw = 0}`` with unit normal at angle ``φ`` is crossed at the two boundary angles
``φ ± π/2``. Sort the ``2m`` boundary angles (``O(m log m)``, vectorised), merge equal ones
(consecutive unit boundary vectors ``b, b'`` with ``b × b' ≤ PARALLEL_TOL`` and
``b·b' > 0``: repeated and antiparallel rows), and take the midpoint of every arc between
consecutive distinct boundaries as the interior point of that chamber. Distinct arcs are
separated by a line, so their sign vectors differ; every direction lies on some arc or
boundary, so no chamber is missed.

Certificate (``O(P)``, no ``P × m`` product): let ``u`` be the midpoint of the arc between
the last boundary ``b_hi`` of one cluster and the first boundary ``b_lo`` of the next. All
boundaries are sorted, so none lies strictly inside the arc, and the angular distance from
``u`` to each boundary of any line is at least ``δ = min(∠(b_hi, u), ∠(u, b_lo)) ≤ π/2``
(an arc between consecutive boundaries spans at most π: each line has two antipodal
boundaries). For a unit normal ``a`` of that line, ``|aᵀu| = |sin(∠(u, boundary))| ≥ sin δ
= min(b_hi × u, u × b_lo)``. That lower bound, less ``1e-14`` for the rounding of the sort
keys, is returned as the certified margin of ``u`` over EVERY line.
"""

from __future__ import annotations

import numpy as np

from relucheck.models.arrangements.normals import PARALLEL_TOL

__all__ = ["angular_sweep"]

_SORT_SLACK = 1e-14


def angular_sweep(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Chambers of the lines ``{zᵀw = 0}``, ``z`` the nonzero rows of ``Z`` (m, 2).

    Returns ``(W, cert)``: unit interior points ``(P, 2)``, one per chamber, and for each a
    certified lower bound on ``min_i |z_iᵀw| / ‖z_i‖`` (see the module docstring).
    """
    Z = np.asarray(Z, dtype=np.float64)
    if Z.shape[0] == 0:
        return np.array([[1.0, 0.0]]), np.array([np.inf])
    a = Z / np.linalg.norm(Z, axis=1, keepdims=True)
    # boundary directions: a rotated by +-90 degrees
    b = np.concatenate([np.stack([-a[:, 1], a[:, 0]], 1), np.stack([a[:, 1], -a[:, 0]], 1)])
    theta = np.arctan2(b[:, 1], b[:, 0])
    order = np.argsort(theta, kind="stable")
    theta, b = theta[order], b[order]
    m = theta.shape[0]
    nxt = np.r_[1:m, 0]
    cross = b[:, 0] * b[nxt, 1] - b[:, 1] * b[nxt, 0]
    dot = np.einsum("ij,ij->i", b, b[nxt])
    # boundary k ~ k+1 (cyclic); never all True: the two boundaries of a line are antipodal
    same_as_next = (np.abs(cross) <= PARALLEL_TOL) & (dot > 0)
    # rotate so that index 0 starts a cluster (its predecessor is a different boundary)
    k0 = int(np.flatnonzero(~np.roll(same_as_next, 1))[0])
    idx = np.r_[k0:m, 0:k0]
    theta = theta[idx] + np.where(idx < k0, 2 * np.pi, 0.0)
    b = b[idx]
    same_as_next = same_as_next[idx]
    # cluster c spans positions [lo_c, hi_c]; a cluster ends where same_as_next is False
    hi = np.flatnonzero(~same_as_next)
    lo_next = np.r_[hi[:-1] + 1, 0]
    lo_angle = np.r_[theta[hi[:-1] + 1], theta[0] + 2 * np.pi]
    mid = 0.5 * (theta[hi] + lo_angle)
    W = np.stack([np.cos(mid), np.sin(mid)], axis=1)
    b_hi, b_lo = b[hi], b[lo_next]
    m1 = b_hi[:, 0] * W[:, 1] - b_hi[:, 1] * W[:, 0]
    m2 = W[:, 0] * b_lo[:, 1] - W[:, 1] * b_lo[:, 0]
    return W, np.minimum(m1, m2) - _SORT_SLACK
