"""CE's equivalence checks: the convex program over all patterns is solved, certified and
attained by a pruned ReLU network.

Statement (claims.md CE): the number of activation patterns is Cover's count (≤ its bound);
the reconstruction from the group-lasso solution attains p_cvx; our own dual point certifies
it over ALL patterns; Carathéodory pruning leaves m* ≤ n + 1 neurons without raising the
objective; MOSEK, when licensed, finds the same optimum.

Instances: every CE instance (``spec.instances``); ``check`` in the package runs these on
the solution of the full-pattern program.

Checks:
  pattern_count          exact count = Cover's count (general position), ≤ the bound always
  reconstruction_attains reconstructed network's true objective = solver's p_cvx (1e-6 rel)
  certified_gap          (network objective − dual lower bound)/objective ≤ 1e-6, full patterns
  pruned_width           pruned width ≤ n + 1 and pruning did not raise the objective
  mosek_cross_check      MOSEK's optimum agrees to 1e-6 rel (SKIPPED without a license)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from relucheck.harness.records import CheckResult, Verdict, held
from relucheck.models.arrangements.patterns import cover_bound, cover_count, is_general_position
from relucheck.solvers.backends import probe_mosek
from relucheck.solvers.two_layer_global import solve_two_layer
from relucheck.theorems.common import REL_TOL, at_most_row, held_row
from relucheck.theorems.convex_equivalence.spec import RELATIONS, skipped


def check_pattern_count(X: np.ndarray, patterns, seconds: float) -> CheckResult:
    """Exact count = 2 Σ_{k<r} C(n−1, k) in general position; ≤ 2r(e(n−1)/r)^r always."""
    n, r = X.shape[0], patterns.rank
    formula, bound = cover_count(n, r), cover_bound(n, r)
    general = is_general_position(X)
    data = {
        "count": patterns.count,
        "formula": formula,
        "bound": bound,
        "rank": r,
        "general_position": general,
        "method": patterns.method,
        "exact": patterns.exact,
    }
    timings = {"enumerate": seconds}
    if not patterns.exact:
        return held(
            "pattern_count",
            False,
            "pattern set is an exact enumeration",
            reason="patterns are sampled, not enumerated",
            data=data,
            timings=timings,
        )
    if general:
        ok = patterns.count == formula and patterns.count <= bound
        return held_row(
            RELATIONS,
            "pattern_count",
            ok,
            value=patterns.count,
            tolerance=0.0,
            margin=float(formula - patterns.count),
            data=data,
            timings=timings,
        )
    ok = patterns.count <= formula and patterns.count <= bound
    return held(
        "pattern_count",
        ok,
        "count <= 2*sum_{k<r} C(n-1,k) (not in general position)",
        value=patterns.count,
        tolerance=0.0,
        margin=float(formula - patterns.count),
        data=data,
        timings=timings,
    )


def check_reconstruction(sol, facts: dict[str, Any]) -> CheckResult:
    """The reconstructed network (true ReLU) attains the solver's convex optimum."""
    err = abs(sol.objective - sol.result.value) / max(abs(sol.result.value), 1e-300)
    return at_most_row(
        RELATIONS,
        "reconstruction_attains",
        err,
        REL_TOL,
        timings=dict(sol.timings),
        data={
            **facts,
            "p_cvx_solver": sol.result.value,
            "network_objective": sol.objective,
            "neurons": int(sol.alpha.shape[0]),
        },
    )


def check_certified_gap(sol, facts: dict[str, Any]) -> CheckResult:
    """(upper − certified lower)/upper ≤ 1e-6, the lower bound built from our own dual point."""
    gap = sol.result.certified_gap
    cert = sol.certificate
    data = {
        **facts,
        "upper": sol.objective,
        "lower": cert.lower,
        "dual_scale": cert.scale,
        "gauge": cert.gauge,
        "certifies": cert.certifies,
    }
    if cert.certifies != "full":
        return held(
            "certified_gap",
            False,
            "certificate covers all patterns",
            reason="lower bound certifies only a restricted program",
            data=data,
        )
    return held_row(
        RELATIONS,
        "certified_gap",
        gap <= REL_TOL,
        value=gap,
        tolerance=REL_TOL,
        margin=REL_TOL - gap,
        timings=dict(sol.timings),
        data=data,
    )


def check_pruned_width(sol, n: int, facts: dict[str, Any]) -> CheckResult:
    """Carathéodory pruning leaves ≤ n + 1 neurons without raising the objective."""
    width = sol.width
    rise = (sol.objective_pruned - sol.objective) / max(abs(sol.objective), 1e-300)
    ok = width <= n + 1 and rise <= REL_TOL
    return held_row(
        RELATIONS,
        "pruned_width",
        ok,
        value=width,
        tolerance=float(n + 1),
        margin=float(n + 1 - width),
        data={
            **facts,
            "width_before": int(sol.alpha.shape[0]),
            "width_after": width,
            "objective_rise": rise,
        },
    )


def check_mosek(X, y, beta, patterns, loss, p_cvx, options) -> CheckResult:
    """Cross-check the optimum with MOSEK when a license is present."""
    licensed, reason = probe_mosek()
    if not licensed:
        return skipped("mosek_cross_check", reason)
    sol = solve_two_layer(X, y, beta, patterns, loss=loss, solver="mosek")
    if not sol.result.accurate:
        return CheckResult(
            "mosek_cross_check",
            Verdict.INCONCLUSIVE,
            "MOSEK status optimal",
            reason=f"MOSEK status {sol.result.status}",
        )
    err = abs(sol.objective - p_cvx) / abs(p_cvx)
    return held_row(
        RELATIONS,
        "mosek_cross_check",
        err <= REL_TOL,
        value=err,
        tolerance=REL_TOL,
        margin=REL_TOL - err,
        solver=sol.result.facts(),
    )
