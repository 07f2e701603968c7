"""PR sub-claim on the size of the exact program: how its group count grows with n.

Statement (claims.md PR): the early versions of arXiv 2110.09548 call exact training
polynomial-time in n and d; the final version says the problem "may not be trainable in
polynomial time". The harness measures the number of groups of the exact program against n
at fixed d (= rank r) and reports the fitted degree next to both readings:
  group_count_bound   m = 1: count = 2·P; m = 2: count ≤ 2(C(P+1, 2) + P²·max(1, cover(n, r)))
                      at every n
  group_count_degree  fitted log-log degree in n: m = 1 within 0.3 of r − 1; m = 2 in
                      [2(r−1) − 0.3, 3(r−1) + 0.3] and above m = 1's by ≥ 0.5

The m = 2 bound is this project's derivation: the only mixed rows have ε = (+, −) and
D_11 = D_12 = 1 there, so h_i = x_iᵀ(z_1 − z_2): the second-layer cells are cells of the
arrangement of those x_i in w = z_1 − z_2, at most cover(n, r) of them, times C(P+1, 2) + P²
first-layer tuples with P = O(n^{r−1}): O(n^{3(r−1)}).

Instances: ``groups-d*`` (kind "growth"): a grid of n per d; no conic solver needed.
"""

from __future__ import annotations

import time
from math import comb
from typing import Any

import numpy as np

from relucheck.datasets import generators
from relucheck.harness.claims import InstanceSpec
from relucheck.harness.records import CheckResult
from relucheck.models.arrangements.patterns import cover_count, enumerate_patterns
from relucheck.models.parallel.groups import count_first_layer_tuples, enumerate_groups
from relucheck.theorems.common import held_row
from relucheck.theorems.fits import loglog_slope
from relucheck.theorems.path_regularization.spec import RELATIONS

DEGREE_SLACK = 0.3  # fitted degree vs the predicted one, on the last three points of the grid
DEGREE_GROWTH = 0.5  # how much faster m = 2 must grow than m = 1

PAPER_CLAIMS = {
    "early": "exact training is polynomial-time in n and d (arXiv 2110.09548, early versions)",
    "final": "the problem may not be trainable in polynomial time (final version)",
}


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
        held_row(
            RELATIONS,
            "group_count_bound",
            eq1 and below2 and exact,
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
        held_row(
            RELATIONS,
            "group_count_degree",
            min(margins) >= 0,
            value=deg2,
            tolerance=DEGREE_SLACK,
            margin=min(margins),
            timings=timings,
            reason=meas["reading"],
            data=meas,
        )
    )
    return rows
