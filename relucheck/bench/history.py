"""The benchmark history page: time and accuracy per benchmark over commits.

``python -m relucheck.bench.history [FOLDER]`` (run by ``make bench``) reads every run
saved under FOLDER (default ``reports/bench``), keeps those of the machine of the newest run
(:func:`relucheck.bench.compare.machine_fingerprint`: timings of other machines are
not comparable), and writes ``FOLDER/history.html``: one self-contained page (the CSS of the
run reports, figures inlined) with

* per benchmark module (the CE solver benchmarks per solver), the time of every benchmark
  over the runs with its spread (log scale, x axis labelled by commit): the median wall
  time of the rounds, a bar over their interquartile range and a thin bar over min–max;
  and the accuracy of every benchmark that records a gap or an excess (log scale);
* a table: per benchmark, in each of the last runs, the median wall time with its IQR and
  the number of rounds, the median CPU time of the rounds (what ``make bench-compare``
  tests, :mod:`relucheck.bench.stats`) and the accuracy;
* a table of the counted work (:mod:`relucheck.bench.work`) per benchmark and commit, a
  count that changed from the previous run marked (counts are what noise cannot move).

Accuracy of a row is its first recorded value among :data:`ACCURACY_KEYS` (gaps and
excesses, smaller is better); benchmarks that record counts or verdicts instead show those.
Figures are also written as PDF/PNG under ``FOLDER/history/`` in the project's figure style.
"""

from __future__ import annotations

import argparse
import base64
import math
import statistics
import sys
from collections import defaultdict
from html import escape
from pathlib import Path
from typing import Any

from relucheck.bench.compare import run_fingerprint
from relucheck.bench.report import load_run, run_files
from relucheck.harness.figstyle import PALETTE, figsize, paper_style, save_figure
from relucheck.harness.htmlreport import CSS
from relucheck.harness.store import atomic_write_bytes

ACCURACY_KEYS = ("gap_to_best", "certified_gap", "best_relative_excess")
"""Accuracy measures, in order of preference (smaller is better)."""

TABLE_RUNS = 8
"""Runs shown in the table (the newest); the figures show every run."""

MAX_LEGEND = 12
MARKERS = ("o", "s", "^", "D")


def accuracy_of(extra: dict[str, Any]) -> tuple[str, float] | None:
    """(key, value) of the preferred finite accuracy measure of a benchmark, if any."""
    for key in ACCURACY_KEYS:
        value = extra.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if math.isfinite(value):
                return key, float(value)
    return None


def accuracy_text(extra: dict[str, Any]) -> str:
    """A short text of what a benchmark measured besides time."""
    acc = accuracy_of(extra)
    if acc is not None:
        return f"{acc[0]} {acc[1]:.2e}"
    if isinstance(extra.get("verdicts"), dict):
        return " ".join(f"{v} {k}" for k, v in sorted(extra["verdicts"].items()))
    if "count" in extra:
        return f"count {extra['count']}"
    return ""


def commit_label(run: dict[str, Any]) -> str:
    """Short commit id (``+`` when the tree was dirty) and the date of a run."""
    info = run.get("commit_info") or {}
    commit = str(info.get("id") or "?")[:7] + ("+" if info.get("dirty") else "")
    return f"{commit} {str(run.get('datetime', ''))[:10]}"


def load_history(folder: Path) -> tuple[list[dict[str, Any]], int]:
    """Runs of the newest run's machine, oldest first, and how many others were left out."""
    runs = []
    for path in run_files(folder):
        try:
            runs.append(load_run(path))
        except (OSError, ValueError):
            continue
    if not runs:
        return [], 0
    fingerprint = run_fingerprint(runs[-1])
    same = [r for r in runs if run_fingerprint(r) == fingerprint]
    return same, len(runs) - len(same)


def _module(fullname: str) -> str:
    return Path(fullname.split("::", 1)[0]).stem


def _short(fullname: str) -> str:
    return fullname.split("::", 1)[-1].replace("test_bench_", "")


def figure_group(fullname: str, extra: dict[str, Any]) -> str:
    """Which figure a benchmark is drawn in: its module, split by solver for CE solver rows
    (so every figure has a legend of a readable size)."""
    module = _module(fullname)
    return f"{module}_{extra['solver']}" if extra.get("solver") else module


SPREAD_KEYS = ("q1", "q3", "min", "max", "rounds")


def _cpu_median(extra: dict[str, Any]) -> float | None:
    values = [v for v in extra.get("cpu_s") or [] if isinstance(v, (int, float))]
    return statistics.median(values) if values else None


