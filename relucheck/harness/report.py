"""The report step: summary.md, index.html, results.csv and figures/ from stored rows only.

Nothing is re-solved. Each claim's ``figures(frame, out_dir)`` receives a DataFrame of that
claim's rows (flattened as in results.csv: ``params.*``, ``timings.*``, ``solver.*``,
``env.*`` columns) except that ``data`` holds the row's dict, and draws inside
:func:`~relucheck.harness.figstyle.paper_style` into ``figures/<CLAIM>/``. A figure function
that raises is reported in summary.md and index.html; the report goes on. Every file is
written to a temporary name and moved into place, so a crash never leaves half a report;
when a write fails (disk full, folder read-only) the report files are removed, so there is
either a whole report or none.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from relucheck.harness.claims import Claim
from relucheck.harness.environment import summarize_environment
from relucheck.harness.figstyle import paper_style
from relucheck.harness.htmlreport import render_html
from relucheck.harness.markdown import render_markdown
from relucheck.harness.reportmodel import ClaimSection, ReportModel
from relucheck.harness.runner import unit_key
from relucheck.harness.store import RESULTS, atomic_write_text, read_rows
from relucheck.harness.tables import (
    check_summary,
    finding_rows,
    instance_matrix,
    problem_rows,
    rows_frame,
    verdict_counts,
)

RUN_META = "run.json"
ENVIRONMENT = "environment.json"


def _read_json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return {}
    return value if isinstance(value, dict) else {}


def _draw_figures(claim: Claim, rows: list[dict[str, Any]], figdir: Path) -> tuple[list[Path], str]:
    """Call the claim's figure function; (paths, "") or ([], traceback) if it raised."""
    import matplotlib.pyplot as plt

    try:
        with paper_style():
            paths = claim.figures(rows_frame(rows, keep_data=True), figdir)  # type: ignore[misc]
        return [Path(p) for p in (paths or []) if Path(p).is_file()], ""
    except Exception:  # noqa: BLE001  (a broken figure must not lose the report)
        plt.close("all")
        return [], traceback.format_exc()


def _section(
    claim_id: str, claim: Claim | None, rows: list[dict[str, Any]], figdir: Path
) -> ClaimSection:
    declared = list(claim.check_ids) if claim else []
    check_ids, instances = instance_matrix(rows, declared)
    section = ClaimSection(
        id=claim_id,
        title=claim.title if claim else "",
        citation=claim.citation if claim else "",
        statement=claim.statement if claim else "",
        own_derivation=claim.own_derivation if claim else "",
        known=claim is not None,
        checks=check_summary(rows, declared),
        check_ids=check_ids,
        instances=instances,
        problems=problem_rows(rows),
        findings=finding_rows(rows),
        totals=verdict_counts(rows),
    )
    if claim is not None and claim.figures is not None:
        section.figures, section.figure_error = _draw_figures(claim, rows, figdir / claim_id)
    return section


def build_model(
    run_dir: Path,
    registry: Mapping[str, Claim],
    rows: list[dict[str, Any]] | None = None,
    links: Mapping[str, str] | None = None,
) -> ReportModel:
    """Everything the report shows, from ``run_dir``'s stored rows and metadata.

    ``links`` maps a text to a page's path relative to the folder that holds the runs; the
    report links each page that exists.
    """
    rows = read_rows(run_dir / RESULTS) if rows is None else rows
    meta = _read_json(run_dir / RUN_META)
    env = _read_json(run_dir / ENVIRONMENT) or (rows[0].get("env") if rows else {}) or {}
    profiles = sorted({str(r.get("profile")) for r in rows if r.get("profile")})
    profile = meta.get("profile") or ", ".join(profiles) or "unknown"

    by_id = {c.id.upper(): c for c in registry.values()}
    present = list(dict.fromkeys(str(r.get("claim")) for r in rows))
    known_order = [c.id for c in registry.values() if c.id in present]
    order = known_order + [c for c in present if c not in known_order]
    sections = [
        _section(
            claim_id,
            by_id.get(claim_id.upper()),
            [r for r in rows if str(r.get("claim")) == claim_id],
            run_dir / "figures",
        )
        for claim_id in order
    ]
    return ReportModel(
        run_id=str(meta.get("run_id") or run_dir.name),
        profile=str(profile),
        environment=summarize_environment(env),
        environments_seen=len({json.dumps(r.get("env"), sort_keys=True) for r in rows}),
        totals=verdict_counts(rows),
        rows=len(rows),
        units=len({unit_key(r) for r in rows}),
        claims=sections,
        meta=meta,
        links=[
            (text, f"../{page}")
            for text, page in (links or {}).items()
            if (run_dir.parent / page).is_file()
        ],
    )


def write_report(
    run_dir: Path, registry: Mapping[str, Claim], links: Mapping[str, str] | None = None
) -> dict[str, Path]:
    """Write results.csv, figures/, summary.md and index.html for ``run_dir``; return paths.

    Keys: ``csv``, ``figures`` (the folder), ``summary``, ``html``. An :class:`OSError`
    while writing removes results.csv, summary.md and index.html, then propagates.
    """
    run_dir = Path(run_dir)
    rows = read_rows(run_dir / RESULTS)
    paths = {
        "csv": run_dir / "results.csv",
        "figures": run_dir / "figures",
        "summary": run_dir / "summary.md",
        "html": run_dir / "index.html",
    }
    try:
        model = build_model(run_dir, registry, rows, links)
        frame = rows_frame(rows)
        atomic_write_text(paths["csv"], frame.to_csv(index=False))
        atomic_write_text(paths["summary"], render_markdown(model, run_dir))
        atomic_write_text(paths["html"], render_html(model))
    except OSError:
        for key in ("html", "summary", "csv"):
            try:
                paths[key].unlink(missing_ok=True)
            except OSError:
                pass
        raise
    return paths
