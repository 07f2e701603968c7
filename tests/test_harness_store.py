"""Run folders: ids, crash-tolerant JSON lines, the latest link, run lookup, writability."""

from __future__ import annotations

import json
import os
import re

import pytest

from relucheck.harness.errors import HarnessError
from relucheck.harness.store import (
    append_rows,
    atomic_write_text,
    check_writable,
    new_run_dir,
    read_rows,
    resolve_run,
    update_latest,
    write_rows,
)


def test_new_run_dir_ids_are_unique_and_well_formed(tmp_path):
    dirs = {new_run_dir(tmp_path / "reports") for _ in range(20)}
    assert len(dirs) == 20
    for d in dirs:
        assert d.is_dir()
        assert re.fullmatch(r"\d{8}-\d{6}-[0-9a-f]{4}", d.name)


def test_append_and_read_rows(tmp_path):
    path = tmp_path / "results.jsonl"
    append_rows(path, [{"a": 1}, {"a": 2}])
    append_rows(path, [])
    append_rows(path, [{"a": 3}])
    assert [r["a"] for r in read_rows(path)] == [1, 2, 3]
    assert read_rows(tmp_path / "missing.jsonl") == []


def test_truncated_last_line_is_ignored_and_repaired_by_append(tmp_path):
    path = tmp_path / "results.jsonl"
    append_rows(path, [{"a": 1}, {"a": 2}])
    with open(path, "ab") as fh:
        fh.write(b'{"a": 3, "trunc')
    assert [r["a"] for r in read_rows(path)] == [1, 2]
    append_rows(path, [{"a": 4}])
    assert [r["a"] for r in read_rows(path)] == [1, 2, 4]
    assert path.read_bytes().endswith(b"\n")


def test_whole_file_partial_line_and_midfile_corruption(tmp_path):
    path = tmp_path / "results.jsonl"
    path.write_bytes(b'{"a": ')
    assert read_rows(path) == []
    append_rows(path, [{"a": 1}])
    assert read_rows(path) == [{"a": 1}]
    path.write_bytes(b'{"a": 1}\nnot json\n{"a": 2}\n')
    with pytest.raises(HarnessError, match="line 2"):
        read_rows(path)


def test_write_rows_and_atomic_text_leave_no_temp_files(tmp_path):
    write_rows(tmp_path / "r.jsonl", [{"x": 1}])
    atomic_write_text(tmp_path / "s.md", "hello\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.jsonl", "s.md"]
    assert json.loads((tmp_path / "r.jsonl").read_text()) == {"x": 1}


def test_update_latest_is_relative_and_replaced(tmp_path):
    base = tmp_path / "reports"
    first, second = new_run_dir(base), new_run_dir(base)
    link = update_latest(base, first)
    assert os.readlink(link) == first.name
    update_latest(base, second)
    assert os.readlink(link) == second.name
    assert link.resolve() == second.resolve()
    assert [p.name for p in base.iterdir() if p.name.startswith(".")] == []


def test_resolve_run_by_id_path_and_latest(tmp_path):
    base = tmp_path / "reports"
    run = new_run_dir(base)
    (run / "results.jsonl").write_text("")
    update_latest(base, run)
    assert resolve_run(base, run.name) == run.resolve()
    assert resolve_run(base, str(run)) == run.resolve()
    assert resolve_run(base, "latest") == run.resolve()
    with pytest.raises(HarnessError, match="unknown run"):
        resolve_run(base, "20990101-000000-ffff")
    with pytest.raises(HarnessError):
        resolve_run(tmp_path / "nowhere", "latest")


def test_check_writable(tmp_path):
    check_writable(tmp_path / "a" / "b" / "c")  # creatable
    assert not (tmp_path / "a").exists()  # and nothing was created
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(HarnessError, match="not a folder"):
        check_writable(blocker / "sub")
    with pytest.raises(HarnessError):
        check_writable(blocker)
