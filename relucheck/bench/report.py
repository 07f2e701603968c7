"""Read saved pytest-benchmark runs: per-instance accuracy and the solver speed ratios.

A run is the JSON pytest-benchmark writes (``--benchmark-autosave``): ``machine_info``,
``commit_info``, ``datetime`` and a list of ``benchmarks``, each with ``stats`` (seconds;
``median`` is what we compare) and the ``extra_info`` our benchmarks fill in. The CE solver
rows (tests/benchmarks/test_bench_solvers.py) carry ``kind = "ce-solver"``, ``case``,
``solver``, ``objective`` (the project's upper bound), ``certified_lower`` and
``convex_solve_s`` (the solve phase alone).

Accuracy is relative to the best certificate of the instance, whichever solver produced it:
with ``best_lower`` the largest certified lower bound over the solvers of an instance,

    gap_to_best = (objective − best_lower) / |objective|

is a CERTIFIED bound on how far the solver's network is above the optimum (it is ≥ the
true relative suboptimality, because best_lower ≤ p*). :func:`annotate_accuracy` writes it
into every row of a run (the benchmark conftest calls it before pytest-benchmark saves).

``python -m relucheck.bench.report [RUN.json | FOLDER]`` prints the table of CE rows
and the median time ratios clarabel/fast and scs/fast per size (n), end-to-end and for the
solve phase alone, for the newest run in FOLDER when given a folder.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

CE_KIND = "ce-solver"
FAST = "fast"
RATIO_SOLVERS = ("clarabel", "scs", "mosek")
TARGET_GAP = 1e-6
"""Certified relative gap at which the ≥10× target of issue 7 is stated."""


def load_run(path: Path) -> dict[str, Any]:
    """One saved run (a pytest-benchmark JSON file)."""
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def run_files(folder: Path) -> list[Path]:
    """Every saved run under ``folder`` (recursively), oldest first by its ``datetime``."""
    found = []
    for path in folder.rglob("*.json"):
        try:
            run = load_run(path)
        except (OSError, ValueError):
            continue
        if isinstance(run, dict) and "benchmarks" in run and "machine_info" in run:
            found.append((str(run.get("datetime", "")), path.name, path))
    return [p for _, _, p in sorted(found)]


def ce_rows(run: dict[str, Any]) -> list[dict[str, Any]]:
    """The CE solver rows of a run: extra_info plus ``median_s`` and ``name``."""
    rows = []
    for bench in run.get("benchmarks", []):
        info = bench.get("extra_info") or {}
        if info.get("kind") != CE_KIND:
            continue
        rows.append({**info, "name": bench["name"], "median_s": bench["stats"]["median"]})
    return rows


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


def annotate_accuracy(benchmarks: Iterable[dict[str, Any]]) -> None:
    """Add ``best_lower``, ``gap_to_best`` and ``solvers_compared`` to every CE row, in place.

    Rows of one instance are those sharing ``extra_info["case"]``. A row whose objective or
    lower bound is missing or not finite gets ``gap_to_best = None``.
    """
    by_case: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for bench in benchmarks:
        info = bench.get("extra_info") or {}
        if info.get("kind") == CE_KIND:
            by_case[str(info.get("case"))].append(info)
    for infos in by_case.values():
        lowers = [i["certified_lower"] for i in infos if _finite(i.get("certified_lower"))]
        best = max(lowers) if lowers else None
        solvers = sorted(str(i.get("solver")) for i in infos)
        for info in infos:
            info["best_lower"] = best
            info["solvers_compared"] = solvers
            obj = info.get("objective")
            if best is None or not _finite(obj):
                info["gap_to_best"] = None
            else:
                info["gap_to_best"] = (obj - best) / max(abs(obj), 1e-300)


def speed_ratios(rows: list[dict[str, Any]], key: str = "median_s") -> dict[str, dict[int, dict]]:
    """Median over instances of time(solver)/time(fast), per reference solver and size n.

    Returns ``{solver: {n: {"median": r, "ratios": [...], "cases": [...]}}}`` over the
    instances where both the solver and the fast solver have a row with a finite ``key``.
    """
    by_case: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in rows:
        by_case[str(row.get("case"))][str(row.get("solver"))] = row
    out: dict[str, dict[int, dict]] = defaultdict(dict)
    for solver in RATIO_SOLVERS:
        per_n: dict[int, list[tuple[str, float]]] = defaultdict(list)
        for case, solvers in sorted(by_case.items()):
            fast, other = solvers.get(FAST), solvers.get(solver)
            if fast is None or other is None:
                continue
            t_fast, t_other = fast.get(key), other.get(key)
            if _finite(t_fast) and _finite(t_other) and t_fast > 0:
                per_n[int(other.get("n", 0))].append((case, t_other / t_fast))
        for n, pairs in sorted(per_n.items()):
            ratios = [r for _, r in pairs]
            out[solver][n] = {
                "median": statistics.median(ratios),
                "ratios": ratios,
                "cases": [c for c, _ in pairs],
            }
    return dict(out)


def _fmt(value: Any, spec: str = ".3g") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return format(value, spec)
    return str(value)


def format_report(run: dict[str, Any]) -> str:
    """The text ``make bench`` prints at its end: CE rows, then the ratios."""
    rows = ce_rows(run)
    commit = run.get("commit_info") or {}
    head = (
        f"CE solver benchmarks — commit {str(commit.get('id', '?'))[:10]}"
        f"{' (dirty)' if commit.get('dirty') else ''}, {run.get('datetime', '?')}"
    )
    lines = [head]
    if not rows:
        lines.append("no CE solver rows in this run")
        return "\n".join(lines)
    lines.append(
        f"{'case':<26} {'solver':<9} {'time s':>9} {'solve s':>9} "
        f"{'cert. gap':>10} {'gap to best':>11} {'P':>5} {'width':>5}"
    )
    for row in sorted(rows, key=lambda r: (r.get("n", 0), str(r.get("case")), r.get("solver"))):
        lines.append(
            f"{str(row.get('case')):<26} {str(row.get('solver')):<9} "
            f"{_fmt(row['median_s'], '9.3f')} {_fmt(row.get('convex_solve_s'), '9.3f')} "
            f"{_fmt(row.get('certified_gap'), '10.2e')} {_fmt(row.get('gap_to_best'), '11.2e')} "
            f"{_fmt(row.get('P')):>5} {_fmt(row.get('width')):>5}"
        )
    lines.append("")
    lines.append("Median time ratios (reference / fast, same run, same instances):")
    total = speed_ratios(rows, "median_s")
    phase = speed_ratios(rows, "convex_solve_s")
    if not total:
        lines.append(
            "  none: no instance has both a fast row and a reference row "
            "(is the fast solver available?)"
        )
    for solver, per_n in total.items():
        for n, entry in per_n.items():
            solve = phase.get(solver, {}).get(n)
            solve_text = f", solve phase {solve['median']:.3g}x" if solve else ""
            lines.append(
                f"  {solver}/fast at n={n}: {entry['median']:.3g}x end-to-end{solve_text} "
                f"(median of {len(entry['ratios'])}: {', '.join(entry['cases'])})"
            )
    gaps = [r.get("certified_gap") for r in rows if r.get("solver") == FAST]
    if gaps:
        worst = max((g for g in gaps if _finite(g)), default=None)
        lines.append(
            f"  fast solver: worst certified gap {_fmt(worst, '.2e')} over {len(gaps)} rows "
            f"(target {TARGET_GAP:.0e})"
        )
    return "\n".join(lines)


SCALE_KINDS = ("ce-beta-point", "ce-beta-path", "ce-exact", "ce-large-n")


def scale_rows(run: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of tests/benchmarks/test_bench_path.py (β path, exact patterns, large n)."""
    rows = []
    for bench in run.get("benchmarks", []):
        info = bench.get("extra_info") or {}
        if info.get("kind") in SCALE_KINDS:
            rows.append({**info, "name": bench["name"], "median_s": bench["stats"]["median"]})
    return rows


