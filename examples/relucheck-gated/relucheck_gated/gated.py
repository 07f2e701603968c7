"""The gated-ReLU program and its dual bound (our own derivation: the group-lasso Fenchel dual).

For masks D_i (the patterns of gates g_i) the gated-ReLU program is

    p_gated = min_u ½‖Σ_i D_i X u_i − y‖² + β Σ_i ‖u_i‖,

the CE program of relucheck's claims.md without its cone constraints (and with v_i − w_i
merged into u_i, which can only lower the penalty). For a residual r, any s with
s·max_i ‖(D_i X)ᵀ r‖ ≤ β makes ρ = s r dual feasible and ρᵀy − ½‖ρ‖² ≤ p_gated.
"""

from __future__ import annotations

import numpy as np


def predictions(X: np.ndarray, masks: np.ndarray, U: np.ndarray) -> np.ndarray:
    """Σ_i D_i X u_i for masks (P, n) and U (d, P)."""
    return np.sum(masks.T * (X @ U), axis=1)


def gated_objective(X, y, beta, masks, U) -> float:
    r = predictions(X, masks, U) - y
    return float(0.5 * r @ r + beta * np.linalg.norm(U, axis=0).sum())


def gated_lower_bound(X, y, beta, masks, U) -> float:
    """The dual value at the scaled residual of U: a certified lower bound on p_gated."""
    r = y - predictions(X, masks, U)
    gauge = float(np.max(np.linalg.norm(X.T @ (masks.T * r[:, None]), axis=0)))
    s = 1.0 if gauge <= beta else beta / gauge
    rho = s * r
    return float(rho @ y - 0.5 * rho @ rho)


def gauge(X, y, masks) -> float:
    """max_i ‖(D_i X)ᵀ y‖: the least β at which u = 0 is optimal for the gated program."""
    return float(np.max(np.linalg.norm(X.T @ (masks.T * y[:, None]), axis=0)))


def solve_gated(X, y, beta, masks) -> tuple[float, float]:
    """(upper, lower) bounds on p_gated: Clarabel through CVXPY, then our own dual bound."""
    import cvxpy as cp

    d, P = X.shape[1], masks.shape[0]
    U = cp.Variable((d, P))
    fit = cp.sum(cp.multiply(masks.T.astype(float), X @ U), axis=1)
    problem = cp.Problem(
        cp.Minimize(0.5 * cp.sum_squares(fit - y) + beta * cp.sum(cp.norm(U, 2, axis=0)))
    )
    problem.solve(solver=cp.CLARABEL)
    value = U.value if U.value is not None else np.zeros((d, P))
    return gated_objective(X, y, beta, masks, value), gated_lower_bound(X, y, beta, masks, value)
