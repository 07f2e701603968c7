"""Counted work of a benchmark call, next to its time (issue 16; codspeed's idea).

:func:`count_work` patches, for the duration of a ``with`` block, the places where the
project's solvers do their work, and counts what they did. Nothing in the solvers changes;
the patches are class attributes or module globals that every caller goes through:

==============================  ======================================================
key                             counted
==============================  ======================================================
``cvxpy.<SOLVER>.solves``       ``cvxpy.Problem._solve`` calls per backend (CLARABEL, SCS,
                                MOSEK), also those the fast solver makes for hard
                                restricted programs
``cvxpy.<SOLVER>.iterations``   the backend's iterations (``solver_stats.num_iters``:
                                interior-point iterations of Clarabel/MOSEK, ADMM
                                iterations of SCS)
``fast.working_set_solves``     :class:`~relucheck.solvers.fast_two_layer.WorkingSetResult`
                                objects built (one per working-set solve, so a warm path
                                or a continuation counts each of its solves)
``fast.<key>``                  the sums of their ``work`` dicts: outer iterations, warm
                                polish / interior-point / Clarabel restricted solves,
                                inner (interior-point and Clarabel) iterations, exact NNLS
                                solves of the gauge scan
``adam.steps``, ``adam.restart_steps``   Adam steps (batched) and steps × restarts
``lbfgs.polishes|iterations|evaluations``  L-BFGS polishes, iterations, function calls
``sgd.head_runs``, ``sgd.head_steps``  mini-batch SGD runs of ReLU heads (claim PC) and
                                their steps × heads
``sgd.mlp_runs``, ``sgd.mlp_steps``    constant-step SGD runs of an MLP and their steps
``scipy.nnls``, ``scipy.linprog``, ``scipy.lsq_linear``  calls (certificates, polish,
                                feasibility, LP chamber tests and repairs)
==============================  ======================================================

Determinism (what :func:`compare_work` may compare exactly):

* on ONE machine, with the same library versions and BLAS threads (the fingerprint of
  :mod:`relucheck.bench.compare` plus ``relucheck_libraries`` of the run), every count
  above is a deterministic function of the instance, unless the call stopped at a wall-clock
  limit (``status == "time_limit"``: how far it got depends on the speed), so the rows mark
  that case ``work_deterministic = False``, and rounds of one run that disagree do the same;
* ACROSS machines the combinatorial counts (chambers of an enumeration, hyperplanes,
  verdict counts, instance counts) and the step counts fixed by a configuration (Adam,
  SGD) are the same, while iteration counts of the solvers may
  differ: other BLAS kernels round differently, which can move an interior-point iteration
  or a working-set step. They are therefore only compared between runs of one machine.

Comparison rule (:func:`compare_work`): a deterministic count that grew (new > old, no
tolerance: :data:`WORK_REL` = 0; an absent count is zero) FAILS; one that shrank is noted
as less work. Counts are not judged (only shown) when either row is not deterministic, the
two runs used different library versions, or a different :data:`WORK_VERSION`.
"""

from __future__ import annotations

import contextlib
import importlib
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

WORK_REL = 0.0
"""Relative growth of a deterministic count that is tolerated (none: counts are exact)."""

WORK_VERSION = 2
"""Version of :data:`SITES`, saved with every run (``machine_info["relucheck_work_version"]``;
runs without it are version 1): bump it when a site is added or changes what it counts, so
that a comparison across the change shows the counts without judging them (a count of a
new site appears, which is not more work)."""


def _attr(path: str) -> tuple[Any, str]:
    """(owner object, attribute name) of ``module:attr`` or ``module:Class.attr``."""
    module, _, dotted = path.partition(":")
    owner: Any = importlib.import_module(module)
    *parents, name = dotted.split(".")
    for parent in parents:
        owner = getattr(owner, parent)
    return owner, name


def _cvxpy_counts(problem: Any, counts: Counter) -> None:
    stats = getattr(problem, "solver_stats", None)
    name = str(getattr(stats, "solver_name", None) or "unknown").upper()
    counts[f"cvxpy.{name}.solves"] += 1
    iters = getattr(stats, "num_iters", None)
    if isinstance(iters, int):
        counts[f"cvxpy.{name}.iterations"] += iters


