"""PR sub-claims on the convex program itself, against CE and against trained networks.

Statement (claims.md PR): with m = 1 the group program is CE's program (same optimum, 2·P
groups). For m = 2 the exact group enumeration is sound and complete; the reconstructed
parallel network attains the program's optimum, certified by a dual lower bound over all
groups; pruning leaves ≤ n + 1 sub-networks; and every non-convex training run (K = 1, 2, 4,
n + 1 sub-networks, several restarts) ends at or above the certified lower bound.

Instances: ``reduction-*`` (kind "reduction") and ``exact-*`` (kind "exact"), see
``spec.instances``. The exact instances also run the negative controls of ``controls``.
"""

from __future__ import annotations

import time

import numpy as np

from relucheck.harness.claims import InstanceSpec, RunOptions
from relucheck.harness.records import CheckResult, held
from relucheck.models.arrangements.patterns import enumerate_patterns
from relucheck.models.parallel.groups import enumerate_groups, realized_groups, sample_groups
from relucheck.models.two_layer.certificate import dual_gauge_bound
from relucheck.solvers.path_global import solve_path_regularized
from relucheck.solvers.path_nonconvex import train_parallel
from relucheck.solvers.two_layer_global import solve_two_layer
from relucheck.theorems.common import REL_TOL, SOFT_TOL, at_most_row, held_row
from relucheck.theorems.path_regularization.controls import (
    control_no_second_layer_cone,
    control_one_subnetwork,
    control_sampled_groups,
)
from relucheck.theorems.path_regularization.spec import (
    CHECKS_BY_KIND,
    RELATIONS,
    inconclusive,
    load_data,
    rel_err,
)
from relucheck.theorems.restarts import restart_rows

# ---------------------------------------------------------------------- m = 1 reduction


def check_reduction(spec: InstanceSpec, options: RunOptions) -> CheckResult:
    """m = 1: the group program is CE's program (same optimum, same number of groups)."""
    data = load_data(spec)
    X, y = data.X, data.y
    patterns = enumerate_patterns(X)
    beta = spec.p["beta_frac"] * dual_gauge_bound(X, y, patterns.without_zero().masks)
    start = time.perf_counter()
    ce = solve_two_layer(X, y, beta, patterns, solver=options.solver)
    t_ce = time.perf_counter() - start
    start = time.perf_counter()
    groups = enumerate_groups(X, 1, patterns)
    pr = solve_path_regularized(X, y, beta, groups, solver=options.solver)
    t_pr = time.perf_counter() - start
    P = patterns.without_zero().count
    err = rel_err(pr.objective, ce.objective)
    facts = {
        "n": X.shape[0],
        "d": X.shape[1],
        "beta": beta,
        "data": data.description,
        "p_ce": ce.objective,
        "p_pr_m1": pr.objective,
        "ce_solver_value": ce.result.value,
        "pr_solver_value": pr.result.value,
        "ce_gap": ce.result.certified_gap,
        "pr_gap": pr.result.certified_gap,
        "patterns": P,
        "groups": groups.count,
        "ce_width": ce.width,
        "pr_subnetworks": pr.width,
    }
    timings = {"ce": t_ce, "pr_m1": t_pr}
    if not (ce.result.accurate and pr.result.accurate):
        return inconclusive("m1_reduces_to_ce", "a convex solve was inaccurate", data=facts)
    ok = err <= REL_TOL and groups.count == 2 * P
    return held_row(
        RELATIONS,
        "m1_reduces_to_ce",
        ok,
        value=err,
        tolerance=REL_TOL,
        margin=REL_TOL - err,
        timings=timings,
        solver=pr.result.facts(),
        data=facts,
    )


# ------------------------------------------------------------------- exact m = 2 program


