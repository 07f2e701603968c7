"""``relucheck list | verify | report``: run the claims' checks and render their reports.

    relucheck list [--claims PATH ...]
    relucheck verify [CLAIM ...] [--claims PATH ...] [--profile quick|full] [--jobs N]
        [--executor local|dask] [--scheduler ADDR] [--solver S] [--out DIR] [--resume RUN]
    relucheck report RUN [--out DIR]

Claims come from :mod:`relucheck.plugins` (built-ins, the ``relucheck.claims`` entry points,
and files or folders given with ``--claims``). ``verify --claims P`` with no CLAIM runs the
claims of P only. Exit statuses: 0 when no check failed, 1 when one did (FAIL or ERROR), 2
for a usage error or a plug-in the user asked for that is broken (one line on stderr,
nothing written).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from relucheck.cli.common import usage_error
from relucheck.harness.claims import PROFILES, Claim, RunOptions, registry_lookup
from relucheck.harness.errors import HarnessError
from relucheck.harness.executors import Executor, LocalProcessExecutor
from relucheck.harness.store import (
    LATEST,
    RESULTS,
    atomic_write_text,
    check_writable,
    new_run_dir,
    read_rows,
    resolve_run,
    update_latest,
)
from relucheck.plugins import (
    Entry,
    PluginError,
    Registry,
    claims_from_paths,
    load_claims,
    require_paths,
)
from relucheck.solvers.choices import SOLVER_CHOICES

DEFAULT_OUT = "reports"

#: Pages beside the runs that reports link to when they exist (``make bench`` writes the
#: history of benchmark time and accuracy per commit to reports/bench/history.html).
REPORT_LINKS = {
    "Benchmark history (time and accuracy per benchmark over commits, make bench)": (
        "bench/history.html"
    ),
}
EXECUTORS = ("local", "dask")


def load_registry(paths: Sequence[str] = ()) -> Registry:
    """Built-in, entry-point and path claims with their origins (built-ins read at call time,
    so tests and the mutant runner can replace ``relucheck.theorems.REGISTRY``)."""
    return load_claims(list(paths))


def registry(paths: Sequence[str] = ()) -> Mapping[str, Claim]:
    """The working claims by id."""
    return load_registry(paths).claims


def warn_broken(entries: Sequence[Entry]) -> None:
    """One stderr line per broken plug-in that was merely installed (not asked for)."""
    for entry in entries:
        print(f"relucheck: warning: claim plug-in {entry.line()}", file=sys.stderr)


def solver_facts() -> dict[str, Any]:
    """Solver facts for the environment record (e.g. MOSEK license); {} if unavailable."""
    try:
        from relucheck.solvers.backends import solver_facts as facts
    except (ImportError, AttributeError):
        return {}
    try:
        return dict(facts())
    except Exception as exc:  # noqa: BLE001  (a probe failure is a fact, not a crash)
        return {"solver_facts_error": f"{type(exc).__name__}: {exc}"}


# ----------------------------------------------------------------------------- list


def cmd_list(args: argparse.Namespace) -> int:
    """Print each claim (id, title, origin, citation, check ids), broken plug-ins as warning
    rows, then the solver plug-ins; exit 2 if a ``--claims`` path is broken."""

    reg = load_registry(args.claim_paths)
    try:
        require_paths(reg, args.claim_paths)
    except PluginError as exc:
        return usage_error(exc)
    if not reg.claims:
        print("no claims registered")
    for entry in reg.entries:
        if not entry.ok:
            print(f"WARNING {entry.name}  broken plug-in ({entry.origin})")
            print(f"    {entry.error}")
            continue
        claim = entry.obj
        print(f"{claim.id}  {claim.title}")
        print(f"    origin: {entry.origin}")
        if claim.citation:
            print(f"    {claim.citation}")
        print(f"    checks: {', '.join(claim.check_ids)}")
    _list_solvers()
    return 0


def _list_solvers() -> None:
    from relucheck.plugins import load_solvers

    solvers = load_solvers(reserved=SOLVER_CHOICES)
    if not solvers.entries:
        return
    print("solver plug-ins (relucheck solve two-layer --solver NAME):")
    for entry in solvers.entries:
        if entry.ok:
            print(f"  {entry.name}  origin: {entry.origin}")
        else:
            print(f"  WARNING {entry.line()}")


# ----------------------------------------------------------------------------- verify


@dataclass
class VerifyPlan:
    """A validated ``verify`` request; nothing has been written yet."""

    claims: list[Claim]
    registry: Registry
    claim_paths: list[str]
    profile: str
    solver: str
    jobs: int
    out: Path
    resume_dir: Path | None
    resume_rows: list[dict[str, Any]] | None
    executor: str = "local"
    scheduler: str | None = None


def _read_meta(run_dir: Path) -> dict[str, Any]:
    try:
        meta = json.loads((run_dir / "run.json").read_text())
    except (OSError, json.JSONDecodeError):
        return {}
    return meta if isinstance(meta, dict) else {}


def _claims_asked(reg: Registry, names: list[str], paths: list[str], resumed: bool) -> list[Claim]:
    """The claims a ``verify`` names: ids, else the ``--claims`` paths' claims, else all.

    A broken plug-in the user named (by id or path) is a HarnessError naming it; one merely
    installed is a warning line.
    """
    try:
        require_paths(reg, paths)
    except PluginError as exc:
        raise HarnessError(str(exc)) from None
    if not reg.claims:
        raise HarnessError("no claims are registered")
    if names:
        for name in names:
            broken = reg.find_broken(name)
            if broken is not None and name.upper() not in {k.upper() for k in reg.claims}:
                raise HarnessError(f"claim plug-in {broken.line()}")
        try:
            return registry_lookup(reg.claims, names)
        except KeyError as exc:
            raise HarnessError(exc.args[0]) from None
    if not resumed:
        warn_broken([e for e in reg.broken if not e.origin.startswith("path ")])
    if paths:
        return claims_from_paths(reg, paths)
    return list(reg.claims.values())


def plan_verify(args: argparse.Namespace, reg: Registry | None = None) -> VerifyPlan:
    """Validate every argument of ``verify``; raise :class:`HarnessError` on the first problem.

    With ``--resume``, claims, claim paths, profile and solver default to those the run
    started with.
    """
    out = Path(args.out)
    meta: dict[str, Any] = {}
    resume_dir = resume_rows = None
    if args.resume is not None:
        resume_dir = resolve_run(out, args.resume)
        meta = _read_meta(resume_dir)
        resume_rows = read_rows(resume_dir / RESULTS)
    names = list(args.claims) or list(meta.get("claims") or [])
    paths = [str(Path(p).resolve()) for p in (args.claim_paths or meta.get("claim_paths") or [])]
    reg = load_registry(paths) if reg is None else reg
    claims = _claims_asked(reg, names, paths, resume_dir is not None)
    profile = args.profile or meta.get("profile") or "quick"
    if profile not in PROFILES:
        raise HarnessError(f"unknown profile {profile!r} (choose {' or '.join(PROFILES)})")
    solver = args.solver or meta.get("solver") or "auto"
    if solver not in SOLVER_CHOICES:
        raise HarnessError(f"unknown solver {solver!r} (choose {', '.join(SOLVER_CHOICES)})")
    if args.jobs < 1:
        raise HarnessError(f"--jobs must be at least 1 (got {args.jobs})")
    if args.scheduler is not None and args.executor != "dask":
        raise HarnessError("--scheduler needs --executor dask")
    check_writable(resume_dir if resume_dir is not None else out)
    latest = (resume_dir.parent if resume_dir is not None else out) / LATEST
    if latest.exists() and not latest.is_symlink():
        raise HarnessError(f"{str(latest)!r} exists and is not a symlink")
    return VerifyPlan(
        claims, reg, paths, profile, solver, args.jobs, out, resume_dir, resume_rows,
        args.executor, args.scheduler,
    )  # fmt: skip


def make_executor(plan: VerifyPlan) -> Executor:
    """The executor the plan asks for; :class:`HarnessError` if a Dask cluster is out of reach."""
    if plan.executor == "dask":
        from relucheck.harness.dask_executor import DaskExecutor

        return DaskExecutor(plan.scheduler, plan.jobs)
    return LocalProcessExecutor(plan.jobs)


def _executor_meta(plan: VerifyPlan) -> dict[str, Any]:
    if plan.executor == "dask":
        return {"executor": "dask", "scheduler": plan.scheduler or "LocalCluster"}
    return {"executor": plan.executor}


def _start_run(plan: VerifyPlan, env: dict[str, Any], argv: Sequence[str]) -> Path:
    """Create the run folder (or reopen the resumed one) and record run.json/environment.json."""
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    if plan.resume_dir is not None:
        run_dir = plan.resume_dir
        meta = _read_meta(run_dir)
        resumed = {"at": now, "argv": list(argv), "jobs": plan.jobs, **_executor_meta(plan)}
        meta.setdefault("resumed", []).append(resumed)
        atomic_write_text(run_dir / "run.json", json.dumps(meta, indent=2) + "\n")
        atomic_write_text(run_dir / f"environment-resume-{now.replace(':', '')}.json",
                          json.dumps(env, indent=2) + "\n")  # fmt: skip
        return run_dir
    base_existed = plan.out.exists()
    run_dir = new_run_dir(plan.out)
    try:
        _record_new_run(run_dir, plan, env, argv, now)
    except BaseException:
        shutil.rmtree(run_dir, ignore_errors=True)  # only our own, just-made folder
        if not base_existed:
            try:
                plan.out.rmdir()
            except OSError:
                pass
        raise
    return run_dir


def _record_new_run(
    run_dir: Path, plan: VerifyPlan, env: dict[str, Any], argv: Sequence[str], now: str
) -> None:
    meta = {
        "run_id": run_dir.name,
        "claims": [c.id for c in plan.claims],
        "claim_paths": plan.claim_paths,
        "claim_origins": {c.id: plan.registry.origin(c.id) for c in plan.claims},
        "profile": plan.profile,
        "solver": plan.solver,
        "jobs": plan.jobs,
        **_executor_meta(plan),
        "started_at": now,
        "argv": list(argv),
    }
    atomic_write_text(run_dir / "environment.json", json.dumps(env, indent=2) + "\n")
    atomic_write_text(run_dir / "run.json", json.dumps(meta, indent=2) + "\n")


def _why(exc: BaseException) -> str:
    """An OSError as ``No space left on device`` rather than its errno tuple."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror + (f": {exc.filename!s}" if exc.filename else "")
    return str(exc)