def series(runs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per benchmark fullname, per run (None/"" where absent): ``time`` (median wall s),
    ``q1``, ``q3``, ``min``, ``max``, ``rounds``, ``cpu`` (median CPU s), ``work`` (the
    counted work dict), ``accuracy`` and ``text``; and the figure ``group``."""
    out: dict[str, dict[str, Any]] = {}
    keys = ("time", *SPREAD_KEYS, "cpu", "work", "accuracy")
    for i, run in enumerate(runs):
        for bench in run.get("benchmarks", []):
            extra = bench.get("extra_info") or {}
            entry = out.setdefault(
                bench["fullname"],
                {
                    **{key: [None] * len(runs) for key in keys},
                    "text": [""] * len(runs),
                    "group": figure_group(bench["fullname"], extra),
                },
            )
            stats = bench.get("stats") or {}
            entry["time"][i] = stats.get("median")
            for key in SPREAD_KEYS:
                entry[key][i] = stats.get(key)
            entry["cpu"][i] = _cpu_median(extra)
            work = extra.get("work")
            entry["work"][i] = dict(work) if isinstance(work, dict) else None
            acc = accuracy_of(extra)
            entry["accuracy"][i] = acc[1] if acc else None
            entry["text"][i] = accuracy_text(extra)
    return out


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and value > 0


def _bars(ax, line, entry: dict[str, Any], pts: list[tuple[int, float]], offset: float) -> None:
    """The IQR (thick) and min–max (thin) of the rounds of each run, in the line's colour,
    shifted by ``offset`` so that the bars of the lines of one figure do not overlap."""
    for lo_key, hi_key, width in (("q1", "q3", 2.5), ("min", "max", 0.6)):
        for i, _ in pts:
            lo, hi = entry[lo_key][i], entry[hi_key][i]
            if _positive(lo) and _positive(hi) and hi > lo:
                ax.vlines(i + offset, lo, hi, colors=line.get_color(), linewidth=width, alpha=0.7)


def _plot(
    labels: list[str],
    lines: dict[str, list],
    ylabel: str,
    title: str,
    out: Path,
    name: str,
    spread: dict[str, dict[str, Any]] | None = None,
):
    import matplotlib.pyplot as plt

    with paper_style():
        fig, ax = plt.subplots(figsize=figsize(0.6, columns=2.0))
        x = list(range(len(labels)))
        for k, (key, values) in enumerate(sorted(lines.items())):
            pts = [(i, v) for i, v in zip(x, values, strict=True) if v is not None and v > 0]
            if pts:
                marker = MARKERS[(k // len(PALETTE)) % len(MARKERS)]  # colours repeat after 8
                # with spread bars, each line is shifted a little so that its bars show
                shift = 0.3 * (k / max(len(lines) - 1, 1) - 0.5) if spread is not None else 0.0
                (line,) = ax.plot(
                    [p[0] + shift for p in pts], [p[1] for p in pts], marker=marker,
                    label=_short(key),
                )  # fmt: skip
                if spread is not None:
                    _bars(ax, line, spread[key], pts, shift)
        ax.set_yscale("log")
        ax.set_xticks(x)
        ax.set_xticklabels(labels, rotation=30, ha="right")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(True, which="major")
        if 0 < len(lines) <= MAX_LEGEND:
            ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=5)
        return save_figure(fig, out, name)


def write_figures(runs: list[dict[str, Any]], data: dict, out: Path) -> list[Path]:
    """Time and accuracy figures per figure group (:func:`figure_group`); the PNG paths."""
    labels = [commit_label(r) for r in runs]
    by_group: dict[str, dict[str, dict]] = defaultdict(dict)
    for name, entry in data.items():
        by_group[entry["group"]][name] = entry
    pngs = []
    for module, entries in sorted(by_group.items()):
        times = {k: e["time"] for k, e in entries.items()}
        paths = _plot(
            labels, times, "time (s): median, IQR, min–max", f"{module}: time", out,
            f"{module}_time", spread=entries,
        )  # fmt: skip
        pngs.append(paths[-1])
        accs = {k: e["accuracy"] for k, e in entries.items() if any(e["accuracy"])}
        if accs:
            paths = _plot(
                labels, accs, "gap / excess", f"{module}: accuracy", out, f"{module}_accuracy"
            )
            pngs.append(paths[-1])
    return pngs


def time_cell(entry: dict[str, Any], i: int) -> str:
    """One table cell: median wall s [IQR] (rounds), median CPU s, accuracy."""
    t = entry["time"][i]
    if t is None:
        return "—"
    q1, q3, rounds, cpu = (entry[k][i] for k in ("q1", "q3", "rounds", "cpu"))
    text = f"{t:.3g} s"
    if _positive(q1) and _positive(q3):
        text += f" [{q1:.3g}–{q3:.3g}]"
    if rounds:
        text += f" ({rounds}×)"
    if cpu is not None:
        text += f"<br><small>cpu {cpu:.3g} s</small>"
    return f"{text}<br><small>{escape(entry['text'][i])}</small>"


def work_table(
    runs: list[dict[str, Any]], data: dict[str, dict[str, Any]], shown: list[int]
) -> str:
    """The counted work per benchmark and run; a count that differs from the previous run
    with counts is bold."""
    head = "".join(f"<th>{escape(commit_label(runs[i]))}</th>" for i in shown)
    rows = []
    for name in sorted(data):
        works = data[name]["work"]
        if not any(works[i] for i in shown):
            continue
        cells, previous = [], None
        for i in range(len(runs)):
            work = works[i]
            if i in shown:
                items = []
                for key, value in sorted((work or {}).items()):
                    item = f"{escape(key)}={value}"
                    if previous is not None and previous.get(key, 0) != value:
                        item = f"<b>{item}</b>"
                    items.append(item)
                cells.append(f"<td><small>{'<br>'.join(items) or '—'}</small></td>")
            previous = work if work else previous
        rows.append(f"<tr><td>{escape(_short(name))}</td>{''.join(cells)}</tr>")
    if not rows:
        return ""
    return (
        "<h2>Counted work</h2>\n<p>Deterministic on this machine for equal library versions "
        "(see relucheck.bench.work); bold: changed from the previous run.</p>\n"
        f"<table><tr><th>benchmark</th>{head}</tr>{''.join(rows)}</table>\n"
    )


def render_history(runs: list[dict[str, Any]], others: int, pngs: list[Path]) -> str:
    """The HTML text of the history page."""
    data = series(runs)
    shown = list(range(max(0, len(runs) - TABLE_RUNS), len(runs)))
    head = "".join(f"<th>{escape(commit_label(runs[i]))}</th>" for i in shown)
    rows = []
    for name in sorted(data):
        entry = data[name]
        cells = [f"<td>{time_cell(entry, i)}</td>" for i in shown]
        rows.append(f"<tr><td>{escape(_short(name))}</td>{''.join(cells)}</tr>")
    figures = "".join(
        f'<div class="fig"><img alt="{escape(p.stem)}" '
        f'src="data:image/png;base64,{base64.b64encode(p.read_bytes()).decode("ascii")}">'
        f"<br>{escape(p.stem)}</div>"
        for p in pngs
    )
    machine = runs[-1].get("machine_info") or {}
    note = (
        f"<p class='note'>{others} saved runs of other machines are not shown.</p>"
        if others
        else ""
    )
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>relucheck benchmark history</title><style>{CSS}</style></head><body>\n"
        "<h1>Benchmark history</h1>\n"
        f"<p>{len(runs)} runs on {escape(str(machine.get('node', '?')))} "
        f"({escape(str((machine.get('cpu') or {}).get('brand_raw', '?')))}, "
        f"{escape(str((machine.get('cpu') or {}).get('count', '?')))} CPUs), fingerprint "
        f"<code>{escape(run_fingerprint(runs[-1]))}</code>. Time: median wall seconds of "
        "the rounds of a benchmark with their interquartile range [q1–q3] and the number of "
        "rounds, then the median CPU seconds; accuracy: certified gap to the best "
        "certificate of the instance (CE solvers), certified gap, or relative excess "
        "(smaller is better).</p>\n"
        f"{note}{figures}\n<h2>Last runs</h2>\n"
        f"<table><tr><th>benchmark</th>{head}</tr>{''.join(rows)}</table>\n"
        f"{work_table(runs, data, shown)}</body></html>\n"
    )


def write_history(folder: Path) -> Path | None:
    """Write ``folder/history.html`` (and figures); None when no run is saved there."""
    runs, others = load_history(folder)
    if not runs:
        return None
    figures = folder / "history"
    for stale in [*figures.glob("*.png"), *figures.glob("*.pdf")]:  # benchmarks come and go
        stale.unlink()
    pngs = write_figures(runs, series(runs), figures)
    target = folder / "history.html"
    atomic_write_bytes(target, render_history(runs, others, pngs).encode("utf-8"))
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m relucheck.bench.history")
    parser.add_argument("folder", nargs="?", default="reports/bench", type=Path)
    args = parser.parse_args(argv)
    target = write_history(args.folder)
    if target is None:
        print(f"benchhistory: error: no saved benchmark run under {args.folder}", file=sys.stderr)
        return 2
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
