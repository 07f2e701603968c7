"""Reports from stored rows: CSV, summary.md, self-contained HTML, figures, broken figures."""

from __future__ import annotations

import re

import pandas as pd
import pytest
import toy_claims as toy

from relucheck.harness.claims import RunOptions
from relucheck.harness.report import write_report
from relucheck.harness.runner import run


@pytest.fixture(scope="module")
def reported(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("reports") / "20260101-000000-abcd"
    run_dir.mkdir()
    claims = [toy.OK, toy.MIX, toy.RAISE, toy.BADFIG]
    run(
        claims,
        "quick",
        RunOptions(),
        run_dir,
        2,
        None,
        env={"hostname": "h", "mosek_license": False},
    )
    paths = write_report(run_dir, toy.registry(*claims))
    return run_dir, paths


def test_report_files_exist_and_no_temp_files_left(reported):
    run_dir, paths = reported
    for key in ("csv", "summary", "html"):
        assert paths[key].is_file() and paths[key].parent == run_dir
    assert not [p for p in run_dir.rglob(".*") if ".tmp-" in p.name]


def test_figures_saved_as_pdf_and_png(reported):
    run_dir, paths = reported
    figs = paths["figures"] / "TOY-OK"
    assert (figs / "toy_curves.pdf").read_bytes().startswith(b"%PDF")
    assert (figs / "toy_curves.png").read_bytes().startswith(b"\x89PNG")


def test_csv_is_flat_with_data_as_json_text(reported):
    _, paths = reported
    frame = pd.read_csv(paths["csv"])
    assert len(frame) == 4 + 2 + 2 + 2
    for column in ("claim", "check", "verdict", "instance_id", "params.size", "timings.solve",
                   "solver.name", "env.hostname", "data"):  # fmt: skip
        assert column in frame.columns, column
    assert "env" not in frame.columns
    data = frame.loc[(frame["check"] == "agree"), "data"].iloc[0]
    assert data.startswith("{") and '"curve"' in data


def test_summary_md(reported):
    run_dir, paths = reported
    text = paths["summary"].read_text()
    assert f"# relucheck run {run_dir.name}" in text
    assert "Profile: **quick**" in text
    assert "4 PASS" in text or "PASS" in text
    assert "## TOY-OK — Toy claim that holds" in text
    assert "Nobody, Toy Theorems (2026)" in text
    assert "**Own derivation.** The toy bound is our own." in text
    assert "| control_detects | yes |" in text
    assert "`\\|a - b\\| <= 1e-9`" in text  # pipes escaped inside the table
    assert "ValueError: boom from toy check" in text
    assert "**mosek_license**: False" in text
    # the broken figure is reported and the rest of the report is intact
    assert "RuntimeError: figure exploded" in text
    assert "## TOY-BADFIG" in text and "## TOY-RAISE" in text
    # per-instance table lists every instance of TOY-OK
    assert text.count("| toy0-") >= 1 and text.count("| toy1-") >= 1


def test_html_is_self_contained(reported):
    _, paths = reported
    html = paths["html"].read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert "<link" not in html and "<script" not in html
    assert "data:image/png;base64," in html
    assert 'class="badge"' in html and "TOY-MIX" in html
    assert "figure exploded" in html


def test_html_links_the_bench_history_when_make_bench_wrote_one(reported):
    run_dir, _ = reported
    history = run_dir.parent / "bench" / "history.html"
    links = {"Benchmark history": "bench/history.html"}
    assert (
        'href="../bench/history.html"' not in write_report(run_dir, {}, links)["html"].read_text()
    )
    history.parent.mkdir()
    history.write_text("<html></html>")
    html = write_report(run_dir, {}, links)["html"].read_text()
    assert "Benchmark history" in html
    assert 'href="../bench/history.html"' in html
    assert (run_dir / "../bench/history.html").resolve() == history.resolve()
    history.unlink()
    history.parent.rmdir()


def test_rerender_is_stable_and_tolerates_unknown_claims(reported):
    run_dir, _ = reported
    paths = write_report(run_dir, {})  # registry no longer has these claims
    text = paths["summary"].read_text()
    assert "not in the current registry" in text
    assert "## TOY-OK" in text


def test_empty_run_renders(tmp_path):
    paths = write_report(tmp_path, {})
    assert "no rows" in paths["summary"].read_text()
    assert paths["html"].is_file()
