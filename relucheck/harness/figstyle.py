"""One matplotlib style for every paper figure: Agg, serif, one 3.4 in column, small fonts.

Figures are drawn only from stored rows. Use::

    with paper_style():
        fig, ax = plt.subplots(figsize=figsize())
        ...
        save_figure(fig, out_dir, "ce_gap")   # writes ce_gap.pdf and ce_gap.png
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (after selecting the backend)

from relucheck.harness.store import atomic_write_bytes  # noqa: E402

#: Width of one paper column, inches.
COLUMN_WIDTH = 3.4

#: Colour cycle (colour-blind safe, Okabe-Ito order).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")

#: One colour per verdict, shared by figures and the HTML report.
VERDICT_COLORS = {
    "PASS": "#009E73",
    "FAIL": "#D55E00",
    "INCONCLUSIVE": "#E69F00",
    "SKIPPED": "#7F7F7F",
    "ERROR": "#CC0000",
}

PNG_DPI = 200

STYLE: dict[str, Any] = {
    "font.family": "serif",
    "font.serif": ["DejaVu Serif", "Times New Roman", "Times", "serif"],
    "mathtext.fontset": "dejavuserif",
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.linewidth": 0.6,
    "axes.prop_cycle": matplotlib.cycler(color=list(PALETTE)),
    "lines.linewidth": 1.0,
    "lines.markersize": 3,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "grid.linewidth": 0.4,
    "grid.alpha": 0.4,
    "figure.figsize": (COLUMN_WIDTH, COLUMN_WIDTH * 0.7),
    "figure.dpi": 100,
    "figure.constrained_layout.use": True,
    "savefig.dpi": PNG_DPI,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.02,
    "pdf.fonttype": 42,
}


def figsize(height_ratio: float = 0.7, columns: float = 1.0) -> tuple[float, float]:
    """(width, height) in inches for a figure spanning ``columns`` paper columns."""
    width = COLUMN_WIDTH * columns
    return (width, width * height_ratio)


@contextmanager
def paper_style() -> Iterator[None]:
    """Apply the paper style inside the block (matplotlib's rc settings are restored after)."""
    with matplotlib.rc_context(STYLE):
        yield


def save_figure(fig: Any, out_dir: Path, name: str) -> list[Path]:
    """Write ``out_dir/name.pdf`` and ``out_dir/name.png`` (dpi 200) atomically; close ``fig``."""
    import io

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    try:
        with matplotlib.rc_context(STYLE):
            for fmt in ("pdf", "png"):
                buffer = io.BytesIO()
                fig.savefig(buffer, format=fmt, dpi=PNG_DPI)
                paths.append(atomic_write_bytes(out_dir / f"{name}.{fmt}", buffer.getvalue()))
    finally:
        plt.close(fig)
    return paths
