"""PC negative controls: what the claim does NOT promise, and that the harness sees it.

A PASS of a control means the harness detected what the control is meant to show.

- ``control_fixed_step_unstable`` (instance ``control-fixed-step``): the sweep's data and
  probes with a FIXED step on b, i.e. the rule's hypothesis violated on purpose (package
  docstring, (1) and ``solvers/minibatch_gd.py``): η·2p̂w_t reaches ≥ 1.8, w_t stalls at the
  stability edge w ≈ 1/(η p_ρ) (slope < 0.15 on [T/10, T]) and the boundary value oscillates
  (≥ 0.05), for every target.
- ``control_dense_mlp_oscillates`` (``control-dense-mlp``): a dense ReLU MLP of the same ReLU
  depth under constant-step SGD has no such guarantee: some off-boundary probe still moves by
  ≥ 1e-3 over the last steps, with sign changes. Never a failure of the claim.
- ``control_fourier_centre`` (``control-fourier``): spherical Fourier partial sums of the
  ball's indicator at the centre (closed form = quadrature to 1e-9 rel) converge for d = 1
  (oscillation slope ≈ −1) and d = 2 (≈ −½) and do not for d ≥ 3 (≥ 0.5, slope ≥ −0.1).
"""

from __future__ import annotations

import time

import numpy as np

from relucheck.datasets.indicators import domain_sample, make_target
from relucheck.harness.claims import InstanceSpec
from relucheck.harness.records import CheckResult
from relucheck.models.indicators.dense_mlp import init_mlp
from relucheck.models.indicators.fourier_ball import (
    centre_partial_sum,
    centre_partial_sum_quadrature,
    window_oscillation,
)
from relucheck.solvers.minibatch_gd import StepRule, train_mlp_sgd
from relucheck.theorems.common import held_row
from relucheck.theorems.fits import loglog_slope
from relucheck.theorems.pointwise_convergence.runs import boundary_values, sweep_run
from relucheck.theorems.pointwise_convergence.spec import ETA, OFFSETS, RELATIONS, short


def check_fixed_step(spec: InstanceSpec) -> CheckResult:
    """Control: a fixed step on b violates the rule's hypothesis; detect the instability."""
    s = sweep_run(spec, StepRule(ETA, 0.0))
    run, p_hat, rho = s.run, s.p_hat, s.rho
    T, times = run.steps, run.times
    edge = (ETA * 2.0 * p_hat[None, :] * run.w).max(axis=0)
    late = times >= T / 10
    w_slope = np.array([loglog_slope(times[late], run.w[late, k]) for k in range(len(rho))])
    osc = boundary_values(run, s.probes, rho)[times >= 0.9 * T].max(axis=0)
    detected = (edge >= 1.8) & (w_slope < 0.15) & (osc >= 0.05)
    return held_row(
        RELATIONS,
        "control_fixed_step_unstable",
        bool(np.all(detected)),
        value=float(np.sum(detected)),
        tolerance=float(len(rho)),
        margin=float(np.sum(detected) - len(rho)),
        timings=s.timings,
        reason="hypothesis violated on purpose: fixed step on b; PASS = instability detected",
        data={
            "targets": [t.label for t in s.targets],
            "max_eta_2p_w": short(edge),
            "w_T": short(run.w[-1]),
            "w_stability_edge": short(1.0 / (ETA * p_hat)),
            "w_slope_last_decade": short(w_slope),
            "boundary_oscillation": short(osc),
            "detected": detected.tolist(),
            "times": times.tolist(),
            "w": short(run.w.T),
        },
    )