def _wrap_call(original: Callable, after: Callable, counts: Counter) -> Callable:
    def counted(*args: Any, **kwargs: Any) -> Any:
        try:
            out = original(*args, **kwargs)
        finally:
            after(args, kwargs, counts)
        return out

    counted.__wrapped__ = original  # type: ignore[attr-defined]
    return counted


def _after_solve(args: tuple, kwargs: dict, counts: Counter) -> None:
    _cvxpy_counts(args[0], counts)


def _after_working_set(args: tuple, kwargs: dict, counts: Counter) -> None:
    counts["fast.working_set_solves"] += 1
    for key, value in (getattr(args[0], "work", None) or {}).items():
        if isinstance(value, int):
            counts[f"fast.{key}"] += value


def _after_polish(args: tuple, kwargs: dict, counts: Counter) -> None:
    counts["lbfgs.polishes"] += 1
    counts["lbfgs.iterations"] += int(getattr(args[0], "iterations", 0) or 0)
    counts["lbfgs.evaluations"] += int(getattr(args[0], "evaluations", 0) or 0)


def _after_adam(args: tuple, kwargs: dict, counts: Counter) -> None:
    steps = int(kwargs.get("steps", args[2] if len(args) > 2 else 0))
    theta0 = kwargs.get("theta0", args[1] if len(args) > 1 else None)
    restarts = int(getattr(theta0, "shape", (1,))[0]) if getattr(theta0, "ndim", 1) > 1 else 1
    counts["adam.steps"] += steps
    counts["adam.restart_steps"] += steps * restarts


def _after_heads(args: tuple, kwargs: dict, counts: Counter) -> None:
    run = args[0]
    heads = int(run.w.shape[1]) if getattr(getattr(run, "w", None), "ndim", 0) == 2 else 1
    counts["sgd.head_runs"] += 1
    counts["sgd.head_steps"] += int(getattr(run, "steps", 0) or 0) * heads


def _after_mlp(args: tuple, kwargs: dict, counts: Counter) -> None:
    times = getattr(args[0], "times", None)
    counts["sgd.mlp_runs"] += 1
    counts["sgd.mlp_steps"] += int(times[-1]) if times is not None and len(times) else 0


def _calls(key: str) -> Callable:
    def after(args: tuple, kwargs: dict, counts: Counter) -> None:
        counts[key] += 1

    return after


#: (patched attribute, what to count after each call). Named imports of scipy functions are
#: patched where they are bound; function-local imports go through ``scipy.optimize``.
SITES: tuple[tuple[str, Callable], ...] = (
    ("cvxpy.problems.problem:Problem._solve", _after_solve),
    ("relucheck.solvers.fast_two_layer:WorkingSetResult.__init__", _after_working_set),
    ("relucheck.solvers.nonconvex:PolishResult.__init__", _after_polish),
    ("relucheck.solvers.nonconvex:adam", _after_adam),
    ("relucheck.solvers.minibatch_gd:HeadRun.__init__", _after_heads),
    ("relucheck.solvers.minibatch_gd:MLPRun.__init__", _after_mlp),
    ("scipy.optimize:nnls", _calls("scipy.nnls")),
    ("scipy.optimize:linprog", _calls("scipy.linprog")),
    ("scipy.optimize:lsq_linear", _calls("scipy.lsq_linear")),
    ("relucheck.models.two_layer.certificate:nnls", _calls("scipy.nnls")),
    ("relucheck.models.two_layer.certificate:lsq_linear", _calls("scipy.lsq_linear")),
    ("relucheck.solvers.manifold_polish:nnls", _calls("scipy.nnls")),
    ("relucheck.models.arrangements.lp:linprog", _calls("scipy.linprog")),
)


@contextlib.contextmanager
def count_work() -> Iterator[Counter]:
    """Count the work done inside the block (see the module docstring); yields the Counter."""
    counts: Counter = Counter()
    undo: list[tuple[Any, str, Any]] = []
    try:
        for path, after in SITES:
            try:
                owner, name = _attr(path)
                original = getattr(owner, name)
            except (ImportError, AttributeError):
                continue  # a site that does not exist in this version counts nothing
            undo.append((owner, name, original))
            setattr(owner, name, _wrap_call(original, after, counts))
        yield counts
    finally:
        for owner, name, original in reversed(undo):
            setattr(owner, name, original)


