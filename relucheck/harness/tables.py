"""Tables computed from stored rows: the flat frame, per-check summaries, instance matrices.

Pure functions over lists of row dicts (see :mod:`relucheck.harness.runner` for the keys).
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

import pandas as pd

from relucheck.harness.records import Verdict

VERDICT_ORDER = tuple(v.value for v in Verdict)

#: Row fields holding dicts that are flattened one level into ``field.key`` columns.
FLATTEN = ("params", "timings", "solver", "env")

#: Leading columns of the flat frame, in this order; the rest follow alphabetically.
LEADING = (
    "run_id", "claim", "instance_id", "name", "seed", "check", "control", "verdict",
    "relation", "value", "tolerance", "margin", "reason", "unit_status", "unit_seconds",
    "finished_at",
)  # fmt: skip


def _cell(value: Any) -> Any:
    return json.dumps(value, sort_keys=True) if isinstance(value, (dict, list)) else value


def flatten_row(row: dict[str, Any], *, keep_data: bool = False) -> dict[str, Any]:
    """One flat record: ``params``/``timings``/``solver``/``env`` become ``field.key`` columns
    (deeper values JSON text); ``data`` stays a dict if ``keep_data`` else becomes JSON text."""
    flat: dict[str, Any] = {}
    for key, value in row.items():
        if key in FLATTEN and isinstance(value, dict):
            for sub, inner in value.items():
                flat[f"{key}.{sub}"] = _cell(inner)
        elif key == "data":
            flat[key] = (value if value is not None else {}) if keep_data else _cell(value)
        else:
            flat[key] = _cell(value)
    return flat


def rows_frame(rows: Iterable[dict[str, Any]], *, keep_data: bool = False) -> pd.DataFrame:
    """All rows as a DataFrame, one line per row, with :data:`LEADING` columns first."""
    records = [flatten_row(r, keep_data=keep_data) for r in rows]
    frame = pd.DataFrame.from_records(records)
    if frame.empty:
        return pd.DataFrame(columns=list(LEADING))
    lead = [c for c in LEADING if c in frame.columns]
    rest = sorted(c for c in frame.columns if c not in lead)
    return frame[lead + rest]


def verdict_counts(rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Counts per verdict, in the canonical verdict order, zeros left out."""
    counts = Counter(str(r.get("verdict")) for r in rows)
    ordered = {v: counts[v] for v in VERDICT_ORDER if counts[v]}
    ordered.update({v: n for v, n in counts.items() if v not in ordered})
    return ordered


def format_counts(counts: dict[str, int]) -> str:
    """``"9 PASS, 1 SKIPPED"``."""
    return ", ".join(f"{n} {v}" for v, n in counts.items()) or "no rows"


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def row_seconds(row: dict[str, Any]) -> float:
    """Total of a row's phase timings (seconds)."""
    timings = row.get("timings") or {}
    return sum(x for x in (_number(v) for v in timings.values()) if x is not None)


def ordered_checks(rows: list[dict[str, Any]], declared: Iterable[str] = ()) -> list[str]:
    """Check ids: declared order first, then any others in order of appearance."""
    out = list(dict.fromkeys(declared))
    for row in rows:
        if row.get("check") not in out:
            out.append(str(row.get("check")))
    return [c for c in out if any(r.get("check") == c for r in rows)]


def fmt_range(bounds: tuple[float, float] | None, digits: int = 3) -> str:
    """'a' or 'a … b' for the measured values of one check; an em dash when none."""
    if bounds is None:
        return "—"
    lo, hi = bounds
    if lo == hi:
        return f"{lo:.{digits}g}"
    return f"{lo:.{digits}g} … {hi:.{digits}g}"


def check_summary(rows: list[dict[str, Any]], declared: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Per check id: control flag, relation, verdict counts, measured range, worst margin, time."""
    by_check: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_check[str(row.get("check"))].append(row)
    out = []
    for check in ordered_checks(rows, declared):
        group = by_check[check]
        relations = Counter(
            r.get("relation") for r in group if r.get("relation") not in (None, "", "not evaluated")
        )
        relation = relations.most_common(1)[0][0] if relations else ""
        if len(relations) > 1:
            relation += f" (+{len(relations) - 1} variants)"
        margins = [m for m in (_number(r.get("margin")) for r in group) if m is not None]
        values = [v for v in (_number(r.get("value")) for r in group) if v is not None]
        out.append(
            {
                "check": check,
                "control": any(bool(r.get("control")) for r in group),
                "relation": relation,
                "verdicts": verdict_counts(group),
                "measured": (min(values), max(values)) if values else None,
                "worst_margin": min(margins) if margins else None,
                "seconds": sum(row_seconds(r) for r in group),
            }
        )
    return out


def instance_matrix(
    rows: list[dict[str, Any]], declared: Iterable[str] = ()
) -> tuple[list[str], list[dict[str, Any]]]:
    """(check ids, one dict per instance: instance_id, seed, seconds, status, cells by check).

    A cell is the verdict, ``"PASS x2"`` for repeated rows, or a comma list when mixed.
    """
    checks = ordered_checks(rows, declared)
    by_instance: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_instance[str(row.get("instance_id"))].append(row)
    table = []
    for instance_id, group in by_instance.items():
        cells = {}
        for check in checks:
            counts = verdict_counts(r for r in group if r.get("check") == check)
            if len(counts) == 1 and next(iter(counts.values())) == 1:
                cells[check] = next(iter(counts))
            else:
                cells[check] = ", ".join(v if n == 1 else f"{v} x{n}" for v, n in counts.items())
        first = group[0]
        table.append(
            {
                "instance_id": instance_id,
                "seed": first.get("seed"),
                "seconds": _number(first.get("unit_seconds")),
                "status": first.get("unit_status", ""),
                "cells": cells,
            }
        )
    return checks, table


def problem_rows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows that need a look: FAIL, ERROR and INCONCLUSIVE."""
    bad = {Verdict.FAIL.value, Verdict.ERROR.value, Verdict.INCONCLUSIVE.value}
    return [r for r in rows if r.get("verdict") in bad]


def finding_rows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """PASS rows whose check wrote what it found (an excess, a fitted degree, ...)."""
    return [r for r in rows if r.get("verdict") == Verdict.PASS.value and r.get("reason")]


def short_reason(reason: str, limit: int = 200) -> str:
    """One line of a reason: the last line of a traceback, else the first line."""
    lines = [line.strip() for line in (reason or "").splitlines() if line.strip()]
    if not lines:
        return ""
    text = (
        lines[-1] if lines[0].startswith(("Traceback", "check raised", "instances()")) else lines[0]
    )
    return text if len(text) <= limit else text[: limit - 1] + "…"
