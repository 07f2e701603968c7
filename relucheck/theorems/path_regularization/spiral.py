"""PR sub-claim on depth: a three-layer path-regularized network fits what two layers cannot.

Statement (claims.md PR): on two spirals, a three-layer path-regularized network (RESTRICTED
program over sampled groups: an upper bound) classifies every point, while the CERTIFIED
two-layer weight-decay optimum at the same β (and at β/√2, which the replication z_1 = z_2
would buy) does not, and the three-layer objective is below the two-layer certified lower
bound:
  spiral_fit   acc3 == 1 > acc2(β), acc2(β/√2) < 1 and obj3 < certified_lower2(β)

Instances: ``spiral`` (kind "spiral"). The row stores both networks for ``figures``.
"""

from __future__ import annotations

import time
from math import comb

import numpy as np

from relucheck.datasets.spirals import spirals
from relucheck.harness.claims import InstanceSpec, RunOptions
from relucheck.harness.records import CheckResult
from relucheck.models.arrangements.patterns import enumerate_patterns
from relucheck.models.parallel import network as pn
from relucheck.models.parallel.groups import count_first_layer_tuples, sample_groups
from relucheck.models.two_layer.certificate import dual_gauge_bound
from relucheck.models.two_layer.network import forward as two_layer_forward
from relucheck.solvers.path_global import solve_path_regularized
from relucheck.solvers.two_layer_global import solve_two_layer
from relucheck.theorems.common import held_row
from relucheck.theorems.path_regularization.spec import RELATIONS, inconclusive


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
    return held_row(
        RELATIONS,
        "spiral_fit",
        ok,
        value=acc3 - acc2,
        tolerance=0.0,
        margin=min(acc3 - acc2, 1.0 - acc2b, two.certificate.lower - obj3),
        timings=timings,
        solver=three.result.facts(),
        data=facts,
    )
