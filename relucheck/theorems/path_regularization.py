"""PR — path-regularized parallel three-layer ReLU networks (claims.md, section PR).

Statement (Ergen & Pilanci, arXiv 2110.09548): training K parallel sub-networks
d → m → 1 with the path regularizer is the group-sparse convex program over groups
g = (D_2, (D_1j, ε_j)_j, σ_g) derived step by step in relucheck.models.parallel.program; the
values agree once K ≥ the number of active groups (≤ n + 1 after pruning). The early
versions of the paper call this polynomial-time in n and d; the final version says the
problem "may not be trainable in polynomial time". The harness measures the number of
groups of the exact program against n and reports the fitted degree next to both.

Instances and checks (relation and tolerance in each row):
  reduction-*   m1_reduces_to_ce       m = 1 group program = CE's program (1e-6 rel), and
                                       its group count is 2·P (P = CE's patterns)
  exact-m2      groups_realized        every enumerated group has an interior witness
                                       realizing its patterns; Gaussian draws land only in
                                       enumerated groups (completeness; coverage reported)
                reconstruction_attains the reconstructed parallel network's TRUE objective
                                       = solver's p_cvx (1e-6 rel)
                certified_gap          (network − dual lower bound)/network ≤ 1e-6, all groups
                active_groups          after pruning ≤ n + 1 sub-networks, objective not raised
                nonconvex_above_convex EVERY run (K = 1, 2, 4, n + 1; restarts) ≥ certified
                                       lower − 1e-6 rel
                best_restart_close     best run at K = n + 1 within 1e-2 rel (soft)
   controls     control_one_subnetwork certified lower bound on p(K = 1) > p_cvx
                control_sampled_groups a sampled group subset gives an upper bound only; the
                                       full certificate refuses to certify it
                control_no_second_layer_cone  dropping (2D_2 − I)h ≥ 0 gives a relaxation
                                       whose naive reconstruction does not attain its value
  groups-d*     group_count_bound      m = 1: count = 2·P; m = 2: count ≤
                                       2(C(P+1, 2) + P²·max(1, cover(n, r))) at every n
                group_count_degree     fitted log-log degree in n: m = 1 within 0.3 of r − 1;
                                       m = 2 in [2(r−1) − 0.3, 3(r−1) + 0.3] and above m = 1's
                                       by ≥ 0.5 (the degree grows with m·r)
  spiral        spiral_fit             two spirals: a three-layer path-regularized network
                                       (RESTRICTED program over sampled groups: an upper
                                       bound) classifies every point, while the CERTIFIED
                                       two-layer weight-decay optimum at the same β (and at
                                       β/√2, which the replication z_1 = z_2 would buy)
                                       does not, and its objective is below the two-layer
                                       certified lower bound

The degree bound for m = 2 is this project's derivation: the only mixed rows have
ε = (+, −) and D_11 = D_12 = 1 there, so h_i = x_iᵀ(z_1 − z_2): the second-layer cells are
cells of the arrangement of those x_i in w = z_1 − z_2, at most cover(n, r) of them, times
C(P+1, 2) + P² first-layer tuples with P = O(n^{r−1}): O(n^{3(r−1)}).
"""

from __future__ import annotations

import time
from math import comb
from pathlib import Path
from typing import Any

import numpy as np

from relucheck.datasets import generators
from relucheck.datasets.spirals import spirals
from relucheck.harness.claims import Claim, InstanceSpec, RunOptions
from relucheck.harness.records import CheckResult, Verdict, held
from relucheck.harness.records import skipped as skipped_row
from relucheck.models.arrangements.patterns import cover_count, enumerate_patterns
from relucheck.models.parallel import network as pn
from relucheck.models.parallel.certificate import path_certificate
from relucheck.models.parallel.groups import (
    count_first_layer_tuples,
    enumerate_groups,
    realized_groups,
    sample_groups,
)
from relucheck.models.two_layer.certificate import dual_gauge_bound, relative_gap
from relucheck.models.two_layer.network import forward as two_layer_forward
from relucheck.solvers.backends import SolverUnavailable, resolve_solver
from relucheck.solvers.path_global import single_subnetwork_bounds, solve_path_regularized
from relucheck.solvers.path_nonconvex import train_parallel
from relucheck.solvers.two_layer_global import solve_two_layer
from relucheck.theorems.fits import loglog_slope
from relucheck.theorems.restarts import restart_rows

