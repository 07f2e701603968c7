"""CE — convex equivalence of two-layer ReLU networks (claims.md, section CE).

Statement (Pilanci & Ergen, ICML 2020, arXiv 2002.10553): for the weight-decay problem

    p(m) = min_{u_j, α_j} L(Σ_{j≤m} σ(X u_j) α_j, y) + (β/2) Σ_j (‖u_j‖² + α_j²)

and the group-lasso program over ALL activation patterns D_1..D_P with cone constraints
(models/convex_program.py), p(m) = p_cvx for every m ≥ m*, where m* is the number of
nonzero groups; the reconstruction attains p_cvx, and after Carathéodory pruning
m* ≤ n + 1. Every non-convex run is bounded below by p_cvx. The equivalence holds for
other convex losses; we check the hinge loss as well.

Instances: 1-D data with a (regularized) bias column, Gaussian X, a planted teacher, a
rank-deficient X (patterns enumerated in the row space), a subsample of scikit-learn's
bundled diabetes set, and a hinge-loss teacher with ±1 labels. β is set per instance as a
fraction of β_max = γ°(y), the smallest β at which the zero network is optimal, so that
every instance sits in the interesting regime.

Checks (relation and tolerance in each row):
  pattern_count          exact count = Cover's count (general position), ≤ the bound always
  reconstruction_attains reconstructed network's true objective = solver's p_cvx (1e-6 rel)
  certified_gap          (network objective − dual lower bound)/objective ≤ 1e-6, full patterns
  nonconvex_above_convex EVERY non-convex run (all widths, restarts) ≥ certified lower − 1e-6 rel
  pruned_width           pruned width ≤ n + 1 and pruning did not raise the objective
  best_restart_close     best run at m ≥ n + 1 within 1e-2 rel of p_cvx (soft: INCONCLUSIVE if not)
  mosek_cross_check      MOSEK's optimum agrees to 1e-6 rel (SKIPPED without a license)
Negative controls (PASS = the violation was detected):
  control_width_one      certified lower bound on p(1) > p_cvx (strictly above)
  control_sampled_subset sampled-pattern value ≥ p_cvx; the excess is reported, and the full
                         certificate must refuse to certify a sampled solution that is not optimal
  control_gated          no cone constraints: value ≤ p_cvx, naive reconstruction does not attain it
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from relucheck.datasets import generators
from relucheck.harness.claims import Claim, InstanceSpec, RunOptions
from relucheck.harness.records import CheckResult, Verdict, held
from relucheck.harness.records import skipped as skipped_row
from relucheck.models.arrangements.patterns import (
    cover_bound,
    cover_count,
    enumerate_patterns,
    is_general_position,
    sample_patterns,
)
from relucheck.models.two_layer.certificate import dual_gauge_bound, relative_gap
from relucheck.solvers.backends import SolverUnavailable, probe_mosek
from relucheck.solvers.nonconvex import train_two_layer
from relucheck.solvers.two_layer_global import (
    certify_network,
    solve_two_layer,
    width_one_bounds,
)
from relucheck.theorems.restarts import restart_rows

CLAIM_ID = "CE"
REL_TOL = 1e-6  # certification and attainment (claims.md CE)
SOFT_TOL = 1e-2  # best restart vs p_cvx: optima sit on ReLU kinks, local methods stall above
#: The relation each check is held to, stated once and reused by every row (SKIPPED too).
RELATIONS = {
    "pattern_count": "count == 2*sum_{k<r} C(n-1,k) <= 2r(e(n-1)/r)^r",
    "reconstruction_attains": "|obj(reconstruct(V,W)) - p_cvx| <= 1e-6*|p_cvx|",
    "certified_gap": "(p_upper - dual_lower)/p_upper <= 1e-6",
    "pruned_width": "width_pruned <= n + 1 and obj_pruned <= obj + 1e-6 rel",
    "nonconvex_above_convex": "min over all runs >= certified_lower - 1e-6*|p_cvx|",
    "best_restart_close": "(best run at m >= n+1 - p_cvx)/p_cvx <= 1e-2",
    "mosek_cross_check": "|p_mosek - p_cvx| <= 1e-6*|p_cvx|",
    "control_width_one": "certified_lower(p(1)) > p_cvx + 1e-6*|p_cvx|",
    "control_sampled_subset": (
        "v_sampled >= dual_lower - 1e-6 rel, and full-pattern gap > 1e-6 when excess > 1e-6"
    ),
    "control_gated": "p_gated <= p_cvx + tol and obj(naive reconstruction) > p_gated + tol",
}
CHECK_IDS = tuple(RELATIONS)
SOLVER_CHECKS = CHECK_IDS[1:]  # everything but the pattern count needs a conic solve


# --------------------------------------------------------------------------- instances


def instances(profile: str) -> list[InstanceSpec]:
    """The instance grid. Quick: six small instances covering every data kind."""
    train = (
        {"restarts": 8, "adam_steps": 4000}
        if profile == "quick"
        else {"restarts": 16, "adam_steps": 10000}
    )
    make = InstanceSpec.make
    grid = [
        make(CLAIM_ID, "1d-bias", 11, kind="one_dimensional", n=12, beta_frac=0.05, **train),
        make(CLAIM_ID, "gaussian-d3", 12, kind="gaussian", n=12, d=3, beta_frac=0.2, **train),
        make(
            CLAIM_ID, "teacher-d3", 13, kind="teacher", n=14, d=3, width=3, beta_frac=0.02, **train
        ),
        make(
            CLAIM_ID,
            "rank2-d4",
            14,
            kind="rank_deficient",
            n=12,
            d=4,
            rank=2,
            beta_frac=0.1,
            **train,
        ),
        make(CLAIM_ID, "diabetes-d3", 15, kind="diabetes", n=14, d=3, beta_frac=0.15, **train),
        make(
            CLAIM_ID,
            "teacher-hinge-d3",
            16,
            kind="teacher_labels",
            n=12,
            d=3,
            width=3,
            beta_frac=0.1,
            loss="hinge",
            **train,
        ),
    ]
    if profile == "full":
        grid += [
            make(CLAIM_ID, "gaussian-d4", 21, kind="gaussian", n=16, d=4, beta_frac=0.1, **train),
            make(
                CLAIM_ID,
                "teacher-d5",
                22,
                kind="teacher",
                n=20,
                d=5,
                width=4,
                beta_frac=0.05,
                **train,
            ),
            make(
                CLAIM_ID, "1d-bias-n30", 23, kind="one_dimensional", n=30, beta_frac=0.02, **train
            ),
            make(CLAIM_ID, "diabetes-d4", 24, kind="diabetes", n=20, d=4, beta_frac=0.1, **train),
            make(
                CLAIM_ID,
                "rank3-d6",
                25,
                kind="rank_deficient",
                n=16,
                d=6,
                rank=3,
                beta_frac=0.1,
                **train,
            ),
        ]
    return grid


def load_data(spec: InstanceSpec) -> generators.Dataset:
    """The instance's data, generated from its seed."""
    p = spec.p
    kind = p["kind"]
    if kind == "one_dimensional":
        return generators.one_dimensional(p["n"], spec.seed)
    if kind == "gaussian":
        return generators.gaussian(p["n"], p["d"], spec.seed)
    if kind == "teacher":
        return generators.planted_teacher(p["n"], p["d"], p["width"], spec.seed)
    if kind == "teacher_labels":
        return generators.planted_teacher(p["n"], p["d"], p["width"], spec.seed, labels=True)
    if kind == "rank_deficient":
        return generators.rank_deficient(p["n"], p["d"], p["rank"], spec.seed)
    if kind == "diabetes":
        return generators.diabetes_subsample(p["n"], p["d"], spec.seed)
    raise ValueError(f"unknown data kind {kind!r}")


