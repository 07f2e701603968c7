"""PT — polynomial-time trainability of two-layer ReLU networks (claims.md, section PT).

Statement (Pilanci & Ergen, ICML 2020; Ergen & Pilanci): for X ∈ R^{n×d} of rank r in
general position the number of distinct activation patterns is exactly

    P = 2 Σ_{k<r} C(n−1, k)  ≤  2r (e(n−1)/r)^r,

so the convex program of CE has O(n^r) groups: polynomial in n for fixed r, and
exponential in r. For any data (degenerate, rank-deficient) P ≤ the same expressions with
r = rank X.

Instances and checks (relation and tolerance in each row):
  counts-d{2,3,4}   count_equals_formula  exact count == formula at every n of a grid
                                          (general position certified by subset ranks)
                    count_below_bound     count <= 2r(e(n−1)/r)^r at every n (n >= 2)
                    control_wrong_formula the non-central count Σ_{k≤r} C(n, k) and the
                                          off-by-one 2 Σ_{k<r} C(n, k) are flagged (PASS =
                                          every wrong formula disagrees somewhere on the grid)
  degenerate-*      degenerate_count      count <= formula(n, r) <= bound, and the fast
                                          enumeration equals the LP-certified reference
  coverage-d3       sampling_coverage     Gaussian gate sampling returns a subset of the
                                          exact patterns, labelled exact only if it is all
                                          of them (certificates read the label: "full" vs
                                          "restricted"); coverage vs samples is reported,
                                          non-decreasing, and still < 1 at small budgets
  scaling-r{2,3}    size_slope            log-log slope of P(n) at fixed r within
                                          [r − 1 − 0.3, r] (the exact count's degree is r − 1;
                                          the bound's is r)
                    solve_time_slope      log-log slope of the convex solve time <= 3.5 r
                                          (an interior-point method is polynomial in the
                                          program's size O(n·P) = O(n^r)); measured, reported
  growth-r          exponential_in_r      at fixed n, P(r) == formula for r = 1..r_max and
                                          P at least doubles per unit of r while r <= (n−1)/3

The 3.5·r ceiling on the time slope is this harness's reading of "polynomial": the
exponent of a standard interior-point bound on a program whose size grows like n^r. It
is stated, not derived from the papers, and the report says so.
"""

from __future__ import annotations

import time
from math import comb
from pathlib import Path
from typing import Any

import numpy as np

from relucheck.datasets import generators
from relucheck.harness.claims import Claim, InstanceSpec, RunOptions
from relucheck.harness.records import CheckResult, skipped
from relucheck.models.arrangements.patterns import (
    cover_bound,
    cover_count,
    enumerate_patterns,
    is_general_position,
    sample_patterns,
)
from relucheck.models.two_layer.certificate import dual_gauge_bound
from relucheck.models.two_layer.convex_program import two_layer_convex_program
from relucheck.solvers.backends import SolverUnavailable, resolve_solver, solve_problem
from relucheck.theorems.common import held_row, inconclusive_row
from relucheck.theorems.fits import loglog_slope

CLAIM_ID = "PT"
SIZE_SLOPE_SLACK = 0.3
TIME_SLOPE_FACTOR = 3.5
TIME_REPEATS = 2

#: The relation each check is held to, stated once and reused by every row.
RELATIONS = {
    "count_equals_formula": "count(n) == 2*sum_{k<r} C(n-1,k) for every n on the grid",
    "count_below_bound": "count(n) <= 2r(e(n-1)/r)^r for every n >= 2 on the grid",
    "control_wrong_formula": "every wrong formula differs from the measured counts somewhere",
    "degenerate_count": "count <= formula(n, rank) <= bound and fast == LP reference",
    "sampling_coverage": "sampled ⊆ exact, never labelled exact unless complete, coverage "
    "non-decreasing in samples, < 1 at 10 gates",
    "size_slope": "r - 1 - 0.3 <= loglog slope of P(n) <= r",
    "solve_time_slope": "loglog slope of solve time(n) <= 3.5 r",
    "exponential_in_r": "P(r) == formula and P(r+1) >= 2 P(r) for r <= (n-1)/3",
}
CHECK_IDS = tuple(RELATIONS)

