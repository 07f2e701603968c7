"""Toy claims for the harness tests: checks that pass, fail, raise, overrun and crash."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from relucheck.harness.claims import Claim, InstanceSpec, RunOptions
from relucheck.harness.records import CheckResult, Verdict, held


def _grid(claim_id: str, count: int):
    def instances(profile: str) -> list[InstanceSpec]:
        n = count if profile == "quick" else count + 1
        return [InstanceSpec.make(claim_id, f"toy{i}", seed=i, size=i + 1) for i in range(n)]

    return instances


# --------------------------------------------------------------------------- OK: all pass


def ok_check(instance: InstanceSpec, options: RunOptions) -> list[CheckResult]:
    size = instance.p["size"]
    return [
        held("agree", True, "|a - b| <= 1e-9", value=0.0, tolerance=1e-9, margin=1e-9,
             timings={"solve": 0.01 * size}, solver={"name": options.solver, "status": "optimal"},
             data={"curve": [1.0, 0.5, 0.25], "size": size}),
        held("control_detects", True, "gap > 0 (planted violation)", value=0.5, margin=0.5,
             control=True, timings={"solve": 0.02}),
    ]  # fmt: skip


def ok_figures(df, out_dir: Path) -> list[Path]:
    import matplotlib.pyplot as plt

    from relucheck.harness.figstyle import figsize, save_figure

    rows = df[df["check"] == "agree"]
    fig, ax = plt.subplots(figsize=figsize())
    for _, row in rows.iterrows():
        ax.plot(row["data"]["curve"], label=row["name"])
    ax.set_xlabel("step")
    return save_figure(fig, out_dir, "toy_curves")


OK = Claim(
    id="TOY-OK",
    title="Toy claim that holds",
    citation="Nobody, Toy Theorems (2026)",
    statement="Everything agrees | pipes are escaped.",
    check_ids=("agree", "control_detects"),
    instances=_grid("TOY-OK", 2),
    check=ok_check,
    figures=ok_figures,
    own_derivation="The toy bound is our own.",
    budget_seconds=30,
)

# --------------------------------------------------------------------------- MIX: one FAIL


def mix_check(instance: InstanceSpec, options: RunOptions) -> list[CheckResult]:
    return [
        held("holds", True, "x >= 0", value=1.0, margin=1.0),
        held("breaks", False, "x <= 0", value=1.0, margin=-1.0, reason="x is positive"),
    ]


MIX = Claim("TOY-MIX", "Toy claim that fails", "", "One check fails.", ("holds", "breaks"),
            _grid("TOY-MIX", 1), mix_check, budget_seconds=30)  # fmt: skip

# --------------------------------------------------------------------------- RAISE


def raise_check(instance: InstanceSpec, options: RunOptions) -> list[CheckResult]:
    raise ValueError("boom from toy check")


RAISE = Claim("TOY-RAISE", "Toy claim that raises", "", "Toy.", ("a", "b"), _grid("TOY-RAISE", 1),
              raise_check, budget_seconds=30)  # fmt: skip

# --------------------------------------------------------------------------- SLOW: budget


def slow_check(instance: InstanceSpec, options: RunOptions) -> list[CheckResult]:
    time.sleep(60)
    return [held("a", True, "never reached")]


SLOW = Claim("TOY-SLOW", "Toy claim past its budget", "", "Toy.", ("a", "b"), _grid("TOY-SLOW", 1),
             slow_check, budget_seconds=1)  # fmt: skip

# --------------------------------------------------------------------------- EXIT: dies


def exit_check(instance: InstanceSpec, options: RunOptions) -> list[CheckResult]:
    os._exit(3)


EXIT = Claim("TOY-EXIT", "Toy claim whose worker dies", "", "Toy.", ("a",), _grid("TOY-EXIT", 1),
             exit_check, budget_seconds=30)  # fmt: skip

# --------------------------------------------------------------------------- KILLED: signal


def killed_check(instance: InstanceSpec, options: RunOptions) -> list[CheckResult]:
    os.kill(os.getpid(), signal.SIGKILL)
    return []


KILLED = Claim("TOY-KILLED", "Toy claim whose worker is killed", "", "Toy.", ("a", "b"),
               _grid("TOY-KILLED", 1), killed_check, budget_seconds=30)  # fmt: skip

# --------------------------------------------------------------------------- BADFIG


def badfig_figures(df, out_dir: Path) -> list[Path]:
    raise RuntimeError("figure exploded")


BADFIG = Claim("TOY-BADFIG", "Toy claim with a broken figure", "", "Toy.", ("holds", "breaks"),
               _grid("TOY-BADFIG", 1), lambda i, o: [held("holds", True, "ok")],
               figures=badfig_figures, budget_seconds=30)  # fmt: skip

# --------------------------------------------------------------------------- BLAS threads


def blas_check(instance: InstanceSpec, options: RunOptions) -> list[CheckResult]:
    import numpy  # noqa: F401
    from threadpoolctl import threadpool_info

    threads = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    return [CheckResult("threads", Verdict.PASS, "recorded", data={"threads": threads})]


BLAS = Claim("TOY-BLAS", "Toy claim reporting BLAS threads", "", "Toy.", ("threads",),
             _grid("TOY-BLAS", 1), blas_check, budget_seconds=30)  # fmt: skip

# --------------------------------------------------------------------------- SLEEPY: resume


def sleepy_check(instance: InstanceSpec, options: RunOptions) -> list[CheckResult]:
    time.sleep(float(os.environ.get("TOY_SLEEP", "0")))
    return [held("a", True, "ok", value=1.0), held("b", True, "ok", value=2.0)]


SLEEPY = Claim("TOY-SLEEPY", "Toy claim with many quick units", "", "Toy.", ("a", "b"),
               _grid("TOY-SLEEPY", 6), sleepy_check, budget_seconds=30)  # fmt: skip

# --------------------------------------------------------------------------- POOL: children


def _square(x: int) -> int:
    return x * x


def pool_check(instance: InstanceSpec, options: RunOptions) -> list[CheckResult]:
    """Start worker processes of its own, as a check may (e.g. a parallel solver)."""
    from multiprocessing import get_context

    with get_context("fork").Pool(2) as pool:
        squares = pool.map(_square, range(4))
    return [held("children", squares == [0, 1, 4, 9], "pool computed squares", value=sum(squares))]


POOL = Claim("TOY-POOL", "Toy claim starting a process pool", "", "Toy.", ("children",),
             _grid("TOY-POOL", 1), pool_check, budget_seconds=30)  # fmt: skip


def registry(*claims: Claim) -> dict[str, Claim]:
    """A registry dict of the given claims."""
    return {c.id: c for c in claims}


GOOD = registry(OK)
BAD = registry(OK, MIX, RAISE, SLOW, EXIT, BADFIG)
ALL = registry(OK, MIX, RAISE, SLOW, EXIT, BADFIG, BLAS, SLEEPY)

# --------------------------------------------------------------------------- DASK-LOST


def lost_worker_check(instance: InstanceSpec, options: RunOptions) -> list[CheckResult]:
    """Kill the Dask worker process this check's child was forked from (Dask only)."""
    from distributed import get_worker

    get_worker()  # raises ValueError outside a Dask worker: never kill anything else
    os.kill(os.getppid(), signal.SIGKILL)
    time.sleep(60)
    return []


LOST = Claim("TOY-LOST", "Toy claim that kills its Dask worker", "", "Toy.", ("a",),
             _grid("TOY-LOST", 1), lost_worker_check, budget_seconds=30)  # fmt: skip
