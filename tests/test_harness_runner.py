"""The runner: verdicts, isolation (raise, budget, crash), row layout, resume."""

from __future__ import annotations

from collections import Counter

import pytest
import toy_claims as toy

from relucheck.harness.claims import RunOptions
from relucheck.harness.runner import UnitEvent, complete_units, run
from relucheck.harness.store import append_rows, read_rows

ENV = {"hostname": "test", "marker": 42}


def _by_claim(rows):
    out: dict[str, Counter] = {}
    for r in rows:
        out.setdefault(r["claim"], Counter())[(r["check"], r["verdict"])] += 1
    return out


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory):
    """One run over every misbehaving toy claim with two workers (about 1.5 s)."""
    run_dir = tmp_path_factory.mktemp("reports") / "run-bad"
    run_dir.mkdir()
    events: list[UnitEvent] = []
    claims = [toy.OK, toy.MIX, toy.RAISE, toy.SLOW, toy.EXIT, toy.KILLED, toy.BLAS]
    rows = run(claims, "quick", RunOptions(solver="scs"), run_dir, 2, events.append, env=ENV)
    return run_dir, rows, events


def test_every_unit_becomes_rows_and_the_run_goes_on(bad_run):
    _, rows, _ = bad_run
    got = _by_claim(rows)
    assert got["TOY-OK"] == {("agree", "PASS"): 2, ("control_detects", "PASS"): 2}
    assert got["TOY-MIX"] == {("holds", "PASS"): 1, ("breaks", "FAIL"): 1}
    assert got["TOY-RAISE"] == {("a", "ERROR"): 1, ("b", "ERROR"): 1}
    assert got["TOY-SLOW"] == {("a", "INCONCLUSIVE"): 1, ("b", "INCONCLUSIVE"): 1}
    assert got["TOY-EXIT"] == {("a", "ERROR"): 1}
    assert got["TOY-KILLED"] == {("a", "ERROR"): 1, ("b", "ERROR"): 1}


def test_reasons_name_the_cause(bad_run):
    _, rows, _ = bad_run
    reasons = {(r["claim"], r["check"]): r["reason"] for r in rows}
    assert "ValueError: boom from toy check" in reasons[("TOY-RAISE", "a")]
    assert "Traceback" in reasons[("TOY-RAISE", "a")]
    assert reasons[("TOY-SLOW", "b")] == "budget of 1 s exceeded"
    assert "exit code 3" in reasons[("TOY-EXIT", "a")]
    assert "signal SIGKILL (exit code -9)" in reasons[("TOY-KILLED", "b")]


def test_rows_are_on_disk_and_carry_unit_and_env_fields(bad_run):
    run_dir, rows, _ = bad_run
    assert read_rows(run_dir / "results.jsonl") == rows
    row = next(r for r in rows if r["claim"] == "TOY-OK" and r["check"] == "agree")
    for key in ("check", "verdict", "relation", "value", "tolerance", "margin", "control",
                "reason", "timings", "solver", "data", "run_id", "claim", "name", "seed",
                "params", "instance_id", "profile", "solver_option", "jobs", "unit_rows",
                "unit_status", "unit_seconds", "finished_at"):  # fmt: skip
        assert key in row, key
    assert row["run_id"] == "run-bad"
    assert row["env"] == ENV
    assert row["solver"] == {"name": "scs", "status": "optimal"}
    assert row["params"] == {"size": row["seed"] + 1}
    assert row["unit_rows"] == 2 and row["unit_status"] == "ok"
    statuses = {r["claim"]: r["unit_status"] for r in rows}
    assert statuses["TOY-SLOW"] == "timeout" and statuses["TOY-EXIT"] == "died"
    assert statuses["TOY-RAISE"] == "raised"


def test_workers_limit_blas_threads_with_several_jobs(bad_run):
    _, rows, _ = bad_run
    row = next(r for r in rows if r["claim"] == "TOY-BLAS")
    assert row["data"]["threads"] and set(row["data"]["threads"]) == {1}


