"""SR's declarations: check ids and their relations, which kind reports which checks, the
tolerances the checks share, the instance grid, and the row helpers bound to RELATIONS.

The base module of the package: every family module imports from here, nothing here imports
a family module (so there is no import cycle).
"""

from __future__ import annotations

from typing import Any

from relucheck.harness.claims import InstanceSpec
from relucheck.harness.records import CheckResult, skipped
from relucheck.theorems.common import held_row, inconclusive_row

CLAIM_ID = "SR"
EXACT_TOL = 1e-9  # the exact trend-filtering method
IDENTITY_TOL = 1e-10  # algebraic identities in float64

#: The relation each check is held to, stated once and reused by every row.
RELATIONS = {
    "rescaling_identity": "max|f(rescaled) - f| and |min_gamma penalty - lam*path| and "
    "|<grad F, (w,b,-v)_k> - lam(|w_k|^2 - v_k^2)| <= 1e-10 rel",
    "control_penalized_bias": "|min_gamma penalty_b - lam*sum|v||w|| > 1e-6 rel and "
    "|min_gamma penalty_b - lam*sum|v|sqrt(|w|^2+b^2)| <= 1e-10 rel",
    "tv_exact_certified": "gap_exact <= 1e-9 and |v_cvxpy - v_exact| <= 1e-6 rel",
    "nn_above_opt": "min over all runs >= tv_lower - 1e-6*|opt|",
    "nn_close_opt": "(best run - opt)/opt <= 1e-2",
    "fitted_values_agree": "|theta_NN - theta*| <= sqrt(2 (F_NN - tv_lower)) + 1e-9",
    "balance_near_optimum": "(lam/2) sum (|v_k| - |w_k|)^2 <= F_NN - tv_lower + 1e-9",
    "knot_structure": "lam*path(outside [x1,xn]) <= F_NN - tv_lower + 1e-9, "
    "K_reduced <= n - 2, F(reduced) <= F_NN + 1e-9 rel",
    "control_lambda_tenth": "(F_lam(net trained at lam/10) - opt)/opt > 1e-2",
    "interpolation_costs": "|LP_skip - T| and |LP_noskip - max(T, (T+|s1+s_n-1|)/2)| "
    "<= 1e-6 rel, both inside their certified brackets",
    "control_skip_formula": "T < certified lower(LP_noskip) - 1e-6 rel on convex data",
    "representer_count": "K_reduced <= n - (d+1) and F(reduced) <= F_trained + 1e-9 rel",
    "certified_gap_2d": "min over runs >= lower - 1e-6 rel; (F_refined - lower)/F_refined <= 1e-4",
    "control_suboptimal": "(F(reduced minus heaviest neuron) - lower)/lower > 1e-2",
    "deep_linear_closed_form": "min over runs >= closed - 1e-8 rel; best within 1e-6 rel, "
    "singular values within 1e-4",
    "factorization_identity": "|pen(balanced) - (L/2) sum s^(2/L)| <= 1e-10 rel and "
    "pen(random refactorization) >= it",
    "rank_drops_with_depth": "rank(L) non-increasing, rank(L_max) < rank(1), GD ranks = closed "
    "where GD reached the closed form",
    "control_lambda_zero": "rank(GD product at lam = 0) == k",
    "maurey_rate": "-0.6 <= loglog slope <= -0.4 and RMS(K) <= 1.25*2/sqrt(K) for every d",
    "control_biased_sampler": "loglog slope of the sign-forgetting sampler > -0.4 for every d",
}
CHECK_IDS = tuple(RELATIONS)

CHECKS_BY_KIND = {
    "rescaling": ("rescaling_identity", "control_penalized_bias"),
    "one_d": (
        "tv_exact_certified",
        "nn_above_opt",
        "nn_close_opt",
        "fitted_values_agree",
        "balance_near_optimum",
        "knot_structure",
        "control_lambda_tenth",
    ),
    "interpolation": ("interpolation_costs", "control_skip_formula"),
    "representer": ("representer_count", "certified_gap_2d", "control_suboptimal"),
    "deep_linear": (
        "deep_linear_closed_form",
        "factorization_identity",
        "rank_drops_with_depth",
        "control_lambda_zero",
    ),
    "maurey": ("maurey_rate", "control_biased_sampler"),
}


def checks_for(spec: InstanceSpec) -> tuple[str, ...]:
    """The checks one SR instance reports."""
    return CHECKS_BY_KIND[spec.p["kind"]]


# ------------------------------------------------------------------------- row helpers


def row(check_id: str, ok: bool, **kw: Any) -> CheckResult:
    """PASS/FAIL row for an SR check (``common.held_row`` with SR's RELATIONS)."""
    return held_row(RELATIONS, check_id, ok, **kw)


def inconclusive(check_id: str, reason: str, **kw: Any) -> CheckResult:
    """INCONCLUSIVE row for an SR check (``common.inconclusive_row`` with SR's RELATIONS)."""
    return inconclusive_row(RELATIONS, check_id, reason, **kw)


def skipped_row(check_id: str, reason: str) -> CheckResult:
    """SKIPPED row for an SR check (a solver is missing), stating its relation."""
    return skipped(check_id, RELATIONS[check_id], reason)


# --------------------------------------------------------------------------- instances


def instances(profile: str) -> list[InstanceSpec]:
    """Quick: n ≤ 15, widths 2n, a few restarts (seconds each). Full: larger and more."""
    quick = profile == "quick"
    make = InstanceSpec.make
    train = {"restarts": 6, "adam_steps": 2000} if quick else {"restarts": 10, "adam_steps": 6000}
    grid = [
        make(CLAIM_ID, "rescaling", 51, kind="rescaling", n=10, width=8),
        make(CLAIM_ID, "1d-n12", 52, kind="one_d", n=12, lam_frac=0.05, **train),
        make(CLAIM_ID, "1d-n15", 53, kind="one_d", n=15, lam_frac=0.02, **train),
        make(CLAIM_ID, "interp-n12", 54, kind="interpolation", n=12),
        make(CLAIM_ID, "repr-d2-n10", 55, kind="representer", n=10, lam=0.1, restarts=4),
        make(CLAIM_ID, "repr-d2-n12", 56, kind="representer", n=12, lam=0.05, restarts=4),
        make(CLAIM_ID, "deep-linear-k5", 57, kind="deep_linear", k=5, lam=0.3, depths=(1, 2, 3, 4)),
        make(
            CLAIM_ID,
            "maurey",
            58,
            kind="maurey",
            dims=(2, 10, 100),
            width=2000,
            points=500,
            Ks=(4, 16, 64, 256, 1024),
            repeats=100,
        ),
    ]
    if not quick:
        grid += [
            make(CLAIM_ID, "1d-n30", 62, kind="one_d", n=30, lam_frac=0.01, **train),
            make(CLAIM_ID, "interp-n30", 64, kind="interpolation", n=30),
            make(CLAIM_ID, "repr-d2-n16", 65, kind="representer", n=16, lam=0.05, restarts=8),
            make(
                CLAIM_ID,
                "deep-linear-k8",
                67,
                kind="deep_linear",
                k=8,
                lam=0.2,
                depths=(1, 2, 3, 4, 6),
                restarts=8,
            ),
        ]
    return grid
