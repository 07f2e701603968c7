"""The time verdict of ``make bench-compare``: a stated test, a level and an effect size.

A benchmark row of a saved run holds one time per round: the process CPU seconds of every
round in ``extra_info["cpu_s"]`` (recorded by ``tests/benchmarks/conftest.py``) and the wall
seconds in ``stats["data"]`` (saved by ``--benchmark-save-data``). The samples judged are
the CPU seconds when both rows have them, else the wall seconds (:func:`time_samples`).

Rule (:func:`time_verdict`), per benchmark, old run against new run:

* fewer than :data:`MIN_SAMPLES` (5) rounds on either side: **not enough rounds to judge
  time** (said, not guessed; counts and accuracy are still judged elsewhere). Five is the
  smallest equal sample size at which the two-sided exact Mann–Whitney test can reach the
  level at all (two completely separated samples of 5 give p = 2/C(10, 5) = 0.0079; of 4,
  0.029);
* otherwise the two-sided Mann–Whitney U test (``scipy.stats.mannwhitneyu``; exact for
  small untied samples) at level :data:`ALPHA` = 0.01, AND an effect of at least
  :data:`EFFECT` = 20 % in the ratio of medians new/old: **slower** when p < 0.01 and the
  ratio ≥ 1.20, **faster** when p < 0.01 and the ratio ≤ 1/1.20, else **no detectable
  change**.

Why both: rounds of one run share the machine's state (load of the other users of a shared
box, frequency, cache), so the rounds of two runs are not independent draws of one
distribution; on a shared 2-core machine two runs of the same code differed by 10–67 % in
wall time (issue 16), and a test alone flags such shifts with tiny p-values. The test stops
a ratio made of a few outlying rounds from counting; the 20 % floor stops a run-level drift
from counting. CPU time rather than wall time because time spent waiting for a core (the
main noise of a shared machine) is not CPU time of the benchmark; the wall ratio is still
printed. The level 0.01 keeps the expected number of significant-by-chance rows of a
~65-row comparison below one before the effect floor applies. A planted 30 % slowdown is
detected with 5 rounds per side (``tests/test_bench_stats.py``).

The spread printed with the ratio is the interquartile range of the pairwise ratios
new_j / old_i (their median is the Hodges–Lehmann estimate of the ratio).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import mannwhitneyu

ALPHA = 0.01
EFFECT = 0.20
MIN_SAMPLES = 5

SLOWER, FASTER, NO_CHANGE, TOO_FEW = (
    "slower",
    "faster",
    "no detectable change",
    "not enough rounds to judge time",
)


@dataclass(frozen=True)
class TimeVerdict:
    """The judged time of one benchmark: verdict and the evidence behind it."""

    verdict: str
    source: str  # "cpu" or "wall": which samples were tested
    n_old: int
    n_new: int
    ratio: float | None  # median(new) / median(old) of the tested samples
    spread: tuple[float, float] | None  # IQR of the pairwise ratios new_j / old_i
    p_value: float | None
    wall_ratio: float | None  # median wall ratio (shown, not tested, when source is cpu)

    @property
    def fails(self) -> bool:
        """Only a detected slowdown fails a comparison."""
        return self.verdict == SLOWER

    def evidence(self) -> str:
        """One line: ratio with its spread, p-value, sample counts."""
        if self.verdict == TOO_FEW:
            text = f"{self.n_old} vs {self.n_new} rounds, need {MIN_SAMPLES} each"
            if self.ratio is not None:
                text += f"; median ratio {self.ratio:.3f}, not tested"
            return text
        lo, hi = self.spread or (math.nan, math.nan)
        text = (
            f"{self.source} ratio {self.ratio:.3f} [IQR {lo:.3f}–{hi:.3f}], "
            f"Mann–Whitney p={self.p_value:.2g}, {self.n_old} vs {self.n_new} rounds"
        )
        if self.source == "cpu" and self.wall_ratio is not None:
            text += f"; wall ratio {self.wall_ratio:.3f}"
        return text


def _floats(values: Any) -> list[float]:
    if not isinstance(values, list):
        return []
    out = [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return [v for v in out if math.isfinite(v) and v > 0]


def wall_samples(bench: dict[str, Any]) -> list[float]:
    """Wall seconds per round (``stats.data``, present with ``--benchmark-save-data``)."""
    return _floats((bench.get("stats") or {}).get("data"))


def cpu_samples(bench: dict[str, Any]) -> list[float]:
    """Process CPU seconds per round (``extra_info.cpu_s``, recorded by the bench conftest)."""
    return _floats((bench.get("extra_info") or {}).get("cpu_s"))


def time_samples(old: dict[str, Any], new: dict[str, Any]) -> tuple[str, list, list]:
    """(source, old samples, new samples): CPU seconds when both rows have them, else wall."""
    co, cn = cpu_samples(old), cpu_samples(new)
    if co and cn:
        return "cpu", co, cn
    return "wall", wall_samples(old), wall_samples(new)


def _median_ratio(old: list[float], new: list[float]) -> float | None:
    if not old or not new:
        return None
    return statistics.median(new) / statistics.median(old)


def judge_samples(
    old: list[float],
    new: list[float],
    *,
    alpha: float = ALPHA,
    effect: float = EFFECT,
    min_samples: int = MIN_SAMPLES,
    source: str = "wall",
    wall_ratio: float | None = None,
) -> TimeVerdict:
    """The verdict on two lists of per-round seconds (see the module docstring)."""
    ratio = _median_ratio(old, new)
    if len(old) < min_samples or len(new) < min_samples:
        return TimeVerdict(TOO_FEW, source, len(old), len(new), ratio, None, None, wall_ratio)
    pairs = np.divide.outer(np.asarray(new), np.asarray(old)).ravel()
    spread = (float(np.quantile(pairs, 0.25)), float(np.quantile(pairs, 0.75)))
    p = float(mannwhitneyu(new, old, alternative="two-sided").pvalue)
    if p < alpha and ratio >= 1.0 + effect:
        verdict = SLOWER
    elif p < alpha and ratio <= 1.0 / (1.0 + effect):
        verdict = FASTER
    else:
        verdict = NO_CHANGE
    return TimeVerdict(verdict, source, len(old), len(new), ratio, spread, p, wall_ratio)


def _stats_median_ratio(old: dict[str, Any], new: dict[str, Any]) -> float | None:
    a, b = (old.get("stats") or {}).get("median"), (new.get("stats") or {}).get("median")
    ok = all(isinstance(v, (int, float)) and v > 0 for v in (a, b))
    return b / a if ok else None


def time_verdict(old: dict[str, Any], new: dict[str, Any], **kwargs: Any) -> TimeVerdict:
    """The verdict on the time of one benchmark, from its two saved rows."""
    source, a, b = time_samples(old, new)
    wall = _median_ratio(wall_samples(old), wall_samples(new)) or _stats_median_ratio(old, new)
    verdict = judge_samples(a, b, source=source, wall_ratio=wall, **kwargs)
    if verdict.ratio is None and wall is not None:  # no samples saved: show the medians' ratio
        verdict = TimeVerdict(TOO_FEW, "wall", verdict.n_old, verdict.n_new, wall, None, None, wall)
    return verdict
