"""Trend filtering on unequal spacing, exactly (claims.md SR 2): min_θ ½‖y − θ‖² + λ‖Dθ‖₁.

Two independent methods, both certified by the same dual point we check ourselves:

* :func:`trend_filter_exact` — the fast exact method. The dual is a box-constrained least
  squares problem,

      max_{‖u‖_∞ ≤ λ} ½‖y‖² − ½‖y − Dᵀu‖²,     θ = y − Dᵀu,

  (derivation: min_θ max_{‖u‖_∞≤λ} ½‖y − θ‖² + uᵀDθ, the inner minimum is at θ = y − Dᵀu).
  Dᵀ has full column rank (D is banded with nonzero diagonal), so the dual has a unique
  solution. scipy's bounded-variable least squares (BVLS, an active-set method) finds its
  boundary set; on nearly coincident x it can stop on a small relative cost change before
  the KKT conditions hold, so :func:`refine_active_set` finishes them exactly (one least
  squares solve per active-set change, θ computed in the spline basis of the knot set).
* :func:`trend_filter_cvxpy` — the convex program in CVXPY (Clarabel by default), for a
  cross-check.

Certificate: for any u (clipped into the box, so it is dual feasible) the value
½‖y‖² − ½‖y − Dᵀu‖² is a lower bound; for the CVXPY primal we build u from the primal
solution by solving the stationarity equations on the kink set (least squares), then clip.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import cvxpy as cp
import numpy as np
from scipy.optimize import lsq_linear

from relucheck.models.two_layer.certificate import relative_gap
from relucheck.models.univariate import splines as sp
from relucheck.solvers.backends import resolve_solver, solve_problem
from relucheck.solvers.result import SolveResult


@dataclass
class TrendFilterSolution:
    """Fitted values (in the caller's order), our objective and dual lower bound."""

    theta: np.ndarray
    objective: float
    lower: float
    dual: np.ndarray  # u in sorted order, clipped into [−λ, λ]
    result: SolveResult
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def gap(self) -> float:
        return relative_gap(self.objective, self.lower)


def _prepare(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=float).reshape(-1)
    y = np.asarray(y, dtype=float).reshape(-1)
    if x.shape != y.shape or x.shape[0] < 3:
        raise ValueError(f"need x, y of the same length >= 3; got {x.shape}, {y.shape}")
    order = np.argsort(x, kind="stable")
    if np.any(np.diff(x[order]) <= 0):
        raise ValueError("x values must be distinct")
    return x[order], y[order], order


def dual_lower_bound(D: np.ndarray, y: np.ndarray, u: np.ndarray, lam: float) -> float:
    """½‖y‖² − ½‖y − Dᵀu‖² at u clipped into ‖u‖_∞ ≤ λ (always a valid lower bound)."""
    u = np.clip(u, -lam, lam)
    r = y - D.T @ u
    return 0.5 * float(y @ y) - 0.5 * float(r @ r)


def _finish(x, y, order, theta_sorted, u, lam, D, name, status, seconds, accurate, iters):
    """Our objective at θ, the certified bound at u, θ back in the caller's order."""
    theta = np.empty_like(theta_sorted)
    theta[order] = theta_sorted
    upper = sp.trend_filter_objective(x[order], y[order], theta_sorted, lam)
    lower = dual_lower_bound(D, y[order], u, lam)
    res = SolveResult(
        value=upper,
        solution={"theta": theta},
        status=status,
        solver=name,
        seconds=seconds,
        iterations=iters,
        accurate=accurate,
        certified_lower=lower,
        certified_gap=relative_gap(upper, lower),
        certifies="full",
    )
    return TrendFilterSolution(theta, upper, lower, np.clip(u, -lam, lam), res, {"solve": seconds})


def _solve_on_boundary(
    xs: np.ndarray, D: np.ndarray, ys: np.ndarray, bound: np.ndarray, sign: np.ndarray, lam: float
) -> tuple[np.ndarray, np.ndarray]:
    """(θ, u) for the boundary set B with signs ς: u_B = λς, u_I least squares.

    θ = y − λD_Bᵀς − D_Iᵀu_I is the projection of y − λD_Bᵀς onto null(D_I), the splines
    with knots only at B; computing it in that spline basis (rather than as y − Dᵀu) keeps
    its interior kinks exactly zero, so round-off does not leak into λ‖Dθ‖₁.
    """
    u = np.zeros(D.shape[0])
    u[bound] = lam * sign[bound]
    rhs = ys - D[bound].T @ u[bound]
    free = ~bound
    if np.any(free):
        u[free], *_ = np.linalg.lstsq(D[free].T, rhs, rcond=None)
    knots = xs[1:-1][bound]
    S = np.column_stack([np.ones_like(xs), xs - xs[0]] + [np.maximum(xs - t, 0.0) for t in knots])
    coef, *_ = np.linalg.lstsq(S, rhs, rcond=None)
    return S @ coef, u


def refine_active_set(
    xs: np.ndarray,
    D: np.ndarray,
    ys: np.ndarray,
    u0: np.ndarray,
    lam: float,
    max_rounds: int = 50,
) -> tuple[np.ndarray, np.ndarray]:
    """Finish the dual exactly: an active-set loop started from BVLS's boundary set.

    KKT for the box-constrained dual: interior u_i ∈ (−λ, λ) (then (Dθ)_i = 0 by the normal
    equations) and boundary u_k = λς_k with ς_k (Dθ)_k ≥ 0. Each round solves the
    equality-constrained least squares on the current boundary set exactly, then moves the
    worst violator (an interior |u_i| > λ joins the boundary, a boundary kink of the wrong
    sign leaves it). Ill-conditioned D (nearly coincident x) makes BVLS stop on a small
    relative cost change before KKT holds; this loop fixes that. Returns the point with the
    smallest certified gap seen (the certificate is checked by the caller either way).
    """
    bound = np.abs(u0) >= lam * (1.0 - 1e-9)
    sign = np.where(u0 >= 0, 1.0, -1.0)
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    for _ in range(max_rounds):
        theta, u = _solve_on_boundary(xs, D, ys, bound, sign, lam)
        gap = _dual_gap(D, ys, theta, u, lam)
        if best is None or gap < best[0]:
            best = (gap, theta, u)
        over = np.where(~bound, np.abs(u) - lam, -np.inf)
        kinks = D @ theta
        wrong = np.where(bound, -sign * kinks, -np.inf)
        i, k = int(np.argmax(over)), int(np.argmax(wrong))
        tol = 1e-12 * max(lam, 1.0)
        if over[i] <= tol and wrong[k] <= tol * max(1.0, float(np.max(np.abs(kinks)))):
            break
        if over[i] / lam >= wrong[k] / max(float(np.max(np.abs(kinks))), 1e-300):
            bound[i], sign[i] = True, np.sign(u[i])
        else:
            bound[k] = False
    assert best is not None
    return best[1], best[2]


def _dual_gap(D: np.ndarray, ys: np.ndarray, theta: np.ndarray, u: np.ndarray, lam: float):
    """Relative gap between ½‖y − θ‖² + λ‖Dθ‖₁ and the bound at u clipped."""
    r = ys - theta
    upper = 0.5 * float(r @ r) + lam * float(np.sum(np.abs(D @ theta)))
    return relative_gap(upper, dual_lower_bound(D, ys, u, lam))


def trend_filter_exact(x: np.ndarray, y: np.ndarray, lam: float) -> TrendFilterSolution:
    """Exact trend filtering through the box-constrained dual (BVLS), certified.

    BVLS's boundary set starts :func:`refine_active_set`, which finishes the KKT conditions
    exactly; the point with the smaller certified gap is returned.
    """
    x0 = np.asarray(x, dtype=float).reshape(-1)
    y0 = np.asarray(y, dtype=float).reshape(-1)
    xs, ys, order = _prepare(x0, y0)
    D = sp.difference_operator(xs)
    start = time.perf_counter()
    if D.shape[0] == 0 or lam == 0:
        u = np.zeros(D.shape[0])
        status, iters = "optimal", 0
    else:
        res = lsq_linear(D.T, ys, bounds=(-lam, lam), method="bvls", tol=1e-14, max_iter=None)
        u = res.x
        status, iters = ("optimal" if res.status > 0 else f"bvls_status_{res.status}"), res.nit
    theta_s = ys - D.T @ np.clip(u, -lam, lam)
    if D.shape[0] > 0 and lam > 0:
        theta_p, u_p = refine_active_set(xs, D, ys, u, lam)
        if _dual_gap(D, ys, theta_p, u_p, lam) < _dual_gap(D, ys, theta_s, u, lam):
            theta_s, u = theta_p, u_p
    seconds = time.perf_counter() - start
    return _finish(
        x0, y0, order, theta_s, u, lam, D, "BVLS", status, seconds, status == "optimal", iters
    )


def _dual_from_primal(D: np.ndarray, ys: np.ndarray, theta: np.ndarray, lam: float) -> np.ndarray:
    """u with Dᵀu ≈ y − θ: least squares (Dᵀ has full column rank), later clipped."""
    u, *_ = np.linalg.lstsq(D.T, ys - theta, rcond=None)
    return u


def trend_filter_cvxpy(
    x: np.ndarray, y: np.ndarray, lam: float, solver: str = "auto"
) -> TrendFilterSolution:
    """Trend filtering as a CVXPY program, certified with a dual point built from its θ."""
    x0 = np.asarray(x, dtype=float).reshape(-1)
    y0 = np.asarray(y, dtype=float).reshape(-1)
    xs, ys, order = _prepare(x0, y0)
    D = sp.difference_operator(xs)
    name = resolve_solver(solver)
    theta = cp.Variable(xs.shape[0])
    problem = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(ys - theta) + lam * cp.norm1(D @ theta)))
    facts = solve_problem(problem, name)
    th = ys.copy() if theta.value is None else np.asarray(theta.value, dtype=float)
    u = _dual_from_primal(D, ys, th, lam)
    return _finish(
        x0,
        y0,
        order,
        th,
        u,
        lam,
        D,
        name,
        facts["status"],
        facts["seconds"],
        facts["accurate"],
        facts["iterations"],
    )
