"""The solver seam: a user's solver for the CE program, judged by the project (claims.md CE).

A solver plug-in is any object with

* ``name: str`` — what ``--solver NAME`` selects (not a built-in name);
* ``available() -> tuple[bool, str]`` — whether it can run here, and why not; never raises;
* ``solve(program: CEProgram, time_limit: float | None) -> (V, W)`` — its primal point, two
  ``(d, P)`` arrays, column i for the pattern of ``program.gates[i]``.

:class:`CEProgram` is the convex program of claims.md CE restricted to a pattern set,

    min ½‖Σ_i D_i X (v_i − w_i) − y‖² + β Σ_i (‖v_i‖ + ‖w_i‖)
    s.t. (2D_i − I) X v_i ≥ 0, (2D_i − I) X w_i ≥ 0,

with D_i = diag(masks[i]) and gate g_i = gates[i] (the pattern of g_i is D_i).

The plug-in's word is not taken for anything. :func:`solve_with_plugin` restores feasibility
(each column moved onto its cone, :func:`relucheck.solvers.feasibility.restore_feasibility`),
reconstructs and prunes the network, and reports the network's TRUE objective with the
project's dual certificate from its residual, exactly as pyscnn and adelie are judged in
``make bench-peers``. ``accurate`` is True only when that certified gap is ≤ CERTIFIED_GAP, so
no plug-in is credited with an accuracy it did not reach.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from relucheck.models.arrangements.patterns import PatternSet
from relucheck.models.two_layer.certificate import DualCertificate, relative_gap
from relucheck.models.two_layer.reconstruction import prune_neurons, reconstruct_network
from relucheck.solvers.feasibility import restore_feasibility
from relucheck.solvers.result import CERTIFIED_GAP, SolveResult
from relucheck.solvers.two_layer_global import GlobalSolution, certify_network, network_objective


@dataclass(frozen=True)
class CEProgram:
    """The CE program over a pattern set: data, targets, β, gates ``(P, d)``, masks ``(P, n)``.

    The arrays are read-only copies: a plug-in cannot change the project's data.
    """

    X: np.ndarray
    y: np.ndarray
    beta: float
    gates: np.ndarray
    masks: np.ndarray

    @classmethod
    def from_patterns(
        cls, X: np.ndarray, y: np.ndarray, beta: float, patterns: PatternSet
    ) -> CEProgram:
        def frozen(a: np.ndarray) -> np.ndarray:
            out = np.array(a, copy=True)
            out.setflags(write=False)
            return out

        return cls(
            frozen(np.asarray(X, dtype=float)),
            frozen(np.asarray(y, dtype=float)),
            float(beta),
            frozen(patterns.directions),
            frozen(patterns.masks),
        )


@runtime_checkable
class Solver(Protocol):
    """What a solver plug-in provides (see the module docstring)."""

    name: str

    def available(self) -> tuple[bool, str]: ...

    def solve(self, program: CEProgram, time_limit: float | None) -> Any: ...


def solver_problems(obj: Any) -> list[str]:
    """What is wrong with ``obj`` as a solver plug-in at registration."""
    problems = []
    name = getattr(obj, "name", None)
    if not isinstance(name, str) or not name.strip() or any(c.isspace() for c in name):
        problems.append("name must be a non-empty string without spaces")
    for attr in ("available", "solve"):
        if not callable(getattr(obj, attr, None)):
            problems.append(f"{attr} is not callable")
    return problems


def availability(solver: Any) -> tuple[bool, str]:
    """``solver.available()``, with a raise or a malformed answer reported as unavailable."""
    try:
        answer = solver.available()
        ok, reason = answer
    except Exception as exc:  # noqa: BLE001  (the contract says never raise; we enforce it)
        return False, f"available() raised {type(exc).__name__}: {exc}"
    return bool(ok), str(reason)


def _primal(answer: Any, d: int, P: int) -> tuple[np.ndarray, np.ndarray, str]:
    """(V, W, problem): the plug-in's point as (d, P) float arrays, or zeros and what was wrong."""
    try:
        V, W = answer
        V, W = np.asarray(V, dtype=float), np.asarray(W, dtype=float)
    except (TypeError, ValueError):
        return np.zeros((d, P)), np.zeros((d, P)), "solve() did not return a pair (V, W)"
    if V.shape != (d, P) or W.shape != (d, P):
        got = f"{V.shape} and {W.shape}"
        return np.zeros((d, P)), np.zeros((d, P)), f"solve() returned shapes {got}, not {(d, P)}"
    if not (np.all(np.isfinite(V)) and np.all(np.isfinite(W))):
        return np.zeros((d, P)), np.zeros((d, P)), "solve() returned non-finite weights"
    return V, W, ""


def solve_with_plugin(
    X: np.ndarray,
    y: np.ndarray,
    beta: float,
    patterns: PatternSet,
    solver: Any,
    *,
    time_limit: float | None = None,
) -> GlobalSolution:
    """The CE pipeline with a plug-in's primal point, judged by our objective and certificate.

    A malformed answer (wrong shapes, NaN, an exception) is judged as the zero point and
    marked inaccurate, with the reason in ``result.status``.
    """
    live = patterns.without_zero()
    program = CEProgram.from_patterns(X, y, beta, live)
    d, P = X.shape[1], live.count
    start = time.perf_counter()
    try:
        answer = solver.solve(program, time_limit)
        V, W, problem = _primal(answer, d, P)
    except Exception as exc:  # noqa: BLE001  (a plug-in's crash is a fact of the result)
        V, W, problem = np.zeros((d, P)), np.zeros((d, P)), f"solve() raised {exc!r}"
    seconds = time.perf_counter() - start

    gates = live.directions.T
    timings = {"convex_solve": seconds}
    start = time.perf_counter()
    V, W = restore_feasibility(X, gates, V), restore_feasibility(X, gates, W)
    U, alpha = reconstruct_network(V, W)
    obj = network_objective(X, y, U, alpha, beta, "squared")
    U_p, alpha_p = prune_neurons(X, U, alpha)
    obj_p = network_objective(X, y, U_p, alpha_p, beta, "squared")
    timings["reconstruct_prune"] = time.perf_counter() - start
    start = time.perf_counter()
    cert: DualCertificate = certify_network(X, y, beta, U, alpha, live, loss="squared")
    timings["certify"] = time.perf_counter() - start

    upper = min(obj, obj_p)
    gap = relative_gap(upper, cert.lower)
    result = SolveResult(
        value=upper,
        solution={"V": V, "W": W},
        status=problem or "judged",
        solver=f"plugin:{solver.name}",
        seconds=seconds,
        accurate=not problem and gap <= CERTIFIED_GAP,
        certified_lower=cert.lower,
        certified_gap=gap,
        certifies=cert.certifies,
    )
    return GlobalSolution(result, U, alpha, U_p, alpha_p, obj, obj_p, cert, timings)
