"""Run the planted defects one at a time and report which the harness catches.

The ``relucheck`` package is first copied to a temporary snapshot (the working tree is shared
and may change during the run; every run below uses the same code). For each mutant: copy the
snapshot, apply the mutant to the copy, and run ``relucheck verify CLAIM --jobs J --out TMP``
(through :mod:`relucheck.mutants.subset`, narrowed to the mutant's instances when it names
some) with ``PYTHONPATH`` pointing at the copy.

Caught means the verify run reports at least one FAIL or ERROR row, i.e. it exits with status 1
exactly as ``make verify`` would. ERROR counts as caught (the harness refuses to pass the code)
but the table shows the verdicts, so a mutant caught only by a crash is visible as such. A
mutant that only turns checks INCONCLUSIVE (or SKIPPED) survives. A run that writes no rows,
or exits with a status other than 0/1, is ``broken``: the mutant tests nothing and must be
fixed. Before the mutants, the same instances run once on the unmutated snapshot (baseline):
if anything FAILs there, no catch would mean anything and the runner stops.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from relucheck.mutants.apply import apply_mutant, copy_package, source_root, validate
from relucheck.mutants.catalog import Mutant

BAD = ("FAIL", "ERROR")


@dataclass
class VerifyRun:
    """What one ``relucheck verify`` subprocess left behind."""

    exit_code: int | None  # None: killed at the timeout
    rows: list[dict[str, Any]]
    seconds: float
    log_tail: str = ""


@dataclass
class MutantOutcome:
    """The verdict on one mutant: ``caught``, ``survived``, ``broken`` or ``timeout``."""

    id: str
    claim: str
    path: str
    description: str
    status: str
    seconds: float
    verdicts: dict[str, int] = field(default_factory=dict)
    failed: list[dict[str, Any]] = field(default_factory=list)
    exit_code: int | None = None
    log_tail: str = ""

    @property
    def caught(self) -> bool:
        return self.status == "caught"

    def failed_summary(self) -> str:
        """``check (FAIL x2), other (ERROR)``: the checks that caught it, in row order."""
        counts = Counter((f["check"], f["verdict"]) for f in self.failed)
        parts = []
        for (check, verdict), k in counts.items():
            parts.append(f"{check} ({verdict}{f' x{k}' if k > 1 else ''})")
        return ", ".join(parts)


def selection_for(mutants: Iterable[Mutant]) -> dict[str, tuple[str, ...]]:
    """Union of the mutants' instance selections per claim (an empty tuple = all instances)."""
    out: dict[str, set[str] | None] = {}
    for m in mutants:
        if not m.instances:
            out[m.claim] = None
        elif m.claim not in out:
            out[m.claim] = set(m.instances)
        elif out[m.claim] is not None:
            out[m.claim] |= set(m.instances)
    return {c: () if names is None else tuple(sorted(names)) for c, names in out.items()}


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def run_verify(
    root: Path,
    selection: Mapping[str, Sequence[str]],
    out: Path,
    *,
    jobs: int,
    timeout: float,
    solver: str | None = None,
) -> VerifyRun:
    """``relucheck verify`` on the copy at ``root`` (imported through PYTHONPATH)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(root), env.get("PYTHONPATH")) if p)
    cmd = [sys.executable, "-m", "relucheck.mutants.subset", "--expect-root", str(root)]
    for claim, names in selection.items():
        cmd += ["--select", f"{claim}={','.join(names)}"]
    cmd += ["--", "--jobs", str(jobs), "--out", str(out)]
    if solver is not None:
        cmd += ["--solver", solver]
    start = time.perf_counter()
    # A new session so that a timeout can stop the run and the workers it forked.
    proc = subprocess.Popen(
        cmd,
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        log, _ = proc.communicate(timeout=timeout)
        code: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        log, _ = proc.communicate()
        code = None
    seconds = time.perf_counter() - start
    results = out / "latest" / "results.jsonl"
    rows = []
    if results.is_file():
        for line in results.read_text(encoding="utf-8").splitlines():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line cut by a kill at the timeout
    return VerifyRun(code, rows, seconds, _tail(log or ""))


def _reason(row: Mapping[str, Any], limit: int = 400) -> str:
    """A row's reason, shortened: the end of a traceback (ERROR), the start of anything else."""
    text = str(row.get("reason") or "")
    if len(text) <= limit:
        return text
    return "..." + text[-limit:] if row.get("verdict") == "ERROR" else text[:limit] + "..."