#: Which checks each instance kind measures (Claim.checks_for).
CHECKS_BY_KIND = {
    "counts": ("count_equals_formula", "count_below_bound", "control_wrong_formula"),
    "degenerate": ("degenerate_count",),
    "coverage": ("sampling_coverage",),
    "scaling": ("size_slope", "solve_time_slope"),
    "growth": ("exponential_in_r",),
}


def checks_for(spec: InstanceSpec) -> tuple[str, ...]:
    """The checks one PT instance reports."""
    return CHECKS_BY_KIND[spec.p["kind"]]


#: Deliberately wrong counting formulas for the negative control.
WRONG_FORMULAS = {
    "non-central Σ_{k≤r} C(n,k)": lambda n, r: sum(comb(n, k) for k in range(r + 1)),
    "off-by-one 2Σ_{k<r} C(n,k)": lambda n, r: 2 * sum(comb(n, k) for k in range(r)),
}


# --------------------------------------------------------------------------- instances


def instances(profile: str) -> list[InstanceSpec]:
    """Grids of n per d (counts), degenerate data, sampling coverage, scaling in n and r."""
    quick = profile == "quick"
    make = InstanceSpec.make
    count_grids = {
        2: (10, 100, 1000, 10_000) if quick else (10, 100, 1000, 10_000, 100_000),
        3: (8, 16, 32, 64, 128) if quick else (8, 16, 32, 64, 128, 300),
        4: (8, 12, 16, 24, 32) if quick else (8, 12, 16, 24, 32, 60),
        5: (8, 12, 16) if quick else (8, 12, 16, 24),
    }
    grid = [
        make(CLAIM_ID, f"counts-d{d}", 100 + d, kind="counts", d=d, ns=ns)
        for d, ns in count_grids.items()
    ]
    grid += [
        make(CLAIM_ID, f"degenerate-{kind}", 200 + i, kind="degenerate", data=kind, n=14, d=3)
        for i, kind in enumerate(generators.DEGENERATE_KINDS)
    ]
    grid.append(
        make(
            CLAIM_ID,
            "coverage-d3",
            300,
            kind="coverage",
            n=30,
            d=3,
            samples=(10, 100, 1000, 10_000, 100_000),
        )
    )
    scaling = {
        2: (10, 20, 40, 80, 160) if quick else (10, 20, 40, 80, 160, 320),
        3: (8, 11, 16, 22, 32) if quick else (8, 11, 16, 22, 32, 45),
    }
    grid += [
        make(CLAIM_ID, f"scaling-r{r}", 400 + r, kind="scaling", d=r, ns=ns)
        for r, ns in scaling.items()
    ]
    grid.append(
        make(
            CLAIM_ID,
            "growth-r",
            500,
            kind="growth",
            n=16 if quick else 20,
            ranks=(1, 2, 3, 4, 5, 6) if quick else (1, 2, 3, 4, 5, 6, 7),
        )
    )
    return grid


# ------------------------------------------------------------------------------ checks


def check(spec: InstanceSpec, options: RunOptions) -> list[CheckResult]:
    """Dispatch on the instance kind; every kind emits its own checks."""
    kind = spec.p["kind"]
    if kind == "counts":
        return check_counts(spec)
    if kind == "degenerate":
        return [check_degenerate(spec)]
    if kind == "coverage":
        return [check_coverage(spec)]
    if kind == "scaling":
        return check_scaling(spec, options)
    if kind == "growth":
        return [check_growth(spec)]
    raise ValueError(f"unknown PT instance kind {kind!r}")


def measure_counts(d: int, ns: list[int], seed: int) -> dict[str, list[Any]]:
    """Exact counts, ranks, general-position flags and enumeration times over a grid of n."""
    out: dict[str, list[Any]] = {
        "n": [],
        "count": [],
        "rank": [],
        "general_position": [],
        "seconds": [],
        "method": [],
    }
    for i, n in enumerate(ns):
        X = generators.gaussian(n, d, seed + i).X
        start = time.perf_counter()
        ps = enumerate_patterns(X)
        out["seconds"].append(time.perf_counter() - start)
        out["n"].append(n)
        out["count"].append(ps.count)
        out["rank"].append(ps.rank)
        out["general_position"].append(is_general_position(X))
        out["method"].append(ps.method)
    out["formula"] = [cover_count(n, r) for n, r in zip(out["n"], out["rank"], strict=True)]
    out["bound"] = [cover_bound(n, r) for n, r in zip(out["n"], out["rank"], strict=True)]
    return out