CLAIM_ID = "PR"
REL_TOL = 1e-6
SOFT_TOL = 1e-2
DEGREE_SLACK = 0.3
DEGREE_GROWTH = 0.5

RELATIONS = {
    "m1_reduces_to_ce": "|p_PR(m=1) - p_CE| <= 1e-6*|p_CE| and groups(m=1) == 2*P",
    "groups_realized": "every witness realizes its group with margin > 0 and sampled ⊆ exact",
    "reconstruction_attains": "|obj(reconstructed parallel net) - p_cvx| <= 1e-6*|p_cvx|",
    "certified_gap": "(p_upper - dual_lower)/p_upper <= 1e-6 (all groups enumerated)",
    "active_groups": "subnetworks after pruning <= n + 1 and obj_pruned <= obj + 1e-6 rel",
    "nonconvex_above_convex": "min over all runs (K = 1,2,4,n+1) >= certified_lower - 1e-6 rel",
    "best_restart_close": "(best run at K = n+1 - p_cvx)/p_cvx <= 1e-2",
    "control_one_subnetwork": "certified_lower(p(K=1)) > p_cvx + 1e-6*|p_cvx|",
    "control_sampled_groups": (
        "v_sampled >= dual_lower - 1e-6 rel, and full-group gap > 1e-6 when excess > 1e-6"
    ),
    "control_no_second_layer_cone": (
        "p_relaxed <= p_cvx + tol and obj(naive reconstruction) > p_relaxed + tol"
    ),
    "group_count_bound": (
        "m=1: G == 2P; m=2: G <= 2(C(P+1,2) + P^2 max(1, cover(n,r))) at every n"
    ),
    "group_count_degree": (
        "|deg1 - (r-1)| <= 0.3, 2(r-1)-0.3 <= deg2 <= 3(r-1)+0.3, deg2 - deg1 >= 0.5"
    ),
    "spiral_fit": (
        "acc3 == 1 > acc2(beta), acc2(beta/sqrt2) < 1 and obj3 < certified_lower2(beta)"
    ),
}
CHECK_IDS = tuple(RELATIONS)

CHECKS_BY_KIND = {
    "reduction": ("m1_reduces_to_ce",),
    "exact": (
        "groups_realized",
        "reconstruction_attains",
        "certified_gap",
        "active_groups",
        "nonconvex_above_convex",
        "best_restart_close",
        "control_one_subnetwork",
        "control_sampled_groups",
        "control_no_second_layer_cone",
    ),
    "growth": ("group_count_bound", "group_count_degree"),
    "spiral": ("spiral_fit",),
}

PAPER_CLAIMS = {
    "early": "exact training is polynomial-time in n and d (arXiv 2110.09548, early versions)",
    "final": "the problem may not be trainable in polynomial time (final version)",
}


def checks_for(spec: InstanceSpec) -> tuple[str, ...]:
    """The checks one PR instance reports."""
    return CHECKS_BY_KIND[spec.p["kind"]]


# --------------------------------------------------------------------------- instances


