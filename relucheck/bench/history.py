"""The benchmark history page: time and accuracy per benchmark over commits.

``python -m relucheck.bench.history [FOLDER]`` (run by ``make bench``) reads every run
saved under FOLDER (default ``reports/bench``), keeps those of the machine of the newest run
(:func:`relucheck.bench.compare.machine_fingerprint`: timings of other machines are
not comparable), and writes ``FOLDER/history.html``: one self-contained page (the CSS of the
run reports, figures inlined) with

* per benchmark module (the CE solver benchmarks per solver), the median time of every
  benchmark over the runs (log scale, x axis labelled by commit), and the accuracy of every
  benchmark that records a gap or an excess (log scale);
* a table: per benchmark, the median time and the accuracy in each of the last runs.

Accuracy of a row is its first recorded value among :data:`ACCURACY_KEYS` (gaps and
excesses, smaller is better); benchmarks that record counts or verdicts instead show those.
Figures are also written as PDF/PNG under ``FOLDER/history/`` in the project's figure style.
"""

from __future__ import annotations

import argparse
import base64
import math
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


def series(runs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per benchmark fullname: ``time``, ``accuracy`` and ``text`` per run (None/"" where
    absent) and the figure ``group``."""
    out: dict[str, dict[str, Any]] = {}
    for i, run in enumerate(runs):
        for bench in run.get("benchmarks", []):
            extra = bench.get("extra_info") or {}
            entry = out.setdefault(
                bench["fullname"],
                {
                    "time": [None] * len(runs),
                    "accuracy": [None] * len(runs),
                    "text": [""] * len(runs),
                    "group": figure_group(bench["fullname"], extra),
                },
            )
            entry["time"][i] = bench["stats"]["median"]
            acc = accuracy_of(extra)
            entry["accuracy"][i] = acc[1] if acc else None
            entry["text"][i] = accuracy_text(extra)
    return out


def _plot(labels: list[str], lines: dict[str, list], ylabel: str, title: str, out: Path, name: str):
    import matplotlib.pyplot as plt

    with paper_style():
        fig, ax = plt.subplots(figsize=figsize(0.6, columns=2.0))
        x = list(range(len(labels)))
        for k, (key, values) in enumerate(sorted(lines.items())):
            pts = [(i, v) for i, v in zip(x, values, strict=True) if v is not None and v > 0]
            if pts:
                marker = MARKERS[(k // len(PALETTE)) % len(MARKERS)]  # colours repeat after 8
                ax.plot([p[0] for p in pts], [p[1] for p in pts], marker=marker, label=_short(key))
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
        paths = _plot(labels, times, "median time (s)", f"{module}: time", out, f"{module}_time")
        pngs.append(paths[-1])
        accs = {k: e["accuracy"] for k, e in entries.items() if any(e["accuracy"])}
        if accs:
            paths = _plot(
                labels, accs, "gap / excess", f"{module}: accuracy", out, f"{module}_accuracy"
            )
            pngs.append(paths[-1])
    return pngs


def render_history(runs: list[dict[str, Any]], others: int, pngs: list[Path]) -> str:
    """The HTML text of the history page."""
    data = series(runs)
    shown = list(range(max(0, len(runs) - TABLE_RUNS), len(runs)))
    head = "".join(f"<th>{escape(commit_label(runs[i]))}</th>" for i in shown)
    rows = []
    for name in sorted(data):
        entry = data[name]
        cells = []
        for i in shown:
            t = entry["time"][i]
            text = "—" if t is None else f"{t:.3g} s<br><small>{escape(entry['text'][i])}</small>"
            cells.append(f"<td>{text}</td>")
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
        f"<code>{escape(run_fingerprint(runs[-1]))}</code>. Time: median seconds per "
        "benchmark; accuracy: certified gap to the best certificate of the instance "
        "(CE solvers), certified gap, or relative excess (smaller is better).</p>\n"
        f"{note}{figures}\n<h2>Last runs</h2>\n"
        f"<table><tr><th>benchmark</th>{head}</tr>{''.join(rows)}</table>\n</body></html>\n"
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
