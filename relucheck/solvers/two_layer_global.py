"""Global optimum of a two-layer ReLU network with a certificate (claims.md, CE).

One pipeline shared by the CE claim and ``relucheck solve two-layer``: solve the convex
program over a pattern set, map the solution back to a network, prune it (Carathéodory),
evaluate the network's TRUE objective, and certify it from a dual point we check ourselves.

    dual lower bound  ≤  p_cvx  ≤  objective of the reconstructed network

Both ends are computed by the project; the solver's status only decides whether the solve
is ``accurate`` (an inaccurate solve makes checks INCONCLUSIVE).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from relucheck.models.arrangements.patterns import PatternSet
from relucheck.models.two_layer.certificate import (
    DualCertificate,
    hinge_loss_certificate,
    relative_gap,
    squared_loss_certificate,
)
from relucheck.models.two_layer.convex_program import (
    single_neuron_program,
    two_layer_convex_program,
)
from relucheck.models.two_layer.network import forward, objective
from relucheck.models.two_layer.reconstruction import prune_neurons, reconstruct_network
from relucheck.solvers.backends import FAST_NAMES, resolve_solver, solve_problem
from relucheck.solvers.result import SolveResult

#: ``auto`` hands the CE program (squared loss, with cone constraints) to the project's own
#: solver when n·P reaches this. Measured 2026-11-22 (one BLAS thread, whole solve): the fast
#: solver is ahead at every size tried — 1.4× at n·P = 2 500, 2.4× at 10⁴, 9–15× at 2·10⁴,
#: 6× / 45× on pure-noise targets at n = 200 / 500 (P = 200), 76× at n = 1000 (make bench).
#: The threshold is therefore a coverage choice, not a speed one: below it both take about
#: a second, and the claim quick profiles (n·P < 10⁵) keep exercising the CVXPY formulation
#: that the planted CE defects of ``make mutants`` target; the fast path has mutants of its
#: own, run with ``--solver fast``.
AUTO_FAST_MIN_SIZE = 100_000


def uses_fast_solver(solver: str, n: int, P: int, loss: str, cone_constraints: bool) -> bool:
    """Whether the CE program goes to :mod:`relucheck.solvers.fast_two_layer`.

    It covers the squared loss with cone constraints. ``fast`` asks for it there and falls
    back to Clarabel elsewhere (hinge loss, the gated control) — the result's ``solver``
    field says which ran; ``auto`` picks it at n·P ≥ AUTO_FAST_MIN_SIZE.
    """
    if loss != "squared" or not cone_constraints:
        return False
    key = solver.lower()
    return key in FAST_NAMES or (key == "auto" and n * P >= AUTO_FAST_MIN_SIZE)


@dataclass
class GlobalSolution:
    """A solved convex program together with its network and certificate."""

    result: SolveResult
    U: np.ndarray  # reconstructed network, every nonzero group
    alpha: np.ndarray
    U_pruned: np.ndarray
    alpha_pruned: np.ndarray
    objective: float  # true network objective of the reconstruction (an upper bound on p_cvx)
    objective_pruned: float
    certificate: DualCertificate | None
    timings: dict[str, float] = field(default_factory=dict)
    work: dict[str, int] = field(default_factory=dict)  # the fast solver's counts of each step

    @property
    def width(self) -> int:
        """Number of neurons after pruning."""
        return int(self.alpha_pruned.shape[0])


def network_objective(X, y, U, alpha, beta, loss) -> float:
    """True objective of a network; the empty network predicts zero."""
    if alpha.shape[0] == 0:
        return objective(X, y, np.zeros((X.shape[1], 1)), np.zeros(1), beta, loss=loss)
    return float(objective(X, y, U, alpha, beta, loss=loss))


def certify_network(
    X: np.ndarray,
    y: np.ndarray,
    beta: float,
    U: np.ndarray,
    alpha: np.ndarray,
    patterns: PatternSet,
    *,
    loss: str,
    hinge_multipliers: np.ndarray | None = None,
) -> DualCertificate:
    """Dual lower bound from the network's own fit (squared) or from hinge multipliers."""
    masks = patterns.without_zero().masks
    if loss == "squared":
        f = forward(X, U, alpha) if alpha.shape[0] else np.zeros(X.shape[0])
        return squared_loss_certificate(X, y, beta, y - f, masks, exact=patterns.exact)
    if hinge_multipliers is None:
        f = forward(X, U, alpha) if alpha.shape[0] else np.zeros(X.shape[0])
        hinge_multipliers = (y * f < 1.0).astype(float)
    return hinge_loss_certificate(X, y, beta, hinge_multipliers, masks, exact=patterns.exact)