def check_counts(spec: InstanceSpec) -> list[CheckResult]:
    """count == formula (general position), count ≤ bound, and wrong formulas are flagged."""
    m = measure_counts(spec.p["d"], spec.p["ns"], spec.seed)
    timings = {"enumerate": float(sum(m["seconds"]))}
    counts, formula = np.array(m["count"]), np.array(m["formula"])
    gp_known = [g is not False for g in m["general_position"]]
    mismatch = int(np.sum(counts != formula))
    rows = [
        held_row(
            RELATIONS,
            "count_equals_formula",
            mismatch == 0 and all(gp_known),
            value=float(mismatch),
            tolerance=0.0,
            margin=-float(mismatch),
            timings=timings,
            data={"d": spec.p["d"], **m},
            reason="" if all(gp_known) else "some grid point is not in general position",
        ),
    ]
    ratio = max(c / b for c, b, n in zip(m["count"], m["bound"], m["n"], strict=True) if n >= 2)
    rows.append(
        held_row(
            RELATIONS,
            "count_below_bound",
            ratio <= 1.0,
            value=ratio,
            tolerance=1.0,
            margin=1.0 - ratio,
            data={"max_ratio": ratio},
        )
    )
    flagged = {
        name: [int(f(n, r)) for n, r in zip(m["n"], m["rank"], strict=True)]
        for name, f in WRONG_FORMULAS.items()
    }
    detected = {
        name: any(w != c for w, c in zip(vals, m["count"], strict=True))
        for name, vals in flagged.items()
    }
    rows.append(
        held_row(
            RELATIONS,
            "control_wrong_formula",
            all(detected.values()),
            value=float(sum(detected.values())),
            tolerance=float(len(detected)),
            margin=float(sum(detected.values()) - len(detected)),
            data={"wrong_values": flagged, "detected": detected},
        )
    )
    return rows


def check_degenerate(spec: InstanceSpec) -> CheckResult:
    """Degenerate data: count below formula and bound, and the fast method matches the LP one."""
    p = spec.p
    X = generators.degenerate(p["n"], p["d"], p["data"], spec.seed).X
    start = time.perf_counter()
    fast = enumerate_patterns(X)
    t_fast = time.perf_counter() - start
    start = time.perf_counter()
    ref = enumerate_patterns(X, method="lp")
    t_ref = time.perf_counter() - start
    r = fast.rank
    formula, bound = cover_count(p["n"], r), cover_bound(p["n"], r)
    same = fast.count == ref.count and set(map(bytes, np.packbits(fast.masks, axis=1))) == set(
        map(bytes, np.packbits(ref.masks, axis=1))
    )
    ok = fast.count <= formula <= bound and same
    return held_row(
        RELATIONS,
        "degenerate_count",
        ok,
        value=float(fast.count),
        tolerance=float(formula),
        margin=float(formula - fast.count),
        timings={"enumerate_fast": t_fast, "enumerate_lp": t_ref},
        data={
            "data": p["data"],
            "count": fast.count,
            "reference_count": ref.count,
            "formula": formula,
            "bound": bound,
            "rank": r,
            "general_position": is_general_position(X),
            "same_set": same,
        },
    )


def check_coverage(spec: InstanceSpec) -> CheckResult:
    """Coverage of Gaussian gate sampling vs the number of samples (thin cells come last)."""
    p = spec.p
    X = generators.gaussian(p["n"], p["d"], spec.seed).X
    exact = enumerate_patterns(X)
    known = set(map(bytes, np.packbits(exact.masks, axis=1)))
    coverage, subset, mislabelled = [], True, []
    start = time.perf_counter()
    for k in p["samples"]:
        sampled = sample_patterns(X, k, seed=spec.seed)
        keys = set(map(bytes, np.packbits(sampled.masks, axis=1)))
        subset &= keys <= known
        coverage.append(len(keys) / exact.count)
        # The dual certificate claims the FULL program iff its pattern set says exact, so an
        # incomplete sample labelled exact would pass a restricted bound off as a full one.
        if sampled.exact and keys != known:
            mislabelled.append(k)
    seconds = time.perf_counter() - start
    monotone = all(b >= a for a, b in zip(coverage, coverage[1:], strict=False))
    ok = subset and monotone and coverage[0] < 1.0 and coverage[-1] <= 1.0 and not mislabelled
    return held_row(
        RELATIONS,
        "sampling_coverage",
        ok,
        value=coverage[-1],
        tolerance=1.0,
        margin=1.0 - coverage[0],
        timings={"sampling": seconds},
        data={
            "samples": p["samples"],
            "coverage": coverage,
            "count": exact.count,
            "subset": subset,
            "monotone": monotone,
            "incomplete_labelled_exact": mislabelled,
        },
    )


