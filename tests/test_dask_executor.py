"""The Dask executor on a LocalCluster: same rows as the local executor, budgets, deaths, CLI."""

from __future__ import annotations

import json
import socket
import time
from collections import Counter

import pytest
import toy_claims as toy

import relucheck.theorems
from relucheck.cli import main
from relucheck.harness import dask_executor
from relucheck.harness.claims import RunOptions
from relucheck.harness.dask_executor import DaskExecutor
from relucheck.harness.errors import HarnessError
from relucheck.harness.executors import LocalProcessExecutor, Unit
from relucheck.harness.runner import run
from relucheck.harness.store import read_rows

distributed = pytest.importorskip("distributed")

#: Row fields that may differ between two runs of the same seeds: timings and run identity.
VOLATILE = ("timings", "unit_seconds", "finished_at", "env", "run_id")

#: Toy claims that pass, fail, raise, overrun, exit, get killed, count threads, fork a pool.
MISBEHAVING = [toy.OK, toy.MIX, toy.RAISE, toy.SLOW, toy.EXIT, toy.KILLED, toy.BLAS, toy.POOL]


def stable(rows: list[dict]) -> list[str]:
    """Rows without timings and run identity, as sorted JSON (completion order varies).

    TOY-BLAS is left out: it reports how many BLAS libraries the process had loaded, which
    depends on what the parent imported before forking, not on the seed.
    """
    return sorted(
        json.dumps({k: v for k, v in r.items() if k not in VOLATILE}, sort_keys=True)
        for r in rows
        if r["claim"] != "TOY-BLAS"
    )


@pytest.fixture(scope="module")
def cluster():
    """Two single-threaded workers; a lost worker's unit fails at once (no retries)."""
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        memory_limit=0,
        dashboard_address=":0",  # a free port: 8787 may be taken
        scheduler_kwargs={"allowed_failures": 0},
    ) as local_cluster:
        yield local_cluster


def _run(claims, tmp_path, name, executor):
    run_dir = tmp_path / name
    run_dir.mkdir()
    return run(claims, "quick", RunOptions(solver="scs"), run_dir, 2, None, env={},
               executor=executor)  # fmt: skip


@pytest.fixture(scope="module")
def dask_rows(cluster, tmp_path_factory):
    """The misbehaving toy claims, twice on the cluster."""
    tmp = tmp_path_factory.mktemp("dask")
    return [
        _run(MISBEHAVING, tmp, f"run{i}", DaskExecutor(cluster.scheduler_address, jobs=2))
        for i in range(2)
    ]


def test_budget_death_and_exceptions_become_rows_as_locally(dask_rows):
    rows = dask_rows[0]
    got = Counter((r["claim"], r["check"], r["verdict"], r["unit_status"]) for r in rows)
    assert got == {
        ("TOY-OK", "agree", "PASS", "ok"): 2,
        ("TOY-OK", "control_detects", "PASS", "ok"): 2,
        ("TOY-MIX", "holds", "PASS", "ok"): 1,
        ("TOY-MIX", "breaks", "FAIL", "ok"): 1,
        ("TOY-RAISE", "a", "ERROR", "raised"): 1,
        ("TOY-RAISE", "b", "ERROR", "raised"): 1,
        ("TOY-SLOW", "a", "INCONCLUSIVE", "timeout"): 1,
        ("TOY-SLOW", "b", "INCONCLUSIVE", "timeout"): 1,
        ("TOY-EXIT", "a", "ERROR", "died"): 1,
        ("TOY-KILLED", "a", "ERROR", "died"): 1,
        ("TOY-KILLED", "b", "ERROR", "died"): 1,
        ("TOY-BLAS", "threads", "PASS", "ok"): 1,
        ("TOY-POOL", "children", "PASS", "ok"): 1,  # a check may start processes
    }
    reasons = {(r["claim"], r["check"]): r["reason"] for r in rows}
    assert reasons[("TOY-SLOW", "a")] == "budget of 1 s exceeded"
    assert "exit code 3" in reasons[("TOY-EXIT", "a")]
    assert "signal SIGKILL (exit code -9)" in reasons[("TOY-KILLED", "b")]
    assert "ValueError: boom from toy check" in reasons[("TOY-RAISE", "a")]
    slow = next(r for r in rows if r["claim"] == "TOY-SLOW")
    assert 1.0 <= slow["unit_seconds"] < 10.0  # stopped at its budget, not after 60 s
    blas = next(r for r in rows if r["claim"] == "TOY-BLAS")
    assert set(blas["data"]["threads"]) == {1}


