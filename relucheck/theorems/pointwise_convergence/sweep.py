"""PC sweep: the dense-regime claims (1)-(5) of the package docstring, on every target at once.

Statement (our derivation, package docstring): with the rule η_w = η, η_b = η / max(w, 1)³,
a probe at |r(x) − ρ| = Δ is exact after a finite time τ(Δ) ∝ Δ⁻³ and stays exact (4); the
boundary value tends to ½ (1); w_t ∝ t^{1/3} (2); ‖e_t‖₁ and ‖e_t‖₂² decay like t^{−1/3}
(3); all of it in the dense regime, where the final ramp holds many samples (5).

Instances: ``sweep-random`` and ``sweep-cyclic`` (``instances``), n = 10⁶ samples per target.

Checks, one row each, in this order: ``exact_after_finite_time``, ``hitting_time_slope``,
``boundary_half``, ``w_growth_rate``, ``lp_error_rate``, ``stable_step_rule`` (the rule's
hypothesis along the run). Control: the fixed-step rule (``controls.check_fixed_step``).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from relucheck.datasets.indicators import density_at_level
from relucheck.harness.claims import InstanceSpec
from relucheck.harness.records import CheckResult
from relucheck.models.indicators.network import continuum_error, head
from relucheck.solvers.minibatch_gd import HeadRun, StepRule
from relucheck.theorems.common import held_row, inconclusive_row
from relucheck.theorems.fits import band_margin, loglog_slope
from relucheck.theorems.pointwise_convergence.runs import SweepRun, boundary_values, sweep_run
from relucheck.theorems.pointwise_convergence.spec import (
    BOUNDARY_TOL,
    DENSE_MIN_RAMP_POINTS,
    ETA,
    HIT_SLOPE_BAND,
    RELATIONS,
    SLOPE_BAND,
    TRACE_OFFSETS,
    ULP_TOL,
    W0,
    W_SLOPE_BAND,
    short,
)


def check_sweep(spec: InstanceSpec) -> list[CheckResult]:
    """The dense-regime claims on every target at once (one vectorized run)."""
    s = sweep_run(spec, StepRule(ETA, 3.0))
    common = {
        "targets": [t.label for t in s.targets],
        "schedule": s.run.schedule,
        "steps": s.run.steps,
        "batch": s.run.batch,
    }
    return [
        *finite_time_rows(s, common),
        boundary_row(s, common),
        w_growth_row(s, common),
        lp_error_row(s, common),
        stable_step_row(s, common),
    ]


# ----------------------------------------------------- (4) exact after a finite time


def _probe_hits(s: SweepRun, k: int, tau: np.ndarray) -> dict[str, Any]:
    """Target k: probes that must be exact and are not, their float deviation, τ's slope."""
    run, p_hat = s.run, s.p_hat
    w_T, b_T = run.w[-1], run.b[-1]
    r, delta = s.probes[k]
    dist = np.abs(delta)
    required = dist >= 1.0 / w_T[k]
    f = (r <= s.rho[k]).astype(float)
    g = head(r, w_T[k], b_T[k])
    ulps = np.abs(g - f) / (np.finfo(float).eps * (1.0 + np.abs(w_T[k] * (b_T[k] - r))))
    use = np.isfinite(tau[k]) & (dist > 1e-12) & (dist <= 0.2) & (tau[k] >= 10)
    enough = np.unique(np.round(dist[use], 12)).size >= 4
    with np.errstate(divide="ignore"):
        tau_pred = ((2 * dist) ** -3.0 - W0**3) / (ETA * p_hat[k] / 4.0)
    finite = np.isfinite(tau[k]) & (dist > 1e-12) & (tau_pred > 0)
    return {
        "bad": int(np.sum(required & ~np.isfinite(tau[k]))),
        "float_dev": float(np.max(ulps[required], initial=0.0)),
        "slope": loglog_slope(dist[use], tau[k][use]) if enough else float("nan"),
        "data": {
            "delta": short(delta),
            "tau": [None if not np.isfinite(x) else int(x) for x in tau[k]],
            "tau_over_predicted_median": short(np.median(tau[k][finite] / tau_pred[finite]))
            if finite.any()
            else None,
        },
    }


