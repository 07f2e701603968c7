"""How a peer's solution is judged our way: feasibility restored, our objective and certificate.

A peer (pyscnn, adelie) returns weights for the CE program (claims.md CE) that may violate
its cone constraints by the peer's tolerance. :func:`restore_feasibility` moves every
column onto its cone (:func:`shift_to_gates`, along its gate), and :func:`judge_weights`
reports the project's objective of the reconstructed network (an upper bound on the optimum
whatever the peer's accuracy) with the project's dual certificate from its residual, so no
peer is credited with an accuracy it did not reach.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from relucheck.models.arrangements.patterns import PatternSet
from relucheck.models.two_layer.convex_program import cone_violation, convex_objective
from relucheck.models.two_layer.reconstruction import reconstruct_network
from relucheck.solvers.two_layer_global import certify_network, network_objective


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


def judge_weights(
    X: np.ndarray,
    y: np.ndarray,
    beta: float,
    patterns: PatternSet,
    V: np.ndarray,
    W: np.ndarray,
) -> dict[str, Any]:
    """Our objective and certificate for convex weights V, W (d, P) in the order of patterns.

    The point is first made feasible (:func:`restore_feasibility`); the objective is the true
    objective of the reconstructed network at that point (then equal to the convex
    objective), the lower bound the best of the certificates from the residuals before and
    after the shift. Both are about the program restricted to these patterns, the one every
    solver of the benchmark solves.
    """
    masks, gates = patterns.masks, patterns.directions.T
    raw = {
        "raw_convex_objective": convex_objective(X, y, beta, masks, V, W),
        "raw_cone_violation": cone_violation(X, masks, V, W),
    }
    lowers = []
    U, alpha = reconstruct_network(V, W)
    lowers.append(certify_network(X, y, beta, U, alpha, patterns, loss="squared"))
    V, W = restore_feasibility(X, gates, V), restore_feasibility(X, gates, W)
    U, alpha = reconstruct_network(V, W)
    upper = network_objective(X, y, U, alpha, beta, "squared")
    lowers.append(certify_network(X, y, beta, U, alpha, patterns, loss="squared"))
    lower = max(c.lower for c in lowers)
    return {
        "objective": float(upper),
        "certified_lower": float(lower),
        "certified_gap": float((upper - lower) / max(abs(upper), 1e-300)),
        "convex_objective": convex_objective(X, y, beta, masks, V, W),
        "cone_violation": cone_violation(X, masks, V, W),
        "width": int(alpha.shape[0]),
        **raw,
    }