def _rows_on_disk(run_dir: Path) -> list[dict[str, Any]]:
    try:
        return read_rows(run_dir / RESULTS)
    except (OSError, HarnessError):
        return []


def cmd_verify(args: argparse.Namespace) -> int:
    """Validate, run every unit, write the report; exit 0 iff no row is FAIL or ERROR."""
    from relucheck.harness.environment import capture_environment
    from relucheck.harness.progress import Progress
    from relucheck.harness.report import write_report
    from relucheck.harness.runner import run

    try:
        plan = plan_verify(args)
        executor = make_executor(plan)
    except HarnessError as exc:
        return usage_error(exc)

    env = capture_environment(solver_facts())  # once, in the parent, before any fork
    try:
        run_dir = _start_run(plan, env, args.argv)
        update_latest(run_dir.parent, run_dir)  # so `--resume latest` finds a crashed run
    except (OSError, HarnessError) as exc:
        executor.close()
        return usage_error(f"cannot write to the output folder {str(plan.out)!r}: {_why(exc)}")
    print(f"relucheck: run {run_dir.name} in {run_dir}", file=sys.stderr, flush=True)
    progress = Progress()
    again = f"continue with --resume {run_dir.name}"
    try:
        rows = run(
            plan.claims,
            plan.profile,
            RunOptions(solver=plan.solver, profile=plan.profile),
            run_dir,
            plan.jobs,
            progress,
            plan.resume_rows,
            env=env,
            executor=executor,
        )
    except KeyboardInterrupt:
        progress.close(_rows_on_disk(run_dir))  # what is safely on disk
        print(f"relucheck: interrupted; {again}", file=sys.stderr)
        return 130
    except OSError as exc:  # disk full, folder removed or made read-only mid-run
        progress.close(_rows_on_disk(run_dir))
        return usage_error(f"cannot write to {str(run_dir)!r}: {_why(exc)}; no report; {again}")
    except HarnessError as exc:  # e.g. the Dask scheduler went away
        progress.close(_rows_on_disk(run_dir))
        return usage_error(f"{exc}; no report; {again}")
    progress.close(rows)
    try:
        paths = write_report(run_dir, plan.registry.claims, REPORT_LINKS)
        update_latest(run_dir.parent, run_dir)
    except OSError as exc:
        return usage_error(
            f"cannot write the report in {str(run_dir)!r}: {_why(exc)}; the rows are kept; "
            f"write it later with `relucheck report {run_dir.name}`"
        )
    print(paths["summary"])
    print(paths["html"])
    return 1 if any(row.get("verdict") in ("FAIL", "ERROR") for row in rows) else 0


