"""The CE program (claims.md CE, squared loss) along a regularization path, warm-started.

Why a path, even for one β: at small β the optimum is dense (hundreds of active groups,
each pinned to a low-dimensional face of its cone by several binding rows). Growing the
working set from a cold start there changes the active manifold of every group at once, and
the restricted solves then either re-identify hundreds of binding rows one at a time or fall
back to interior-point solves over the whole set. Measured on a planted width-8 teacher,
n = 1000, d = 10, noise 0.3, P = 200 sampled gates, β = 1 (4·10⁻⁴ of the gauge; one BLAS
thread): the cold working-set solve took 48–69 s (14–15 outer iterations, most of it in
restricted solves at 80–260 groups); going down β = gauge/2, gauge/4, … to β from each
optimum took 36–44 s for all 12 points, each one certified (gaps ≤ 4e-8), and Clarabel
took 144 s for the single point (``make bench``'s β-path cells measure this).

Between neighbouring βs the optimum moves a little: the previous restricted optimum (its
nonzero groups and binding rows) is the next solve's warm start, so its first restricted
solve is a Newton polish (:func:`relucheck.solvers.fast_two_layer._warm_restricted`), and
the scanner's warm multipliers carry over too. Every point is certified on its own by the
working-set loop's dual certificate; a warm start only changes how fast it gets there.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from relucheck.models.two_layer.gauge_scan import GaugeScanner
from relucheck.solvers.fast_two_layer import WorkingSetResult, scanner_for, solve_working_set

#: A single-β solve below this fraction of the gauge first walks down a path to it.
CONTINUATION_BELOW = 0.05

#: Ratio of neighbouring βs on a continuation path (0.3 and 0.15 were no faster at n = 1000).
CONTINUATION_RATIO = 0.5

#: ``--betas N`` spans [LOWEST_FRACTION · gauge, gauge], log-spaced.
LOWEST_FRACTION = 1e-3


def path_gauge(X: np.ndarray, y: np.ndarray, scanner: GaugeScanner) -> float:
    """max_i ‖Xᵀ D_i y‖ over the scanner's patterns: the least β whose optimum is zero."""
    return float(np.max(scanner.bounds(np.asarray(y, dtype=float), np.inf)))


def log_spaced_betas(gauge: float, count: int, lowest: float = LOWEST_FRACTION) -> np.ndarray:
    """``count`` βs from the gauge down to ``lowest`` · gauge, equally spaced in log β."""
    if count < 1:
        raise ValueError(f"need at least one β, got {count}")
    if count == 1:
        return np.array([float(gauge)])
    return np.geomspace(gauge, lowest * gauge, count)


def continuation_betas(start: float, target: float, ratio: float = CONTINUATION_RATIO) -> list:
    """start·ratio, start·ratio², … strictly above ``target``: the unreported stepping stones
    of a path from ``start`` down to ``target``."""
    out: list[float] = []
    b = start * ratio
    while b > target:
        out.append(float(b))
        b *= ratio
    return out


@dataclass
class PathPoint:
    """One β of a path: its working-set solve and the seconds spent on it (with stepping
    stones solved on the way to it)."""

    beta: float
    result: WorkingSetResult
    seconds: float
    stepping_stones: int


def solve_beta_path(
    X: np.ndarray,
    y: np.ndarray,
    betas: Sequence[float],
    masks: np.ndarray,
    directions: np.ndarray,
    *,
    tol: float = 1e-6,
    scanner: GaugeScanner | None = None,
    time_limit: float | None = None,
    on_point: Callable[[PathPoint], None] | None = None,
    ratio: float = CONTINUATION_RATIO,
) -> list[PathPoint]:
    """Certified solutions at every β of ``betas`` (any order; solved from the largest down).

    Where two neighbouring βs (or the gauge and the first β) are further apart than
    ``ratio``, unreported stepping stones are solved in between (to ``tol`` as well: a
    loosely solved stone would hand on a poorer warm start). ``on_point`` is called after
    each requested β, in the order solved. Returns the points in that order (descending β).
    ``time_limit`` bounds each requested point (stones included).
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    scanner = scanner or scanner_for(X, masks)
    previous = path_gauge(X, y, scanner)
    warm: dict | None = None
    points: list[PathPoint] = []
    for beta in sorted((float(b) for b in betas), reverse=True):
        start = time.perf_counter()
        stones = continuation_betas(previous, beta, ratio) if beta < previous else []
        for stone in stones:
            left = None if time_limit is None else time_limit - (time.perf_counter() - start)
            stone_result = solve_working_set(
                X, y, stone, masks, directions, tol=tol, scanner=scanner,
                warm_start=warm, time_limit=left,
            )  # fmt: skip
            warm = stone_result.warm_start
        left = None if time_limit is None else max(time_limit - (time.perf_counter() - start), 0)
        result = solve_working_set(
            X, y, beta, masks, directions, tol=tol, scanner=scanner, warm_start=warm,
            time_limit=left,
        )  # fmt: skip
        warm = result.warm_start
        point = PathPoint(beta, result, time.perf_counter() - start, len(stones))
        points.append(point)
        if on_point is not None:
            on_point(point)
        previous = beta
    return points


def solve_with_continuation(
    X: np.ndarray,
    y: np.ndarray,
    beta: float,
    masks: np.ndarray,
    directions: np.ndarray,
    *,
    tol: float = 1e-6,
    time_limit: float | None = None,
) -> WorkingSetResult:
    """One β, certified: directly when β ≥ CONTINUATION_BELOW · gauge, else down a path."""
    scanner = scanner_for(np.asarray(X, dtype=float), masks)
    gauge = path_gauge(X, y, scanner)
    if beta >= CONTINUATION_BELOW * gauge:
        return solve_working_set(
            X, y, beta, masks, directions, tol=tol, scanner=scanner, time_limit=time_limit
        )
    start = time.perf_counter()
    (point,) = solve_beta_path(
        X, y, [beta], masks, directions, tol=tol, scanner=scanner, time_limit=time_limit
    )
    point.result.timings["total"] = time.perf_counter() - start
    point.result.work["stepping_stones"] = point.stepping_stones
    return point.result
