"""PR figures, drawn from stored rows only: spiral decision boundaries (``spiral``), exact
group counts vs n (``growth``) and restart objectives vs the number of sub-networks K
(``program``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from relucheck.models.parallel import network as pn
from relucheck.models.two_layer.network import forward as two_layer_forward
from relucheck.theorems.path_regularization.spec import CLAIM_ID


def _grid_predictions(d: dict[str, Any], res: int = 121) -> tuple[np.ndarray, ...]:
    """Both stored networks' outputs on a res × res grid around the stored spiral data."""
    X = np.asarray(d["X"], dtype=float)
    lim = 1.15 * float(np.abs(X[:, :2]).max())
    g = np.linspace(-lim, lim, res)
    gx, gy = np.meshgrid(g, g)
    pts = np.column_stack([gx.ravel(), gy.ravel(), np.ones(gx.size)])
    two, three = d["two_layer"], d["three_layer"]
    f2 = two_layer_forward(pts, np.asarray(two["U"], float), np.asarray(two["alpha"], float))
    W = np.asarray(three["W"], float).reshape(-1, X.shape[1], d["m"])
    f3 = pn.forward(
        pts,
        W,
        np.asarray(three["v"], float).reshape(-1, d["m"]),
        np.asarray(three["s"], float).reshape(-1),
    )
    return gx, gy, f2.reshape(gx.shape), f3.reshape(gx.shape)


def figures(df, out_dir: Path) -> list[Path]:
    """Spiral decision boundaries (two- vs three-layer), group counts vs n, runs vs K."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    from relucheck.harness.figdata import payloads as stored_payloads
    from relucheck.harness.figstyle import paper_style, save_figure

    def payloads(check_id: str) -> list[dict[str, Any]]:
        return [d for _, d in stored_payloads(df, CLAIM_ID, check_id)]

    paths: list[Path] = []
    with paper_style():
        for d in payloads("spiral_fit")[:1]:
            if "two_layer" not in d:
                continue
            gx, gy, f2, f3 = _grid_predictions(d)
            X, y = np.asarray(d["X"], float), np.asarray(d["y"], float)
            fig, axes = plt.subplots(1, 2, figsize=(6.8, 3.2), sharey=True)
            panels = [
                (f2, f"two-layer, weight decay (certified)\ntrain acc {d['acc_two_layer']:.2f}"),
                (
                    f3,
                    f"three-layer parallel, path reg. (m={d['m']})\n"
                    f"train acc {d['acc_three_layer']:.2f}",
                ),
            ]
            for ax, (f, title) in zip(axes, panels, strict=True):
                ax.contourf(gx, gy, f, levels=[-1e9, 0, 1e9], colors=["#f4cccc", "#cfe2f3"])
                ax.contour(gx, gy, f, levels=[0], colors="k", linewidths=0.8)
                ax.scatter(*X[y > 0, :2].T, s=9, c="C0", edgecolors="k", linewidths=0.3)
                ax.scatter(*X[y < 0, :2].T, s=9, c="C1", marker="s", edgecolors="k", linewidths=0.3)
                ax.set_title(title)
                ax.set_aspect("equal")
                ax.set_xlabel("$x_1$")
            axes[0].set_ylabel("$x_2$")
            fig.suptitle(f"Two spirals, same beta = {d['beta']:.3g}")
            paths += save_figure(fig, out_dir, "pr_spiral_boundaries")
        growth = payloads("group_count_degree")
        if growth:
            fig, ax = plt.subplots(figsize=(3.4, 2.7))
            for i, d in enumerate(sorted(growth, key=lambda d: d["d"])):
                ns = np.asarray(d["n"], float)
                for m, marker, ls in ((1, "o", "-"), (2, "s", "--")):
                    g = np.asarray(d[f"groups_m{m}"], float)
                    deg = d[f"degree_m{m}"]
                    ax.loglog(
                        ns,
                        g,
                        marker,
                        color=f"C{i}",
                        ms=3,
                        label=f"r={d['r']}, m={m}: degree {deg:.2f}",
                    )
                    tail = ns[ns >= d["tail_from_n"]]
                    ax.loglog(tail, g[-1] * (tail / ns[-1]) ** deg, ls, color=f"C{i}", lw=0.8)
                ax.loglog(ns, d["bound_m2"], ":", color=f"C{i}", lw=0.6)
            ax.xaxis.set_major_formatter(ScalarFormatter())
            ax.xaxis.set_minor_formatter(NullFormatter())
            ax.set_xticks(sorted({int(x) for d in growth for x in d["n"]}))
            ax.set_xlabel("n")
            ax.set_ylabel("groups of the exact program")
            ax.set_title("Exact group count vs n (dotted: derived bound, m=2)")
            ax.legend(fontsize=6)
            paths += save_figure(fig, out_dir, "pr_groups_vs_n")
        runs = payloads("nonconvex_above_convex")
        if runs:
            fig, axes = plt.subplots(1, len(runs), figsize=(3.4 * len(runs), 2.5), squeeze=False)
            for ax, d in zip(axes.flat, runs, strict=False):
                for K, vals in zip(d["widths"], d["finals"], strict=True):
                    rel = np.maximum(np.asarray(vals) / d["p_cvx"] - 1.0, 1e-9)
                    ax.scatter(np.full(len(vals), K), rel, s=8, alpha=0.7, color="C0")
                ax.axhline(1e-2, color="C3", ls=":", lw=0.8)
                ax.set_xscale("log", base=2)
                ax.set_yscale("log")
                ax.set_xlabel("sub-networks K")
                ax.set_ylabel(r"$p(K)/p_{cvx}-1$")
                ax.set_title(f"n={d['n']}, d={d['d']}, m={d['m']}: restarts vs K")
            paths += save_figure(fig, out_dir, "pr_objective_vs_K")
    return paths
