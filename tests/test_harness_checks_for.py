"""Claims whose instances report different checks (Claim.checks_for), e.g. PT."""

from __future__ import annotations

import dataclasses

import toy_claims as toy

from relucheck.harness.claims import InstanceSpec, RunOptions
from relucheck.harness.records import held
from relucheck.harness.runner import complete_units, run


def _checks_for(spec: InstanceSpec) -> tuple[str, ...]:
    return ("agree",) if spec.p["size"] == 1 else ("agree", "control_detects")


def _check(spec: InstanceSpec, options: RunOptions):
    rows = [held("agree", True, "a == b", value=0.0, tolerance=0.0)]
    if spec.p["size"] != 1:
        rows.append(held("control_detects", True, "gap > 0", value=1.0, control=True))
    return rows


NARROW = dataclasses.replace(toy.OK, id="TOY-NARROW", check=_check, checks_for=_checks_for,
                             figures=None)  # fmt: skip


def test_rows_follow_checks_for_and_resume_sees_units_complete(tmp_path):
    rows = run([NARROW], "quick", RunOptions(), tmp_path, 1, None, env={})
    by_size = {}
    for row in rows:
        by_size.setdefault(row["params"]["size"], []).append(row["check"])
    assert by_size == {1: ["agree"], 2: ["agree", "control_detects"]}
    assert all(row["verdict"] == "PASS" for row in rows)
    assert len(complete_units(rows, [NARROW])) == 2


def test_a_missing_declared_check_is_padded_with_skipped(tmp_path):
    lazy = dataclasses.replace(NARROW, check=lambda spec, options: _check(spec, options)[:1])
    rows = run([lazy], "quick", RunOptions(), tmp_path, 1, None, env={})
    padded = [r for r in rows if r["check"] == "control_detects"]
    assert len(padded) == 1 and padded[0]["verdict"] == "SKIPPED"


def test_findings_are_passing_rows_with_a_reason():
    from relucheck.harness.tables import finding_rows

    rows = [
        {"verdict": "PASS", "reason": "degree 2.7"},
        {"verdict": "PASS", "reason": ""},
        {"verdict": "FAIL", "reason": "off by one"},
    ]
    assert finding_rows(rows) == [rows[0]]