def check_mlp(spec: InstanceSpec) -> CheckResult:
    """Control: a dense ReLU MLP of the same ReLU depth under constant-step SGD ("no guarantee")."""
    p = spec.p
    kind, d, N, rho = p["target"]
    target = make_target(kind, d, rho, N=N, seed=0)
    depth = target.transform.depth + 1  # the tree's layers plus the head's
    X = domain_sample(p["n"], d, spec.seed)
    y = target.f(X)
    offs = np.asarray(OFFSETS[:8])
    levels = np.concatenate([rho - offs, rho + offs])
    Xp, rp = target.level_points(levels, 2, spec.seed)
    net = init_mlp(d, p["width"], depth, spec.seed)
    run = train_mlp_sgd(
        net,
        X,
        y,
        steps=p["steps"],
        batch=p["batch"],
        eta=p["eta"],
        probes=Xp,
        watch=p["watch"],
        seed=spec.seed + 1,
    )
    v = run.probe_values
    spread = v.max(axis=0) - v.min(axis=0)
    dv = np.diff(v, axis=0)
    flips = np.mean(np.sign(dv[1:]) != np.sign(dv[:-1]), axis=0)
    moving = (spread >= 1e-3) & (flips >= 0.2)
    return held_row(
        RELATIONS,
        "control_dense_mlp_oscillates",
        bool(moving.any()),
        value=float(spread.max()),
        tolerance=1e-3,
        margin=float(spread.max() - 1e-3),
        timings={"train": run.seconds},
        reason="no guarantee (control): the dense MLP's outputs at the probes keep moving; "
        "this is not a failure of the claim",
        data={
            "target": target.label,
            "relu_depth": depth,
            "width": p["width"],
            "eta": p["eta"],
            "steps": p["steps"],
            "probe_offsets": short(rp - rho),
            "range_last_steps": short(spread),
            "sign_change_fraction": short(flips),
            "moving_probes": int(moving.sum()),
            "loss_times": run.times.tolist(),
            "loss": short(run.loss),
            "watch_steps": [int(run.watch_steps[0]), int(run.watch_steps[-1])],
        },
    )


def check_fourier(spec: InstanceSpec) -> CheckResult:
    """Control: spherical Fourier partial sums at the centre converge for d ≤ 2, not d ≥ 3."""
    p = spec.p
    T_max = float(p["T_max"])
    start = time.perf_counter()
    tests = (0.7, 5.3, 41.0, 197.5)
    quad_err = 0.0
    for d in p["dims"]:
        for T in tests:
            exact = float(centre_partial_sum(d, T))
            num = centre_partial_sum_quadrature(d, T)
            quad_err = max(quad_err, abs(exact - num) / max(1.0, abs(exact)))
    highs = T_max / 2.0 ** np.arange(6)[::-1]
    osc = {d: [window_oscillation(d, h / 2, h) for h in highs] for d in p["dims"]}
    slopes = {d: loglog_slope(highs, osc[d]) for d in p["dims"]}
    verdicts = {}
    for d in p["dims"]:
        if d == 1:
            verdicts[d] = -1.2 <= slopes[d] <= -0.8
        elif d == 2:
            verdicts[d] = -0.7 <= slopes[d] <= -0.3
        else:
            verdicts[d] = osc[d][-1] >= 0.5 and slopes[d] >= -0.1
    ok = quad_err <= 1e-9 and all(verdicts.values())
    curve_T = np.linspace(0.05, min(T_max, 200.0), 2000)
    return held_row(
        RELATIONS,
        "control_fourier_centre",
        ok,
        value=min(osc[d][-1] for d in p["dims"] if d >= 3),
        tolerance=0.5,
        margin=min(osc[d][-1] for d in p["dims"] if d >= 3) - 0.5,
        timings={"fourier": time.perf_counter() - start},
        reason="contrast: PASS = convergence for d <= 2 and non-convergence for d >= 3 detected",
        data={
            "dims": list(p["dims"]),
            "quadrature_rel_error": quad_err,
            "window_high": short(highs),
            "oscillation": {str(d): short(osc[d]) for d in p["dims"]},
            "slopes": {str(d): slopes[d] for d in p["dims"]},
            "detected": {str(d): bool(v) for d, v in verdicts.items()},
            "curve_T": short(curve_T),
            "curves": {str(d): short(centre_partial_sum(d, curve_T)) for d in (1, 2, 3)},
        },
    )