def solve_two_layer(
    X: np.ndarray,
    y: np.ndarray,
    beta: float,
    patterns: PatternSet,
    *,
    loss: str = "squared",
    solver: str = "auto",
    cone_constraints: bool = True,
    time_limit: float | None = None,
) -> GlobalSolution:
    """Solve, reconstruct, prune and certify (claims.md CE). Raises SolverUnavailable.

    ``time_limit`` (seconds) applies to the fast solver, which then stops uncertified
    (``accurate`` False) rather than run on.
    """
    live = patterns.without_zero()
    if uses_fast_solver(solver, X.shape[0], live.count, loss, cone_constraints):
        return _solve_two_layer_fast(X, y, beta, live, time_limit)
    backend = resolve_solver(solver)
    masks = live.masks
    timings: dict[str, float] = {}

    start = time.perf_counter()
    problem, handles = two_layer_convex_program(
        X, y, beta, masks, loss=loss, cone_constraints=cone_constraints
    )
    facts = solve_problem(problem, backend)
    timings["convex_solve"] = time.perf_counter() - start

    d, P = X.shape[1], masks.shape[0]
    V = handles["V"].value if handles["V"].value is not None else np.zeros((d, P))
    W = handles["W"].value if handles["W"].value is not None else np.zeros((d, P))
    multipliers = None
    if loss == "hinge" and handles["margin"].dual_value is not None:
        multipliers = np.asarray(handles["margin"].dual_value, dtype=float)

    start = time.perf_counter()
    U, alpha = reconstruct_network(V, W)
    obj = network_objective(X, y, U, alpha, beta, loss)
    U_p, alpha_p = prune_neurons(X, U, alpha)
    obj_p = network_objective(X, y, U_p, alpha_p, beta, loss)
    timings["reconstruct_prune"] = time.perf_counter() - start

    start = time.perf_counter()
    cert = certify_network(X, y, beta, U, alpha, patterns, loss=loss, hinge_multipliers=multipliers)
    timings["certify"] = time.perf_counter() - start

    upper = min(obj, obj_p)
    result = SolveResult.from_cvxpy(
        problem,
        facts,
        backend,
        {"V": V, "W": W},
        upper=upper,
        lower=cert.lower,
        certifies=cert.certifies,
    )
    return GlobalSolution(result, U, alpha, U_p, alpha_p, obj, obj_p, cert, timings)


def _solve_two_layer_fast(
    X: np.ndarray, y: np.ndarray, beta: float, patterns: PatternSet, time_limit: float | None
) -> GlobalSolution:
    """The same pipeline with :func:`solve_working_set` in place of a conic backend.

    The certificate is the solver's own final one: a dual point s·r from the residual at
    its exactly feasible point, with gauge bounds the project computed over every pattern —
    the reconstructed network realizes that same point, so scanning again would repeat it.
    """
    from relucheck.solvers.fast_two_layer import masks_for
    from relucheck.solvers.two_layer_path import solve_with_continuation

    start = time.perf_counter()
    ws = solve_with_continuation(
        X, y, beta, masks_for(patterns), patterns.directions, time_limit=time_limit
    )
    return fast_solution(X, y, beta, patterns, ws, time.perf_counter() - start)


