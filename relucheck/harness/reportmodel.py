"""What a report shows, computed once from stored rows and rendered as Markdown and HTML."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class ClaimSection:
    """One claim's part of a report."""

    id: str
    title: str
    citation: str
    statement: str
    own_derivation: str
    known: bool  # False when the rows name a claim that is no longer registered
    checks: list[dict[str, Any]]  # from tables.check_summary
    check_ids: list[str]
    instances: list[dict[str, Any]]  # from tables.instance_matrix
    problems: list[dict[str, Any]]
    totals: dict[str, int]
    figures: list[Path] = field(default_factory=list)
    figure_error: str = ""
    findings: list[dict[str, Any]] = field(default_factory=list)  # PASS rows with a reason


@dataclass
class ReportModel:
    """The whole report: run facts, totals per verdict and one section per claim."""

    run_id: str
    profile: str
    environment: list[tuple[str, str]]
    environments_seen: int
    totals: dict[str, int]
    rows: int
    units: int
    claims: list[ClaimSection]
    meta: dict[str, Any] = field(default_factory=dict)
    #: pages beside the runs that the report links to: (text, href relative to the run folder)
    links: list[tuple[str, str]] = field(default_factory=list)
