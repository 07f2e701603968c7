"""`relucheck verify CE` end to end through the real CLI, as `make verify` runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from relucheck.theorems.convex_equivalence import CHECK_IDS


def relucheck(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "relucheck", *args], capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    out = tmp_path_factory.mktemp("reports")
    return relucheck("verify", "CE", "--profile", "quick", "--jobs", "2", "--out", str(out)), out


def test_quick_profile_exits_zero_with_every_check_passing(quick_run):
    proc, out = quick_run
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = [json.loads(line) for line in (out / "latest" / "results.jsonl").open()]
    assert len(rows) == 6 * len(CHECK_IDS)
    for row in rows:
        if row["check"] == "mosek_cross_check":
            assert row["verdict"] in ("PASS", "SKIPPED")
        elif row["check"] == "best_restart_close":
            assert row["verdict"] in ("PASS", "INCONCLUSIVE")  # soft by design (claims.md)
        else:
            assert row["verdict"] == "PASS", row
        assert row["env"]["packages"]["cvxpy"]


def test_report_files_written(quick_run):
    _, out = quick_run
    latest = out / "latest"
    for name in ("summary.md", "index.html", "results.csv", "environment.json"):
        assert (latest / name).stat().st_size > 0
    assert list((latest / "figures").rglob("*.pdf")) and list((latest / "figures").rglob("*.png"))
    assert "control_gated" in (latest / "summary.md").read_text()


def test_list_and_unknown_claim(tmp_path):
    listed = relucheck("list")
    assert listed.returncode == 0 and "CE" in listed.stdout
    bad = relucheck("verify", "NOPE", "--out", str(tmp_path / "r"))
    assert bad.returncode == 2 and "NOPE" in bad.stderr
    assert not (tmp_path / "r").exists()