def check_scaling(spec: InstanceSpec, options: RunOptions) -> list[CheckResult]:
    """At fixed r: the program's size and solve time over a grid of n, with fitted slopes."""
    r, ns = spec.p["d"], spec.p["ns"]
    try:
        backend = resolve_solver(options.solver)
    except SolverUnavailable as exc:
        return [skipped(c, RELATIONS[c], str(exc)) for c in checks_for(spec)]
    sizes, times, statuses = [], [], []
    for i, n in enumerate(ns):
        data = generators.planted_teacher(n, r, 3, spec.seed + i)
        masks = enumerate_patterns(data.X).without_zero().masks
        beta = 0.1 * dual_gauge_bound(data.X, data.y, masks)
        problem, _ = two_layer_convex_program(data.X, data.y, beta, masks)
        # The minimum of repeated solves filters the shared machine's noise.
        runs = [solve_problem(problem, backend) for _ in range(TIME_REPEATS)]
        sizes.append(int(masks.shape[0]))
        times.append(min(f["seconds"] for f in runs))
        statuses.append(next((f["status"] for f in runs if not f["accurate"]), "optimal"))
    size_slope = loglog_slope(ns, sizes)
    # Fixed per-solve overhead flattens the small-n end, so the asymptotic slope is fitted
    # on the upper half of the grid (at least three points); the all-points fit is reported.
    tail = slice(max(0, min(len(ns) // 2, len(ns) - 3)), None)
    time_slope = loglog_slope(list(ns)[tail], times[tail])
    data = {
        "r": r,
        "n": list(ns),
        "P": sizes,
        "seconds": times,
        "status": statuses,
        "size_slope": size_slope,
        "time_slope": time_slope,
        "time_slope_all_points": loglog_slope(ns, times),
        "tail_from_n": list(ns)[tail][0],
        "solver": backend,
    }
    lo, hi = r - 1 - SIZE_SLOPE_SLACK, float(r)
    rows = [
        held_row(
            RELATIONS,
            "size_slope",
            lo <= size_slope <= hi,
            value=size_slope,
            tolerance=SIZE_SLOPE_SLACK,
            margin=min(size_slope - lo, hi - size_slope),
            data=data,
        ),
    ]
    ceiling = TIME_SLOPE_FACTOR * r
    if not all(s == "optimal" for s in statuses):
        rows.append(
            inconclusive_row(
                RELATIONS,
                "solve_time_slope",
                "a solve on the grid was inaccurate",
                value=time_slope,
                data=data,
            )
        )
    else:
        rows.append(
            held_row(
                RELATIONS,
                "solve_time_slope",
                time_slope <= ceiling,
                value=time_slope,
                tolerance=ceiling,
                margin=ceiling - time_slope,
                timings={"solves": float(sum(times))},
                data=data,
            )
        )
    return rows


def check_growth(spec: InstanceSpec) -> CheckResult:
    """At fixed n: P(r) equals the formula and grows exponentially while r ≪ n."""
    n, ranks = spec.p["n"], spec.p["ranks"]
    counts, formulas = [], []
    start = time.perf_counter()
    for r in ranks:
        X = generators.gaussian(n, r, spec.seed + r).X
        counts.append(enumerate_patterns(X).count)
        formulas.append(cover_count(n, r))
    seconds = time.perf_counter() - start
    exact = counts == formulas
    ranks = list(ranks)
    ratios = [b / a for a, b, r in zip(counts, counts[1:], ranks, strict=False) if r <= (n - 1) / 3]
    ok = exact and all(q >= 2.0 for q in ratios)
    worst = min(ratios) if ratios else float("nan")
    return held_row(
        RELATIONS,
        "exponential_in_r",
        ok,
        value=worst,
        tolerance=2.0,
        margin=worst - 2.0,
        timings={"enumerate": seconds},
        data={
            "n": n,
            "ranks": ranks,
            "counts": counts,
            "formula": formulas,
            "bound": [cover_bound(n, r) for r in ranks],
            "ratios": ratios,
        },
    )


# ----------------------------------------------------------------------------- figures


def figures(df, out_dir: Path) -> list[Path]:
    """Count vs n with formula and bound; coverage vs samples; solve time vs n."""
    import matplotlib.pyplot as plt

    from relucheck.harness.figdata import payloads as stored_payloads
    from relucheck.harness.figstyle import paper_style, save_figure

    def payloads(check_id: str) -> list[dict[str, Any]]:
        return [d for _, d in stored_payloads(df, CLAIM_ID, check_id)]

    paths: list[Path] = []
    with paper_style():
        counts = payloads("count_equals_formula")
        if counts:
            fig, ax = plt.subplots(figsize=(3.4, 2.6))
            for i, d in enumerate(sorted(counts, key=lambda d: d["d"])):
                color = f"C{i}"
                ax.loglog(d["n"], d["count"], "o", color=color, label=f"exact, d={d['d']}")
                ax.loglog(d["n"], d["formula"], "-", color=color, lw=0.8)
                ax.loglog(d["n"], d["bound"], ":", color=color, lw=0.8)
            ax.set_xlabel("n")
            ax.set_ylabel("number of patterns P")
            ax.set_title("Counts: formula (solid) and bound (dotted)")
            ax.legend()
            paths += save_figure(fig, out_dir, "pt_count_vs_n")
        cover = payloads("sampling_coverage")
        if cover:
            fig, ax = plt.subplots(figsize=(3.4, 2.4))
            for d in cover:
                ax.semilogx(d["samples"], d["coverage"], "o-", label=f"P = {d['count']}")
            ax.axhline(1.0, color="0.5", ls="--", lw=0.6)
            ax.set_xlabel("Gaussian gates sampled")
            ax.set_ylabel("fraction of patterns found")
            ax.set_title("Sampling coverage: thin cells come last")
            ax.legend()
            paths += save_figure(fig, out_dir, "pt_coverage")
        scaling = [d for d in payloads("solve_time_slope") if "seconds" in d]
        if scaling:
            fig, ax = plt.subplots(figsize=(3.4, 2.6))
            for i, d in enumerate(sorted(scaling, key=lambda d: d["r"])):
                ax.loglog(
                    d["n"],
                    d["seconds"],
                    "o",
                    color=f"C{i}",
                    label=f"r={d['r']}: slope {d['time_slope']:.2f} "
                    f"(P slope {d['size_slope']:.2f})",
                )
                n = np.array([x for x in d["n"] if x >= d.get("tail_from_n", 0)], dtype=float)
                ax.loglog(
                    n, d["seconds"][-1] * (n / n[-1]) ** d["time_slope"], "-", color=f"C{i}", lw=0.8
                )
            ax.set_xlabel("n")
            ax.set_ylabel("convex solve time (s)")
            ax.set_title("Solve time at fixed rank (line: fitted slope)")
            ax.legend()
            paths += save_figure(fig, out_dir, "pt_solve_time_vs_n")
    return paths


CLAIM = Claim(
    id=CLAIM_ID,
    title="Polynomial-time trainability",
    citation="Pilanci & Ergen, ICML 2020 (arXiv 2002.10553); Ergen & Pilanci; Cover (1965) "
    "for the count",
    statement="For X of rank r in general position there are exactly 2 sum_{k<r} C(n-1,k) "
    "activation patterns (at most 2r(e(n-1)/r)^r for any data), so the convex program "
    "has O(n^r) groups: polynomial in n at fixed r, exponential in r.",
    check_ids=CHECK_IDS,
    instances=instances,
    check=check,
    figures=figures,
    checks_for=checks_for,
    own_derivation="The ceiling 3.5·r on the solve-time slope is this harness's reading of "
    "'polynomial' (an interior-point bound on a program of size O(n^r)), not a statement "
    "from the papers. The bound 2r(e(n-1)/r)^r fails at n = 1 (it is 0 while P = 2); "
    "grids start at n >= 2.",
    budget_seconds=240.0,
)
