"""CE's figures, drawn from the stored ``nonconvex_above_convex`` rows: restart objectives
vs width, and restart trajectories, both relative to the certified convex optimum.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from relucheck.theorems.convex_equivalence.spec import CLAIM_ID


def figures(df, out_dir: Path) -> list[Path]:
    """Objective vs width (restarts vs the convex optimum) and restart trajectories."""
    import matplotlib.pyplot as plt

    from relucheck.harness.figdata import payloads as stored_payloads
    from relucheck.harness.figstyle import paper_style, save_figure

    payloads = [
        (name, d)
        for name, d in stored_payloads(df, CLAIM_ID, "nonconvex_above_convex")
        if "finals" in d
    ]
    if not payloads:
        return []
    paths: list[Path] = []
    cols = min(3, len(payloads))
    nrows = int(np.ceil(len(payloads) / cols))
    with paper_style():
        fig, axes = plt.subplots(nrows, cols, figsize=(2.3 * cols, 1.9 * nrows), squeeze=False)
        for ax, (name, d) in zip(axes.flat, payloads, strict=False):
            p = d["p_cvx"]
            for m, vals in zip(d["widths"], d["finals"], strict=False):
                rel = np.maximum(np.asarray(vals) / p - 1.0, 1e-9)
                ax.scatter(np.full(len(vals), m), rel, s=8, alpha=0.7, color="C0")
            ax.axhline(1e-2, color="C3", ls=":", lw=0.8, label="soft tol 1e-2")
            ax.set_xscale("log", base=2)
            ax.set_yscale("log")
            ax.set_title(name)
            ax.set_xlabel("width m")
            ax.set_ylabel(r"$p(m)/p_{cvx}-1$")
        for ax in axes.flat[len(payloads) :]:
            ax.set_visible(False)
        axes.flat[0].legend(loc="upper right")
        fig.suptitle("Restart objectives vs width, relative to the certified convex optimum")
        paths += save_figure(fig, out_dir, "ce_objective_vs_width")

        fig, axes = plt.subplots(nrows, cols, figsize=(2.3 * cols, 1.9 * nrows), squeeze=False)
        for ax, (name, d) in zip(axes.flat, payloads, strict=False):
            p = d["p_cvx"]
            for steps, vals in d["trajectories"]:
                ax.plot(steps, np.maximum(np.asarray(vals) / p - 1.0, 1e-9), lw=0.7, alpha=0.8)
            ax.axvline(d["adam_steps"], color="0.5", ls="--", lw=0.6)
            ax.set_yscale("log")
            ax.set_title(f"{name}, m={d['trajectory_width']}")
            ax.set_xlabel("iteration (Adam | L-BFGS)")
            ax.set_ylabel(r"$obj/p_{cvx}-1$")
        for ax in axes.flat[len(payloads) :]:
            ax.set_visible(False)
        fig.suptitle("Restart trajectories against the convex optimum")
        paths += save_figure(fig, out_dir, "ce_trajectories")
    return paths
