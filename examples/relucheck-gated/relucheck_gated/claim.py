"""GATED-LB: the gated-ReLU program bounds the ReLU (CE) program from below, on fresh data.

Statement. For data X, y, β > 0 and any set of gates, the gated-ReLU program over those
gates (the CE program of relucheck's claims.md with the cone constraints dropped, see
:mod:`relucheck_gated.gated`) has optimum p_gated ≤ p_relu, the optimum of the CE program
over the same gates: dropping constraints can only lower a minimum. This is our own
(one-line) derivation, not a paper's text.

Check ``gated_below_relu``: with both optima certified (relative gap ≤ 1e-6 each, from dual
bounds computed here and by relucheck), p_gated_upper ≤ p_relu_lower + 1e-5·|p_relu_lower|
(1e-5 covers the two gaps). INCONCLUSIVE when a solve is not certified.

Control ``control_scaled_penalty``: a wrong "relaxation", the gated program with 100·β, is
not a lower bound once the ReLU network is nonzero (β = 0.1·gauge here); the same relation
must be seen to fail on certified numbers (its lower bound above the ReLU upper bound).
"""

from __future__ import annotations

from relucheck.harness.claims import Claim, InstanceSpec, RunOptions
from relucheck.harness.records import CheckResult, Verdict, held
from relucheck_gated.gated import gauge, solve_gated

CLAIM_ID = "GATED-LB"
GAP = 1e-6
TOL = 1e-5
RELATION = "p_gated_upper <= p_relu_lower + 1e-5*|p_relu_lower|"
CONTROL = "p_wrong_lower > p_relu_upper + 1e-5*|p_relu_upper| (100*beta is no lower bound)"
CHECKS = ("gated_below_relu", "control_scaled_penalty")


def instances(profile: str) -> list[InstanceSpec]:
    """Fresh planted-teacher data (seeds 100+), sampled gates, β a fraction of the gauge."""
    seeds = range(100, 102) if profile == "quick" else range(100, 106)
    return [
        InstanceSpec.make(CLAIM_ID, f"teacher-s{seed}", seed=seed, n=30, d=3, gates=40, frac=0.1)
        for seed in seeds
    ]


def _relu_bounds(X, y, beta, patterns, solver: str) -> tuple[float, float, bool]:
    from relucheck.solvers.two_layer_global import solve_two_layer

    sol = solve_two_layer(X, y, beta, patterns, solver=solver)
    upper = min(sol.objective, sol.objective_pruned)
    gap = sol.result.certified_gap
    ok = bool(sol.result.accurate and gap is not None and gap <= GAP)
    return upper, float(sol.result.certified_lower), ok


def check(spec: InstanceSpec, options: RunOptions) -> list[CheckResult]:
    from relucheck.datasets.generators import planted_teacher
    from relucheck.models.arrangements.patterns import sample_patterns
    from relucheck.solvers.backends import SolverUnavailable

    p = spec.p
    data = planted_teacher(p["n"], p["d"], 3, seed=spec.seed)
    X, y = data.X, data.y
    patterns = sample_patterns(X, p["gates"], seed=spec.seed).without_zero()
    masks = patterns.masks
    beta = p["frac"] * gauge(X, y, masks)
    try:
        relu_upper, relu_lower, relu_ok = _relu_bounds(X, y, beta, patterns, options.solver)
    except SolverUnavailable as exc:
        return [
            CheckResult(c, Verdict.SKIPPED, r, reason=str(exc), control=c.startswith("control"))
            for c, r in zip(CHECKS, (RELATION, CONTROL), strict=True)
        ]
    g_upper, g_lower = solve_gated(X, y, beta, masks)
    w_upper, w_lower = solve_gated(X, y, 100.0 * beta, masks)
    certified = relu_ok and (g_upper - g_lower) <= GAP * abs(g_upper)
    facts = {"p_relu": [relu_lower, relu_upper], "p_gated": [g_lower, g_upper], "beta": beta}
    rows = []
    slack = TOL * abs(relu_lower)
    if certified:
        value = g_upper - relu_lower
        rows.append(
            held(
                CHECKS[0],
                value <= slack,
                RELATION,
                value=value,
                tolerance=slack,
                margin=slack - value,
                data=facts,
            )
        )
    else:
        rows.append(
            CheckResult(
                CHECKS[0],
                Verdict.INCONCLUSIVE,
                RELATION,
                reason="a solve was not certified to 1e-6",
                data=facts,
            )
        )
    wrong = w_lower - relu_upper
    slack = TOL * abs(relu_upper)
    rows.append(
        held(
            CHECKS[1],
            relu_ok and wrong > slack,
            CONTROL,
            value=wrong,
            tolerance=slack,
            margin=wrong - slack,
            control=True,
            data={"p_wrong": [w_lower, w_upper]},
        )
    )
    return rows


CLAIM = Claim(
    id=CLAIM_ID,
    title="The gated-ReLU program is a lower bound of the ReLU program",
    citation="Our derivation; the gated ReLU programme of Mishkin, Sahiner and Pilanci (2022)",
    statement="On the same gates, the gated-ReLU convex program's optimum is at most the CE "
    "program's (dropping the cone constraints can only lower the minimum).",
    check_ids=CHECKS,
    instances=instances,
    check=check,
    own_derivation="The inequality and the gated dual bound are our own derivation.",
    budget_seconds=60.0,
)
