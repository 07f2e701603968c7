"""The Dask executor: units computed on a Dask cluster, with the local executor's guarantees.

Each unit becomes one Dask task. The task forks a child inside the Dask worker and runs the
check there, as :class:`~relucheck.harness.executors.LocalProcessExecutor` does on the local
machine, because a worker thread can be neither stopped at a budget nor protected from a
check that kills its process. So:

- a child past its budget is killed in the worker: ``"timeout"``, with the same reason text
  as the local executor;
- a child that ends without answering (``os._exit``, a signal) is ``"died"`` and the worker
  goes on with the next unit;
- a Dask worker lost while running the unit (killed, out of memory, node gone) is
  ``"died"`` once the scheduler gives up on the task (``distributed.scheduler.allowed-failures``
  retries on other workers first);
- an exception inside the check is ``"raised"`` with its traceback.

The check code itself is the same, and every random draw comes from the instance seed, so
the rows match the local executor's apart from timings. Without a scheduler address the
executor starts a :class:`distributed.LocalCluster` of ``jobs`` single-threaded workers.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import pickle
import select
import signal
import sys
import time
import traceback
import uuid
from collections import deque
from collections.abc import Iterator
from typing import Any

from relucheck.harness.errors import HarnessError
from relucheck.harness.executors import (
    Executor,
    Outcome,
    Unit,
    describe_exit,
    die_with_parent,
    execute_in_worker,
)

#: Seconds to wait for a scheduler given by address before giving up.
CONNECT_TIMEOUT = 10.0

#: How often (seconds) a worker task looks at its child, its budget and cancellation.
POLL_SECONDS = 0.25


# ----------------------------------------------------------------------------- worker side


def _child_main(write_fd: int, unit: Unit, limit_blas: bool, parent_pid: int) -> None:
    """Body of the forked child: run the unit, write the pickled answer, never return."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        die_with_parent(parent_pid)
        # Dask workers are daemonic processes, which multiprocessing forbids to have
        # children; this child is ours, and a check may start processes as it may locally.
        multiprocessing.current_process()._config["daemon"] = False  # type: ignore[attr-defined]
        answer = execute_in_worker(unit, limit_blas)
        try:
            payload = pickle.dumps(answer)
        except Exception:  # noqa: BLE001  (unpicklable payload: report that instead)
            payload = pickle.dumps(("raised", traceback.format_exc()))
        with os.fdopen(write_fd, "wb") as fh:
            fh.write(payload)
        code = 0
    finally:
        # Returning would run the Dask worker's code in the child: leave at once, always.
        os._exit(code)


def _pack(unit: Unit) -> bytes:
    import cloudpickle

    return cloudpickle.dumps(unit)


def _cancelled(key: Any) -> bool:
    """Whether the scheduler has dropped this task (client gone, future cancelled); best effort."""
    try:
        from distributed import get_worker

        state = get_worker().state.tasks.get(key)
    except Exception:  # noqa: BLE001  (internal API; not knowing means "keep going")
        return False
    return state is None or state.state in ("cancelled", "released", "forgotten")


def _reap(pid: int, block: bool) -> int | None:
    """The child's exit code once it has ended (negative: killed by that signal), else None."""
    done, status = os.waitpid(pid, 0 if block else os.WNOHANG)
    return os.waitstatus_to_exitcode(status) if done else None


def _drain(read_fd: int, chunks: list[bytes]) -> None:
    """Read whatever the pipe holds now without blocking."""
    while select.select([read_fd], [], [], 0)[0]:
        chunk = os.read(read_fd, 1 << 16)
        if not chunk:
            return
        chunks.append(chunk)


def run_packed_unit(packed: bytes, limit_blas: bool, key: Any = None) -> tuple[str, float, Any]:
    """The Dask task: unpack a unit sent with cloudpickle, then :func:`run_unit_in_child`.

    Units travel as cloudpickle bytes because Dask tries plain pickle first, which sends a
    claim loaded from a file (``verify --claims``) by a module name the workers cannot
    import; cloudpickle sends such modules by value (:func:`relucheck.plugins.import_path`
    registers them).
    """
    import cloudpickle

    return run_unit_in_child(cloudpickle.loads(packed), limit_blas, key)


