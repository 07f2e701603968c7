"""CE's negative controls: each must DETECT a violation of the equivalence to PASS.

Statement (claims.md CE): the equivalence needs enough neurons, ALL activation patterns and
the cone constraints (2D_i − I) X v_i ≥ 0. So:
  control_width_one      certified lower bound on p(1) > p_cvx (strictly above)
  control_sampled_subset sampled-pattern value ≥ p_cvx; the excess is reported, and the full
                         certificate must refuse to certify a sampled solution that is not optimal
  control_gated          no cone constraints: value ≤ p_cvx, naive reconstruction does not attain it

Instances: every CE instance; ``check`` in the package calls these after the full solve.
"""

from __future__ import annotations

import time

from relucheck.harness.records import CheckResult, Verdict
from relucheck.models.arrangements.patterns import sample_patterns
from relucheck.models.two_layer.certificate import relative_gap
from relucheck.solvers.two_layer_global import certify_network, solve_two_layer, width_one_bounds
from relucheck.theorems.common import REL_TOL, held_row, inconclusive_row
from relucheck.theorems.convex_equivalence.spec import RELATIONS, skipped


def control_width_one(X, y, beta, patterns, loss, sol, options, facts) -> CheckResult:
    """p(1), bracketed by certified bounds over every (pattern, sign), is strictly above p_cvx."""
    start = time.perf_counter()
    w1 = width_one_bounds(X, y, beta, patterns, loss=loss, solver=options.solver)
    seconds = time.perf_counter() - start
    tol = REL_TOL * abs(sol.objective)
    if w1.upper <= sol.objective + tol:
        return skipped(
            "control_width_one",
            f"one neuron attains p_cvx here (p(1) <= {w1.upper:.10g}): the control "
            "needs an instance whose optimum uses several neurons",
        )
    data = {
        **facts,
        "p1_lower": w1.lower,
        "p1_upper": w1.upper,
        "p_cvx": sol.objective,
        "solves": w1.solves,
        "all_solves_accurate": w1.accurate,
    }
    margin = w1.lower - (sol.objective + tol)
    # The lower bound is certified whatever the solver returned (an inaccurate solve only
    # loosens it), so inaccuracy matters only when the bound fails to separate.
    if margin <= 0 and not w1.accurate:
        return inconclusive_row(
            RELATIONS,
            "control_width_one",
            "bound did not separate and a single-group solve was inaccurate",
            value=w1.lower,
            tolerance=tol,
            margin=margin,
            data=data,
        )
    return held_row(
        RELATIONS,
        "control_width_one",
        margin > 0,
        value=w1.lower,
        tolerance=tol,
        margin=margin,
        timings={"width_one": seconds},
        data=data,
    )


def control_sampled_subset(X, y, beta, patterns, loss, sol, options, seed, facts):
    """A sampled pattern subset gives an upper bound ≥ p_cvx; the full certificate sees it."""
    budget = max(4, patterns.count // 4)
    start = time.perf_counter()
    sampled = sample_patterns(X, budget, seed=seed + 7)
    sub = solve_two_layer(X, y, beta, sampled, loss=loss, solver=options.solver)
    full = certify_network(X, y, beta, sub.U, sub.alpha, patterns, loss=loss)
    seconds = time.perf_counter() - start
    value = sub.objective
    excess = (value - sol.objective) / abs(sol.objective)
    full_gap = relative_gap(value, full.lower)
    restricted_gap = sub.result.certified_gap
    data = {
        **facts,
        "sampled_patterns": sampled.count,
        "gates": budget,
        "coverage": sampled.count / patterns.count,
        "value": value,
        "p_cvx": sol.objective,
        "excess": excess,
        "full_certificate_gap": full_gap,
        "restricted_certificate_gap": restricted_gap,
    }
    if not sub.result.accurate:
        return CheckResult(
            "control_sampled_subset",
            Verdict.INCONCLUSIVE,
            "solve optimal",
            control=True,
            reason="restricted solve inaccurate",
            data=data,
        )
    upper_ok = value >= sol.certificate.lower - REL_TOL * abs(sol.objective)
    detected = excess <= REL_TOL or full_gap > REL_TOL
    return held_row(
        RELATIONS,
        "control_sampled_subset",
        upper_ok and detected,
        value=excess,
        tolerance=REL_TOL,
        margin=full_gap - excess,
        timings={"sampled": seconds},
        reason=f"excess {excess:.3g} over p_cvx with {sampled.count} of {patterns.count} patterns",
        data=data,
    )


def control_gated(X, y, beta, patterns, loss, sol, options, facts) -> CheckResult:
    """Without cone constraints: value ≤ p_cvx, and the naive reconstruction misses it."""
    start = time.perf_counter()
    gated = solve_two_layer(
        X, y, beta, patterns, loss=loss, solver=options.solver, cone_constraints=False
    )
    seconds = time.perf_counter() - start
    value = gated.result.value
    naive = gated.objective  # true-ReLU objective of the naive reconstruction
    tol = REL_TOL * abs(sol.objective)
    below = value <= sol.objective + tol
    missed = naive - value
    data = {
        **facts,
        "gated_value": value,
        "naive_objective": naive,
        "p_cvx": sol.objective,
        "relaxation_drop": (sol.objective - value) / abs(sol.objective),
    }
    if not gated.result.accurate:
        return CheckResult(
            "control_gated",
            Verdict.INCONCLUSIVE,
            "solve optimal",
            control=True,
            reason="gated solve inaccurate",
            data=data,
        )
    return held_row(
        RELATIONS,
        "control_gated",
        below and missed > tol,
        value=missed,
        tolerance=tol,
        margin=missed - tol,
        timings={"gated": seconds},
        data=data,
    )
