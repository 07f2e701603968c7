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
from relucheck.solvers.feasibility import restore_feasibility, shift_to_gates
from relucheck.solvers.two_layer_global import certify_network, network_objective

__all__ = ["judge_weights", "restore_feasibility", "shift_to_gates"]


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