def run_unit_in_child(unit: Unit, limit_blas: bool, key: Any = None) -> tuple[str, float, Any]:
    """The Dask task: run ``unit`` in a forked child within its budget.

    Returns ``(status, seconds, payload)``: the row dicts for ``"ok"``, else the detail text.
    With the task's ``key``, the child is also killed once the scheduler drops the task.
    """
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    read_fd, write_fd = os.pipe()
    parent_pid = os.getpid()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child_main(write_fd, unit, limit_blas, parent_pid)
    os.close(write_fd)
    chunks: list[bytes] = []
    exitcode: int | None = None
    eof = False
    try:
        deadline = started + unit.budget_seconds
        while exitcode is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or (key is not None and _cancelled(key)):
                os.kill(pid, signal.SIGKILL)
                _reap(pid, block=True)
                seconds = time.monotonic() - started
                if remaining <= 0:
                    return "timeout", seconds, f"budget of {unit.budget_seconds:g} s exceeded"
                return "died", seconds, "cancelled: the Dask scheduler released the task"
            wait = min(remaining, POLL_SECONDS)
            if not eof and select.select([read_fd], [], [], wait)[0]:
                chunk = os.read(read_fd, 1 << 16)
                if chunk:
                    chunks.append(chunk)
                    continue
                eof = True  # the child closed its end: it answered, or died
            # Look at the child too: a grandchild may hold the pipe open after it ended.
            exitcode = _reap(pid, block=False)
            if exitcode is None and eof:
                time.sleep(min(wait, 0.02))
        if not eof:
            _drain(read_fd, chunks)
    finally:
        os.close(read_fd)
    seconds = time.monotonic() - started
    try:
        status, payload = pickle.loads(b"".join(chunks))
    except Exception:  # noqa: BLE001  (no or half an answer: the child died)
        return "died", seconds, f"worker ended without answering: {describe_exit(exitcode)}"
    return str(status), seconds, payload


# ----------------------------------------------------------------------------- client side


