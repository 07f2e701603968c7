"""Render a :class:`ReportModel` as one self-contained ``index.html`` (no external assets)."""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

from relucheck.harness.figstyle import VERDICT_COLORS
from relucheck.harness.reportmodel import ClaimSection, ReportModel
from relucheck.harness.tables import fmt_range, short_reason

CSS = """
body{font-family:Georgia,'DejaVu Serif',serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#222;line-height:1.4}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.6em 0;font-size:.85em}
th,td{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f4f4f4}code{font-size:.95em}
.badge{display:inline-block;padding:.05em .45em;margin:.05em;border-radius:.6em;color:#fff;
font-family:sans-serif;font-size:.8em;font-weight:bold}
.cite{color:#555;font-style:italic}.note{background:#fff8e1;padding:.4em .6em}
.fig{display:inline-block;margin:.5em;text-align:center;font-size:.8em}
.fig img{max-width:520px;border:1px solid #eee}pre{background:#f6f6f6;padding:.5em;overflow:auto}
"""


def badge(verdict: str, count: int | None = None) -> str:
    """A coloured verdict label, optionally with a count."""
    color = VERDICT_COLORS.get(verdict, "#444")
    text = verdict if count is None else f"{count} {verdict}"
    return f'<span class="badge" style="background:{color}">{escape(text)}</span>'


def badges(counts: dict[str, int]) -> str:
    """Badges for a verdict count dict."""
    return " ".join(badge(v, n) for v, n in counts.items()) or "no rows"


def _cell_badges(text: str) -> str:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    out = []
    for part in parts:
        verdict, _, times = part.partition(" x")
        out.append(badge(verdict) + (f" ×{escape(times)}" if times else ""))
    return " ".join(out)


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.3g}"


def _png_for(path: Path) -> Path | None:
    candidate = path if path.suffix.lower() == ".png" else path.with_suffix(".png")
    return candidate if candidate.is_file() else None


def _figures(paths: list[Path]) -> str:
    pngs = list(dict.fromkeys(p for p in (_png_for(Path(x)) for x in paths) if p is not None))
    out = []
    for png in pngs:
        data = base64.b64encode(png.read_bytes()).decode("ascii")
        out.append(
            f'<div class="fig"><img alt="{escape(png.stem)}" src="data:image/png;base64,{data}">'
            f"<br>{escape(png.stem)}</div>"
        )
    return "".join(out)


def _claim(section: ClaimSection) -> str:
    h = [f'<h2 id="{escape(section.id)}">{escape(section.id)} — {escape(section.title)}</h2>']
    if not section.known:
        h.append('<p class="note">This claim is not in the current registry.</p>')
    if section.citation:
        h.append(f'<p class="cite">{escape(section.citation)}</p>')
    if section.statement:
        h.append(f"<p>{escape(section.statement.strip())}</p>")
    if section.own_derivation.strip():
        h.append(f'<p class="note"><b>Own derivation.</b> {escape(section.own_derivation)}</p>')
    h.append(f"<p>{badges(section.totals)}</p>")
    h.append(
        "<table><tr><th>check</th><th>control</th><th>relation</th><th>verdicts</th>"
        "<th>measured</th><th>worst margin</th><th>time (s)</th></tr>"
    )
    for c in section.checks:
        h.append(
            f"<tr><td>{escape(c['check'])}</td><td>{'yes' if c['control'] else 'no'}</td>"
            f"<td><code>{escape(c['relation'])}</code></td><td>{badges(c['verdicts'])}</td>"
            f"<td>{escape(fmt_range(c['measured']))}</td>"
            f"<td>{_number(c['worst_margin'])}</td><td>{c['seconds']:.2f}</td></tr>"
        )
    h.append("</table>")
    head = "".join(f"<th>{escape(c)}</th>" for c in section.check_ids)
    h.append(f"<table><tr><th>instance</th><th>seed</th><th>time (s)</th>{head}</tr>")
    for inst in section.instances:
        cells = "".join(f"<td>{_cell_badges(v)}</td>" for v in inst["cells"].values())
        h.append(
            f"<tr><td>{escape(inst['instance_id'])}</td><td>{escape(str(inst['seed']))}</td>"
            f"<td>{_number(inst['seconds'])}</td>{cells}</tr>"
        )
    h.append("</table>")
    if section.findings:
        h.append("<details><summary>Findings (what passing checks measured)</summary><table>")
        h.append("<tr><th>instance</th><th>check</th><th>finding</th></tr>")
        for f in section.findings:
            h.append(
                f"<tr><td>{escape(f['instance_id'])}</td><td>{escape(f['check'])}</td>"
                f"<td>{escape(short_reason(f['reason'], 300))}</td></tr>"
            )
        h.append("</table></details>")
    if section.problems:
        h.append("<details><summary>Rows that need a look</summary><table>")
        h.append("<tr><th>instance</th><th>check</th><th>verdict</th><th>reason</th></tr>")
        for p in section.problems:
            h.append(
                f"<tr><td>{escape(p['instance_id'])}</td><td>{escape(p['check'])}</td>"
                f"<td>{badge(p['verdict'])}</td><td>{escape(short_reason(p['reason']))}</td></tr>"
            )
        h.append("</table></details>")
    if section.figure_error:
        h.append(
            f"<p class='note'><b>Figure error</b></p><pre>{escape(section.figure_error)}</pre>"
        )
    h.append(_figures(section.figures))
    return "\n".join(h)


def render_html(model: ReportModel) -> str:
    """The complete ``index.html`` text: inline CSS, badges, tables, base64 figures."""
    env = "".join(
        f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in model.environment
    )
    overview = "".join(
        f'<tr><td><a href="#{escape(s.id)}">{escape(s.id)}</a></td><td>{escape(s.title)}</td>'
        f"<td>{badges(s.totals)}</td></tr>"
        for s in model.claims
    )
    note = (
        f'<p class="note">Rows come from {model.environments_seen} environments (resumed run).</p>'
        if model.environments_seen > 1
        else ""
    )
    for text, href in model.links:
        note += f'<p>{escape(text)}: <a href="{escape(href)}">{escape(href)}</a></p>'

    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>relucheck {escape(model.run_id)}</title><style>{CSS}</style></head><body>\n"
        f"<h1>relucheck run {escape(model.run_id)}</h1>\n"
        f"<p>Profile <b>{escape(model.profile)}</b> · {model.units} units · {model.rows} rows</p>\n"
        f"<p>{badges(model.totals)}</p>\n"
        f"<table><tr><th>claim</th><th>title</th><th>verdicts</th></tr>{overview}</table>\n"
        f"<details><summary>Environment</summary><table>{env}</table></details>{note}\n"
        + "\n".join(_claim(s) for s in model.claims)
        + "\n</body></html>\n"
    )
