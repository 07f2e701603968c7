"""Global optimum of a path-regularized parallel ReLU network, with a certificate (claims.md PR).

One pipeline shared by the PR claim and ``relucheck solve path-regularized``: solve the
group program (relucheck.models.parallel.program) over a group set, map the solution to a
parallel network, prune it (Carathéodory over sub-networks), evaluate the network's TRUE
objective, and certify it from a dual point checked by the project:

    dual lower bound  ≤  p_cvx  ≤  objective of the reconstructed network.

The lower bound covers the full problem only for an exact group enumeration
(``certificate.certifies == "full"``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import cvxpy as cp
import numpy as np

from relucheck.models.parallel.certificate import (
    group_gauges,
    path_certificate,
    screening_lower_bounds,
)
from relucheck.models.parallel.groups import GroupSet
from relucheck.models.parallel.network import forward, objective
from relucheck.models.parallel.program import group_blocks, path_convex_program
from relucheck.models.parallel.reconstruction import prune_subnetworks, reconstruct_parallel
from relucheck.models.two_layer.certificate import DualCertificate, relative_gap
from relucheck.solvers.backends import FAST_NAMES, resolve_solver, solve_problem
from relucheck.solvers.fast_path import solve_path_fast
from relucheck.solvers.result import SolveResult

__all__ = [
    "PathSolution",
    "network_objective",
    "solve_path_regularized",
    "SingleSubnetworkBounds",
    "single_subnetwork_bounds",
]


@dataclass
class PathSolution:
    """A solved PR program with its parallel network and certificate."""

    result: SolveResult
    W: np.ndarray  # (K, d, m) every nonzero group
    v: np.ndarray
    s: np.ndarray
    group_index: np.ndarray  # (K,) the group of each sub-network
    W_pruned: np.ndarray
    v_pruned: np.ndarray
    s_pruned: np.ndarray
    objective: float  # true objective of the reconstruction (an upper bound on p(K))
    objective_pruned: float
    certificate: DualCertificate
    group_norms: np.ndarray  # (G,) ‖Z_g‖_F at the solver's point
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def width(self) -> int:
        """Number of sub-networks after pruning."""
        return int(self.s_pruned.shape[0])


def network_objective(X, y, W, v, s, beta) -> float:
    """True objective of a parallel network; the empty network predicts zero."""
    if s.shape[0] == 0:
        return 0.5 * float(np.sum(np.asarray(y) ** 2))
    return float(objective(X, y, W, v, s, beta))


def solve_path_regularized(
    X: np.ndarray,
    y: np.ndarray,
    beta: float,
    groups: GroupSet,
    *,
    solver: str = "auto",
    second_layer_cone: bool = True,
) -> PathSolution:
    """Solve, reconstruct, prune and certify (claims.md PR). Raises SolverUnavailable.

    ``solver="fast"``: the project's interior-point solver (relucheck.solvers.fast_path),
    whose own certificate (gauge bounds over every group) is kept; when it does not certify
    its point (polish failed, a group not restorable, gap above its tolerance) the program
    is solved by Clarabel instead and certified as below — never a certificate on the fast
    solver's word. Every other choice: CVXPY with that backend.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    timings: dict[str, float] = {}
    fast = None
    if solver.lower() in FAST_NAMES:
        start = time.perf_counter()
        fast = solve_path_fast(X, y, beta, groups, second_layer_cone=second_layer_cone)
        timings["convex_solve"] = time.perf_counter() - start
        if fast.certified:
            return _finish(X, y, beta, groups, fast.z, timings, fast=fast)
    backend = resolve_solver(solver)
    start = time.perf_counter()
    problem, h = path_convex_program(X, y, beta, groups, second_layer_cone=second_layer_cone)
    facts = solve_problem(problem, backend)
    timings["convex_solve"] = timings.get("convex_solve", 0.0) + time.perf_counter() - start
    if fast is not None:
        facts["status"] = f"{facts['status']} (fast solver: {fast.status}; Clarabel fallback)"
    dm = X.shape[1] * groups.m
    z = h["z"].value if h["z"].value is not None else np.zeros(groups.count * dm)
    return _finish(X, y, beta, groups, z, timings, cvxpy=(problem, facts, backend))