def instances(profile: str) -> list[InstanceSpec]:
    """Quick: tiny exact instances (n ≤ 10, d = 2, m ≤ 2), growth grids, one spiral."""
    quick = profile == "quick"
    make = InstanceSpec.make
    train = {"restarts": 8, "adam_steps": 4000} if quick else {"restarts": 16, "adam_steps": 8000}
    grid = [
        make(
            CLAIM_ID,
            "reduction-gauss",
            31,
            kind="reduction",
            data="gaussian",
            n=8,
            d=2,
            beta_frac=0.1,
        ),
        make(
            CLAIM_ID,
            "reduction-1d",
            32,
            kind="reduction",
            data="one_dimensional",
            n=10,
            d=2,
            beta_frac=0.05,
        ),
        make(
            CLAIM_ID,
            "exact-m2",
            3,
            kind="exact",
            data="gaussian",
            n=8,
            d=2,
            m=2,
            beta_frac=0.1,
            draws=100,
            **train,
        ),
        make(
            CLAIM_ID,
            "groups-d2",
            41,
            kind="growth",
            d=2,
            ns=(4, 6, 8, 10, 12, 16) if quick else (4, 6, 8, 10, 12, 16, 20, 24),
        ),
        make(
            CLAIM_ID,
            "groups-d3",
            42,
            kind="growth",
            d=3,
            ns=(4, 5, 6, 7, 8) if quick else (4, 5, 6, 7, 8, 10),
        ),
        make(
            CLAIM_ID, "spiral", 0, kind="spiral", n=40, turns=1.5, beta_frac=0.12, m=2, draws=3000
        ),
    ]
    if not quick:
        grid += [
            make(
                CLAIM_ID,
                "exact-m2-n10",
                5,
                kind="exact",
                data="gaussian",
                n=10,
                d=2,
                m=2,
                beta_frac=0.05,
                draws=200,
                **train,
            ),
            make(
                CLAIM_ID,
                "exact-m2-teacher",
                6,
                kind="exact",
                data="teacher",
                n=10,
                d=2,
                m=2,
                beta_frac=0.05,
                draws=200,
                **train,
            ),
            make(
                CLAIM_ID,
                "exact-m2-d3",
                7,
                kind="exact",
                data="gaussian",
                n=6,
                d=3,
                m=2,
                beta_frac=0.1,
                draws=200,
                **train,
            ),
        ]
    return grid


def load_data(spec: InstanceSpec) -> generators.Dataset:
    """The instance's data from its seed."""
    p = spec.p
    if p["data"] == "gaussian":
        return generators.gaussian(p["n"], p["d"], spec.seed)
    if p["data"] == "one_dimensional":
        return generators.one_dimensional(p["n"], spec.seed)
    if p["data"] == "teacher":
        return generators.planted_teacher(p["n"], p["d"], 3, spec.seed)
    raise ValueError(f"unknown data kind {p['data']!r}")


# ------------------------------------------------------------------------------ checks


def check(spec: InstanceSpec, options: RunOptions) -> list[CheckResult]:
    """Dispatch on the instance kind."""
    kind = spec.p["kind"]
    if kind == "growth":
        return check_growth(spec)
    try:
        resolve_solver(options.solver)
    except SolverUnavailable as exc:
        return [skipped(c, str(exc)) for c in checks_for(spec)]
    if kind == "reduction":
        return [check_reduction(spec, options)]
    if kind == "exact":
        return check_exact(spec, options)
    if kind == "spiral":
        return [check_spiral(spec, options)]
    raise ValueError(f"unknown PR instance kind {kind!r}")


def skipped(check_id: str, reason: str) -> CheckResult:
    """A SKIPPED row for one of this claim's checks, with its relation."""
    return skipped_row(check_id, RELATIONS[check_id], reason)


def inconclusive(check_id: str, reason: str, **extra: Any) -> CheckResult:
    return CheckResult(
        check_id,
        Verdict.INCONCLUSIVE,
        RELATIONS[check_id],
        reason=reason,
        control=check_id.startswith("control_"),
        **extra,
    )