def fast_solution(
    X: np.ndarray, y: np.ndarray, beta: float, patterns: PatternSet, ws, seconds: float
) -> GlobalSolution:
    """Network, pruned network and certificate of a :class:`WorkingSetResult` ``ws``."""
    timings = {"convex_solve": seconds}
    timings.update({f"fast_{k}": v for k, v in ws.timings.items()})

    start = time.perf_counter()
    U, alpha = reconstruct_network(ws.V, ws.W)
    obj = network_objective(X, y, U, alpha, beta, "squared")
    U_p, alpha_p = prune_neurons(X, U, alpha)
    obj_p = network_objective(X, y, U_p, alpha_p, beta, "squared")
    timings["reconstruct_prune"] = time.perf_counter() - start

    scale = 1.0 if ws.gauge <= beta else beta / ws.gauge
    certifies = "full" if patterns.exact else "restricted"
    cert = DualCertificate(ws.lower, scale, ws.gauge, certifies)

    upper = min(obj, obj_p)
    result = SolveResult(
        value=ws.value,
        solution={"V": ws.V, "W": ws.W},
        status=ws.status,
        solver="FAST",
        seconds=timings["convex_solve"],
        iterations=ws.iterations,
        accurate=ws.accurate,
        certified_lower=cert.lower,
        certified_gap=relative_gap(upper, cert.lower),
        certifies=cert.certifies,
    )
    return GlobalSolution(result, U, alpha, U_p, alpha_p, obj, obj_p, cert, timings, ws.work)


def solve_two_layer_path(
    X: np.ndarray,
    y: np.ndarray,
    betas: Sequence[float],
    patterns: PatternSet,
    *,
    solver: str = "fast",
    time_limit: float | None = None,
    on_point: Callable[[float, GlobalSolution], None] | None = None,
) -> list[tuple[float, GlobalSolution]]:
    """(β, solution) for every β, largest first (claims.md CE, squared loss, cone constraints).

    ``fast`` / ``auto`` solve the path warm-started (:mod:`relucheck.solvers.two_layer_path`);
    a conic backend solves each β from scratch (the baseline the benchmarks compare with).
    Every point carries its own certificate. ``on_point(beta, solution)`` runs after each.
    """
    live = patterns.without_zero()
    out: list[tuple[float, GlobalSolution]] = []

    def keep(beta: float, sol: GlobalSolution) -> None:
        out.append((beta, sol))
        if on_point is not None:
            on_point(beta, sol)

    if solver.lower() in FAST_NAMES or solver.lower() == "auto":
        from relucheck.solvers.fast_two_layer import masks_for
        from relucheck.solvers.two_layer_path import solve_beta_path

        solve_beta_path(
            X, y, betas, masks_for(live), live.directions, time_limit=time_limit,
            on_point=lambda pt: keep(
                pt.beta, fast_solution(X, y, pt.beta, live, pt.result, pt.seconds)
            ),
        )  # fmt: skip
        return out
    for beta in sorted((float(b) for b in betas), reverse=True):
        keep(beta, solve_two_layer(X, y, beta, live, solver=solver, time_limit=time_limit))
    return out


@dataclass(frozen=True)
class WidthOneBounds:
    """Certified bracket on p(1), the exact width-1 optimum (claims.md CE control)."""

    lower: float
    upper: float
    accurate: bool
    solves: int


def width_one_bounds(
    X: np.ndarray,
    y: np.ndarray,
    beta: float,
    patterns: PatternSet,
    *,
    loss: str = "squared",
    solver: str = "auto",
) -> WidthOneBounds:
    """p(1) = min over patterns i and signs s of one convex group problem, each certified."""
    backend = resolve_solver(solver)
    masks = patterns.without_zero().masks
    problem, h = single_neuron_program(y, X.shape[1], beta, loss)
    lower, upper, accurate = np.inf, np.inf, True
    for mask in masks:
        DX = mask[:, None] * X
        h["A"].value = np.where(mask[:, None], X, -X)
        for s in (1, -1):
            h["SDX"].value = s * DX
            facts = solve_problem(problem, backend)
            accurate &= facts["accurate"]
            v = h["v"].value if h["v"].value is not None else np.zeros(X.shape[1])
            f = s * np.maximum(X @ v, 0.0)
            reg = beta * float(np.linalg.norm(v))
            if loss == "squared":
                upper = min(upper, 0.5 * float(np.sum((f - y) ** 2)) + reg)
                cert = squared_loss_certificate(
                    X, y, beta, y - f, mask[None], exact=True, signs=(s,)
                )
            else:
                upper = min(upper, float(np.sum(np.maximum(0.0, 1.0 - y * f))) + reg)
                a = h["margin"].dual_value
                a = np.asarray(a, dtype=float) if a is not None else (y * f < 1.0).astype(float)
                cert = hinge_loss_certificate(X, y, beta, a, mask[None], exact=True, signs=(s,))
            lower = min(lower, cert.lower)
    return WidthOneBounds(float(lower), float(upper), bool(accurate), 2 * len(masks))
