"""SR's figures, drawn from the stored rows alone: 1-D fits, neuron counts vs n − (d+1),
deep linear spectra vs L, Maurey error vs K."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from relucheck.theorems.sparse_regularization.spec import CLAIM_ID


def figures(df, out_dir: Path) -> list[Path]:
    """1-D fits, neuron counts vs n − (d+1), deep linear spectra vs L, Maurey error vs K."""
    import matplotlib.pyplot as plt

    from relucheck.harness.figdata import payloads
    from relucheck.harness.figstyle import paper_style, save_figure

    paths: list[Path] = []
    with paper_style():
        fits = [(nm, d) for nm, d in payloads(df, CLAIM_ID, "nn_above_opt") if "grid" in d]
        if fits:
            fig, axes = plt.subplots(1, len(fits), figsize=(2.3 * len(fits), 1.9), squeeze=False)
            for ax, (name, d) in zip(axes.flat, fits, strict=False):
                ax.plot(d["grid"], d["exact_on_grid"], "-", color="C0", label="trend filtering")
                ax.plot(d["grid"], d["net_on_grid"], "--", color="C1", label="trained net")
                ax.plot(d["x"], d["y"], "o", color="0.3", ms=2.5, label="data")
                for k in d["knots"]:
                    ax.axvline(k, color="C2", lw=0.5, ls=":")
                low = min(d["y"])
                ax.plot(d["reduced_knots"], [low] * len(d["reduced_knots"]), "^", color="C1",
                        ms=3, label="reduced net's kinks")  # fmt: skip
                ax.set_title(f"{name}: {len(d['knots'])} knots (dotted)")
                ax.set_xlabel("x")
            axes.flat[0].legend(loc="best")
            fig.suptitle("1-D weight decay = TV(f') regularization (skip connection)")
            paths += save_figure(fig, out_dir, "sr_fits_1d")

        counts = payloads(df, CLAIM_ID, "representer_count") + payloads(
            df, CLAIM_ID, "knot_structure"
        )
        counts = [(nm, d) for nm, d in counts if "width_reduced" in d]
        if counts:
            fig, ax = plt.subplots(figsize=(3.4, 2.4))
            xs = np.arange(len(counts))
            ax.bar(
                xs - 0.2, [d["active_trained"] for _, d in counts], 0.4, label="trained (active)"
            )
            ax.bar(xs + 0.2, [d["width_reduced"] for _, d in counts], 0.4, label="after reduction")
            ax.plot(xs, [d["bound"] for _, d in counts], "k_", ms=14, mew=1.5, label="n - (d+1)")
            ax.set_xticks(xs, [nm for nm, _ in counts], rotation=30, ha="right")
            ax.set_ylabel("neurons")
            ax.set_title("Representer count after exact reduction")
            ax.legend()
            paths += save_figure(fig, out_dir, "sr_neuron_counts")

        deep = payloads(df, CLAIM_ID, "deep_linear_closed_form")
        deep = [(nm, d) for nm, d in deep if "per_depth" in d]
        if deep:
            name, d = deep[0]
            fig, ax = plt.subplots(figsize=(3.4, 2.4))
            for j, L in enumerate(d["depths"]):
                pdp = d["per_depth"][str(L)]
                idx = np.arange(1, len(pdp["closed_singular_values"]) + 1)
                ax.plot(idx, pdp["closed_singular_values"], "-", color=f"C{j}", label=f"L={L}")
                ax.plot(idx, pdp["gd_singular_values"], "o", color=f"C{j}", ms=3, mfc="none")
            ax.plot(idx, d["sigma_Y"], "k:", lw=0.8, label="σ(Y)")
            ax.set_xlabel("index j")
            ax.set_ylabel("singular value of the product")
            ax.set_title("Deep linear nets: closed form (lines) vs GD (circles)")
            ax.legend()
            paths += save_figure(fig, out_dir, "sr_deep_linear_spectra")

        mau = [(nm, d) for nm, d in payloads(df, CLAIM_ID, "maurey_rate") if "rms" in d]
        if mau:
            name, d = mau[0]
            Ks = np.array(d["Ks"], dtype=float)
            fig, ax = plt.subplots(figsize=(3.4, 2.4))
            for j, dim in enumerate(d["dims"]):
                ax.loglog(Ks, d["rms"][str(dim)], "o-", color=f"C{j}",
                          label=f"d={dim}: slope {d['slopes'][str(dim)]:.2f}")  # fmt: skip
            ax.loglog(Ks, 2.0 / np.sqrt(Ks), "k--", lw=0.8, label="2/sqrt(K) bound")
            ax.set_xlabel("sub-sampled width K")
            ax.set_ylabel("RMS L2 error")
            ax.set_title("Maurey sub-sampling: dimension-free K^(-1/2)")
            ax.legend()
            paths += save_figure(fig, out_dir, "sr_maurey_rate")
    return paths
