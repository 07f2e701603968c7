"""CE's declarations: check ids and their relations, the instance grid, the data loader and
the SKIPPED-row helper bound to RELATIONS.

The base module of the package: every other module imports from here, nothing here imports
a sibling module (so there is no import cycle). Tolerances: ``REL_TOL`` (certification and
attainment) and ``SOFT_TOL`` (best restart vs p_cvx) come from ``relucheck.theorems.common``.
"""

from __future__ import annotations

from relucheck.datasets import generators
from relucheck.harness.claims import InstanceSpec
from relucheck.harness.records import CheckResult
from relucheck.harness.records import skipped as skipped_row

CLAIM_ID = "CE"

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


def skipped(check_id: str, reason: str) -> CheckResult:
    """A SKIPPED row for one of this claim's checks, with its relation."""
    return skipped_row(check_id, RELATIONS[check_id], reason)


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