class DaskExecutor(Executor):
    """Units as Dask tasks on the scheduler at ``address``, or on a new LocalCluster.

    The LocalCluster has ``jobs`` worker processes of one thread each and no memory limit
    (the local executor has none either). Units wait here, not on the cluster: no more are
    in flight than the cluster has worker threads, so a lost worker takes only its running
    unit with it, and closing drops queued units at once. ``allowed_failures`` overrides how
    often our LocalCluster's scheduler retries a unit whose worker was lost (a shared
    cluster keeps its own setting). BLAS is limited to one thread per unit when ``jobs > 1``
    on a LocalCluster, and always on a shared cluster. Raises :class:`HarnessError` when the
    scheduler cannot be reached or the cluster not started.
    """

    def __init__(
        self,
        address: str | None = None,
        jobs: int = 1,
        *,
        connect_timeout: float | None = None,
        allowed_failures: int | None = None,
    ) -> None:
        if jobs < 1:
            raise ValueError("jobs must be >= 1")
        try:
            from distributed import Client, LocalCluster, as_completed
        except ImportError as exc:
            message = f"the Dask executor needs the 'distributed' package ({exc})"
            raise HarnessError(message) from None
        self.address = address
        self.jobs = jobs
        self.limit_blas = address is not None or jobs > 1
        self._cluster: Any = None
        self._client: Any = None
        self._queue: deque[Unit] = deque()
        self._running: dict[Any, tuple[Unit, Any, float]] = {}
        self._completed: Any = None
        timeout = CONNECT_TIMEOUT if connect_timeout is None else connect_timeout
        failure = ""
        try:
            if address is None:
                retries = {} if allowed_failures is None else {"allowed_failures": allowed_failures}
                self._cluster = LocalCluster(
                    n_workers=jobs,
                    threads_per_worker=1,
                    processes=True,
                    memory_limit=0,
                    dashboard_address=":0",  # a free port: 8787 may be taken
                    silence_logs=logging.ERROR,
                    scheduler_kwargs=retries,
                )
                self._client = Client(self._cluster, set_as_default=False)
            else:
                self._client = Client(address, timeout=timeout, set_as_default=False)
            self._completed = as_completed([], loop=self._client.loop)
        except Exception as exc:  # noqa: BLE001  (any failure to connect is the user's to fix)
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            failure = f"{type(exc).__name__}: {first}"
        if failure:
            # A half-built Client sits in reference cycles; collected only at exit, its
            # __del__ would wait 20 s for an event loop that is gone. Collect it now.
            self._shutdown()
            gc.collect()
            what = f"reach the Dask scheduler at {address!r}" if address else "start a LocalCluster"
            raise HarnessError(f"cannot {what}: {failure}")

    @property
    def client(self) -> Any:
        """The :class:`distributed.Client` in use."""
        return self._client

    def submit(self, unit: Unit) -> None:
        self._queue.append(unit)
        self._fill()

    def _capacity(self) -> int:
        """Worker threads of the cluster now (at least 1, so a run waits for workers)."""
        try:
            return max(1, sum(self._client.nthreads().values()))
        except Exception:  # noqa: BLE001  (a scheduler hiccup: keep what is in flight)
            return 1

    def _fill(self) -> None:
        """Send queued units to the cluster until every worker thread has one."""
        if not self._queue:
            return
        free = self._capacity() - len(self._running)
        while self._queue and free > 0:
            unit = self._queue.popleft()
            key = ("relucheck-unit", unit.claim.id, unit.instance.id, uuid.uuid4().hex[:8])
            future = self._client.submit(
                run_packed_unit, _pack(unit), self.limit_blas, key, key=key, pure=False,
                retries=0,
            )  # fmt: skip
            self._running[key] = (unit, future, time.monotonic())
            self._completed.add(future)
            free -= 1

    def _outcome(self, unit: Unit, future: Any, submitted: float) -> Outcome:
        from distributed import KilledWorker

        waited = time.monotonic() - submitted
        try:
            status, seconds, payload = future.result()
        except KilledWorker as exc:
            detail = f"the Dask worker running it was lost: {exc}"
            return Outcome(unit, "died", waited, detail=detail)
        except Exception as exc:  # noqa: BLE001  (includes CancelledError)
            if self._client.status != "running":
                raise HarnessError(f"lost the Dask scheduler: {type(exc).__name__}") from None
            return Outcome(unit, "raised", waited, detail=traceback.format_exc())
        if status == "ok":
            return Outcome(unit, "ok", seconds, results=payload)
        return Outcome(unit, status, seconds, detail=str(payload))

    def outcomes(self) -> Iterator[Outcome]:
        for future in self._completed:
            unit, _, submitted = self._running.pop(future.key)
            outcome = self._outcome(unit, future, submitted)
            future.release()
            self._fill()  # before yielding: the cluster works while rows are written
            yield outcome

    def _shutdown(self) -> None:
        if self._client is not None:
            try:
                self._client.close(timeout=10)
            except Exception:  # noqa: BLE001  (closing is best effort)
                pass
            self._client = None
        if self._cluster is not None:
            try:
                self._cluster.close(timeout=10)
            except Exception:  # noqa: BLE001
                pass
            self._cluster = None

    def close(self) -> None:
        """Forget queued units, cancel running ones, close the client (and our LocalCluster)."""
        self._queue.clear()
        if self._client is not None and self._running:
            try:
                self._client.cancel([future for _, future, _ in self._running.values()])
            except Exception:  # noqa: BLE001
                pass
        self._running.clear()
        self._shutdown()