def format_scale_report(run: dict[str, Any]) -> str:
    """β path (fast cold and warm vs Clarabel per point), exact-pattern and large-n cells,
    each with time, certified gap and peak memory."""
    rows = scale_rows(run)
    if not rows:
        return ""
    lines = ["", "β path, exact patterns, large n (tests/benchmarks/test_bench_path.py):"]
    points = [r for r in rows if r["kind"] == "ce-beta-point"]
    warm = next((r for r in rows if r["kind"] == "ce-beta-path"), None)
    warm_by = {round(p["beta_fraction"], 12): p for p in (warm or {}).get("points", [])}
    if points:
        lines.append(
            f"  {'β/gauge':>8} {'fast cold s':>11} {'gap':>9} {'fast warm s':>11} "
            f"{'clarabel s':>10} {'gap':>9} {'clarabel/fast':>13} {'width':>5} {'peak GB':>7}"
        )
        for frac in sorted({r["beta_fraction"] for r in points}, reverse=True):
            fast = next((r for r in points if r["beta_fraction"] == frac and r["solver"] == FAST),
                        None)  # fmt: skip
            ref = next(
                (r for r in points if r["beta_fraction"] == frac and r["solver"] == "clarabel"),
                None,
            )
            w = warm_by.get(round(frac, 12))
            ratio = ref["median_s"] / fast["median_s"] if fast and ref else None
            lines.append(
                f"  {frac:8.3g} {_fmt(fast and fast['median_s'], '11.2f')} "
                f"{_fmt(fast and fast.get('certified_gap'), '9.1e')} "
                f"{_fmt(w and w['seconds'], '11.2f')} {_fmt(ref and ref['median_s'], '10.2f')} "
                f"{_fmt(ref and ref.get('certified_gap'), '9.1e')} {_fmt(ratio, '13.1f')} "
                f"{_fmt(fast and fast.get('width')):>5} "
                f"{_fmt(fast and fast.get('peak_traced_gb'), '7.3f')}"
            )
    if warm:
        worst = max((p["certified_gap"] for p in warm["points"]), default=None)
        lines.append(
            f"  warm path, all {len(warm['points'])} βs: {warm['median_s']:.2f} s, worst "
            f"certified gap {_fmt(worst, '.1e')}, peak {_fmt(warm.get('peak_traced_gb'), '.3f')} GB"
        )
    for r in rows:
        if r["kind"] in ("ce-exact", "ce-large-n"):
            lines.append(
                f"  {r['case']:<26} P={r.get('P')} β/gauge={r.get('beta_fraction')}: "
                f"{r['median_s']:.1f} s, gap {_fmt(r.get('certified_gap'), '.1e')} "
                f"({r.get('certifies')}), width {r.get('width')}, peak "
                f"{_fmt(r.get('peak_traced_gb'), '.2f')} GB traced / "
                f"{_fmt(r.get('peak_rss_gb'), '.2f')} GB RSS"
            )
    return "\n".join(lines)


def newest_run(target: Path) -> Path | None:
    """``target`` itself if it is a file, else the newest saved run under it (or None)."""
    if target.is_file():
        return target
    files = run_files(target) if target.is_dir() else []
    return files[-1] if files else None


def main(argv: list[str] | None = None) -> int:
    """Print the report of a saved run; exit 2 (one line) when there is none."""
    parser = argparse.ArgumentParser(prog="python -m relucheck.bench.report")
    parser.add_argument("target", nargs="?", default="reports/bench", help="run JSON or folder")
    args = parser.parse_args(argv)
    path = newest_run(Path(args.target))
    if path is None:
        print(f"benchreport: error: no saved benchmark run under {args.target}", file=sys.stderr)
        return 2
    try:
        run = load_run(path)
    except (OSError, ValueError) as exc:
        print(f"benchreport: error: cannot read {path}: {exc}", file=sys.stderr)
        return 2
    print(f"({path})")
    print(format_report(run))
    scale = format_scale_report(run)
    if scale:
        print(scale)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
