"""The runner: plans units (claim x instance), runs them through an executor, writes rows.

Every unit ends as rows, whatever happens: one row per CheckResult the check returned,
or, when the unit timed out, crashed or raised, one INCONCLUSIVE/ERROR row per check id of
the claim. A unit's rows are appended to ``results.jsonl`` the moment it finishes, in one
fsync'ed write, so a run killed at any point can be resumed.

Row keys: the CheckResult fields (check, verdict, relation, value, tolerance, margin,
control, reason, timings, solver, data), then run_id, claim, name, seed, params,
instance_id (from :meth:`InstanceSpec.to_dict`), profile, solver_option, jobs, unit_rows
(how many rows the unit wrote), unit_status (ok/raised/timeout/died), unit_seconds,
finished_at (ISO 8601, UTC) and env (the captured environment).
"""

from __future__ import annotations

import json
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from relucheck.harness.claims import Claim, InstanceSpec, RunOptions
from relucheck.harness.environment import capture_environment
from relucheck.harness.executors import Executor, LocalProcessExecutor, Outcome, Unit
from relucheck.harness.records import CheckResult, Verdict, jsonable
from relucheck.harness.store import RESULTS, append_rows, write_rows

#: Budgets are scaled by this factor per profile.
BUDGET_SCALE = {"quick": 1.0, "full": 3.0}

#: Verdict given to every check id of a unit that did not finish normally.
STATUS_VERDICT = {
    "raised": Verdict.ERROR,
    "died": Verdict.ERROR,
    "timeout": Verdict.INCONCLUSIVE,
}

NOT_EVALUATED = "not evaluated"


@dataclass(frozen=True)
class UnitEvent:
    """What the progress callback hears: ``kind`` is ``"start"`` once, then ``"unit"`` per unit.

    ``done`` counts finished units including those skipped by a resume; ``verdicts`` counts
    the verdicts of this unit's rows.
    """

    kind: str
    done: int
    total: int
    skipped: int = 0
    claim: str = ""
    instance_id: str = ""
    seconds: float = 0.0
    verdicts: dict[str, int] = field(default_factory=dict)


ProgressCallback = Callable[[UnitEvent], None]


def budget_for(claim: Claim, profile: str) -> float:
    """Wall-clock seconds one unit of ``claim`` may take under ``profile``."""
    return float(claim.budget_seconds) * BUDGET_SCALE.get(profile, 1.0)


def unit_key(row: dict[str, Any]) -> tuple[str, str]:
    """The (claim, instance id) a row belongs to."""
    return str(row.get("claim")), str(row.get("instance_id"))


def _check_ids(claim: Claim, instance: InstanceSpec | None = None) -> tuple[str, ...]:
    if instance is None:
        return tuple(claim.check_ids) or ("unit",)
    return claim.expected_checks(instance) or ("unit",)


def _instance_of(row: dict[str, Any]) -> InstanceSpec:
    """Rebuild a stored row's instance spec (enough for ``Claim.expected_checks``)."""
    params = row.get("params") or {}
    return InstanceSpec.make(
        str(row.get("claim")), str(row.get("name")), int(row.get("seed") or 0), **params
    )


def plan_units(
    claims: Iterable[Claim], profile: str, options: RunOptions
) -> list[tuple[Unit, Outcome | None]]:
    """Units in registry order; a claim whose ``instances()`` raises gets one failed pseudo-unit.

    The second element is a ready-made outcome for such pseudo-units, else None.
    """
    planned: list[tuple[Unit, Outcome | None]] = []
    for claim in claims:
        budget = budget_for(claim, profile)
        try:
            instances = list(claim.instances(profile))
        except Exception:  # noqa: BLE001  (reported as ERROR rows; the run goes on)
            pseudo = Unit(claim, InstanceSpec.make(claim.id, "instances", 0), options, budget)
            detail = "instances() raised:\n" + traceback.format_exc()
            planned.append((pseudo, Outcome(pseudo, "raised", 0.0, detail=detail)))
            continue
        seen: set[str] = set()
        for instance in instances:
            if instance.id not in seen:
                seen.add(instance.id)
                planned.append((Unit(claim, instance, options, budget), None))
    return planned


def results_for(outcome: Outcome) -> list[dict[str, Any]]:
    """CheckResult dicts for an outcome: the check's own rows, or one row per check id.

    Check ids a finished check did not report get a SKIPPED row saying so, so that every
    unit has a row for each of its claim's check ids.
    """
    claim = outcome.unit.claim
    if outcome.status == "ok":
        results = list(outcome.results)
        reported = {r.get("check") for r in results}
        for check in _check_ids(claim, outcome.unit.instance):
            if check not in reported and claim.check_ids:
                reason = "the check returned no row for this check id on this instance"
                results.append(
                    CheckResult(check, Verdict.SKIPPED, NOT_EVALUATED, reason=reason).to_dict()
                )
        return results
    verdict = STATUS_VERDICT[outcome.status]
    return [
        CheckResult(check, verdict, NOT_EVALUATED, reason=outcome.detail).to_dict()
        for check in _check_ids(claim, outcome.unit.instance)
    ]


