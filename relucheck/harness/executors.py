"""Executors: where a run unit (one claim on one instance) is computed, isolated from the run.

An executor takes units with :meth:`Executor.submit` and yields one :class:`Outcome` per
unit from :meth:`Executor.outcomes` as units finish, in completion order. It never raises
because of a unit: a timeout, a crash of the worker or an exception inside the check all
come back as outcomes. :class:`LocalProcessExecutor` forks one process per unit;
:class:`~relucheck.harness.dask_executor.DaskExecutor` implements the same methods on a
Dask cluster.
"""

from __future__ import annotations

import os
import signal
import sys
import time
import traceback
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing import get_context
from multiprocessing.connection import Connection, wait
from typing import Any

from relucheck.harness.claims import Claim, InstanceSpec, RunOptions
from relucheck.harness.environment import THREAD_VARIABLES
from relucheck.harness.records import CheckResult

#: How often (seconds) the parent wakes up to look at budgets when nothing happens.
POLL_SECONDS = 0.25


@dataclass(frozen=True)
class Unit:
    """One claim checked on one instance, with the wall-clock budget it may use."""

    claim: Claim
    instance: InstanceSpec
    options: RunOptions
    budget_seconds: float


@dataclass
class Outcome:
    """What became of a unit.

    ``status`` is ``"ok"`` (``results`` holds the CheckResult dicts), ``"raised"`` (the
    check raised; ``detail`` is the traceback), ``"timeout"`` (killed after its budget) or
    ``"died"`` (the worker ended without answering; ``detail`` says how).
    """

    unit: Unit
    status: str
    seconds: float
    results: list[dict[str, Any]] = field(default_factory=list)
    detail: str = ""


def execute_unit(unit: Unit) -> tuple[str, Any]:
    """Run the check in this process: ``("ok", [row dicts])`` or ``("raised", traceback)``."""
    try:
        results = unit.claim.check(unit.instance, unit.options)
        rows = []
        for result in results:
            if not isinstance(result, CheckResult):
                raise TypeError(f"check returned {type(result).__name__}, not CheckResult")
            rows.append(result.to_dict())
        return "ok", rows
    except BaseException:  # noqa: BLE001  (anything a check does must become a row)
        return "raised", traceback.format_exc()


class Executor(ABC):
    """Runs submitted units and yields their outcomes as they finish."""

    @abstractmethod
    def submit(self, unit: Unit) -> None:
        """Queue a unit."""

    @abstractmethod
    def outcomes(self) -> Iterator[Outcome]:
        """Yield an outcome for every submitted unit, in completion order."""

    def close(self) -> None:  # noqa: B027  (optional hook)
        """Release workers; called also when the run is interrupted."""


def die_with_parent(parent_pid: int) -> None:
    """Ask Linux to SIGKILL this worker when the parent dies (best effort, no-op elsewhere)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


def execute_in_worker(unit: Unit, limit_blas: bool) -> tuple[str, Any]:
    """:func:`execute_unit` in a freshly forked worker, BLAS limited to one thread if asked."""
    if not limit_blas:
        return execute_unit(unit)
    from threadpoolctl import threadpool_limits

    # Libraries loaded later read these; threadpool_limits covers those already loaded.
    for variable in THREAD_VARIABLES:  # set to 1 in workers when several run at once
        os.environ[variable] = "1"
    with threadpool_limits(limits=1):
        return execute_unit(unit)


def _worker_main(conn: Connection, unit: Unit, limit_blas: bool, parent_pid: int) -> None:
    """Body of a forked worker: run the unit, send the answer, exit."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's business
    die_with_parent(parent_pid)
    answer = execute_in_worker(unit, limit_blas)
    try:
        conn.send(answer)
    except Exception:  # noqa: BLE001  (unpicklable payload: report that instead)
        conn.send(("raised", traceback.format_exc()))
    conn.close()


