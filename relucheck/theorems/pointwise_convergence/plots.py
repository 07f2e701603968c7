"""PC figures, drawn from the stored rows' ``data`` only (one function per figure).

g_t at probe radii; L¹ error vs t with t^{-1/3}; hitting times; w_t (stable, fixed step and
gapped sample); f°_N → f°; the Fourier partial sums at the centre.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from relucheck.harness.figdata import payloads
from relucheck.theorems.pointwise_convergence.spec import CLAIM_ID, ETA, W0


def _payloads(df, check_id: str) -> list[dict[str, Any]]:
    return [data for _, data in payloads(df, CLAIM_ID, check_id)]


def _pick_schedule(items: list[dict[str, Any]], schedule: str = "random") -> dict | None:
    for d in items:
        if d.get("schedule") == schedule:
            return d
    return items[0] if items else None


def figures(df, out_dir: Path) -> list[Path]:
    """g_t at probe radii; L¹ error vs t with t^{-1/3}; hitting times; w_t; f°_N; Fourier."""
    import matplotlib.pyplot as plt

    from relucheck.harness.figstyle import figsize, save_figure

    def new_axes():
        return plt.subplots(figsize=figsize(0.75))

    paths: list[Path] = []
    for draw in (
        _probe_trajectories,
        _error_rate,
        _hitting_times,
        _w_growth,
        _ball_n,
        _fourier_centre,
    ):
        drawn = draw(df, new_axes, plt)
        if drawn is not None:
            fig, name = drawn
            paths += save_figure(fig, out_dir, name)
    return paths


def _probe_trajectories(df, new_axes, plt):
    bnd = _pick_schedule(_payloads(df, "boundary_half"))
    if not (bnd and bnd.get("traces")):
        return None
    k = next((i for i, lab in enumerate(bnd["targets"]) if lab.startswith("ball d=2")), 0)
    tr = bnd["traces"][k]
    t = np.asarray(bnd["times"], dtype=float)
    fig, ax = new_axes()
    cmap = plt.get_cmap("coolwarm")
    for j, off in enumerate(tr["offsets"]):
        g = np.asarray(tr["g"][j], dtype=float)
        color = cmap(0.5 + 0.5 * np.sign(off) * min(1.0, abs(off) / 0.05)) if off else "k"
        ax.semilogx(t[1:], g[1:], color=color, lw=0.9, label=f"r−ρ = {off:+g}")
    ax.axhline(0.5, color="0.5", ls=":", lw=0.6)
    ax.set_xlabel("step t")
    ax.set_ylabel("g_t(x)")
    ax.set_title(f"{bnd['targets'][k]}: exact after finite time, ½ on the boundary")
    ax.legend(ncol=3, fontsize=5.5)
    return fig, "pc_probe_trajectories"


def _error_rate(df, new_axes, plt):
    err = _pick_schedule(_payloads(df, "lp_error_rate"))
    if not err:
        return None
    t = np.asarray(err["times"], dtype=float)
    fig, ax = new_axes()
    for k, lab in enumerate(err["targets"]):
        ax.loglog(t[1:], np.asarray(err["l1"][k], dtype=float)[1:], lw=0.8, label=lab)
    ref_t = t[t >= t[-1] / 100]
    l1_end = np.asarray([e[-1] for e in err["l1"]], dtype=float)
    ax.loglog(
        ref_t, 1.5 * l1_end.max() * (ref_t / t[-1]) ** (-1 / 3), "k--", lw=1.0, label="t^(−1/3)"
    )
    ax.set_xlabel("step t")
    ax.set_ylabel("L¹(μ) error ‖g_t − f°‖₁")
    ax.set_title(f"L¹ error, {err['schedule']} batches (fitted slopes ≈ −1/3)")
    ax.legend(fontsize=5)
    return fig, "pc_error_rate"


def _hitting_times(df, new_axes, plt):
    hit = _pick_schedule(_payloads(df, "exact_after_finite_time"))
    if not hit:
        return None
    fig, ax = new_axes()
    for k, lab in enumerate(hit["targets"]):
        pr = hit["probes"][k]
        dist = np.abs(np.asarray(pr["delta"], dtype=float))
        tau = np.array([np.nan if x is None else x for x in pr["tau"]], dtype=float)
        ok = np.isfinite(tau) & (dist > 1e-12)
        ax.loglog(dist[ok], tau[ok], "o", ms=2, label=lab)
    dd = np.geomspace(0.01, 0.25, 20)
    for p_val, style in ((min(hit["p_hat"]), "--"), (max(hit["p_hat"]), ":")):
        pred = ((2 * dd) ** -3.0 - W0**3) / (ETA * p_val / 4.0)
        ax.loglog(dd, pred, "k" + style, lw=0.8, label=f"((2Δ)⁻³ − w₀³)/(ηp/4), p={p_val:.2g}")
    ax.set_xlabel("distance to the boundary |r(x) − ρ|")
    ax.set_ylabel("hitting time τ (exact from τ on)")
    ax.set_title("Finite hitting times")
    ax.legend(fontsize=5)
    return fig, "pc_hitting_times"


def _w_growth(df, new_axes, plt):
    wgr = _pick_schedule(_payloads(df, "w_growth_rate"))
    fixed = _payloads(df, "control_fixed_step_unstable")
    gap = _payloads(df, "limit_in_sample_gap")
    if not wgr:
        return None
    fig, ax = new_axes()
    t = np.asarray(wgr["times"], dtype=float)
    for k in range(len(wgr["targets"])):
        ax.loglog(t[1:], np.asarray(wgr["w"][k], dtype=float)[1:], lw=0.8, color="C0",
                  alpha=0.6, label="η_b = η/w³ (stable)" if k == 0 else None)  # fmt: skip
    if fixed:
        tf = np.asarray(fixed[0]["times"], dtype=float)
        for k, w in enumerate(fixed[0]["w"]):
            ax.loglog(tf[1:], np.asarray(w, dtype=float)[1:], lw=0.8, color="C1",
                      alpha=0.6, label="fixed step (control)" if k == 0 else None)  # fmt: skip
    if gap:
        tg = np.asarray(gap[0]["times"], dtype=float)
        for k, wg in enumerate(gap[0]["wG"]):
            G = gap[0]["gap"][k][1] - gap[0]["gap"][k][0]
            ax.loglog(tg[1:], np.asarray(wg, dtype=float)[1:] / G, lw=0.8, color="C2",
                      alpha=0.7, label="gapped sample (→ 1/G)" if k == 0 else None)  # fmt: skip
    ax.loglog(t[t >= 10], 0.8 * t[t >= 10] ** (1 / 3), "k--", lw=0.8, label="t^(1/3)")
    ax.set_xlabel("step t")
    ax.set_ylabel("slope w_t")
    ax.set_title("w_t: t^(1/3) growth, stall at the stability edge, gap limit")
    ax.legend(fontsize=5.5)
    return fig, "pc_w_growth"


def _ball_n(df, new_axes, plt):
    balls = _payloads(df, "gauge_ball_limit")
    if not balls:
        return None
    fig, ax = new_axes()
    for i, b in enumerate(balls):
        N = np.asarray(b["N"], dtype=float)
        ax.loglog(N, b["sym_diff_mc"], "o-", color=f"C{i}", label=f"μ(f°_N ≠ f°), d={b['d']}")
        ax.loglog(N, b["err_to_ball"], "s--", color=f"C{i}", label=f"‖g_T − f°‖₁, d={b['d']}")
        if "sym_diff_closed_form" in b:
            ax.loglog(N, b["sym_diff_closed_form"], "k:", lw=0.8, label="closed form (d=2)")
    ax.set_xlabel("directions N")
    ax.set_ylabel("error (fraction of Ω)")
    ax.set_title("Polygonal gauge: f°_N → f°")
    ax.legend(fontsize=5.5)
    return fig, "pc_ball_N"


def _fourier_centre(df, new_axes, plt):
    four = _payloads(df, "control_fourier_centre")
    if not four:
        return None
    f0 = four[0]
    T = np.asarray(f0["curve_T"], dtype=float)
    fig, ax = new_axes()
    for d, curve in f0["curves"].items():
        ax.plot(T, curve, lw=0.8, label=f"Fourier S_R f(0), d={d}")
    ax.axhline(1.0, color="k", lw=1.0, ls="--", label="network g_t(0) = 1 (exact, finite t)")
    ax.set_xlabel("T = 2πρR")
    ax.set_ylabel("value at the centre")
    ax.set_title("Spherical Fourier partial sums at the centre")
    ax.legend(fontsize=5.5)
    return fig, "pc_fourier_centre"