def finite_time_rows(s: SweepRun, common: dict[str, Any]) -> list[CheckResult]:
    """Every probe off the ramp is exact from a finite τ on, and τ ∝ Δ^{-3}."""
    tau = s.run.hitting_times()
    hits = [_probe_hits(s, k, tau) for k in range(len(s.probes))]
    bad_probes = sum(h["bad"] for h in hits)
    float_dev = max([0.0] + [h["float_dev"] for h in hits])
    exact = held_row(
        RELATIONS,
        "exact_after_finite_time",
        bad_probes == 0 and float_dev <= ULP_TOL,
        value=float(bad_probes),
        tolerance=0.0,
        margin=-float(bad_probes) if bad_probes else 0.0,
        timings=dict(s.timings),
        data={
            **common,
            "float_deviation_ulps": float_dev,
            "p_hat": short(s.p_hat),
            "probes": [h["data"] for h in hits],
        },
    )
    slope_arr = np.array([h["slope"] for h in hits])
    data = {**common, "slopes": short(slope_arr)}
    if np.any(~np.isfinite(slope_arr)):
        reason = "fewer than 4 probe distances were hit after step 10 for some target"
        return [exact, inconclusive_row(RELATIONS, "hitting_time_slope", reason, data=data)]
    margin, worst = band_margin(slope_arr, *HIT_SLOPE_BAND)
    slope = held_row(
        RELATIONS,
        "hitting_time_slope",
        margin >= 0,
        value=worst,
        tolerance=0.5,
        margin=margin,
        data=data,
    )
    return [exact, slope]


# ---------------------------------------------------------------- (1) boundary value


def _density_slope(r: np.ndarray, rho: float, h: float = 0.03) -> float:
    """p̂'(ρ) by a central difference of :func:`density_at_level` (for the predicted bias)."""
    return (density_at_level(r, rho + h, 0.01) - density_at_level(r, rho - h, 0.01)) / (2 * h)


def _probe_traces(run: HeadRun, probes: list, rho: np.ndarray) -> list[dict[str, Any]]:
    """g_t at the TRACE_OFFSETS probes of the first direction, per target (for the figure)."""
    out = []
    for k, (r, delta) in enumerate(probes):
        keep = [int(np.argmin(np.abs(delta - o))) for o in TRACE_OFFSETS]
        g = head(r[keep][None, :], run.w[:, k : k + 1], run.b[:, k : k + 1])
        out.append({"offsets": list(TRACE_OFFSETS), "g": short(g.T)})
    return out


def boundary_row(s: SweepRun, common: dict[str, Any]) -> CheckResult:
    """Median of |g_t(x_∂) − ½| over the last 10 % of records ≤ 1e-2 (dense regime only)."""
    run, p_hat = s.run, s.p_hat
    w_T = run.w[-1]
    sizes = np.array([len(r) for r in s.train])
    # Dense regime: the final ramp must still hold many training samples (docstring (5)).
    ramp_points = sizes * p_hat / w_T
    dense = bool(np.all(ramp_points >= DENSE_MIN_RAMP_POINTS))
    bvals = boundary_values(run, s.probes, s.rho)
    level = np.median(bvals[run.times >= 0.9 * run.steps], axis=0)
    data = {
        **common,
        "median_last_decile": short(level),
        "predicted_bias": [
            short(_density_slope(r, t.rho) / (24 * p_hat[k] * w_T[k]))
            for k, (r, t) in enumerate(zip(s.train, s.targets, strict=True))
        ],
        "predicted_sgd_spread": short(np.sqrt(ETA / (12 * run.batch * w_T))),
        "predicted_sample_spread": short(np.sqrt(w_T / (12 * sizes * p_hat))),
        "ramp_points": short(ramp_points),
        "traces": _probe_traces(run, s.probes, s.rho),
        "times": run.times.tolist(),
    }
    worst = float(level.max())
    if not dense:
        reason = "the final ramp holds < 1000 samples: not the dense regime"
        return inconclusive_row(RELATIONS, "boundary_half", reason, value=worst, data=data)
    return held_row(
        RELATIONS,
        "boundary_half",
        worst <= BOUNDARY_TOL,
        value=worst,
        tolerance=BOUNDARY_TOL,
        margin=BOUNDARY_TOL - worst,
        data=data,
    )