def test_same_seeds_give_the_same_rows_on_both_executors_and_on_rerun(dask_rows, tmp_path):
    local = [_run(MISBEHAVING, tmp_path, f"local{i}", LocalProcessExecutor(2)) for i in range(2)]
    reference = stable(local[0])
    assert len(reference) == 14
    assert stable(local[1]) == reference
    assert stable(dask_rows[0]) == reference
    assert stable(dask_rows[1]) == reference


def _wait_for(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_closing_a_run_kills_the_running_check(cluster):
    """An interrupted run must not leave checks computing on a shared cluster."""
    hang = toy.Claim("TOY-HANG", "hangs", "", "", ("a",), toy.SLOW.instances, toy.slow_check,
                     budget_seconds=60)  # fmt: skip
    executor = DaskExecutor(cluster.scheduler_address, jobs=2)
    with distributed.Client(cluster.scheduler_address) as client:

        def forked() -> int:  # nested: pickled by value, workers need not import this module
            import psutil

            return len(psutil.Process().children())

        def children() -> int:
            return sum(client.run(forked).values())

        before = children()
        executor.submit(Unit(hang, hang.instances("quick")[0], RunOptions(), 60.0))
        assert _wait_for(lambda: children() == before + 1)  # the check runs in a forked child
        executor.close()
        assert _wait_for(lambda: children() == before)  # ... and is gone, long before 60 s


def test_a_lost_worker_becomes_an_error_row_and_the_run_goes_on(cluster, tmp_path):
    executor = DaskExecutor(cluster.scheduler_address, jobs=2)
    rows = _run([toy.LOST, toy.MIX], tmp_path, "lost", executor)
    lost = [r for r in rows if r["claim"] == "TOY-LOST"]
    assert [(r["verdict"], r["unit_status"]) for r in lost] == [("ERROR", "died")]
    assert "Dask worker running it was lost" in lost[0]["reason"]
    assert Counter(r["verdict"] for r in rows if r["claim"] == "TOY-MIX") == {"PASS": 1, "FAIL": 1}
    with distributed.Client(cluster.scheduler_address) as client:
        client.wait_for_workers(2, timeout=60)  # the nanny restarted it


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_scheduler_is_a_one_line_error(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(relucheck.theorems, "REGISTRY", toy.registry(toy.OK))
    monkeypatch.setattr(dask_executor, "CONNECT_TIMEOUT", 0.5)
    out = tmp_path / "reports"
    address = f"tcp://127.0.0.1:{_free_port()}"
    assert main(["verify", "--executor", "dask", "--scheduler", address, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("relucheck: error: cannot reach the Dask")
    assert address in err[0]
    assert not out.exists()
    with pytest.raises(HarnessError, match="missing port"):
        DaskExecutor("nonsense")


def test_verify_on_a_local_cluster_through_the_cli(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(relucheck.theorems, "REGISTRY", toy.registry(toy.OK, toy.MIX))
    out = tmp_path / "reports"
    assert main(["verify", "--executor", "dask", "--jobs", "2", "--out", str(out)]) == 1  # MIX
    latest = (out / "latest").resolve()
    meta = json.loads((latest / "run.json").read_text())
    assert meta["executor"] == "dask" and meta["scheduler"] == "LocalCluster"
    rows = read_rows(latest / "results.jsonl")
    assert Counter(r["verdict"] for r in rows) == {"PASS": 5, "FAIL": 1}
    assert (latest / "summary.md").exists() and (latest / "index.html").exists()
    assert capsys.readouterr().out.splitlines()[0] == str(latest / "summary.md")
