"""PR negative controls on the exact m = 2 program: each must DETECT a violation to PASS.

Statement (claims.md PR): the program's optimum needs several sub-networks, the full group
set and the second-layer cone constraint (2D_2 − I)h ≥ 0. So:
  control_one_subnetwork        certified lower bound on p(K = 1) > p_cvx
  control_sampled_groups        a sampled group subset gives an upper bound only; the full
                                certificate refuses to certify it
  control_no_second_layer_cone  dropping (2D_2 − I)h ≥ 0 gives a relaxation whose naive
                                reconstruction does not attain its value

Instances: the ``exact-*`` instances; ``program.check_exact`` calls these after its solve.
"""

from __future__ import annotations

import time

import numpy as np

from relucheck.harness.records import CheckResult
from relucheck.models.parallel import network as pn
from relucheck.models.parallel.certificate import path_certificate
from relucheck.models.parallel.groups import sample_groups
from relucheck.models.two_layer.certificate import relative_gap
from relucheck.solvers.path_global import single_subnetwork_bounds, solve_path_regularized
from relucheck.theorems.common import REL_TOL, held_row
from relucheck.theorems.path_regularization.spec import RELATIONS, inconclusive, skipped


def control_one_subnetwork(X, y, beta, groups, sol, options, facts) -> CheckResult:
    """p(K = 1), bracketed by certified bounds over every group, is strictly above p_cvx."""
    start = time.perf_counter()
    tol = REL_TOL * abs(sol.objective)
    b = single_subnetwork_bounds(
        X, y, beta, groups, threshold=sol.objective + tol, solver=options.solver
    )
    seconds = time.perf_counter() - start
    if b.upper <= sol.objective + tol:
        return skipped(
            "control_one_subnetwork",
            f"one sub-network attains p_cvx here (p(1) <= {b.upper:.10g}); the control needs "
            "an instance whose optimum uses several",
        )
    margin = b.lower - (sol.objective + tol)
    data = {
        **facts,
        "p1_lower": b.lower,
        "p1_upper": b.upper,
        "p_cvx": sol.objective,
        "solves": b.solves,
        "screened": b.screened,
        "all_solves_accurate": b.accurate,
    }
    if margin <= 0 and not b.accurate:
        return inconclusive(
            "control_one_subnetwork",
            "bound did not separate and a one-group solve was inaccurate",
            value=b.lower,
            data=data,
        )
    return held_row(
        RELATIONS,
        "control_one_subnetwork",
        margin > 0,
        value=b.lower,
        tolerance=tol,
        margin=margin,
        timings={"one_subnetwork": seconds},
        data=data,
    )


def control_sampled_groups(X, y, beta, groups, sol, options, spec, facts) -> CheckResult:
    """A sampled group subset: an upper bound ≥ p_cvx that the full certificate sees through."""
    start = time.perf_counter()
    sampled = sample_groups(X, groups.m, spec.p["draws"], spec.seed + 7)
    sub = solve_path_regularized(X, y, beta, sampled, solver=options.solver)
    f = pn.forward(X, sub.W, sub.v, sub.s) if sub.s.shape[0] else np.zeros_like(y)
    full = path_certificate(y, beta, y - f, groups)
    seconds = time.perf_counter() - start
    value = min(sub.objective, sub.objective_pruned)
    excess = (value - sol.objective) / abs(sol.objective)
    full_gap = relative_gap(value, full.lower)
    data = {
        **facts,
        "draws": spec.p["draws"],
        "sampled_groups": sampled.count,
        "coverage": len(set(sampled.keys()) & set(groups.keys())) / groups.count,
        "value": value,
        "p_cvx": sol.objective,
        "excess": excess,
        "full_certificate_gap": full_gap,
        "restricted_certificate_gap": sub.result.certified_gap,
        "restricted_certifies": sub.certificate.certifies,
    }
    if not sub.result.accurate:
        return inconclusive("control_sampled_groups", "restricted solve inaccurate", data=data)
    upper_ok = value >= sol.certificate.lower - REL_TOL * abs(sol.objective)
    detected = excess <= REL_TOL or full_gap > REL_TOL
    return held_row(
        RELATIONS,
        "control_sampled_groups",
        upper_ok and detected,
        value=excess,
        tolerance=REL_TOL,
        margin=full_gap - excess,
        timings={"sampled": seconds},
        reason=f"excess {excess:.3g} with {sampled.count} of {groups.count} groups",
        data=data,
    )


def control_no_second_layer_cone(X, y, beta, groups, sol, options, facts) -> CheckResult:
    """Without the second-layer cone: a relaxation whose naive reconstruction misses it."""
    start = time.perf_counter()
    relaxed = solve_path_regularized(
        X, y, beta, groups, solver=options.solver, second_layer_cone=False
    )
    seconds = time.perf_counter() - start
    value, naive = relaxed.result.value, relaxed.objective
    tol = REL_TOL * abs(sol.objective)
    data = {
        **facts,
        "relaxed_value": value,
        "naive_objective": naive,
        "p_cvx": sol.objective,
        "relaxation_drop": (sol.objective - value) / abs(sol.objective),
    }
    if not relaxed.result.accurate:
        return inconclusive("control_no_second_layer_cone", "relaxed solve inaccurate", data=data)
    missed = naive - value
    return held_row(
        RELATIONS,
        "control_no_second_layer_cone",
        value <= sol.objective + tol and missed > tol,
        value=missed,
        tolerance=tol,
        margin=missed - tol,
        timings={"relaxed": seconds},
        data=data,
    )