def test_progress_events(bad_run):
    _, rows, events = bad_run
    assert events[0].kind == "start" and events[0].total == 8 and events[0].done == 0
    units = [e for e in events if e.kind == "unit"]
    assert [e.done for e in units] == list(range(1, 9))
    assert sum(sum(e.verdicts.values()) for e in units) == len(rows)


def test_instances_that_raise_become_error_rows(tmp_path):
    def broken(profile):
        raise RuntimeError("no grid")

    claim = toy.Claim("TOY-GRID", "grid fails", "", "", ("x", "y"), broken, toy.ok_check)
    rows = run([claim, toy.MIX], "quick", RunOptions(), tmp_path, 1, None, env={})
    grid = [r for r in rows if r["claim"] == "TOY-GRID"]
    assert [(r["check"], r["verdict"]) for r in grid] == [("x", "ERROR"), ("y", "ERROR")]
    assert "no grid" in grid[0]["reason"]
    assert any(r["claim"] == "TOY-MIX" for r in rows)


def test_missing_check_ids_are_filled_as_skipped(tmp_path):
    claim = toy.Claim("TOY-PART", "partial", "", "", ("holds", "breaks", "extra"),
                      toy.MIX.instances, toy.mix_check)  # fmt: skip
    rows = run([claim], "quick", RunOptions(), tmp_path, 1, None, env={})
    extra = [r for r in rows if r["check"] == "extra"]
    assert len(extra) == 1 and extra[0]["verdict"] == "SKIPPED"
    assert all(r["unit_rows"] == 3 for r in rows)


def test_full_profile_triples_budget():
    from relucheck.harness.runner import budget_for

    assert budget_for(toy.SLOW, "quick") == 1.0
    assert budget_for(toy.SLOW, "full") == 3.0


def _keys(rows):
    return Counter((r["claim"], r["instance_id"], r["check"]) for r in rows)


def test_resume_skips_complete_units_and_reruns_incomplete_ones(tmp_path):
    first = run([toy.SLEEPY, toy.MIX], "quick", RunOptions(), tmp_path, 2, None, env={})
    path = tmp_path / "results.jsonl"
    assert len(first) == 6 * 2 + 2
    # Simulate a crash: keep 3 complete units, one half-written unit, one truncated line.
    units = list(dict.fromkeys((r["claim"], r["instance_id"]) for r in first))
    kept_units = units[:3]
    stored = [r for r in first if (r["claim"], r["instance_id"]) in kept_units]
    half = next(r for r in first if (r["claim"], r["instance_id"]) == units[3])
    path.write_text("")
    append_rows(path, stored + [half])
    with open(path, "ab") as fh:
        fh.write(b'{"claim": "TOY-SLEEPY", "inst')

    resume_rows = read_rows(path)
    assert complete_units(resume_rows, [toy.SLEEPY, toy.MIX]) == set(kept_units)
    events: list[UnitEvent] = []
    rows = run([toy.SLEEPY, toy.MIX], "quick", RunOptions(), tmp_path, 2, events.append,
               resume_rows=resume_rows, env={"resumed": True})  # fmt: skip

    assert events[0].skipped == 3 and events[0].total == 7
    assert len([e for e in events if e.kind == "unit"]) == 4
    on_disk = read_rows(path)
    assert _keys(on_disk) == _keys(first)  # every row exactly once
    assert max(_keys(on_disk).values()) == 1
    assert _keys(rows) == _keys(first)
    rerun = {(r["claim"], r["instance_id"]) for r in on_disk if r["env"] == {"resumed": True}}
    assert rerun == set(units[3:])


def test_resume_of_a_complete_run_runs_nothing(tmp_path):
    first = run([toy.MIX], "quick", RunOptions(), tmp_path, 1, None, env={})
    events: list[UnitEvent] = []
    rows = run([toy.MIX], "quick", RunOptions(), tmp_path, 1, events.append,
               resume_rows=first, env={})  # fmt: skip
    assert rows == first
    assert [e.kind for e in events] == ["start"]
