"""Environment capture, figure style and the progress display."""

from __future__ import annotations

import io
import subprocess
import sys

import matplotlib.pyplot as plt

from relucheck.harness.environment import capture_environment, summarize_environment
from relucheck.harness.figstyle import COLUMN_WIDTH, figsize, paper_style, save_figure
from relucheck.harness.progress import Progress
from relucheck.harness.runner import UnitEvent


def test_capture_environment_has_the_facts():
    env = capture_environment({"mosek_license": False, "python": "overridden?"})
    for key in ("python", "platform", "cpu_model", "cores", "packages", "blas", "git_commit",
                "git_dirty", "hostname"):  # fmt: skip
        assert key in env, key
    assert set(env["packages"]) >= {"numpy", "scipy", "cvxpy", "clarabel", "scs", "mosek",
                                    "pandas", "matplotlib"}  # fmt: skip
    assert env["packages"]["numpy"]
    assert env["mosek_license"] is False and env["python"] == "overridden?"
    assert all("num_threads" in pool for pool in env["blas"])
    labels = [label for label, _ in summarize_environment(env)]
    assert "mosek_license" in labels and "git" in labels


def test_capture_environment_does_not_import_mosek():
    code = (
        "import sys; from relucheck.harness.environment import capture_environment; "
        "capture_environment(); print('mosek' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_git_state_outside_a_repo(tmp_path):
    from relucheck.harness.environment import git_state

    assert git_state(tmp_path) == {"git_commit": None, "git_dirty": None}


def test_save_figure_writes_pdf_and_png_and_closes(tmp_path):
    with paper_style():
        assert plt.rcParams["axes.spines.top"] is False
        fig, ax = plt.subplots(figsize=figsize())
        ax.plot([0, 1], [1, 0])
    assert figsize()[0] == COLUMN_WIDTH
    paths = save_figure(fig, tmp_path / "figs", "line")
    assert [p.name for p in paths] == ["line.pdf", "line.png"]
    assert all(p.stat().st_size > 0 for p in paths)
    assert not plt.fignum_exists(fig.number)


def test_plain_progress_lines_and_tally():
    stream = io.StringIO()
    progress = Progress(stream)
    assert not progress.use_rich
    progress(UnitEvent("start", done=0, total=12))
    progress(UnitEvent("unit", 3, 12, claim="CE", instance_id="gaussian-d3-ab12", seconds=4.2,
                       verdicts={"PASS": 9, "SKIPPED": 1}))  # fmt: skip
    rows = [{"claim": "CE", "instance_id": "x", "verdict": "PASS"}] * 2
    tally = progress.close(rows)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "[3/12] CE gaussian-d3-ab12: 9 PASS, 1 SKIPPED (4.2 s)"
    assert lines[-1] == tally and tally.startswith("relucheck: 1 units, 2 rows: 2 PASS")


def test_rich_progress_renders_to_a_stream():
    stream = io.StringIO()
    progress = Progress(stream, rich=True)
    progress(UnitEvent("start", done=1, total=3, skipped=1))
    progress(UnitEvent("unit", 2, 3, claim="CE", instance_id="i", verdicts={"PASS": 1}))
    progress.close([])
    text = stream.getvalue()
    assert "resuming: 1 of 3" in text and "relucheck: 0 units" in text
