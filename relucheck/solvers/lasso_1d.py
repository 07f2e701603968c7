"""Exact 1-D ramp-dictionary programs through CVXPY, certified by our own dual points.

* :func:`solve_ramp_lasso` — min_{z,γ} ½‖Az + Bγ − y‖² + β‖z‖₁ (claims.md LASSO-1D; with
  ``skip=True`` the free part is [1, x], SR 2). The lower bound comes from
  :func:`relucheck.models.univariate.ramp_lasso.certificate` at the returned residual.
* :func:`min_norm_interpolation` — min ‖z‖₁ s.t. Az + Bγ = y, the interpolation cost of
  claims.md SR 2 with or without a skip connection. Certified on both sides: the upper
  bound is ‖z‖₁ of an EXACTLY interpolating z (the solver's z plus a correction solved in a
  triangular basis of data ramps), the lower bound νᵀy from the solver's equality dual
  projected off range(B) and scaled into ‖Aᵀν‖_∞ ≤ 1.

Breakpoints default to the distinct data points (claims.md LASSO-1D).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cvxpy as cp
import numpy as np

from relucheck.models.two_layer.certificate import relative_gap
from relucheck.models.univariate import ramp_lasso as rl
from relucheck.solvers.backends import resolve_solver, solve_problem
from relucheck.solvers.result import SolveResult


@dataclass
class RampLassoSolution:
    """The solved program, our re-evaluated objective and certificate."""

    breakpoints: np.ndarray  # (T,)
    z: np.ndarray  # (2T,) or (T,) coefficients of the ramps
    gamma: np.ndarray  # free part: (ξ,) or (c_0, c)
    objective: float  # re-evaluated at (z, γ) with γ re-optimized
    fitted: np.ndarray  # A z + B γ at the data
    certificate: rl.LassoCertificate
    result: SolveResult
    skip: bool
    timings: dict[str, float] = field(default_factory=dict)
    both: bool = True  # reflected ramps σ(t − x) in the dictionary too

    def evaluate(self, points: np.ndarray) -> np.ndarray:
        """The optimal function A(points) z + B(points) γ anywhere on the line."""
        A = rl.ramp_dictionary(points, self.breakpoints, both=self.both)
        return A @ self.z + rl.free_basis(points, self.skip) @ self.gamma

    @property
    def lower(self) -> float:
        return self.certificate.lower

    @property
    def gap(self) -> float:
        return relative_gap(self.objective, self.certificate.lower)


def solve_ramp_lasso(
    x: np.ndarray,
    y: np.ndarray,
    beta: float,
    breakpoints: np.ndarray | None = None,
    *,
    skip: bool = False,
    both: bool = True,
    solver: str = "auto",
) -> RampLassoSolution:
    """Solve and certify the ramp Lasso; ``breakpoints`` None means the distinct data points."""
    x = np.asarray(x, dtype=float).reshape(-1)
    y = np.asarray(y, dtype=float).reshape(-1)
    t = np.unique(x) if breakpoints is None else np.asarray(breakpoints, dtype=float)
    A = rl.ramp_dictionary(x, t, both=both)
    B = rl.free_basis(x, skip)
    name = resolve_solver(solver)
    z = cp.Variable(A.shape[1])
    g = cp.Variable(B.shape[1])
    problem = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(A @ z + B @ g - y) + beta * cp.norm1(z)))
    facts = solve_problem(problem, name)
    zv = np.zeros(A.shape[1]) if z.value is None else np.asarray(z.value, dtype=float)
    gamma = rl.best_free_part(A, B, y, zv)
    value = rl.objective(A, B, y, beta, zv, gamma)
    fitted = A @ zv + B @ gamma
    cert = rl.certificate(A, B, y, beta, y - fitted)
    result = SolveResult.from_cvxpy(
        problem,
        facts,
        name,
        {"z": zv, "gamma": gamma},
        upper=value,
        lower=cert.lower,
        certifies="full",
    )
    return RampLassoSolution(
        t, zv, gamma, value, fitted, cert, result, skip, {"solve": facts["seconds"]}, both
    )


def _exact_interpolation_fix(x: np.ndarray, t: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Ramp coefficients δz (over ``t``'s right ramps) and a constant with Aδz + δξ = e exactly.

    Needs every distinct data point among the breakpoints. With sorted distinct data
    u_1 < … < u_k the ramps σ(x − u_j), j < k, and the constant form a triangular basis of
    functions on the data, so any e (given per data point) is matched by a linear spline.
    """
    u = np.unique(x)
    vals = np.array([e[x == ui].mean() for ui in u])
    slopes = np.diff(vals) / np.diff(u)
    changes = np.diff(np.concatenate([[0.0], slopes]))  # kink at u_j, j < k
    dz = np.zeros(2 * t.shape[0])
    for uj, ch in zip(u[:-1], changes, strict=True):
        dz[int(np.flatnonzero(t == uj)[0])] += ch
    return dz, vals[0]


@dataclass(frozen=True)
class InterpolationCost:
    """Certified bracket on min ‖z‖₁ s.t. Az + Bγ = y."""

    lower: float
    upper: float
    z: np.ndarray
    gamma: np.ndarray
    result: SolveResult

    @property
    def value(self) -> float:
        return self.upper


def min_norm_interpolation(
    x: np.ndarray,
    y: np.ndarray,
    breakpoints: np.ndarray | None = None,
    *,
    skip: bool,
    solver: str = "auto",
) -> InterpolationCost:
    """min ‖z‖₁ over ramps at ``breakpoints`` (must contain the data) interpolating y exactly."""
    x = np.asarray(x, dtype=float).reshape(-1)
    y = np.asarray(y, dtype=float).reshape(-1)
    t = np.unique(x) if breakpoints is None else np.unique(np.asarray(breakpoints, dtype=float))
    if not np.all(np.isin(np.unique(x), t)):
        raise ValueError("breakpoints must contain every data point")
    A = rl.ramp_dictionary(x, t)
    B = rl.free_basis(x, skip)
    name = resolve_solver(solver)
    z = cp.Variable(A.shape[1])
    g = cp.Variable(B.shape[1])
    constraint = A @ z + B @ g == y
    problem = cp.Problem(cp.Minimize(cp.norm1(z)), [constraint])
    facts = solve_problem(problem, name)
    zv = np.zeros(A.shape[1]) if z.value is None else np.asarray(z.value, dtype=float)
    gamma = rl.best_free_part(A, B, y, zv)
    e = y - A @ zv - B @ gamma
    dz, dxi = _exact_interpolation_fix(x, t, e)
    zv = zv + dz
    gamma = gamma.copy()
    gamma[0] += dxi
    upper = float(np.sum(np.abs(zv)))
    # Lower bound: ν ⊥ range(B), ‖Aᵀν‖_∞ ≤ 1  ⇒  ‖z‖₁ ≥ νᵀAz = νᵀy for every interpolant.
    dual = constraint.dual_value
    lower = 0.0
    if dual is not None:
        nu = rl.project_off(B, np.asarray(dual, dtype=float).reshape(-1))
        for cand in (nu, -nu):
            gauge = float(np.max(np.abs(A.T @ cand)))
            if gauge > 0:
                lower = max(lower, float(cand @ y) / gauge)
    result = SolveResult.from_cvxpy(
        problem,
        facts,
        name,
        {"z": zv, "gamma": gamma},
        upper=upper,
        lower=lower,
        certifies="full",
    )
    return InterpolationCost(lower, upper, zv, gamma, result)
