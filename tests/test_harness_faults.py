"""`relucheck verify` when the output folder cannot be written or fills up: exit 2, no report.

A full disk is simulated by making every write through the store fail with ENOSPC after a
given number of files were opened for writing; that works the same as root and as a user.
An unwritable folder is one below /proc, which root cannot write either.
"""

from __future__ import annotations

import errno
import os
from collections import Counter
from pathlib import Path

import pytest
import toy_claims as toy

import relucheck.harness.store as store
import relucheck.theorems
from relucheck.cli import main
from relucheck.harness.store import read_rows

REPORT_FILES = ("results.csv", "summary.md", "index.html")


class _FullDiskFile:
    """A real file whose writes fail as on a full disk."""

    def __init__(self, handle):
        self._handle = handle

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()

    def write(self, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name):
        return getattr(self._handle, name)


def fill_disk_after(monkeypatch, writes: int) -> None:
    """Let the store open ``writes`` files for writing; every later write raises ENOSPC."""
    opened = Counter()

    def fake_open(path, mode="r", *args, **kwargs):
        handle = open(path, mode, *args, **kwargs)
        if any(flag in mode for flag in "wa"):
            opened["writes"] += 1
            if opened["writes"] > writes:
                return _FullDiskFile(handle)
        return handle

    monkeypatch.setattr(store, "open", fake_open, raising=False)


def _one_line_error(capsys) -> str:
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert err[-1].startswith("relucheck: error:"), err
    return err[-1]


@pytest.fixture
def sleepy(monkeypatch):
    """Six units of two rows; the run writes environment.json, run.json, six appends, then
    results.csv, summary.md and index.html (writes 1-2, 3-8 and 9-11)."""
    monkeypatch.setattr(relucheck.theorems, "REGISTRY", toy.registry(toy.SLEEPY))


def test_full_disk_before_any_row_removes_the_new_run(monkeypatch, tmp_path, capsys, sleepy):
    out = tmp_path / "reports"
    fill_disk_after(monkeypatch, 1)  # environment.json fits, run.json does not
    assert main(["verify", "--out", str(out)]) == 2
    line = _one_line_error(capsys)
    assert "No space left on device" in line and str(out) in line
    assert not out.exists()


def test_full_disk_mid_run_keeps_the_rows_writes_no_report_and_resumes(
    monkeypatch, tmp_path, capsys, sleepy
):
    out = tmp_path / "reports"
    fill_disk_after(monkeypatch, 4)  # two units' rows, then the disk is full
    assert main(["verify", "--out", str(out)]) == 2
    line = _one_line_error(capsys)
    assert "No space left on device" in line and "--resume" in line
    run_dir = (out / "latest").resolve()
    assert len(read_rows(run_dir / "results.jsonl")) == 4
    assert not any((run_dir / name).exists() for name in REPORT_FILES)

    monkeypatch.undo()
    monkeypatch.setattr(relucheck.theorems, "REGISTRY", toy.registry(toy.SLEEPY))
    assert main(["verify", "--out", str(out), "--resume", "latest"]) == 0
    rows = read_rows(run_dir / "results.jsonl")
    keys = Counter((r["instance_id"], r["check"]) for r in rows)
    assert len(keys) == 12 and set(keys.values()) == {1}
    assert all((run_dir / name).exists() for name in REPORT_FILES)


def test_full_disk_while_reporting_leaves_no_partial_report(monkeypatch, tmp_path, capsys, sleepy):
    out = tmp_path / "reports"
    fill_disk_after(monkeypatch, 9)  # results.csv is written, summary.md is not
    assert main(["verify", "--out", str(out)]) == 2
    line = _one_line_error(capsys)
    assert "No space left on device" in line and "relucheck report" in line
    run_dir = (out / "latest").resolve()
    assert len(read_rows(run_dir / "results.jsonl")) == 12  # every row is kept
    assert not any((run_dir / name).exists() for name in REPORT_FILES)
    assert not [p for p in run_dir.iterdir() if p.name.startswith(".")]  # no temporary files

    monkeypatch.undo()
    monkeypatch.setattr(relucheck.theorems, "REGISTRY", toy.registry(toy.SLEEPY))
    assert main(["report", "latest", "--out", str(out)]) == 0
    assert all((run_dir / name).exists() for name in REPORT_FILES)


def test_full_disk_while_re_rendering_a_report_is_a_one_line_error(
    monkeypatch, tmp_path, capsys, sleepy
):
    out = tmp_path / "reports"
    assert main(["verify", "--out", str(out)]) == 0
    run_dir = (out / "latest").resolve()
    capsys.readouterr()
    fill_disk_after(monkeypatch, 2)  # results.csv and summary.md, not index.html
    assert main(["report", "latest", "--out", str(out)]) == 2
    assert "No space left on device" in _one_line_error(capsys)
    assert not any((run_dir / name).exists() for name in REPORT_FILES)


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_an_output_folder_nobody_can_write_exits_2(monkeypatch, tmp_path, capsys, sleepy):
    """Under /proc no one, root included, may create a folder (chmod does not stop root)."""
    out = Path("/proc") / f"relucheck-{os.getpid()}"
    assert main(["verify", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("relucheck: error:") and str(out) in err[0]
    assert not out.exists()
