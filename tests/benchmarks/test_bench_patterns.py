"""Benchmarks of exact pattern enumeration (``make bench``; claims PT, issue 3).

Targets on the 2-core reference machine (Gaussian X, so general position a.s. and the
count must be Cover's count, asserted): each benchmark records the count, Cover's count,
the method, the target and whether the slowest round met it in ``extra_info``. Data are
generated outside the timed call; the timed call is the enumeration (plus the bit-packed
masks where the target asks for them). Counted work (``work``): the chambers and the
enumeration's own counts (:func:`relucheck.bench.work.enumeration_work`) and the LP calls
(:mod:`relucheck.bench.work`); ``cpu_s``: the CPU seconds of every round.
"""

from __future__ import annotations

import pytest

from relucheck.bench.work import bench_call, enumeration_work
from relucheck.datasets import generators
from relucheck.models.arrangements.patterns import cover_count, enumerate_patterns

#: rounds per cell: every cell takes at most a few seconds a round
ROUNDS = 10

TARGETS = [
    # (id, n, d, seconds, packed masks)
    ("d2-n100000-directions", 100_000, 2, 2.0, False),
    ("d2-n10000-packed", 10_000, 2, 2.0, True),
    ("d3-n300", 300, 3, 10.0, False),
    ("d4-n60", 60, 4, 10.0, False),
]


def _enumerate(X, packed: bool):
    patterns = enumerate_patterns(X)
    return patterns, (patterns.packed_masks() if packed else None)


@pytest.mark.parametrize(
    ("n", "d", "target_s", "packed"), [t[1:] for t in TARGETS], ids=[t[0] for t in TARGETS]
)
def test_bench_exact_enumeration(benchmark, n, d, target_s, packed):
    X = generators.gaussian(n, d, seed=n + d).X
    (patterns, bits), _ = bench_call(benchmark, _enumerate, args=(X, packed), rounds=ROUNDS)
    benchmark.extra_info["work"].update(enumeration_work(patterns))
    worst = benchmark.stats.stats.max
    expected = cover_count(n, d)
    benchmark.extra_info.update(
        {
            "count": patterns.count,
            "cover_count": expected,
            "method": patterns.method,
            "exact": patterns.exact,
            "target_s": target_s,
            "worst_round_s": worst,
            "met_target": bool(worst <= target_s),
            "lp_repairs": patterns.stats.get("lp_repairs", 0),
        }
    )
    assert patterns.exact and patterns.count == expected
    assert "masks" not in patterns._cache  # never materialised
    if packed:
        assert bits.shape == (expected, -(-n // 8))
