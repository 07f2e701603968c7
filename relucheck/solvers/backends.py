"""Conic backends through CVXPY: Clarabel (default), SCS, and MOSEK when licensed.

MOSEK is optional. CVXPY lists it as installed even without a license, and the failure
then surfaces as a raw ``mosek.Error`` (code 1008) at solve time, so the license is probed
once, up front, by :func:`probe_mosek`. A MOSEK request without a license raises
:class:`SolverUnavailable` carrying the reason; checks turn that into a SKIPPED row.
"""

from __future__ import annotations

import functools
import importlib.util
import time
import warnings
from typing import Any

import cvxpy as cp

from relucheck.solvers.choices import CONIC_SOLVERS as SOLVER_NAMES
from relucheck.solvers.choices import FAST_NAMES, SOLVER_CHOICES

#: Tolerances per backend. Clarabel's and MOSEK's defaults are ~1e-8 already; SCS's default
#: (~1e-4) is too loose even for a cross-check, so it is tightened (and stays a cross-check).
SOLVER_OPTIONS: dict[str, dict[str, Any]] = {
    "CLARABEL": {},
    "MOSEK": {},
    "SCS": {"eps_abs": 1e-9, "eps_rel": 1e-9, "max_iters": 200_000},
}


class SolverUnavailable(RuntimeError):
    """The requested backend cannot run here (e.g. no MOSEK license); ``str`` is the reason."""


@functools.cache
def probe_mosek() -> tuple[bool, str]:
    """Whether MOSEK can solve here, and why not. Probed once per process (cached).

    The license path variable (``MOSEKLM_LICENSE_FILE``) is read by MOSEK when it is first
    imported, so it must be set before the process starts.
    """
    if importlib.util.find_spec("mosek") is None:
        return False, "MOSEK not installed (pip install 'relucheck[mosek]')"
    try:
        import mosek

        env = mosek.Env()
        env.checkoutlicense(mosek.feature.pts)
    except Exception as exc:  # mosek.Error has no common base we can name without importing
        text = str(exc).strip() or type(exc).__name__
        return False, f"no MOSEK license ({text})"
    return True, "licensed"


def solver_facts() -> dict[str, Any]:
    """Facts about the available backends, for the environment record of a run."""
    licensed, reason = probe_mosek()
    return {
        "conic_default": "CLARABEL",
        "mosek_license": licensed,
        "mosek_reason": reason,
        "cvxpy_solvers": sorted(cp.installed_solvers()),
    }


def resolve_solver(choice: str) -> str:
    """CVXPY solver name for a command-line choice; ``auto`` (and ``fast``) mean Clarabel.

    ``fast`` selects the project's own solver only where it applies — the CE program, in
    :func:`relucheck.solvers.two_layer_global.solve_two_layer`; programs it does not cover
    are solved by Clarabel.

    Raises :class:`SolverUnavailable` for MOSEK without a license and ``ValueError`` for an
    unknown name.
    """
    key = choice.lower()
    if key == "auto" or key in FAST_NAMES:
        return "CLARABEL"
    if key not in SOLVER_NAMES:
        raise ValueError(f"unknown solver {choice!r} (choose {', '.join(SOLVER_CHOICES)})")
    if key == "mosek":
        licensed, reason = probe_mosek()
        if not licensed:
            raise SolverUnavailable(reason)
    return SOLVER_NAMES[key]


def solve_problem(problem: cp.Problem, solver: str) -> dict[str, Any]:
    """Solve a CVXPY problem; return status facts without trusting them for certification.

    ``accurate`` is True only for status ``optimal``; ``optimal_inaccurate``, infeasible,
    unbounded and solver errors are all reported as inaccurate.
    """
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            # CVXPY warns on inaccurate solves; the status below already says so.
            warnings.filterwarnings("ignore", message="Solution may be inaccurate")
            problem.solve(solver=solver, **SOLVER_OPTIONS.get(solver, {}))
        status = str(problem.status)
    except cp.error.SolverError as exc:
        status = f"solver_error: {exc}"
    except Exception as exc:  # raw mosek.Error and friends must not crash a run
        if type(exc).__module__.startswith("mosek"):
            status = f"solver_error: {exc}"
        else:
            raise
    seconds = time.perf_counter() - start
    iterations = None
    stats = problem.solver_stats if status == "optimal" or "inaccurate" in status else None
    if stats is not None and stats.num_iters is not None:
        iterations = int(stats.num_iters)
    return {
        "status": status,
        "seconds": seconds,
        "iterations": iterations,
        "accurate": status == cp.OPTIMAL,
    }