def _finish(X, y, beta, groups, z, timings, *, fast=None, cvxpy=None) -> PathSolution:
    """Reconstruct, prune and certify a solution z of the group program."""
    dm = X.shape[1] * groups.m
    norms = np.linalg.norm(z.reshape(groups.count, dm), axis=1)
    start = time.perf_counter()
    W, v, s, idx = reconstruct_parallel(groups, z)
    obj = network_objective(X, y, W, v, s, beta)
    Wp, vp, sp_ = prune_subnetworks(X, W, v, s)
    obj_p = network_objective(X, y, Wp, vp, sp_, beta)
    timings["reconstruct_prune"] = time.perf_counter() - start

    start = time.perf_counter()
    certifies = "full" if groups.exact else "restricted"
    if fast is not None:
        # the fast solver's bound: its dual point s·r passed its own scan of every group
        cert = DualCertificate(fast.lower, fast.scale, fast.gauge, certifies)
        result = SolveResult(
            value=fast.value,
            solution={"z": z},
            status=fast.status,
            solver="fast",
            seconds=fast.timings["total"],
            iterations=fast.iterations,
            accurate=fast.certified,
            certified_lower=cert.lower,
            certified_gap=relative_gap(min(obj, obj_p), cert.lower),
            certifies=certifies,
        )
    else:
        f = forward(X, W, v, s) if s.shape[0] else np.zeros_like(y)
        cert = path_certificate(y, beta, y - f, groups)
        problem, facts, backend = cvxpy
        result = SolveResult.from_cvxpy(
            problem,
            facts,
            backend,
            {"z": z},
            upper=min(obj, obj_p),
            lower=cert.lower,
            certifies=cert.certifies,
        )
    timings["certify"] = time.perf_counter() - start
    return PathSolution(result, W, v, s, idx, Wp, vp, sp_, obj, obj_p, cert, norms, timings)


@dataclass(frozen=True)
class SingleSubnetworkBounds:
    """Certified bracket on p(1), the optimum with ONE sub-network (claims.md PR control)."""

    lower: float
    upper: float
    accurate: bool
    solves: int
    screened: int  # groups whose cheap bound already exceeded the threshold


def single_subnetwork_bounds(
    X: np.ndarray,
    y: np.ndarray,
    beta: float,
    groups: GroupSet,
    *,
    threshold: float,
    solver: str = "auto",
) -> SingleSubnetworkBounds:
    """p(1) = min_g min_{Z ∈ C_g} ½‖L_g Z − y‖² + β‖Z‖_F, bracketed with certificates.

    Groups whose cheap certified bound (dual point s·y) exceeds ``threshold`` are not
    solved: their contribution to the minimum is at least that bound. The others are solved
    one by one (one compiled CVXPY problem with parameters) and certified from their own
    residual. The lower end is a bound on p(1) over ALL sub-networks only for exact groups.
    """
    backend = resolve_solver(solver)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, dm = X.shape[0], X.shape[1] * groups.m
    screen = screening_lower_bounds(y, beta, groups, threshold)
    todo = np.flatnonzero(screen <= threshold)
    lower = float(screen.min(initial=np.inf)) if todo.size == 0 else np.inf
    lower = min(lower, float(np.min(screen[screen > threshold], initial=np.inf)))
    upper = 0.5 * float(y @ y)  # the empty network
    blocks = [group_blocks(groups, int(g)) for g in todo]
    rows = max((A.shape[0] for _, A in blocks), default=1)
    Lp = cp.Parameter((n, dm))
    Ap = cp.Parameter((rows, dm))
    zv = cp.Variable(dm)
    prob = cp.Problem(
        cp.Minimize(0.5 * cp.sum_squares(Lp @ zv - y) + beta * cp.norm(zv, 2)), [Ap @ zv >= 0]
    )
    accurate = True
    for g, (L, A) in zip(todo, blocks, strict=True):
        Lp.value = L
        Ap.value = np.vstack([A, np.zeros((rows - A.shape[0], dm))])
        facts = solve_problem(prob, backend)
        accurate &= facts["accurate"]
        zg = zv.value if zv.value is not None else np.zeros(dm)
        Z = zg.reshape(groups.m, X.shape[1]).T[None]
        sub = (Z, groups.eps[g][None], groups.sigma[g][None])
        upper = min(upper, network_objective(X, y, *sub, beta))
        f = forward(X, *sub)
        r = y - f
        gam = float(group_gauges(r, groups.take(np.array([g])))[0])
        sc = 1.0 if gam <= beta else beta / gam
        lower = min(lower, 0.5 * float(y @ y) - 0.5 * float(np.sum((y - sc * r) ** 2)))
    lower = min(lower, upper)
    return SingleSubnetworkBounds(
        float(lower), float(upper), bool(accurate), int(todo.size), int(groups.count - todo.size)
    )
