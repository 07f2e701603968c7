"""Render a :class:`ReportModel` as ``summary.md``."""

from __future__ import annotations

from pathlib import Path

from relucheck.harness.reportmodel import ClaimSection, ReportModel
from relucheck.harness.tables import fmt_range, format_counts, short_reason

MAX_PROBLEMS = 50


def cell(text: object) -> str:
    """Text safe inside a Markdown table cell (pipes escaped, one line)."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def table(header: list[str], rows: list[list[object]]) -> list[str]:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(cell(h) for h in header) + " |"]
    lines.append("|" + "|".join("---" for _ in header) + "|")
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return lines


def fmt_number(value: float | None, digits: int = 3) -> str:
    """Compact number, or an em dash for None."""
    return "—" if value is None else f"{value:.{digits}g}"


def _claim(section: ClaimSection, base: Path) -> list[str]:
    out = [f"## {section.id} — {section.title}", ""]
    if not section.known:
        out += ["*This claim is not in the current registry; rows are shown as stored.*", ""]
    if section.citation:
        out += [f"*{section.citation}*", ""]
    if section.statement:
        out += [section.statement.strip(), ""]
    if section.own_derivation.strip():
        out += [f"**Own derivation.** {section.own_derivation.strip()}", ""]
    out += [f"Totals: {format_counts(section.totals)}", ""]
    out += table(
        ["check", "control", "relation", "verdicts", "measured", "worst margin", "time (s)"],
        [
            [
                c["check"],
                "yes" if c["control"] else "no",
                f"`{c['relation']}`" if c["relation"] else "",
                format_counts(c["verdicts"]),
                fmt_range(c["measured"]),
                fmt_number(c["worst_margin"]),
                f"{c['seconds']:.2f}",
            ]
            for c in section.checks
        ],
    )
    out += ["", "Per instance:", ""]
    out += table(
        ["instance", "seed", "time (s)", *section.check_ids],
        [
            [i["instance_id"], i["seed"], fmt_number(i["seconds"]), *i["cells"].values()]
            for i in section.instances
        ],
    )
    if section.findings:
        out += ["", "Findings (what passing checks measured):", ""]
        out += table(
            ["instance", "check", "finding"],
            [[f["instance_id"], f["check"], short_reason(f["reason"], 300)]
             for f in section.findings],
        )  # fmt: skip
    if section.problems:
        out += ["", "Needs a look:", ""]
        shown = section.problems[:MAX_PROBLEMS]
        out += table(
            ["instance", "check", "verdict", "reason"],
            [
                [p["instance_id"], p["check"], p["verdict"], short_reason(p["reason"])]
                for p in shown
            ],
        )
        if len(section.problems) > MAX_PROBLEMS:
            more = len(section.problems) - MAX_PROBLEMS
            out += ["", f"… and {more} more (see results.csv)."]
    if section.figures:
        out += [
            "",
            "Figures: " + ", ".join(f"[{p.name}]({p.relative_to(base)})" for p in section.figures),
        ]
    if section.figure_error:
        out += ["", "**Figure error** (the report went on without them):", "", "```"]
        out += [section.figure_error.rstrip(), "```"]
    return out + [""]


def render_markdown(model: ReportModel, base: Path) -> str:
    """The text of ``summary.md``; figure links are relative to ``base`` (the run folder)."""
    out = [f"# relucheck run {model.run_id}", ""]
    out += [f"Profile: **{model.profile}** · {model.units} units · {model.rows} rows", ""]
    out += [f"**Totals: {format_counts(model.totals)}**", ""]
    out += table(["verdict", "rows"], [[v, n] for v, n in model.totals.items()])
    out += ["", "## Environment", ""]
    out += [f"- **{label}**: {text}" for label, text in model.environment]
    if model.environments_seen > 1:
        out += [
            f"- **note**: rows come from {model.environments_seen} different environments "
            "(a resumed run); each row in results.jsonl carries its own."
        ]
    out += [""]
    for section in model.claims:
        out += _claim(section, base)
    return "\n".join(out).rstrip() + "\n"