def check_exact(spec: InstanceSpec, options: RunOptions) -> list[CheckResult]:
    """Every check of the exact program on one tiny instance, and the controls."""
    p = spec.p
    data = load_data(spec)
    X, y = data.X, data.y
    n, m = X.shape[0], p["m"]
    patterns = enumerate_patterns(X)
    beta = p["beta_frac"] * dual_gauge_bound(X, y, patterns.without_zero().masks)
    start = time.perf_counter()
    groups = enumerate_groups(X, m, patterns)
    t_enum = time.perf_counter() - start
    facts = {
        "n": n,
        "d": X.shape[1],
        "m": m,
        "beta": beta,
        "data": data.description,
        "groups": groups.count,
        "groups_exact": groups.exact,
        "first_layer_patterns": groups.stats["first_layer_patterns"],
        "lps": groups.stats["lps"],
    }
    rows = [check_groups_realized(X, groups, spec.seed, t_enum, facts)]
    sol = solve_path_regularized(X, y, beta, groups, solver=options.solver)
    solver_facts = sol.result.facts()
    if not sol.result.accurate:
        reason = f"convex solve inaccurate (status {sol.result.status})"
        return rows + [
            inconclusive(c, reason, solver=solver_facts, data=facts)
            for c in CHECKS_BY_KIND["exact"][1:]
        ]
    rows.append(check_reconstruction(sol, facts))
    rows.append(check_certified_gap(sol, facts))
    rows.append(check_active_groups(sol, n, facts))

    start = time.perf_counter()
    widths = sorted({1, 2, 4, n + 1})
    runs = {
        K: train_parallel(
            X,
            y,
            beta,
            K,
            m,
            restarts=p["restarts"],
            seed=spec.seed + K,
            adam_steps=p["adam_steps"],
        )
        for K in widths
    }
    rows += check_nonconvex(runs, sol, n, time.perf_counter() - start, facts)
    rows.append(control_one_subnetwork(X, y, beta, groups, sol, options, facts))
    rows.append(control_sampled_groups(X, y, beta, groups, sol, options, spec, facts))
    rows.append(control_no_second_layer_cone(X, y, beta, groups, sol, options, facts))
    for row in rows[1:]:
        row.solver = row.solver or solver_facts
    return rows


def check_groups_realized(X, groups, seed: int, seconds: float, facts) -> CheckResult:
    """Soundness (interior witnesses) and completeness (sampled ⊆ exact) of the enumeration."""
    D1, D2, margin = realized_groups(X, groups.witness, groups.eps)
    same = bool(np.array_equal(D1, groups.D1) and np.array_equal(D2, groups.D2))
    draws = 20_000
    start = time.perf_counter()
    sampled = sample_groups(X, groups.m, draws, seed + 99)
    exact_keys = set(groups.keys())
    sampled_keys = set(sampled.keys())
    outside = len(sampled_keys - exact_keys)
    data = {
        **facts,
        "min_witness_margin": float(margin.min(initial=np.inf)),
        "witnesses_realize": same,
        "draws": draws,
        "sampled_groups": sampled.count,
        "sampled_outside_exact": outside,
        "coverage": len(sampled_keys & exact_keys) / max(len(exact_keys), 1),
        "undecided_lps": groups.stats["undecided"],
    }
    ok = same and float(margin.min(initial=np.inf)) > 0 and outside == 0 and groups.exact
    return held_row(
        RELATIONS,
        "groups_realized",
        ok,
        value=float(outside),
        tolerance=0.0,
        margin=0.0 - outside,
        timings={"enumerate": seconds, "sample": time.perf_counter() - start},
        data=data,
        reason="" if groups.exact else "some LP was undecided: enumeration not certified",
    )


def check_reconstruction(sol, facts) -> CheckResult:
    """The reconstructed parallel network (true ReLU) attains the solver's optimum."""
    err = rel_err(sol.objective, sol.result.value)
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
            "subnetworks": int(sol.s.shape[0]),
        },
    )


def check_certified_gap(sol, facts) -> CheckResult:
    """(upper − certified lower)/upper ≤ 1e-6 with a lower bound from our own dual point."""
    cert = sol.certificate
    gap = sol.result.certified_gap
    data = {
        **facts,
        "upper": min(sol.objective, sol.objective_pruned),
        "lower": cert.lower,
        "dual_scale": cert.scale,
        "gauge": cert.gauge,
        "certifies": cert.certifies,
    }
    if cert.certifies != "full":
        return held(
            "certified_gap",
            False,
            "certificate covers all groups",
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
        data=data,
    )


def check_active_groups(sol, n: int, facts) -> CheckResult:
    """Carathéodory pruning leaves ≤ n + 1 sub-networks without raising the objective."""
    rise = (sol.objective_pruned - sol.objective) / max(abs(sol.objective), 1e-300)
    width = sol.width
    above = int(np.sum(sol.group_norms > 1e-6 * sol.group_norms.max(initial=0.0)))
    return held_row(
        RELATIONS,
        "active_groups",
        width <= n + 1 and rise <= REL_TOL,
        value=width,
        tolerance=float(n + 1),
        margin=float(n + 1 - width),
        data={
            **facts,
            "subnetworks_before": int(sol.s.shape[0]),
            "groups_above_1e-6_of_max": above,
            "subnetworks_after": width,
            "objective_rise": rise,
        },
    )


def check_nonconvex(runs, sol, n: int, seconds: float, facts) -> list[CheckResult]:
    """Hard: every run ≥ certified lower − tol. Soft: best at the widest K within 1e-2."""
    return restart_rows(
        runs, sol.objective, sol.certificate.lower, wide_from=max(runs), relations=RELATIONS,
        seconds=seconds, facts=facts, rel_tol=REL_TOL, soft_tol=SOFT_TOL,
    )  # fmt: skip