class CountedCall:
    """``fn`` made into a benchmark target that records, per call, CPU seconds and work.

    ``cpu_s`` (process CPU seconds of each call) and ``work`` (one Counter per call) grow
    with every call; :meth:`extra_info` summarises them for a saved row.
    """

    def __init__(self, fn: Callable) -> None:
        self.fn = fn
        self.cpu_s: list[float] = []
        self.work: list[dict[str, int]] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with count_work() as counts:
            start = time.process_time()
            try:
                return self.fn(*args, **kwargs)
            finally:
                self.cpu_s.append(time.process_time() - start)
                self.work.append(dict(sorted(counts.items())))

    def extra_info(self, *, deterministic: bool = True) -> dict[str, Any]:
        """``cpu_s``, ``work`` (of the first call) and whether the work is deterministic."""
        agree = all(w == self.work[0] for w in self.work) if self.work else True
        return {
            "cpu_s": list(self.cpu_s),
            "work": dict(self.work[0]) if self.work else {},
            "work_rounds_agree": agree,
            "work_deterministic": bool(deterministic and agree),
        }


def compare_work(
    old: dict[str, Any],
    new: dict[str, Any],
    *,
    libraries_changed: bool = False,
    counting_changed: bool = False,
) -> tuple[list[tuple[str, Any, Any, bool]], str]:
    """(changes, judged-or-why-not) between the ``extra_info`` of two rows of a benchmark.

    Each change is (what, old, new, fails): a deterministic count that grew (an absent
    count is zero, so one that appeared grew) fails; one that shrank is a note. When the
    counts cannot be judged (see the module docstring) the changes are all notes and the
    text says why.
    """
    a, b = old.get("work"), new.get("work")
    if not isinstance(a, dict) or not isinstance(b, dict):
        return [], "no work counts"
    why = ""
    if old.get("work_deterministic") is False or new.get("work_deterministic") is False:
        why = "not deterministic (time limit or rounds disagree): shown, not judged"
    elif libraries_changed:
        why = "library versions changed: shown, not judged"
    elif counting_changed:
        why = "the counting (WORK_VERSION) changed: shown, not judged"
    changes = []
    for key in sorted(set(a) | set(b)):
        x, y = a.get(key, 0), b.get(key, 0)  # a count that is absent is a count of zero
        if x == y or not isinstance(x, int) or not isinstance(y, int):
            continue
        grew = y > x * (1.0 + WORK_REL)
        changes.append((f"work {key} {'grew' if grew else 'shrank'}", x, y, grew and not why))
    return changes, why or "judged exactly"


def enumeration_work(patterns: Any) -> dict[str, int]:
    """Counted work of a chamber enumeration (a PatternSet): its chambers and the integer
    counts of its ``stats`` (hyperplanes, rays, candidates, LP repairs, ...)."""
    counts = {"enumeration.chambers": int(patterns.count)}
    for key, value in sorted((patterns.stats or {}).items()):
        if isinstance(value, int) and not isinstance(value, bool):
            counts[f"enumeration.{key}"] = value
    return counts


def bench_call(benchmark, fn: Callable, *, args=(), kwargs=None, rounds: int = 1):
    """``benchmark.pedantic`` of ``fn`` (``rounds`` rounds, one call each; one untimed warm-up
    call first when ``rounds`` ≥ 5, so the judged rounds do not include a cold start) that also
    records the CPU seconds and the counted work of every timed round in ``extra_info``;
    returns (the last result, the :class:`CountedCall`). A caller whose call stopped at a
    time limit re-records ``call.extra_info(deterministic=False)``."""
    call = CountedCall(fn)
    warmup = 1 if rounds >= 5 else 0
    out = benchmark.pedantic(
        call, args=args, kwargs=kwargs or {}, rounds=rounds, iterations=1, warmup_rounds=warmup
    )
    del call.cpu_s[:warmup], call.work[:warmup]
    benchmark.extra_info.update(call.extra_info())
    return out, call
