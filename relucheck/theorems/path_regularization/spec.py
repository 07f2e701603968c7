"""PR's shared contract: the relation of every check, the checks of each instance kind, the
instance grid and its data, and the row helpers bound to ``RELATIONS``.

Every sub-claim module (``program``, ``controls``, ``growth``, ``spiral``) and ``figures``
imports from here; the only other edge is ``program`` -> ``controls`` (the exact instances run
the controls), and ``__init__`` alone imports the sub-claims, so there is no import cycle.
"""

from __future__ import annotations

from typing import Any

from relucheck.datasets import generators
from relucheck.harness.claims import InstanceSpec
from relucheck.harness.records import CheckResult
from relucheck.harness.records import skipped as skipped_row
from relucheck.theorems.common import inconclusive_row

CLAIM_ID = "PR"

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
    """The instance's data from its seed (reduction and exact instances)."""
    p = spec.p
    if p["data"] == "gaussian":
        return generators.gaussian(p["n"], p["d"], spec.seed)
    if p["data"] == "one_dimensional":
        return generators.one_dimensional(p["n"], spec.seed)
    if p["data"] == "teacher":
        return generators.planted_teacher(p["n"], p["d"], 3, spec.seed)
    raise ValueError(f"unknown data kind {p['data']!r}")


# ------------------------------------------------------------------------- row helpers


def skipped(check_id: str, reason: str) -> CheckResult:
    """A SKIPPED row for one of this claim's checks, with its relation."""
    return skipped_row(check_id, RELATIONS[check_id], reason)


def inconclusive(check_id: str, reason: str, **extra: Any) -> CheckResult:
    """An INCONCLUSIVE row for one of this claim's checks, with its relation."""
    return inconclusive_row(RELATIONS, check_id, reason, **extra)


def rel_err(a: float, b: float) -> float:
    """|a − b| / |b|, guarded against b = 0."""
    return abs(a - b) / max(abs(b), 1e-300)
