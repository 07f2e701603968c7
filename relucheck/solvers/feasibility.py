"""A feasible point of the CE program near a solver's point (claims.md CE, cone constraints).

A solver that is not the project's (a peer in ``make bench-peers``, a solver plug-in) returns
weights that may violate the cone constraints (2D_i − I) X v_i ≥ 0 by its tolerance. Its
network may then use patterns outside the set, so its value bounds a different program;
:func:`restore_feasibility` moves each column onto its cone first, so every solver is judged
on the same program.
"""

from __future__ import annotations

import numpy as np


def shift_to_gates(X: np.ndarray, gates: np.ndarray, V: np.ndarray) -> np.ndarray:
    """Columns v_i moved along their gate g_i just far enough to satisfy every cone row.

    The gate g_i defines pattern i, so (2D_i − I) X g_i > 0 on every row (sampled gates keep
    a margin); v_i + t g_i with t = max(0, max_j −a_jᵀv_i / a_jᵀg_i), a_j = ±x_j, satisfies
    (2D_i − I) X (v_i + t g_i) ≥ 0 up to rounding.
    """
    XG = X @ gates  # (n, P): margins of the gates, sign (2D_i − I) on every row
    signs = np.where(XG >= 0.0, 1.0, -1.0)
    a_v = signs * (X @ V)
    a_g = signs * XG
    with np.errstate(divide="ignore", invalid="ignore"):
        need = np.where(a_v < 0.0, -a_v / a_g, 0.0)
    t = need.max(axis=0) * (1.0 + 1e-12)
    return V + gates * t


def restore_feasibility(X: np.ndarray, gates: np.ndarray, V: np.ndarray) -> np.ndarray:
    """A feasible point near V for the program restricted to the gates (d, P).

    Each violating column is projected onto its cone K_i = {v : A_i v ≥ 0},
    A_i = (2D_i − I) X, by Moreau's decomposition (P_K(v) = v + A_iᵀμ with μ ≥ 0 minimising
    ‖v + A_iᵀμ‖, an NNLS), then :func:`shift_to_gates` removes what NNLS left violated.
    Used to judge a peer's point on the SAME program as ours: the network of an infeasible
    point may use patterns outside the sampled set, so its value bounds a different program.
    """
    from scipy.optimize import nnls

    XG = X @ gates
    signs = np.where(XG >= 0.0, 1.0, -1.0)
    out = V.copy()
    violated = np.flatnonzero(np.min(signs * (X @ V), axis=0) < 0.0)
    for i in violated:
        A = signs[:, i : i + 1] * X
        mu, _ = nnls(A.T, -V[:, i], maxiter=50 * max(A.shape))
        out[:, i] = V[:, i] + A.T @ np.maximum(mu, 0.0)
    return shift_to_gates(X, gates, out)
