"""The command line end to end with toy registries: list, verify, report, errors, resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import toy_claims as toy

import relucheck.theorems
from relucheck.cli import main
from relucheck.harness.store import read_rows

ROOT = Path(__file__).resolve().parents[1]


def _use(monkeypatch, registry):
    monkeypatch.setattr(relucheck.theorems, "REGISTRY", dict(registry))


def _tree(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*")) if path.exists() else []


def test_list(monkeypatch, capsys):
    _use(monkeypatch, toy.GOOD | toy.registry(toy.MIX))
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "TOY-OK  Toy claim that holds" in out
    assert "Nobody, Toy Theorems (2026)" in out
    assert "checks: agree, control_detects" in out
    assert "TOY-MIX" in out


def test_verify_passing_run_exits_0_and_writes_everything(monkeypatch, tmp_path, capsys):
    _use(monkeypatch, toy.GOOD)
    out = tmp_path / "reports"
    assert main(["verify", "--out", str(out), "--jobs", "2"]) == 0
    stdout = capsys.readouterr().out.splitlines()
    latest = (out / "latest").resolve()
    assert stdout == [str(latest / "summary.md"), str(latest / "index.html")]
    assert os.readlink(out / "latest") == latest.name  # relative link
    for name in ("results.jsonl", "environment.json", "run.json", "results.csv", "summary.md",
                 "index.html", "figures/TOY-OK/toy_curves.pdf"):  # fmt: skip
        assert (latest / name).exists(), name
    env = json.loads((latest / "environment.json").read_text())
    assert "packages" in env and "git_commit" in env
    meta = json.loads((latest / "run.json").read_text())
    assert meta["claims"] == ["TOY-OK"] and meta["profile"] == "quick"
    rows = read_rows(latest / "results.jsonl")
    assert len(rows) == 4 and {r["verdict"] for r in rows} == {"PASS"}
    assert all(r["env"] == env for r in rows)


def test_verify_with_a_failure_exits_1(monkeypatch, tmp_path, capsys):
    _use(monkeypatch, toy.ALL)
    out = tmp_path / "r"
    assert main(["verify", "toy-mix", "TOY-OK", "--out", str(out), "--profile", "full"]) == 1
    rows = read_rows(out / "latest" / "results.jsonl")
    assert {r["claim"] for r in rows} == {"TOY-MIX", "TOY-OK"}
    assert len({r["instance_id"] for r in rows if r["claim"] == "TOY-OK"}) == 3  # full grid
    err = capsys.readouterr().err
    assert "relucheck: " in err and "FAIL" in err  # progress lines and the tally


@pytest.mark.parametrize(
    "argv, message",
    [
        (["verify", "NOPE"], "unknown claim 'NOPE'"),
        (["verify", "--profile", "huge"], "unknown profile 'huge'"),
        (["verify", "--solver", "gurobi"], "unknown solver 'gurobi'"),
        (["verify", "--jobs", "0"], "--jobs must be at least 1"),
        (["verify", "--resume", "20990101-000000-ffff"], "unknown run"),
        (["verify", "--scheduler", "tcp://localhost:8786"], "--scheduler needs --executor dask"),
        (["report", "20990101-000000-ffff"], "unknown run"),
    ],
)
def test_bad_requests_exit_2_and_write_nothing(monkeypatch, tmp_path, capsys, argv, message):
    _use(monkeypatch, toy.GOOD)
    out = tmp_path / "reports"
    assert main([*argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("relucheck: error:") and message in err[0]
    assert not out.exists()


def test_unwritable_out_exits_2_and_writes_nothing(monkeypatch, tmp_path, capsys):
    _use(monkeypatch, toy.GOOD)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert main(["verify", "--out", str(blocker / "sub")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("relucheck: error:") and "cannot be created" in err
    assert _tree(tmp_path) == ["a-file"]


def test_latest_that_is_not_a_link_is_refused_before_writing(monkeypatch, tmp_path, capsys):
    _use(monkeypatch, toy.GOOD)
    (tmp_path / "latest").mkdir()
    assert main(["verify", "--out", str(tmp_path)]) == 2
    assert "not a symlink" in capsys.readouterr().err
    assert _tree(tmp_path) == ["latest"]


def test_argparse_errors_exit_2(monkeypatch, capsys):
    _use(monkeypatch, toy.GOOD)
    with pytest.raises(SystemExit) as exc:
        main(["verify", "--jobs", "many"])
    assert exc.value.code == 2
    assert capsys.readouterr().err.startswith("relucheck: error: argument --jobs")
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2


def test_solve_group_is_registered(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["solve", "--help"])
    assert exc.value.code == 0
    assert "solve" in capsys.readouterr().out


def test_report_rerenders_from_stored_rows(monkeypatch, tmp_path, capsys):
    _use(monkeypatch, toy.GOOD)
    out = tmp_path / "reports"
    assert main(["verify", "--out", str(out)]) == 0
    run_dir = (out / "latest").resolve()
    (run_dir / "summary.md").unlink()
    (run_dir / "index.html").write_text("stale")
    capsys.readouterr()
    assert main(["report", run_dir.name, "--out", str(out)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == str(run_dir / "summary.md")
    assert "TOY-OK" in (run_dir / "summary.md").read_text()
    assert (run_dir / "index.html").read_text().startswith("<!DOCTYPE html>")
    assert main(["report", str(run_dir)]) == 0  # a path works too


def test_resume_latest_completes_a_partial_run(monkeypatch, tmp_path, capsys):
    _use(monkeypatch, toy.registry(toy.SLEEPY))
    out = tmp_path / "reports"
    assert main(["verify", "--out", str(out)]) == 0
    run_dir = (out / "latest").resolve()
    rows = read_rows(run_dir / "results.jsonl")
    (run_dir / "results.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in rows[:5]) + '{"trunc'
    )
    assert main(["verify", "--out", str(out), "--resume", "latest"]) == 0
    resumed = read_rows(run_dir / "results.jsonl")
    assert Counter((r["instance_id"], r["check"]) for r in resumed) == Counter(
        (r["instance_id"], r["check"]) for r in rows
    )
    assert len(list(out.iterdir())) == 2  # the run and `latest`: no new run folder
    assert "resuming: 2 of 6 units already done" in capsys.readouterr().err


def test_sigkill_mid_run_then_resume_gives_each_row_once(tmp_path):
    """Kill a real `relucheck verify` process group mid-run, then finish it with --resume."""
    out = tmp_path / "reports"
    code = (
        "import sys, toy_claims, relucheck.theorems as t; "
        "t.REGISTRY.clear(); t.REGISTRY.update(toy_claims.registry(toy_claims.SLEEPY)); "
        "from relucheck.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'tests'}{os.pathsep}{ROOT}", "TOY_SLEEP": "0.4"}
    cmd = [sys.executable, "-c", code, "verify", "--out", str(out), "--jobs", "1"]
    proc = subprocess.Popen(cmd, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 60
    results = None
    try:
        while time.monotonic() < deadline:
            found = list(out.glob("*/results.jsonl"))
            if found and len(read_rows(found[0])) >= 4:  # two of six units done
                results = found[0]
                break
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert results is not None and proc.returncode == -signal.SIGKILL
    assert not (results.parent / "summary.md").exists()
    partial = len(read_rows(results))
    assert 4 <= partial < 12

    env["TOY_SLEEP"] = "0"
    resume = subprocess.run([*cmd, "--resume", "latest"], env=env, capture_output=True,
                            text=True, timeout=120)  # fmt: skip
    assert resume.returncode == 0, resume.stderr
    rows = read_rows(results)
    keys = Counter((r["instance_id"], r["check"]) for r in rows)
    assert len(keys) == 12 and set(keys.values()) == {1}
    run_dir = results.parent
    csv = pd.read_csv(run_dir / "results.csv")
    assert len(csv) == 12 and set(csv["verdict"]) == {"PASS"}
    assert "TOY-SLEEPY" in (run_dir / "summary.md").read_text()
    html = (run_dir / "index.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
