"""PC ball-N: f°_N → f°, the polygonal gauge of the ball (package docstring, "What a PASS means").

Statement: the symmetric difference μ(f°_N ≠ f°) between the N-direction gauge target and
the ball's indicator equals, in d = 2, ρ²(N tan(π/N) − π)/4 (the excess area of the regular
N-gon over |Ω| = 4) and decays like N⁻² (d = 3: N⁻¹); the network trained on f°_N therefore
approaches the BALL: its L¹ error to f° falls as N grows.

Instances: ``ball-N-d2`` (quick and full), ``ball-N-d3`` (full).

Check: ``gauge_ball_limit`` (Monte Carlo vs closed form within 5σ, the slope in N, and the
error to the ball at the largest N ≤ 1/3 of that at the smallest).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from relucheck.datasets.indicators import domain_sample, make_target, training_levels
from relucheck.harness.claims import InstanceSpec
from relucheck.harness.records import CheckResult
from relucheck.models.indicators.network import head
from relucheck.models.indicators.polyhedral_gauge import regular_polygon_excess_area
from relucheck.solvers.minibatch_gd import HeadRun, StepRule, train_heads
from relucheck.theorems.common import held_row
from relucheck.theorems.fits import loglog_slope
from relucheck.theorems.pointwise_convergence.spec import B_OFFSET, ETA, RELATIONS, W0, short


def _l1_error(run: HeadRun, r_eval: list[np.ndarray], refs: list[np.ndarray]) -> np.ndarray:
    """Mean |g_T − ref| on the evaluation sample, per N (ref: the ball or the gauge target)."""
    return np.array(
        [
            np.mean(np.abs(head(r, run.w[-1, k], run.b[-1, k]) - ref))
            for k, (r, ref) in enumerate(zip(r_eval, refs, strict=True))
        ]
    )


def check_ball_n(spec: InstanceSpec) -> CheckResult:
    """f°_N → f°: closed-form/MC symmetric difference and the trained network's error to f°."""
    p = spec.p
    d, rho, Ns = p["d"], p["rho"], list(p["Ns"])
    start = time.perf_counter()
    targets = [make_target("ball", d, rho, N=N, seed=0) for N in Ns]
    train = [training_levels(t, p["n"], spec.seed + k) for k, t in enumerate(targets)]
    X_eval = domain_sample(p["n_eval"], d, spec.seed + 999)
    ball = np.linalg.norm(X_eval, axis=1) <= rho
    r_eval = [t.r(X_eval) for t in targets]
    t_data = time.perf_counter() - start
    run = train_heads(
        train,
        np.full(len(Ns), rho),
        steps=p["steps"],
        batch=p["batch"],
        rule=StepRule(ETA, 3.0),
        w0=W0,
        b0=rho + B_OFFSET,
        seed=spec.seed,
    )
    n_eval = X_eval.shape[0]
    sym_diff = np.array([np.mean((r <= rho) != ball) for r in r_eval])
    sigma = np.sqrt(np.maximum(sym_diff, 1.0 / n_eval) / n_eval)
    err_ball = _l1_error(run, r_eval, [ball] * len(r_eval))
    err_gauge = _l1_error(run, r_eval, [r <= rho for r in r_eval])
    counted = sym_diff * n_eval >= 50
    slope = loglog_slope(np.array(Ns)[counted], sym_diff[counted]) if counted.sum() >= 3 else np.nan
    band = (-2.3, -1.7) if d == 2 else (-1.3, -0.7)
    data: dict[str, Any] = {
        "d": d,
        "rho": rho,
        "N": Ns,
        "sym_diff_mc": short(sym_diff),
        "sym_diff_sigma": short(sigma),
        "slope": slope,
        "slope_band": band,
        "err_to_ball": short(err_ball),
        "err_to_gauge_target": short(err_gauge),
        "w_T": short(run.w[-1]),
    }
    ok_closed = True
    if d == 2:
        # {r_N ≤ ρ} ⊂ Ω for these N and ρ, so the excess area over |Ω| = 4 is exact.
        closed = np.array([regular_polygon_excess_area(N, rho) / 4.0 for N in Ns])
        data["sym_diff_closed_form"] = short(closed)
        ok_closed = bool(np.all(np.abs(sym_diff - closed) <= 5 * sigma + 1e-12))
    ok_slope = bool(np.isfinite(slope) and band[0] <= slope <= band[1])
    ratio = float(err_ball[-1] / err_ball[0])
    ok = ok_closed and ok_slope and ratio <= 1.0 / 3.0
    return held_row(
        RELATIONS,
        "gauge_ball_limit",
        ok,
        value=ratio,
        tolerance=1.0 / 3.0,
        margin=1.0 / 3.0 - ratio,
        timings={"data": t_data, "train": run.seconds},
        reason="" if ok else f"closed form ok={ok_closed}, slope ok={ok_slope}, ratio={ratio:.3g}",
        data=data,
    )