# ------------------------------------------------------------------------------ checks


def check(spec: InstanceSpec, options: RunOptions) -> list[CheckResult]:
    """Run every CE check and control on one instance."""
    p = spec.p
    loss = p.get("loss", "squared")
    data = load_data(spec)
    X, y = data.X, data.y
    n = X.shape[0]
    rows: list[CheckResult] = []

    start = time.perf_counter()
    patterns = enumerate_patterns(X)
    t_enum = time.perf_counter() - start
    rows.append(check_pattern_count(X, patterns, t_enum))

    beta = p["beta_frac"] * dual_gauge_bound(X, y, patterns.without_zero().masks)
    facts = {
        "n": n,
        "d": X.shape[1],
        "rank": patterns.rank,
        "P": patterns.count,
        "beta": beta,
        "loss": loss,
        "data": data.description,
    }

    try:
        sol = solve_two_layer(X, y, beta, patterns, loss=loss, solver=options.solver)
    except SolverUnavailable as exc:
        return rows + [skipped(c, str(exc)) for c in SOLVER_CHECKS]
    solver_facts = sol.result.facts()
    p_cvx = sol.objective
    lower = sol.certificate.lower
    if not sol.result.accurate:
        reason = f"convex solve inaccurate (status {sol.result.status})"
        return rows + [
            CheckResult(
                c,
                Verdict.INCONCLUSIVE,
                "solver status optimal",
                reason=reason,
                solver=solver_facts,
                data=facts,
            )
            for c in SOLVER_CHECKS
        ]

    rows.append(check_reconstruction(sol, facts))
    rows.append(check_certified_gap(sol, facts))
    rows.append(check_pruned_width(sol, n, facts))

    start = time.perf_counter()
    widths = sorted({1, 2, 4, n + 1})
    runs = {
        m: train_two_layer(
            X,
            y,
            beta,
            width=m,
            restarts=p["restarts"],
            seed=spec.seed + m,
            loss=loss,
            adam_steps=p["adam_steps"],
        )
        for m in widths
    }
    t_train = time.perf_counter() - start
    rows += check_nonconvex(runs, p_cvx, lower, n, t_train, facts)

    rows.append(check_mosek(X, y, beta, patterns, loss, p_cvx, options))
    rows.append(control_width_one(X, y, beta, patterns, loss, sol, options, facts))
    rows.append(control_sampled_subset(X, y, beta, patterns, loss, sol, options, spec.seed, facts))
    rows.append(control_gated(X, y, beta, patterns, loss, sol, options, facts))
    for row in rows[1:]:
        row.solver = row.solver or solver_facts
    return rows