# ------------------------------------------------------------------ (2), (3) the rates


def _fit_window(run: HeadRun) -> np.ndarray:
    """The records the rates are fitted on: t in [T/100, T]."""
    return run.times >= run.steps / 100


def w_growth_row(s: SweepRun, common: dict[str, Any]) -> CheckResult:
    """The log-log slope of w_t on [T/100, T] is near 1/3; w_T against w³ = w₀³ + ηp̂t/4."""
    run, p_hat = s.run, s.p_hat
    times, fit = run.times, _fit_window(run)
    w_slopes = np.array([loglog_slope(times[fit], run.w[fit, k]) for k in range(len(s.targets))])
    w_pred = (W0**3 + ETA * p_hat * run.steps / 4.0) ** (1.0 / 3.0)
    margin, worst = band_margin(w_slopes, *W_SLOPE_BAND)
    return held_row(
        RELATIONS,
        "w_growth_rate",
        margin >= 0,
        value=worst,
        tolerance=0.035,
        margin=margin,
        data={
            **common,
            "slopes": short(w_slopes),
            "w_T": short(run.w[-1]),
            "w_T_predicted": short(w_pred),
            "p_hat": short(p_hat),
            "times": times.tolist(),
            "w": short(run.w.T),
        },
    )


def _error_table(evals: list[np.ndarray], rho: np.ndarray, run: HeadRun, p: float) -> np.ndarray:
    """∫|g_t − f°|^p dμ at every record (R, K), on the independent evaluation samples."""
    return np.array(
        [
            [
                continuum_error(evals[k], rho[k], run.w[i, k], run.b[i, k], p)
                for k in range(len(rho))
            ]
            for i in range(run.times.shape[0])
        ]
    )


def lp_error_row(s: SweepRun, common: dict[str, Any]) -> CheckResult:
    """Slopes of ‖e_t‖₁ and ‖e_t‖₂² against μ (independent sample) near −1/3."""
    run = s.run
    times, fit = run.times, _fit_window(run)
    start = time.perf_counter()
    l1 = _error_table(s.evals, s.rho, run, 1.0)
    l2sq = _error_table(s.evals, s.rho, run, 2.0)
    t_err = time.perf_counter() - start
    s1 = np.array([loglog_slope(times[fit], l1[fit, k]) for k in range(len(s.targets))])
    s2 = np.array([loglog_slope(times[fit], l2sq[fit, k]) for k in range(len(s.targets))])
    margin, worst = band_margin(np.concatenate([s1, s2]), *SLOPE_BAND)
    return held_row(
        RELATIONS,
        "lp_error_rate",
        margin >= 0,
        value=worst,
        tolerance=0.035,
        margin=margin,
        timings={"errors": t_err},
        data={
            **common,
            "slopes_l1": short(s1),
            "slopes_l2sq": short(s2),
            "slopes_l2_norm": short(s2 / 2.0),
            "l1_T": short(l1[-1]),
            "l1_T_predicted": short(s.p_hat / (4 * run.w[-1])),
            "times": times.tolist(),
            "l1": short(l1.T),
            "l2sq": short(l2sq.T),
        },
    )


# ------------------------------------------------------------- hypothesis of the rule


def stable_step_row(s: SweepRun, common: dict[str, Any]) -> CheckResult:
    """η_b·(curvature 2p̂w) < 2 at every record."""
    run, p_hat = s.run, s.p_hat
    stab = run.rule.b_step(run.w) * 2.0 * p_hat[None, :] * run.w
    worst = float(stab.max())
    return held_row(
        RELATIONS,
        "stable_step_rule",
        worst < 2.0,
        value=worst,
        tolerance=2.0,
        margin=2.0 - worst,
        data={**common, "rule": run.rule.description, "eta_p_hat": short(ETA * p_hat)},
    )
