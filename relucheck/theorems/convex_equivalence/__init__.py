"""CE — convex equivalence of two-layer ReLU networks (claims.md, section CE).

Statement (Pilanci & Ergen, ICML 2020, arXiv 2002.10553): for the weight-decay problem

    p(m) = min_{u_j, α_j} L(Σ_{j≤m} σ(X u_j) α_j, y) + (β/2) Σ_j (‖u_j‖² + α_j²)

and the group-lasso program over ALL activation patterns D_1..D_P with cone constraints
(models/two_layer/convex_program.py), p(m) = p_cvx for every m ≥ m*, where m* is the number
of nonzero groups; the reconstruction attains p_cvx, and after Carathéodory pruning
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

Layout: ``spec`` (relations, check ids, instances, data, row helper); one module per sub-claim,
each reading statement -> instances -> checks -> controls: ``equivalence`` (pattern count,
reconstruction, certificate, pruning, MOSEK), ``training`` (non-convex restarts vs p_cvx),
``controls`` (negative controls); ``plots`` (the figures). ``check`` below runs them in that
order on one instance.
"""

from __future__ import annotations

import time

from relucheck.harness.claims import Claim, InstanceSpec, RunOptions
from relucheck.harness.records import CheckResult, Verdict
from relucheck.models.arrangements.patterns import enumerate_patterns
from relucheck.models.two_layer.certificate import dual_gauge_bound
from relucheck.solvers.backends import SolverUnavailable
from relucheck.solvers.two_layer_global import solve_two_layer
from relucheck.theorems.common import is_control
from relucheck.theorems.convex_equivalence import controls, equivalence, training
from relucheck.theorems.convex_equivalence.plots import figures
from relucheck.theorems.convex_equivalence.spec import (
    CHECK_IDS,
    CLAIM_ID,
    RELATIONS,
    SOLVER_CHECKS,
    instances,
    load_data,
    skipped,
)

__all__ = [
    "CHECK_IDS",
    "CLAIM",
    "CLAIM_ID",
    "RELATIONS",
    "SOLVER_CHECKS",
    "check",
    "figures",
    "instances",
    "load_data",
    "skipped",
]


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
    rows.append(equivalence.check_pattern_count(X, patterns, t_enum))

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
    if not sol.result.accurate:
        reason = f"convex solve inaccurate (status {sol.result.status})"
        return rows + [
            CheckResult(
                c,
                Verdict.INCONCLUSIVE,
                "solver status optimal",
                reason=reason,
                control=is_control(c),
                solver=solver_facts,
                data=facts,
            )
            for c in SOLVER_CHECKS
        ]

    rows.append(equivalence.check_reconstruction(sol, facts))
    rows.append(equivalence.check_certified_gap(sol, facts))
    rows.append(equivalence.check_pruned_width(sol, n, facts))

    runs, t_train = training.train_runs(X, y, beta, spec, loss)
    rows += training.check_nonconvex(runs, sol.objective, sol.certificate.lower, n, t_train, facts)

    rows.append(equivalence.check_mosek(X, y, beta, patterns, loss, sol.objective, options))
    rows.append(controls.control_width_one(X, y, beta, patterns, loss, sol, options, facts))
    rows.append(
        controls.control_sampled_subset(X, y, beta, patterns, loss, sol, options, spec.seed, facts)
    )
    rows.append(controls.control_gated(X, y, beta, patterns, loss, sol, options, facts))
    for row in rows[1:]:
        row.solver = row.solver or solver_facts
    return rows


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
