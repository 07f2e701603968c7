"""``make bench-compare``: the newest saved benchmark run against the previous one.

Runs are the pytest-benchmark JSON files ``make bench`` autosaves under ``reports/bench``.
The previous run is the newest OLDER run with the same machine fingerprint
(:func:`machine_fingerprint`: host name, CPU model and count, architecture, OS, Python
version and the BLAS thread count of the run), so timings are never compared across
machines or thread settings.

Per benchmark present in both runs the comparison says three things (issue 16):

* **time**: faster, slower, no detectable change, or not enough rounds to judge time, by
  the rule of :mod:`relucheck.bench.stats` (two-sided Mann–Whitney U on the per-round CPU
  seconds at level 0.01 AND a ratio of medians ≥ 1.20; at least 5 rounds on each side),
  with its evidence (ratio with the IQR of the pairwise ratios, p-value, rounds). Only
  "slower" FAILS;
* **counted work** (``extra_info["work"]``, :mod:`relucheck.bench.work`): a deterministic
  count that grew FAILS whatever the noise of the machine; one that shrank is noted;
* **accuracy**, judged absolutely on ``extra_info`` (:func:`accuracy_findings`):
    - gaps and excesses (keys ending in ``gap``, ``gap_to_best`` and ``excess``; smaller is
      better) may not grow by more than ``max(gap_abs, gap_rel·|old|)`` (defaults 1e-8 and
      50 %: certified gaps of 1e-10 jitter with rounding, the comparison must not);
    - counts (``count``, keys ending in ``_count``, and ``verdicts``) must be equal;
    - flags of exactness (``exact``, ``accurate``, ``certified``) may not turn False.

Benchmarks in only one of the runs are listed (new or missing) but do not fail: a row can
vanish because a solver became unavailable, which is reported as SKIPPED by the run itself.

Exit status: 0 no regression, 1 regression, 2 bad usage (unreadable run), 3 no previous
run on this machine to compare with (a first run; a clear message says so).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from relucheck.bench import stats
from relucheck.bench.report import load_run, run_files
from relucheck.bench.work import compare_work

GAP_ABS = 1e-8
GAP_REL = 0.5
FLAG_KEYS = ("exact", "accurate", "certified")
EXIT_OK, EXIT_REGRESSION, EXIT_USAGE, EXIT_NO_BASELINE = 0, 1, 2, 3


def machine_fingerprint(machine_info: dict[str, Any]) -> str:
    """A short hash of what makes timings comparable: host, CPU, OS, Python, BLAS threads."""
    cpu = machine_info.get("cpu") or {}
    key = {
        "node": machine_info.get("node"),
        "machine": machine_info.get("machine"),
        "system": machine_info.get("system"),
        "python": machine_info.get("python_implementation"),
        "python_version": machine_info.get("python_version"),
        "cpu": cpu.get("brand_raw"),
        "cpu_count": cpu.get("count"),
        "blas_threads": machine_info.get("relucheck_blas_threads"),
    }
    return hashlib.sha1(json.dumps(key, sort_keys=True).encode()).hexdigest()[:12]


def run_fingerprint(run: dict[str, Any]) -> str:
    """The fingerprint of a saved run (recomputed; older runs did not store one)."""
    return machine_fingerprint(run.get("machine_info") or {})


@dataclass(frozen=True)
class Finding:
    """One line of the comparison: a benchmark, what changed, and whether that fails."""

    name: str
    what: str
    old: Any
    new: Any
    fails: bool


def _is_gap_key(key: str) -> bool:
    return key.endswith("gap") or key.endswith("gap_to_best") or key.endswith("excess")


def _is_count_key(key: str) -> bool:
    return key == "count" or key.endswith("_count") or key == "verdicts"


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def accuracy_findings(
    name: str,
    old: dict[str, Any],
    new: dict[str, Any],
    *,
    gap_abs: float = GAP_ABS,
    gap_rel: float = GAP_REL,
) -> list[Finding]:
    """Accuracy changes between two ``extra_info`` dicts of one benchmark (see module doc)."""
    out = []
    for key in sorted(set(old) & set(new)):
        a, b = old[key], new[key]
        if _is_gap_key(key):
            x, y = _number(a), _number(b)
            if x is None and y is None:
                continue
            if y is None:  # a gap that was measured and now is not: lost, not improved
                out.append(Finding(name, f"{key} no longer finite", a, b, True))
            elif x is not None and y > x + max(gap_abs, gap_rel * abs(x)):
                out.append(Finding(name, f"{key} grew", a, b, True))
        elif _is_count_key(key):
            if a != b:
                out.append(Finding(name, f"{key} changed", a, b, True))
        elif key in FLAG_KEYS and a is True and b is not True:
            out.append(Finding(name, f"{key} lost", a, b, True))
    return out


def libraries_changed(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether two runs recorded different library versions (then counted work is shown,
    not judged: another numpy or solver build may take other iterations)."""
    a = (old.get("machine_info") or {}).get("relucheck_libraries")
    b = (new.get("machine_info") or {}).get("relucheck_libraries")
    return isinstance(a, dict) and isinstance(b, dict) and a != b