def judge(mutant: Mutant, run: VerifyRun) -> MutantOutcome:
    """Classify one mutant's verify run (module docstring)."""
    verdicts = Counter(str(r.get("verdict")) for r in run.rows)
    failed = [
        {
            "instance": r.get("name"),
            "check": r.get("check"),
            "verdict": r.get("verdict"),
            "value": r.get("value"),
            "reason": _reason(r),
        }
        for r in run.rows
        if r.get("verdict") in BAD
    ]
    if run.exit_code is None:
        status = "timeout"
    elif not run.rows or run.exit_code not in (0, 1) or (run.exit_code == 1) != bool(failed):
        status = "broken"
    else:
        status = "caught" if failed else "survived"
    return MutantOutcome(
        id=mutant.id,
        claim=mutant.claim,
        path=mutant.path,
        description=mutant.description,
        status=status,
        seconds=round(run.seconds, 1),
        verdicts=dict(verdicts),
        failed=failed,
        exit_code=run.exit_code,
        log_tail="" if status in ("caught", "survived") else run.log_tail,
    )


def run_mutant(
    mutant: Mutant, src: Path, work: Path, *, jobs: int, timeout: float
) -> MutantOutcome:
    """Copy the package under ``src`` into ``work``, apply the mutant there, verify, judge."""
    root = copy_package(src, work / "tree")
    apply_mutant(root, mutant)
    run = run_verify(root, {mutant.claim: mutant.instances}, work / "out", jobs=jobs,
                     timeout=timeout, solver=mutant.solver)  # fmt: skip
    return judge(mutant, run)


def run_baseline(
    mutants: Sequence[Mutant], snapshot: Path, work: Path, *, jobs: int, timeout: float
) -> VerifyRun:
    """The unmutated snapshot on the union of the mutants' instances: one verify run per
    solver the mutants ask for, merged (the worst exit status, every row)."""
    runs = []
    for k, solver in enumerate(sorted({m.solver for m in mutants}, key=str)):
        group = [m for m in mutants if m.solver == solver]
        runs.append(
            run_verify(
                snapshot,
                selection_for(group),
                work / f"out{k}",
                jobs=jobs,
                timeout=timeout,
                solver=solver,
            )  # fmt: skip
        )
    codes = [r.exit_code for r in runs]
    return VerifyRun(
        None if None in codes else max(codes),
        [row for r in runs for row in r.rows],
        sum(r.seconds for r in runs),
        "\n".join(r.log_tail for r in runs),
    )


# ------------------------------------------------------------------------------ output


def markdown_table(outcomes: Sequence[MutantOutcome]) -> str:
    """One row per mutant: id, claim, caught, which checks failed, seconds; then the tally."""
    lines = [
        "| mutant | claim | caught | failed checks | seconds |",
        "|---|---|---|---|---|",
    ]
    for o in outcomes:
        mark = "yes" if o.caught else f"**NO** ({o.status})"
        lines.append(
            f"| {o.id} | {o.claim} | {mark} | {o.failed_summary() or '-'} | {o.seconds:.1f} |"
        )
    caught = sum(o.caught for o in outcomes)
    lines.append("")
    lines.append(f"{caught} of {len(outcomes)} planted defects caught.")
    return "\n".join(lines) + "\n"


