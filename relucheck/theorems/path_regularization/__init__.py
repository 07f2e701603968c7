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

Layout: ``spec`` (relations, checks per kind, instances, row helpers); one module per
sub-claim, each reading statement -> instances -> checks -> controls: ``program`` (reduction
and exact program vs CE and trained networks), ``controls`` (negative controls of the exact
program), ``growth`` (group counts vs n), ``spiral`` (depth); ``plots`` (the figures).

The degree bound for m = 2 is this project's derivation (``growth``): the only mixed rows have
ε = (+, −) and D_11 = D_12 = 1 there, so h_i = x_iᵀ(z_1 − z_2): the second-layer cells are
cells of the arrangement of those x_i in w = z_1 − z_2, at most cover(n, r) of them, times
C(P+1, 2) + P² first-layer tuples with P = O(n^{r−1}): O(n^{3(r−1)}).
"""

from __future__ import annotations

from relucheck.harness.claims import Claim, InstanceSpec, RunOptions
from relucheck.harness.records import CheckResult
from relucheck.solvers.backends import SolverUnavailable, resolve_solver
from relucheck.theorems.path_regularization.growth import check_growth
from relucheck.theorems.path_regularization.plots import figures
from relucheck.theorems.path_regularization.program import check_exact, check_reduction
from relucheck.theorems.path_regularization.spec import (
    CHECK_IDS,
    CHECKS_BY_KIND,
    CLAIM_ID,
    RELATIONS,
    checks_for,
    instances,
    skipped,
)
from relucheck.theorems.path_regularization.spiral import check_spiral

__all__ = [
    "CHECKS_BY_KIND",
    "CHECK_IDS",
    "CLAIM",
    "CLAIM_ID",
    "RELATIONS",
    "check",
    "checks_for",
    "figures",
    "instances",
]


def check(spec: InstanceSpec, options: RunOptions) -> list[CheckResult]:
    """Dispatch on the instance kind (growth needs no conic solver)."""
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
    "group bound for m = 2 are this project's derivations (relucheck/models/parallel/: "
    "program.py, groups.py, certificate.py), not the paper's text.",
    budget_seconds=150.0,
    checks_for=checks_for,
)
