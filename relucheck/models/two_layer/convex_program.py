"""The convex program of a two-layer ReLU network (claims.md, CE, "Convex program").

    p_cvx = min_{v_i, w_i}  L(Σ_i D_i X (v_i − w_i), y) + β Σ_i (‖v_i‖₂ + ‖w_i‖₂)
            s.t. (2D_i − I) X v_i ≥ 0,  (2D_i − I) X w_i ≥ 0

with L = ½‖·‖² (squared) or Σ max(0, 1 − y_i f_i) (hinge, labels ±1). Dropping the cone
constraints gives the "gated ReLU" program, a relaxation (value ≤ p_cvx) whose naive
reconstruction does not attain its value: a negative control of CE.

V and W are stored as (d, P) arrays whose column i belongs to pattern D_i (``masks[i]``).
"""

from __future__ import annotations

import cvxpy as cp
import numpy as np

LOSSES = ("squared", "hinge")


def loss_value(f: np.ndarray, y: np.ndarray, loss: str) -> float:
    """L(f, y) of claims.md: ½‖f − y‖² or Σ max(0, 1 − y_i f_i)."""
    if loss == "squared":
        return 0.5 * float(np.sum((f - y) ** 2))
    if loss == "hinge":
        return float(np.sum(np.maximum(0.0, 1.0 - y * f)))
    raise ValueError(f"unknown loss {loss!r} (choose one of {LOSSES})")


def convex_prediction(X: np.ndarray, masks: np.ndarray, V: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Σ_i D_i X (v_i − w_i) for masks (P, n) and V, W (d, P)."""
    return np.sum(masks.T * (X @ (V - W)), axis=1)


def convex_objective(
    X: np.ndarray,
    y: np.ndarray,
    beta: float,
    masks: np.ndarray,
    V: np.ndarray,
    W: np.ndarray,
    loss: str = "squared",
) -> float:
    """The convex program's objective at (V, W), computed in numpy (constraints not checked)."""
    f = convex_prediction(X, masks, V, W)
    group = np.linalg.norm(V, axis=0).sum() + np.linalg.norm(W, axis=0).sum()
    return loss_value(f, y, loss) + beta * float(group)


def cone_violation(X: np.ndarray, masks: np.ndarray, V: np.ndarray, W: np.ndarray) -> float:
    """Largest violation of (2D_i − I) X v_i ≥ 0 over all groups (0 when feasible)."""
    signs = (2.0 * masks - 1.0).T  # (n, P)
    worst = min(float(np.min(signs * (X @ V))), float(np.min(signs * (X @ W))))
    return max(0.0, -worst)


def loss_term(
    f: cp.Expression, y: np.ndarray, loss: str
) -> tuple[cp.Expression, list[cp.Constraint], cp.Constraint | None]:
    """L(f, y) as a CVXPY expression, with the constraints it needs.

    The hinge loss is written with a slack ξ ≥ 1 − y∘f, ξ ≥ 0 so that the dual values
    a_i ∈ [0, 1] of the first constraint (returned as ``margin``) can seed the dual
    certificate; the squared loss needs no constraint (``margin`` is None).
    """
    if loss == "squared":
        return 0.5 * cp.sum_squares(f - y), [], None
    if loss != "hinge":
        raise ValueError(f"unknown loss {loss!r} (choose one of {LOSSES})")
    xi = cp.Variable(y.shape[0], name="xi")
    margin = xi >= 1 - cp.multiply(y, f)
    return cp.sum(xi), [margin, xi >= 0], margin


def two_layer_convex_program(
    X: np.ndarray,
    y: np.ndarray,
    beta: float,
    masks: np.ndarray,
    *,
    loss: str = "squared",
    cone_constraints: bool = True,
) -> tuple[cp.Problem, dict[str, cp.Variable | cp.Constraint]]:
    """Build the CE convex program (claims.md, CE) as a CVXPY problem.

    Returns the problem and handles: ``V``, ``W`` (d, P) variables, and for the hinge
    loss ``margin`` — the constraint ξ ≥ 1 − y∘f whose dual values a_i ∈ [0, 1] give the
    dual candidate ν = −a∘y used by the certificate.
    """
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r} (choose one of {LOSSES})")
    n, d = X.shape
    M = np.asarray(masks, dtype=float).T  # (n, P)
    P = M.shape[1]
    V = cp.Variable((d, P), name="V")
    W = cp.Variable((d, P), name="W")
    f = cp.sum(cp.multiply(M, X @ (V - W)), axis=1)
    reg = cp.sum(cp.norm(V, 2, axis=0)) + cp.sum(cp.norm(W, 2, axis=0))
    handles: dict[str, cp.Variable | cp.Constraint] = {"V": V, "W": W}
    constraints: list[cp.Constraint] = []
    if cone_constraints:
        S = 2.0 * M - 1.0
        constraints += [cp.multiply(S, X @ V) >= 0, cp.multiply(S, X @ W) >= 0]
    data_term, loss_constraints, margin = loss_term(f, y, loss)
    constraints += loss_constraints
    if margin is not None:
        handles["margin"] = margin
    problem = cp.Problem(cp.Minimize(data_term + beta * reg), constraints)
    return problem, handles


def single_neuron_program(
    y: np.ndarray, d: int, beta: float, loss: str = "squared"
) -> tuple[cp.Problem, dict[str, cp.Parameter | cp.Variable | cp.Constraint]]:
    """One group with a fixed pattern and output sign: the pieces of the exact width-1 value.

        p(1) = min_{i, s} min_{v : (2D_i − I) X v ≥ 0}  L(s D_i X v, y) + β ‖v‖

    (claims.md CE, negative control "width 1"). Built once with parameters ``SDX`` = s·D_i X,
    ``A`` = (2D_i − I) X so that CVXPY re-solves each (i, s) without recompiling.
    """
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r} (choose one of {LOSSES})")
    n = y.shape[0]
    SDX = cp.Parameter((n, d), name="SDX")
    A = cp.Parameter((n, d), name="A")
    v = cp.Variable(d, name="v")
    f = SDX @ v
    constraints: list[cp.Constraint] = [A @ v >= 0]
    handles: dict[str, cp.Parameter | cp.Variable | cp.Constraint] = {
        "SDX": SDX,
        "A": A,
        "v": v,
    }
    data_term, loss_constraints, margin = loss_term(f, y, loss)
    constraints += loss_constraints
    if margin is not None:
        handles["margin"] = margin
    return cp.Problem(cp.Minimize(data_term + beta * cp.norm(v, 2)), constraints), handles