def skipped(check_id: str, reason: str) -> CheckResult:
    """A SKIPPED row for one of this claim's checks, with its relation."""
    return skipped_row(check_id, RELATIONS[check_id], reason)


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
        return held(
            "pattern_count",
            ok,
            RELATIONS["pattern_count"],
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
    return held(
        "certified_gap",
        gap <= REL_TOL,
        RELATIONS["certified_gap"],
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
    return held(
        "pruned_width",
        ok,
        RELATIONS["pruned_width"],
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


def check_nonconvex(
    runs, p_cvx: float, lower: float, n: int, seconds: float, facts: dict[str, Any]
) -> list[CheckResult]:
    """Hard: every run ≥ certified lower bound − tol. Soft: best at m ≥ n + 1 within 1e-2."""
    return restart_rows(
        runs, p_cvx, lower, wide_from=n + 1, relations=RELATIONS, seconds=seconds,
        facts=facts, rel_tol=REL_TOL, soft_tol=SOFT_TOL,
    )  # fmt: skip


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
    return held(
        "mosek_cross_check",
        err <= REL_TOL,
        RELATIONS["mosek_cross_check"],
        value=err,
        tolerance=REL_TOL,
        margin=REL_TOL - err,
        solver=sol.result.facts(),
    )


# -------------------------------------------------------------------- negative controls


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
        return CheckResult(
            "control_width_one",
            Verdict.INCONCLUSIVE,
            RELATIONS["control_width_one"],
            value=w1.lower,
            tolerance=tol,
            margin=margin,
            control=True,
            reason="bound did not separate and a single-group solve was inaccurate",
            data=data,
        )
    return held(
        "control_width_one",
        margin > 0,
        RELATIONS["control_width_one"],
        value=w1.lower,
        tolerance=tol,
        margin=margin,
        control=True,
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
    return held(
        "control_sampled_subset",
        upper_ok and detected,
        RELATIONS["control_sampled_subset"],
        value=excess,
        tolerance=REL_TOL,
        margin=full_gap - excess,
        control=True,
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
    return held(
        "control_gated",
        below and missed > tol,
        RELATIONS["control_gated"],
        value=missed,
        tolerance=tol,
        margin=missed - tol,
        control=True,
        timings={"gated": seconds},
        data=data,
    )


# ----------------------------------------------------------------------------- figures


def figures(df, out_dir: Path) -> list[Path]:
    """Objective vs width (restarts vs the convex optimum) and restart trajectories."""
    import matplotlib.pyplot as plt

    from relucheck.harness.figdata import payloads as stored_payloads
    from relucheck.harness.figstyle import paper_style, save_figure

    payloads = [
        (name, d)
        for name, d in stored_payloads(df, CLAIM_ID, "nonconvex_above_convex")
        if "finals" in d
    ]
    if not payloads:
        return []
    paths: list[Path] = []
    cols = min(3, len(payloads))
    nrows = int(np.ceil(len(payloads) / cols))
    with paper_style():
        fig, axes = plt.subplots(nrows, cols, figsize=(2.3 * cols, 1.9 * nrows), squeeze=False)
        for ax, (name, d) in zip(axes.flat, payloads, strict=False):
            p = d["p_cvx"]
            for m, vals in zip(d["widths"], d["finals"], strict=False):
                rel = np.maximum(np.asarray(vals) / p - 1.0, 1e-9)
                ax.scatter(np.full(len(vals), m), rel, s=8, alpha=0.7, color="C0")
            ax.axhline(1e-2, color="C3", ls=":", lw=0.8, label="soft tol 1e-2")
            ax.set_xscale("log", base=2)
            ax.set_yscale("log")
            ax.set_title(name)
            ax.set_xlabel("width m")
            ax.set_ylabel(r"$p(m)/p_{cvx}-1$")
        for ax in axes.flat[len(payloads) :]:
            ax.set_visible(False)
        axes.flat[0].legend(loc="upper right")
        fig.suptitle("Restart objectives vs width, relative to the certified convex optimum")
        paths += save_figure(fig, out_dir, "ce_objective_vs_width")

        fig, axes = plt.subplots(nrows, cols, figsize=(2.3 * cols, 1.9 * nrows), squeeze=False)
        for ax, (name, d) in zip(axes.flat, payloads, strict=False):
            p = d["p_cvx"]
            for steps, vals in d["trajectories"]:
                ax.plot(steps, np.maximum(np.asarray(vals) / p - 1.0, 1e-9), lw=0.7, alpha=0.8)
            ax.axvline(d["adam_steps"], color="0.5", ls="--", lw=0.6)
            ax.set_yscale("log")
            ax.set_title(f"{name}, m={d['trajectory_width']}")
            ax.set_xlabel("iteration (Adam | L-BFGS)")
            ax.set_ylabel(r"$obj/p_{cvx}-1$")
        for ax in axes.flat[len(payloads) :]:
            ax.set_visible(False)
        fig.suptitle("Restart trajectories against the convex optimum")
        paths += save_figure(fig, out_dir, "ce_trajectories")
    return paths


CLAIM = Claim(
    id=CLAIM_ID,
    title="Convex equivalence of two-layer ReLU networks",
    citation="Pilanci & Ergen, Neural Networks are Convex Regularizers, ICML 2020 "
    "(arXiv 2002.10553)",
    statement="Weight-decay training of a two-layer ReLU network of width m >= m* equals a "
    "group-lasso convex program over all activation patterns; the reconstruction "
    "attains it and at most n+1 neurons are needed.",
    check_ids=CHECK_IDS,
    instances=instances,
    check=check,
    figures=figures,
    own_derivation="The certified lower bound's cone-supremum bound (NNLS over the polar "
    "cone) and the hinge-loss dual candidate are this project's derivations; "
    "see relucheck/models/two_layer/certificate.py.",
    budget_seconds=150.0,
)