def describe_exit(exitcode: int | None) -> str:
    """Words for how a worker ended: ``exit code 3`` or ``signal SIGKILL (exit code -9)``."""
    if exitcode is None:
        return "no exit code"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"signal {name} (exit code {exitcode})"
    return f"exit code {exitcode}"


@dataclass
class _Running:
    unit: Unit
    process: Any
    conn: Connection
    started: float


class LocalProcessExecutor(Executor):
    """At most ``jobs`` forked worker processes, one per unit; the parent polls them.

    A worker past its unit's budget is killed (``"timeout"``); one that ends without
    answering becomes ``"died"``. With ``jobs > 1`` each worker limits BLAS to one thread so
    workers do not oversubscribe the cores.
    """

    def __init__(self, jobs: int = 1) -> None:
        if jobs < 1:
            raise ValueError("jobs must be >= 1")
        self.jobs = jobs
        self.limit_blas = jobs > 1
        self._context = get_context("fork")
        self._queue: deque[Unit] = deque()
        self._running: list[_Running] = []

    def submit(self, unit: Unit) -> None:
        self._queue.append(unit)

    def _start(self, unit: Unit) -> None:
        receiver, sender = self._context.Pipe(duplex=False)
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        process = self._context.Process(
            target=_worker_main,
            args=(sender, unit, self.limit_blas, os.getpid()),
            name=f"relucheck-{unit.claim.id}-{unit.instance.id}",
            daemon=False,  # a check may start its own process pool; close() kills leftovers
        )
        process.start()
        sender.close()  # the parent keeps only the reading end: EOF once the worker is gone
        self._running.append(_Running(unit, process, receiver, time.monotonic()))

    def _finish(self, job: _Running, outcome: Outcome) -> Outcome:
        job.process.join(timeout=5)
        if job.process.is_alive():
            job.process.kill()
            job.process.join()
        job.conn.close()
        self._running.remove(job)
        return outcome

    def _collect(self, job: _Running) -> Outcome | None:
        """The outcome of a worker that has something to say or has ended, else None."""
        elapsed = time.monotonic() - job.started
        if job.conn.poll():
            try:
                status, payload = job.conn.recv()
            except (EOFError, OSError):
                job.process.join(timeout=5)
                detail = f"worker ended without answering: {describe_exit(job.process.exitcode)}"
                return self._finish(job, Outcome(job.unit, "died", elapsed, detail=detail))
            if status == "ok":
                return self._finish(job, Outcome(job.unit, "ok", elapsed, results=payload))
            return self._finish(job, Outcome(job.unit, "raised", elapsed, detail=payload))
        if not job.process.is_alive():
            detail = f"worker ended without answering: {describe_exit(job.process.exitcode)}"
            return self._finish(job, Outcome(job.unit, "died", elapsed, detail=detail))
        if elapsed > job.unit.budget_seconds:
            job.process.kill()
            detail = f"budget of {job.unit.budget_seconds:g} s exceeded"
            return self._finish(job, Outcome(job.unit, "timeout", elapsed, detail=detail))
        return None

    def outcomes(self) -> Iterator[Outcome]:
        while self._queue or self._running:
            while self._queue and len(self._running) < self.jobs:
                self._start(self._queue.popleft())
            now = time.monotonic()
            next_deadline = min(j.started + j.unit.budget_seconds for j in self._running)
            timeout = min(POLL_SECONDS, max(0.0, next_deadline - now) + 0.01)
            handles = [j.conn for j in self._running] + [j.process.sentinel for j in self._running]
            wait(handles, timeout=timeout)
            for job in list(self._running):
                outcome = self._collect(job)
                if outcome is not None:
                    yield outcome

    def close(self) -> None:
        """Kill workers still running and forget queued units."""
        self._queue.clear()
        for job in list(self._running):
            if job.process.is_alive():
                job.process.kill()
            job.process.join(timeout=5)
            job.conn.close()
        self._running.clear()