def rel_err(a: float, b: float) -> float:
    return abs(a - b) / max(abs(b), 1e-300)


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
    return held(
        "m1_reduces_to_ce",
        ok,
        RELATIONS["m1_reduces_to_ce"],
        value=err,
        tolerance=REL_TOL,
        margin=REL_TOL - err,
        timings=timings,
        solver=pr.result.facts(),
        data=facts,
    )


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
    return held(
        "groups_realized",
        ok,
        RELATIONS["groups_realized"],
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
    return held(
        "reconstruction_attains",
        err <= REL_TOL,
        RELATIONS["reconstruction_attains"],
        value=err,
        tolerance=REL_TOL,
        margin=REL_TOL - err,
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
    return held(
        "certified_gap",
        gap <= REL_TOL,
        RELATIONS["certified_gap"],
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
    return held(
        "active_groups",
        width <= n + 1 and rise <= REL_TOL,
        RELATIONS["active_groups"],
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


# -------------------------------------------------------------------- negative controls


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
    return held(
        "control_one_subnetwork",
        margin > 0,
        RELATIONS["control_one_subnetwork"],
        value=b.lower,
        tolerance=tol,
        margin=margin,
        control=True,
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
    return held(
        "control_sampled_groups",
        upper_ok and detected,
        RELATIONS["control_sampled_groups"],
        value=excess,
        tolerance=REL_TOL,
        margin=full_gap - excess,
        control=True,
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
    return held(
        "control_no_second_layer_cone",
        value <= sol.objective + tol and missed > tol,
        RELATIONS["control_no_second_layer_cone"],
        value=missed,
        tolerance=tol,
        margin=missed - tol,
        control=True,
        timings={"relaxed": seconds},
        data=data,
    )


# ------------------------------------------------------------------------------ growth


def group_bound(n: int, P: int, r: int, m: int) -> int:
    """Derived ceiling on the exact group count (module docstring): m = 1 and m = 2 only."""
    if m == 1:
        return 2 * P
    if m == 2:
        return 2 * (comb(P + 1, 2) + P * P * max(1, cover_count(n, r)))
    raise ValueError("the derived bound covers m = 1 and m = 2")


def measure_groups(d: int, ns, ms, seed: int) -> dict[str, Any]:
    """Exact group counts and enumeration times over a grid of n, per m."""
    out: dict[str, Any] = {"d": d, "n": list(ns), "P": [], "rank": []}
    for m in ms:
        out[f"groups_m{m}"], out[f"seconds_m{m}"], out[f"bound_m{m}"] = [], [], []
        out[f"tuples_m{m}"] = []
    for i, n in enumerate(ns):
        X = generators.gaussian(n, d, seed + i).X
        ps = enumerate_patterns(X)
        P = ps.without_zero().count
        out["P"].append(P)
        out["rank"].append(ps.rank)
        for m in ms:
            start = time.perf_counter()
            gs = enumerate_groups(X, m, ps)
            out[f"seconds_m{m}"].append(time.perf_counter() - start)
            out[f"groups_m{m}"].append(gs.count)
            out[f"bound_m{m}"].append(group_bound(n, P, ps.rank, m))
            out[f"tuples_m{m}"].append(count_first_layer_tuples(P, m))
            if not gs.exact:
                out.setdefault("not_exact", []).append([n, m])
    return out


def check_growth(spec: InstanceSpec) -> list[CheckResult]:
    """Group counts vs n at fixed d (= r) for m = 1, 2; bound and fitted degrees."""
    d, ns = spec.p["d"], spec.p["ns"]
    start = time.perf_counter()
    meas = measure_groups(d, ns, (1, 2), spec.seed)
    seconds = time.perf_counter() - start
    r = max(meas["rank"])
    g1, g2 = np.array(meas["groups_m1"]), np.array(meas["groups_m2"])
    eq1 = bool(np.all(g1 == np.array(meas["bound_m1"])))
    below2 = bool(np.all(g2 <= np.array(meas["bound_m2"])))
    exact = "not_exact" not in meas
    ratio = float(np.max(g2 / np.array(meas["bound_m2"])))
    tail = slice(max(0, len(ns) - 3), None)
    deg1 = loglog_slope(list(ns)[tail], g1[tail])
    deg2 = loglog_slope(list(ns)[tail], g2[tail])
    meas.update(
        {
            "r": r,
            "degree_m1": deg1,
            "degree_m2": deg2,
            "degree_m1_all_points": loglog_slope(ns, g1),
            "degree_m2_all_points": loglog_slope(ns, g2),
            "tail_from_n": list(ns)[tail][0],
            "predicted_degree_m1": r - 1,
            "predicted_degree_m2_range": [2 * (r - 1), 3 * (r - 1)],
            "paper_claims": PAPER_CLAIMS,
            "reading": (
                f"exact program size ~ n^{deg1:.2f} (m=1), n^{deg2:.2f} (m=2) at r={r}: "
                "polynomial in n only with m and r fixed, degree growing with m*r; not "
                "polynomial in (n, d) jointly, as the final version cautions"
            ),
        }
    )
    timings = {"enumerate": seconds}
    rows = [
        held(
            "group_count_bound",
            eq1 and below2 and exact,
            RELATIONS["group_count_bound"],
            value=ratio,
            tolerance=1.0,
            margin=1.0 - ratio,
            timings=timings,
            data=meas,
            reason="" if exact else "an enumeration was not certified",
        )
    ]
    lo2, hi2 = 2 * (r - 1) - DEGREE_SLACK, 3 * (r - 1) + DEGREE_SLACK
    margins = [
        DEGREE_SLACK - abs(deg1 - (r - 1)),
        deg2 - lo2,
        hi2 - deg2,
        (deg2 - deg1) - DEGREE_GROWTH,
    ]
    rows.append(
        held(
            "group_count_degree",
            min(margins) >= 0,
            RELATIONS["group_count_degree"],
            value=deg2,
            tolerance=DEGREE_SLACK,
            margin=min(margins),
            timings=timings,
            reason=meas["reading"],
            data=meas,
        )
    )
    return rows


# ------------------------------------------------------------------------------ spiral


def check_spiral(spec: InstanceSpec, options: RunOptions) -> CheckResult:
    """Two spirals: three-layer path-regularized (restricted) fits; two-layer optimum cannot."""
    p = spec.p
    data = spirals(p["n"], spec.seed, turns=p["turns"])
    X, y = data.X, data.y
    patterns = enumerate_patterns(X)
    beta = p["beta_frac"] * dual_gauge_bound(X, y, patterns.without_zero().masks)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    two = solve_two_layer(X, y, beta, patterns, solver=options.solver)
    two_b = solve_two_layer(X, y, beta / np.sqrt(p["m"]), patterns, solver=options.solver)
    timings["two_layer"] = time.perf_counter() - start
    start = time.perf_counter()
    groups = sample_groups(X, p["m"], p["draws"], spec.seed + 1)
    three = solve_path_regularized(X, y, beta, groups, solver=options.solver)
    timings["three_layer"] = time.perf_counter() - start

    f2 = two_layer_forward(X, two.U_pruned, two.alpha_pruned)
    f2b = two_layer_forward(X, two_b.U_pruned, two_b.alpha_pruned)
    f3 = pn.forward(X, three.W_pruned, three.v_pruned, three.s_pruned)
    acc2, acc2b, acc3 = (float(np.mean(np.where(f >= 0, 1.0, -1.0) == y)) for f in (f2, f2b, f3))
    obj3 = min(three.objective, three.objective_pruned)
    P = patterns.without_zero().count
    exact_lower = 2 * comb(P + 1, 2)  # (+,+) tuples alone give this many groups
    facts = {
        "n": p["n"],
        "turns": p["turns"],
        "beta": beta,
        "m": p["m"],
        "data": data.description,
        "acc_two_layer": acc2,
        "acc_two_layer_beta_over_sqrt_m": acc2b,
        "acc_three_layer": acc3,
        "obj_two_layer": two.objective,
        "lower_two_layer": two.certificate.lower,
        "gap_two_layer": two.result.certified_gap,
        "obj_three_layer": obj3,
        "three_layer_certifies": three.certificate.certifies,
        "three_layer_restricted_gap": three.result.certified_gap,
        "draws": p["draws"],
        "sampled_groups": groups.count,
        "exact_groups_at_least": exact_lower,
        "exact_first_layer_tuples": count_first_layer_tuples(P, p["m"]),
        "coverage_at_most": groups.count / exact_lower,
        "certificate_scope": (
            "two-layer: certified global optimum (all patterns); three-layer: a real network "
            "from a RESTRICTED program over sampled groups (an upper bound on the path-"
            "regularized optimum, certified only for the restricted program)"
        ),
        "X": X,
        "y": y,
        "two_layer": {"U": two.U_pruned, "alpha": two.alpha_pruned},
        "three_layer": {"W": three.W_pruned, "v": three.v_pruned, "s": three.s_pruned},
    }
    accurate = two.result.accurate and two_b.result.accurate and three.result.accurate
    if not accurate:
        return inconclusive("spiral_fit", "a convex solve was inaccurate", data=facts)
    ok = acc3 == 1.0 and acc2 < 1.0 and acc2b < 1.0 and obj3 < two.certificate.lower
    return held(
        "spiral_fit",
        ok,
        RELATIONS["spiral_fit"],
        value=acc3 - acc2,
        tolerance=0.0,
        margin=min(acc3 - acc2, 1.0 - acc2b, two.certificate.lower - obj3),
        timings=timings,
        solver=three.result.facts(),
        data=facts,
    )


# ----------------------------------------------------------------------------- figures


def _grid_predictions(d: dict[str, Any], res: int = 121) -> tuple[np.ndarray, ...]:
    X = np.asarray(d["X"], dtype=float)
    lim = 1.15 * float(np.abs(X[:, :2]).max())
    g = np.linspace(-lim, lim, res)
    gx, gy = np.meshgrid(g, g)
    pts = np.column_stack([gx.ravel(), gy.ravel(), np.ones(gx.size)])
    two, three = d["two_layer"], d["three_layer"]
    f2 = two_layer_forward(pts, np.asarray(two["U"], float), np.asarray(two["alpha"], float))
    W = np.asarray(three["W"], float).reshape(-1, X.shape[1], d["m"])
    f3 = pn.forward(
        pts,
        W,
        np.asarray(three["v"], float).reshape(-1, d["m"]),
        np.asarray(three["s"], float).reshape(-1),
    )
    return gx, gy, f2.reshape(gx.shape), f3.reshape(gx.shape)


def figures(df, out_dir: Path) -> list[Path]:
    """Spiral decision boundaries (two- vs three-layer), group counts vs n, runs vs K."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    from relucheck.harness.figdata import payloads as stored_payloads
    from relucheck.harness.figstyle import paper_style, save_figure

    def payloads(check_id: str) -> list[dict[str, Any]]:
        return [d for _, d in stored_payloads(df, CLAIM_ID, check_id)]

    paths: list[Path] = []
    with paper_style():
        for d in payloads("spiral_fit")[:1]:
            if "two_layer" not in d:
                continue
            gx, gy, f2, f3 = _grid_predictions(d)
            X, y = np.asarray(d["X"], float), np.asarray(d["y"], float)
            fig, axes = plt.subplots(1, 2, figsize=(6.8, 3.2), sharey=True)
            panels = [
                (f2, f"two-layer, weight decay (certified)\ntrain acc {d['acc_two_layer']:.2f}"),
                (
                    f3,
                    f"three-layer parallel, path reg. (m={d['m']})\n"
                    f"train acc {d['acc_three_layer']:.2f}",
                ),
            ]
            for ax, (f, title) in zip(axes, panels, strict=True):
                ax.contourf(gx, gy, f, levels=[-1e9, 0, 1e9], colors=["#f4cccc", "#cfe2f3"])
                ax.contour(gx, gy, f, levels=[0], colors="k", linewidths=0.8)
                ax.scatter(*X[y > 0, :2].T, s=9, c="C0", edgecolors="k", linewidths=0.3)
                ax.scatter(*X[y < 0, :2].T, s=9, c="C1", marker="s", edgecolors="k", linewidths=0.3)
                ax.set_title(title)
                ax.set_aspect("equal")
                ax.set_xlabel("$x_1$")
            axes[0].set_ylabel("$x_2$")
            fig.suptitle(f"Two spirals, same beta = {d['beta']:.3g}")
            paths += save_figure(fig, out_dir, "pr_spiral_boundaries")
        growth = payloads("group_count_degree")
        if growth:
            fig, ax = plt.subplots(figsize=(3.4, 2.7))
            for i, d in enumerate(sorted(growth, key=lambda d: d["d"])):
                ns = np.asarray(d["n"], float)
                for m, marker, ls in ((1, "o", "-"), (2, "s", "--")):
                    g = np.asarray(d[f"groups_m{m}"], float)
                    deg = d[f"degree_m{m}"]
                    ax.loglog(
                        ns,
                        g,
                        marker,
                        color=f"C{i}",
                        ms=3,
                        label=f"r={d['r']}, m={m}: degree {deg:.2f}",
                    )
                    tail = ns[ns >= d["tail_from_n"]]
                    ax.loglog(tail, g[-1] * (tail / ns[-1]) ** deg, ls, color=f"C{i}", lw=0.8)
                ax.loglog(ns, d["bound_m2"], ":", color=f"C{i}", lw=0.6)
            ax.xaxis.set_major_formatter(ScalarFormatter())
            ax.xaxis.set_minor_formatter(NullFormatter())
            ax.set_xticks(sorted({int(x) for d in growth for x in d["n"]}))
            ax.set_xlabel("n")
            ax.set_ylabel("groups of the exact program")
            ax.set_title("Exact group count vs n (dotted: derived bound, m=2)")
            ax.legend(fontsize=6)
            paths += save_figure(fig, out_dir, "pr_groups_vs_n")
        runs = payloads("nonconvex_above_convex")
        if runs:
            fig, axes = plt.subplots(1, len(runs), figsize=(3.4 * len(runs), 2.5), squeeze=False)
            for ax, d in zip(axes.flat, runs, strict=False):
                for K, vals in zip(d["widths"], d["finals"], strict=True):
                    rel = np.maximum(np.asarray(vals) / d["p_cvx"] - 1.0, 1e-9)
                    ax.scatter(np.full(len(vals), K), rel, s=8, alpha=0.7, color="C0")
                ax.axhline(1e-2, color="C3", ls=":", lw=0.8)
                ax.set_xscale("log", base=2)
                ax.set_yscale("log")
                ax.set_xlabel("sub-networks K")
                ax.set_ylabel(r"$p(K)/p_{cvx}-1$")
                ax.set_title(f"n={d['n']}, d={d['d']}, m={d['m']}: restarts vs K")
            paths += save_figure(fig, out_dir, "pr_objective_vs_K")
    return paths


CLAIM = Claim(
    id=CLAIM_ID,
    title="Path-regularized parallel three-layer ReLU networks",
    citation="Ergen & Pilanci, Path Regularization: A Convexity and Sparsity Inducing "
    "Regularization for Parallel ReLU Networks (arXiv 2110.09548)",
    statement="Training K parallel d->m->1 ReLU sub-networks with the path regularizer equals a "
    "group-sparse convex program over groups (D_2, (D_1j, eps_j)_j, sigma); the reconstruction "
    "attains it with <= n+1 sub-networks; m=1 is CE's program. The exact program has "
    "n^{O(m r)} groups: polynomial in n only for fixed m and rank r (early versions: "
    "'polynomial in n and d'; final version: 'may not be polynomial'). A three-layer "
    "network fits two spirals that the two-layer optimum at the same beta cannot.",
    check_ids=CHECK_IDS,
    instances=instances,
    check=check,
    figures=figures,
    own_derivation="The convex program, its group enumeration (realizable D_2 via LP-certified "
    "cells of the mixed-row arrangement inside each first-layer cone), the m = 1 reduction, "
    "the Carathéodory pruning of sub-networks, the dual lower bound and the O(n^{3(r-1)}) "
    "group bound for m = 2 are this project's derivations (relucheck/models/parallel/program.py, "
    "path_groups.py, path_certificate.py), not the paper's text.",
    budget_seconds=150.0,
    checks_for=checks_for,
)