def write_outputs(
    out_dir: Path, outcomes: Sequence[MutantOutcome], meta: Mapping[str, Any]
) -> dict[str, Path]:
    """``mutants.json`` (everything), ``mutants.csv`` (one row per mutant), ``mutants.md``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "json": out_dir / "mutants.json",
        "csv": out_dir / "mutants.csv",
        "md": out_dir / "mutants.md",
    }
    payload = {**meta, "mutants": [{**asdict(o), "caught": o.caught} for o in outcomes]}
    paths["json"].write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    with paths["csv"].open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            ["mutant", "claim", "file", "caught", "status", "failed_checks", "seconds",
             "description"]
        )  # fmt: skip
        for o in outcomes:
            writer.writerow(
                [o.id, o.claim, o.path, o.caught, o.status, o.failed_summary(), o.seconds,
                 o.description]
            )  # fmt: skip
    paths["md"].write_text(markdown_table(outcomes), encoding="utf-8")
    return paths


def _git_commit(root: Path) -> str | None:
    """HEAD of the source tree (the copy also holds its uncommitted changes), or None."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def run_all(
    mutants: Sequence[Mutant],
    *,
    jobs: int,
    out_dir: Path,
    timeout: float,
    baseline: bool = True,
    log=print,
) -> tuple[int, list[MutantOutcome]]:
    """Baseline, then every mutant in turn; write the outputs; return (exit status, outcomes)."""
    src = source_root()
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    run_dir = out_dir / stamp
    meta: dict[str, Any] = {
        "started_at": stamp,
        "source": str(src),
        "commit": _git_commit(src),
        "jobs": jobs,
    }
    total = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="relucheck-mutants-") as tmp:
        # One snapshot for the baseline and every mutant: edits made to the working tree
        # while the runs go on (others share it) cannot leak into some runs and not others.
        snapshot = copy_package(src, Path(tmp) / "snapshot")
        for mutant in mutants:
            validate(snapshot, mutant)
        if baseline:
            base = run_baseline(
                mutants, snapshot, Path(tmp) / "baseline", jobs=jobs, timeout=timeout
            )
            bad = [r for r in base.rows if r.get("verdict") in BAD]
            meta["baseline"] = {
                "exit_code": base.exit_code,
                "seconds": round(base.seconds, 1),
                "verdicts": dict(Counter(str(r.get("verdict")) for r in base.rows)),
            }
            log(f"baseline (unmutated, {len(base.rows)} rows): exit {base.exit_code}, "
                f"{base.seconds:.1f} s")  # fmt: skip
            if base.exit_code != 0 or bad or not base.rows:
                for r in bad:
                    log(f"  baseline {r.get('verdict')}: {r.get('claim')} {r.get('name')} "
                        f"{r.get('check')}")  # fmt: skip
                log(_tail(base.log_tail))
                log("relucheck mutants: the unmutated tree does not pass; no catch would count")
                write_outputs(run_dir, [], {**meta, "aborted": "baseline not clean"})
                return 1, []
        outcomes = []
        for i, mutant in enumerate(mutants, 1):
            work = Path(tmp) / f"m{i:02d}"
            outcome = run_mutant(mutant, snapshot, work, jobs=jobs, timeout=timeout)
            outcomes.append(outcome)
            log(f"[{i}/{len(mutants)}] {mutant.id} ({mutant.claim}): {outcome.status}"
                f" {outcome.failed_summary()} ({outcome.seconds:.1f} s)")  # fmt: skip
            if outcome.status in ("broken", "timeout"):
                log(outcome.log_tail)
    meta["seconds"] = round(time.perf_counter() - total, 1)
    paths = write_outputs(run_dir, outcomes, meta)
    print(markdown_table(outcomes), end="")
    print(f"(total {meta['seconds']:.0f} s; written to {paths['md'].parent})")
    return (0 if all(o.caught for o in outcomes) else 1), outcomes
