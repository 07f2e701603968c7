"""Non-convex restarts held against a certified convex optimum (shared by CE and PR).

Hard relation: EVERY run, at every width, ends at or above the certified lower bound minus
a relative tolerance — a run below it would contradict the convex equivalence. Soft
relation: the best wide run lands within ``soft_tol`` of p_cvx; optima sit on ReLU kinks
where local methods stall (claims.md, "Known pitfalls"), so missing it is INCONCLUSIVE,
never FAIL.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from relucheck.harness.records import CheckResult, Verdict, held


def downsample(steps: np.ndarray, values: np.ndarray, k: int = 80) -> list[list[float]]:
    """At most ``k`` evenly spaced points of a trajectory, for storing in a row."""
    idx = np.unique(np.linspace(0, len(steps) - 1, min(k, len(steps))).astype(int))
    return [np.asarray(steps)[idx].tolist(), np.asarray(values)[idx].tolist()]


def restart_rows(
    runs: dict[int, Any],
    p_cvx: float,
    lower: float,
    *,
    wide_from: int,
    relations: dict[str, str],
    seconds: float,
    facts: dict[str, Any],
    rel_tol: float = 1e-6,
    soft_tol: float = 1e-2,
) -> list[CheckResult]:
    """Rows ``nonconvex_above_convex`` (hard) and ``best_restart_close`` (soft).

    ``runs`` maps a width to a TrainResult; widths ≥ ``wide_from`` count as wide.
    """
    finals = {m: np.asarray(r.final_values, dtype=float) for m, r in runs.items()}
    worst = float(np.concatenate(list(finals.values())).min())
    tol = rel_tol * abs(p_cvx)
    wide = min(float(finals[m].min()) for m in finals if m >= wide_from)
    excess = (wide - p_cvx) / abs(p_cvx)
    widest = max(runs)
    data = {
        **facts,
        "p_cvx": p_cvx,
        "lower": lower,
        "widths": sorted(finals),
        "finals": [finals[m].tolist() for m in sorted(finals)],
        "trajectory_width": widest,
        "trajectories": [downsample(s, v) for s, v in runs[widest].trajectories],
        "adam_steps": int(runs[widest].info.get("adam_steps", 0)),
    }
    timings = {"nonconvex_train": seconds}
    hard = held(
        "nonconvex_above_convex",
        worst >= lower - tol,
        relations["nonconvex_above_convex"],
        value=worst,
        tolerance=tol,
        margin=worst - (lower - tol),
        timings=timings,
        data=data,
    )
    soft_ok = excess <= soft_tol
    soft = CheckResult(
        "best_restart_close",
        Verdict.PASS if soft_ok else Verdict.INCONCLUSIVE,
        relations["best_restart_close"],
        value=excess,
        tolerance=soft_tol,
        margin=soft_tol - excess,
        timings=timings,
        reason="" if soft_ok else "local optimizer stalled above p_cvx (soft check)",
        data={"p_cvx": p_cvx, "best_wide": wide, "wide_from": wide_from},
    )
    return [hard, soft]