def rows_for(
    outcome: Outcome, *, run_id: str, env: dict[str, Any], jobs: int
) -> list[dict[str, Any]]:
    """The stored rows of one finished unit: CheckResult dicts plus unit and run fields."""
    unit = outcome.unit
    results = results_for(outcome)
    common = {
        "run_id": run_id,
        **unit.instance.to_dict(),
        "claim": unit.claim.id,
        "profile": unit.options.profile,
        "solver_option": unit.options.solver,
        "jobs": jobs,
        "unit_rows": len(results),
        "unit_status": outcome.status,
        "unit_seconds": round(outcome.seconds, 6),
        "finished_at": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        "env": env,
    }
    return [jsonable({**result, **common}) for result in results]


def complete_units(
    rows: Iterable[dict[str, Any]], claims: Iterable[Claim] = ()
) -> set[tuple[str, str]]:
    """Units whose stored rows are all there: as many as ``unit_rows`` says, and for a known
    claim one row per check id at least."""
    by_unit: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_unit[unit_key(row)].append(row)
    known = {c.id: c for c in claims}
    done = set()
    for key, unit_rows in by_unit.items():
        expected = {r.get("unit_rows") for r in unit_rows}
        if len(expected) != 1 or expected != {len(unit_rows)}:
            continue
        claim = known.get(key[0])
        needed = set(_check_ids(claim, _instance_of(unit_rows[0]))) if claim else set()
        if needed <= {r.get("check") for r in unit_rows}:
            done.add(key)
    return done


def _load_env(run_dir: Path) -> dict[str, Any]:
    path = run_dir / "environment.json"
    if path.exists():
        return json.loads(path.read_text())
    return capture_environment()


def run(
    claims: list[Claim],
    profile: str,
    options: RunOptions,
    run_dir: Path,
    jobs: int = 1,
    progress_callback: ProgressCallback | None = None,
    resume_rows: list[dict[str, Any]] | None = None,
    *,
    env: dict[str, Any] | None = None,
    executor: Executor | None = None,
) -> list[dict[str, Any]]:
    """Run every unit of ``claims`` under ``profile``; return all rows of the run.

    With ``resume_rows`` (the rows already in ``run_dir/results.jsonl``), units that are
    complete there are skipped and keep their rows; rows of incomplete units are dropped
    (the file is rewritten atomically) and those units run again. ``env`` defaults to
    ``run_dir/environment.json`` or a fresh capture; ``executor`` to a local process pool
    of ``jobs`` workers.
    """
    run_dir = Path(run_dir)
    results_path = run_dir / RESULTS
    env = _load_env(run_dir) if env is None else env
    executor = executor or LocalProcessExecutor(jobs)
    emit = progress_callback or (lambda event: None)
    planned = plan_units(claims, profile, options)

    kept: list[dict[str, Any]] = []
    if resume_rows is not None:
        done = complete_units(resume_rows, claims)
        kept = [row for row in resume_rows if unit_key(row) in done]
        write_rows(results_path, kept)
        before = len(planned)
        planned = [(u, o) for u, o in planned if (u.claim.id, u.instance.id) not in done]
        skipped = before - len(planned)
    else:
        skipped = 0

    total = skipped + len(planned)
    count = skipped
    emit(UnitEvent("start", done=count, total=total, skipped=skipped))
    new_rows: list[dict[str, Any]] = []

    def finish(outcome: Outcome) -> None:
        nonlocal count
        rows = rows_for(outcome, run_id=run_dir.name, env=env, jobs=jobs)
        append_rows(results_path, rows)
        new_rows.extend(rows)
        count += 1
        verdicts = Counter(str(r["verdict"]) for r in rows)
        unit = outcome.unit
        emit(
            UnitEvent(
                "unit",
                done=count,
                total=total,
                skipped=skipped,
                claim=unit.claim.id,
                instance_id=unit.instance.id,
                seconds=outcome.seconds,
                verdicts=dict(verdicts),
            )
        )

    try:
        for unit, ready in planned:
            if ready is not None:
                finish(ready)
            else:
                executor.submit(unit)
        for outcome in executor.outcomes():
            finish(outcome)
    finally:
        executor.close()
    return kept + new_rows