def counting_changed(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether the two runs counted work with different sites (``WORK_VERSION``)."""
    a = (old.get("machine_info") or {}).get("relucheck_work_version", 1)
    b = (new.get("machine_info") or {}).get("relucheck_work_version", 1)
    return a != b


def compare_runs(
    old: dict[str, Any],
    new: dict[str, Any],
    *,
    alpha: float = stats.ALPHA,
    effect: float = stats.EFFECT,
    min_samples: int = stats.MIN_SAMPLES,
    gap_abs: float = GAP_ABS,
    gap_rel: float = GAP_REL,
) -> tuple[list[dict[str, Any]], list[Finding]]:
    """Per-benchmark table rows and the findings (time, work, accuracy, new/missing)."""
    old_by = {b["fullname"]: b for b in old.get("benchmarks", [])}
    new_by = {b["fullname"]: b for b in new.get("benchmarks", [])}
    libs, sites = libraries_changed(old, new), counting_changed(old, new)
    table, findings = [], []
    for name in sorted(set(old_by) | set(new_by)):
        if name not in new_by:
            findings.append(Finding(name, "missing in the new run", "present", None, False))
            continue
        if name not in old_by:
            findings.append(Finding(name, "new benchmark", None, "present", False))
            continue
        b_old, b_new = old_by[name], new_by[name]
        t_old, t_new = b_old["stats"]["median"], b_new["stats"]["median"]
        ratio = t_new / t_old if t_old > 0 else math.inf
        verdict = stats.time_verdict(
            b_old, b_new, alpha=alpha, effect=effect, min_samples=min_samples
        )
        e_old, e_new = b_old.get("extra_info") or {}, b_new.get("extra_info") or {}
        acc = accuracy_findings(name, e_old, e_new, gap_abs=gap_abs, gap_rel=gap_rel)
        changes, judged = compare_work(e_old, e_new, libraries_changed=libs, counting_changed=sites)
        work = [Finding(name, what, x, y, fails) for what, x, y, fails in changes]
        if verdict.verdict in (stats.SLOWER, stats.FASTER):
            findings.append(
                Finding(name, f"time {verdict.verdict}: {verdict.evidence()}", t_old, t_new,
                        verdict.fails)
            )  # fmt: skip
        findings.extend(work)
        findings.extend(acc)
        table.append(
            {
                "name": name,
                "old_s": t_old,
                "new_s": t_new,
                "ratio": ratio,
                "time": verdict,
                "slow": verdict.fails,
                "work": "none" if judged == "no work counts" else judged,
                "work_changed": bool(changes),
                "work_grew": any(f.fails for f in work),
                "accuracy_lost": any(f.fails for f in acc),
            }
        )
    return table, findings


def previous_run(files: list[Path], newest: Path) -> Path | None:
    """The newest run in ``files`` saved before ``newest`` on the same machine, or None."""
    run = load_run(newest)
    fingerprint, stamp = run_fingerprint(run), str(run.get("datetime", ""))
    for path in reversed(files):
        if path.resolve() == newest.resolve():
            continue
        other = load_run(path)
        if str(other.get("datetime", "")) <= stamp and run_fingerprint(other) == fingerprint:
            return path
    return None


def _short(name: str) -> str:
    return name.split("::", 1)[-1]


def _value(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _status(row: dict[str, Any]) -> str:
    words = []
    if row["slow"]:
        words.append("SLOWER")
    if row["work_grew"]:
        words.append("MORE WORK")
    if row["accuracy_lost"]:
        words.append("ACCURACY LOST")
    return ", ".join(words) or "ok"


def format_comparison(
    table: list[dict[str, Any]],
    findings: list[Finding],
    old: Path,
    new: Path,
    notes: list[str] | None = None,
    rule: tuple[float, float, int] = (stats.ALPHA, stats.EFFECT, stats.MIN_SAMPLES),
) -> str:
    """The printed table: one line per benchmark (time verdict and its evidence, counted
    work, status), then the findings and the rule that was applied."""
    lines = [f"old: {old}", f"new: {new}", *(notes or []), ""]
    width = max([len(_short(r["name"])) for r in table] + [9])
    lines.append(
        f"{'benchmark':<{width}} {'old s':>9} {'new s':>9} {'time':<31} {'work':<8} status"
        "  [evidence]"
    )
    for r in table:
        v = r["time"]
        work = "changed" if r["work_changed"] else ("—" if r["work"] == "none" else "same")
        lines.append(
            f"{_short(r['name']):<{width}} {r['old_s']:9.4g} {r['new_s']:9.4g} "
            f"{v.verdict:<31} {work:<8} {_status(r)}  [{v.evidence()}]"
        )
    if findings:
        lines.append("")
        for f in findings:
            mark = "FAIL" if f.fails else "note"
            lines.append(f"{mark}: {_short(f.name)}: {f.what} ({_value(f.old)} -> {_value(f.new)})")
    ratios = [r["time"].ratio for r in table if r["time"].p_value is not None]
    if ratios:
        lines.append("")
        lines.append(
            f"run level: median of the tested ratios {statistics.median(ratios):.3f} over "
            f"{len(ratios)} benchmarks (a drift of the machine, or a change that slows "
            "everything, shows here)"
        )
    counts: dict[str, int] = {}
    for r in table:
        counts[r["time"].verdict] = counts.get(r["time"].verdict, 0) + 1
    failures = sum(f.fails for f in findings)
    lines.append("")
    lines.append(
        "time: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        + f" (two-sided Mann–Whitney U at p < {rule[0]:g} and a median ratio beyond "
        f"{1 + rule[1]:g}x, at least {rule[2]} rounds a side)"
    )  # fmt: skip
    lines.append(
        f"{failures} regression(s) in {len(table)} benchmarks compared"
        if failures
        else f"no regression in {len(table)} benchmarks compared"
    )
    return "\n".join(lines)


def run_notes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Lines about the runs themselves: planted defects, library changes, load."""
    notes = []
    for label, run in (("old", old), ("new", new)):
        info = run.get("machine_info") or {}
        if info.get("relucheck_plant"):
            notes.append(
                f"note: the {label} run has the planted defect {info['relucheck_plant']!r}"
            )
    if libraries_changed(old, new):
        notes.append("note: library versions differ between the runs: work counts not judged")
    if counting_changed(old, new):
        notes.append("note: the runs counted work differently (WORK_VERSION): counts not judged")
    return notes


def main(argv: list[str] | None = None) -> int:
    """Compare the newest run under FOLDER (or NEW) with the previous one on this machine."""
    parser = argparse.ArgumentParser(prog="python -m relucheck.bench.compare")
    parser.add_argument("folder", nargs="?", default="reports/bench", type=Path)
    parser.add_argument("--new", type=Path, help="run to check (default: newest in folder)")
    parser.add_argument("--old", type=Path, help="baseline (default: previous, same machine)")
    parser.add_argument(
        "--alpha", type=float, default=stats.ALPHA, help="level of the Mann-Whitney U test"
    )
    parser.add_argument(
        "--effect",
        "--slowdown",
        dest="effect",
        type=float,
        default=stats.EFFECT,
        help="smallest median ratio - 1 that counts as a change in time (default 0.20)",
    )
    parser.add_argument(
        "--min-rounds",
        type=int,
        default=stats.MIN_SAMPLES,
        help="rounds needed on each side to judge time (default 5)",
    )
    parser.add_argument("--gap-abs", type=float, default=GAP_ABS)
    parser.add_argument("--gap-rel", type=float, default=GAP_REL)
    args = parser.parse_args(argv)
    try:
        files = run_files(args.folder) if args.folder.is_dir() else []
        new = args.new or (files[-1] if files else None)
        if new is None:
            print(f"bench-compare: no saved run under {args.folder}; run `make bench` first.")
            return EXIT_NO_BASELINE
        old = args.old or previous_run(files, new)
        if old is None:
            print(
                f"bench-compare: {new} is the only run of this machine "
                f"(fingerprint {run_fingerprint(load_run(new))}); nothing to compare with yet."
            )
            return EXIT_NO_BASELINE
        old_run, new_run = load_run(old), load_run(new)
    except (OSError, ValueError) as exc:
        print(f"bench-compare: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    table, findings = compare_runs(
        old_run, new_run, alpha=args.alpha, effect=args.effect, min_samples=args.min_rounds,
        gap_abs=args.gap_abs, gap_rel=args.gap_rel,
    )  # fmt: skip
    rule = (args.alpha, args.effect, args.min_rounds)
    print(format_comparison(table, findings, old, new, run_notes(old_run, new_run), rule))
    return EXIT_REGRESSION if any(f.fails for f in findings) else EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