# ----------------------------------------------------------------------------- report


def cmd_report(args: argparse.Namespace) -> int:
    """Re-render summary.md, index.html, results.csv and figures from stored rows."""
    from relucheck.harness.report import write_report

    try:
        run_dir = resolve_run(Path(args.out), args.run)
        check_writable(run_dir)
        # the run's own claim files, so that their figures are drawn again
        reg = load_registry(_read_meta(run_dir).get("claim_paths") or [])
        warn_broken(reg.broken)
        paths = write_report(run_dir, reg.claims, REPORT_LINKS)
    except HarnessError as exc:
        return usage_error(exc)
    except OSError as exc:
        return usage_error(f"cannot write the report in {str(run_dir)!r}: {_why(exc)}")
    print(paths["summary"])
    print(paths["html"])
    return 0


# ----------------------------------------------------------------------------- parser


def add_claim_paths(parser: argparse.ArgumentParser) -> None:
    """``--claims PATH`` (repeatable): claim plug-ins from a file or folder."""
    parser.add_argument(
        "--claims",
        dest="claim_paths",
        action="append",
        default=[],
        metavar="PATH",
        help="also load the claims of this .py file or folder (repeatable)",
    )


def add_verify_parsers(sub: argparse._SubParsersAction) -> None:
    """Register ``list``, ``verify`` and ``report`` on the main parser."""
    p_list = sub.add_parser("list", help="claims (with their origin) and solver plug-ins")
    add_claim_paths(p_list)
    p_list.set_defaults(func=cmd_list)

    p_verify = sub.add_parser("verify", help="run the checks of claims and write a report")
    p_verify.add_argument(
        "claims", nargs="*", metavar="CLAIM", help="claim ids (default: all, or those of --claims)"
    )
    add_claim_paths(p_verify)
    p_verify.add_argument(
        "--profile",
        default=None,
        metavar="{quick,full}",
        help="instance grid (default: quick, or the resumed run's)",
    )
    p_verify.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="worker processes, also the LocalCluster's workers with --executor dask (default 1)",
    )
    p_verify.add_argument(
        "--executor",
        default="local",
        choices=EXECUTORS,
        help="where units run: forked local processes, or a Dask cluster (default: local)",
    )
    p_verify.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDR",
        help="Dask scheduler address, e.g. tcp://host:8786 (default: a new LocalCluster)",
    )
    p_verify.add_argument(
        "--solver",
        default=None,
        metavar="{" + ",".join(SOLVER_CHOICES) + "}",
        help="solver: fast = the project's certified CE/PR solver, else a conic backend "
        "(default: auto)",
    )
    p_verify.add_argument("--out", default=DEFAULT_OUT, help="output folder (default: reports)")
    p_verify.add_argument(
        "--resume", default=None, metavar="RUN", help="run id, run folder or 'latest' to complete"
    )
    p_verify.set_defaults(func=cmd_verify)

    p_report = sub.add_parser("report", help="re-render a run's report from its stored rows")
    p_report.add_argument("run", metavar="RUN", help="run id, run folder or 'latest'")
    p_report.add_argument(
        "--out", default=DEFAULT_OUT, help="folder holding runs (default: reports)"
    )
    p_report.set_defaults(func=cmd_report)
