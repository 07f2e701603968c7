"""Each claim's quick profile, in process, one round (``make bench``).

Runs the claim's checks on every instance of its quick profile the way a worker of
``relucheck verify`` does (:func:`relucheck.harness.executors.execute_unit`: a raising check
becomes one ERROR row, it does not stop the benchmark) and records the verdict counts in
``extra_info["verdicts"]``: ``make bench-compare`` treats a change of those counts as an
accuracy change. The benchmark fails if any row is FAIL or ERROR. ``work``: the solves and
iterations of every solver the checks called (:mod:`relucheck.bench.work`); ``cpu_s``: the
CPU seconds of every round. Rounds: :data:`ROUNDS` (default 1: a quick profile takes
seconds to a minute, so its time is judged only where several rounds are asked for).
"""

from __future__ import annotations

from collections import Counter

import pytest

from relucheck.bench.work import bench_call
from relucheck.harness.claims import RunOptions
from relucheck.harness.executors import Unit, execute_unit
from relucheck.theorems import REGISTRY

#: rounds per claim whose quick profile takes at most a few seconds (LASSO-1D 0.7 s, SR 2.5 s,
#: PT 6 s a round in one make bench run); CE (11 s), PR and PC (30 s) run once
ROUNDS: dict[str, int] = {"LASSO-1D": 10, "SR": 5, "PT": 5}


def run_quick_profile(claim_id: str) -> list[dict]:
    """Row dicts of every check of every quick instance of a claim (ERROR rows on raise)."""
    claim = REGISTRY[claim_id]
    options = RunOptions(profile="quick")
    rows: list[dict] = []
    for spec in claim.instances("quick"):
        status, payload = execute_unit(Unit(claim, spec, options, claim.budget_seconds))
        if status == "ok":
            rows.extend(payload)
        else:
            rows.append({"check": "unit", "verdict": "ERROR", "reason": payload})
    return rows


@pytest.mark.parametrize("claim_id", list(REGISTRY))
def test_bench_claim_quick_profile(benchmark, claim_id):
    rows, _ = bench_call(
        benchmark, run_quick_profile, args=(claim_id,), rounds=ROUNDS.get(claim_id, 1)
    )
    verdicts = Counter(str(r["verdict"]) for r in rows)
    benchmark.extra_info.update(
        {
            "kind": "claim-quick",
            "claim": claim_id,
            "instances": len(REGISTRY[claim_id].instances("quick")),
            "rows": len(rows),
            "verdicts": dict(sorted(verdicts.items())),
        }
    )
    bad = [r for r in rows if str(r["verdict"]) in ("FAIL", "ERROR")]
    assert not bad, (
        f"{len(bad)} FAIL/ERROR rows, first: {bad[0].get('check')}: {bad[0].get('reason')}"
    )
