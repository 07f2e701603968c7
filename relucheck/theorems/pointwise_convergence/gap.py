"""PC gap regime: the finite-sample limit, claim (6) of the package docstring.

Statement (our derivation): on a sample with nearest levels r₋ ≤ ρ < r₊ (G = r₊ − r₋), the
threshold b enters the gap (r₋, r₊) in finite time and stays; on a grid (w, b) converges to
the corner (1/G, (r₋ + r₊)/2); the loss is never exactly 0; the boundary value tends to
½ + (mid − ρ)/G.

Instances: ``gap`` (``instances.GAP_TARGETS``: two coarse 1-D grids, one with ρ off the
gap's midpoint, a 2-D box grid, and a random sample with a margin around the boundary).

Checks: ``limit_in_sample_gap`` (every target), ``gap_corner_limit`` (grid targets).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from relucheck.datasets.indicators import training_levels
from relucheck.harness.claims import InstanceSpec
from relucheck.harness.records import CheckResult
from relucheck.models.indicators.network import head
from relucheck.solvers.minibatch_gd import HeadRun, StepRule, train_heads
from relucheck.theorems.common import held_row
from relucheck.theorems.pointwise_convergence.runs import targets_of
from relucheck.theorems.pointwise_convergence.spec import (
    B_OFFSET,
    ETA,
    GAP_TOL,
    RELATIONS,
    W0,
    short,
)


def check_gap(spec: InstanceSpec) -> list[CheckResult]:
    """Samples with a gap around ρ: b enters the gap and (grids) reaches its corner limit."""
    p = spec.p
    start = time.perf_counter()
    targets = targets_of(p["targets"])
    train = [
        training_levels(t, n, spec.seed + k, method=method, margin=margin)
        for k, (t, (*_, method, n, margin)) in enumerate(zip(targets, p["targets"], strict=True))
    ]
    rho = np.array([t.rho for t in targets])
    t_data = time.perf_counter() - start
    run = train_heads(
        train,
        rho,
        steps=p["steps"],
        batch=p["batch"],
        schedule=p["schedule"],
        rule=StepRule(ETA, 3.0),
        w0=W0,
        b0=rho + B_OFFSET,
        track_gap=True,
        seed=spec.seed,
    )
    facts = {
        "targets": [t.label for t in targets],
        "sampling": [spec_[4] for spec_ in p["targets"]],
        "n": [len(r) for r in train],
        **_gap_facts(run, train, rho),
    }
    timings = {"data": t_data, "train": run.seconds}
    grid = np.array([spec_[4] == "grid" for spec_ in p["targets"]])
    return [in_gap_row(run, timings, facts), corner_row(run, grid, facts)]


def _gap_facts(run: HeadRun, train: list[np.ndarray], rho: np.ndarray) -> dict[str, Any]:
    """Where b entered the gap, (w G, (b − mid)/G) along the run, loss and boundary value."""
    r_minus, r_plus = run.gap[:, 0], run.gap[:, 1]
    G = r_plus - r_minus
    mid = 0.5 * (r_minus + r_plus)
    loss_T = [
        float(np.mean((head(r, run.w[-1, k], run.b[-1, k]) - (r <= rho[k])) ** 2))
        for k, r in enumerate(train)
    ]
    return {
        "gap": short(run.gap),
        "tau_b_in_gap": (run.last_outside_gap + 1).tolist(),
        "w_T_times_G": short(run.w[-1] * G),
        "b_T_minus_mid_over_G": short((run.b[-1] - mid) / G),
        "loss_T": short(loss_T),
        "first_exact_fit": run.first_exact_fit.tolist(),
        "boundary_value_T": short(head(rho, run.w[-1], run.b[-1])),
        "boundary_value_limit": short(0.5 + (mid - rho) / G),
        "times": run.times.tolist(),
        "wG": short((run.w * G).T),
        "b_rel": short(((run.b - mid) / G).T),
    }


def in_gap_row(run: HeadRun, timings: dict[str, float], facts: dict[str, Any]) -> CheckResult:
    """b_t ∈ (r₋, r₊) for every step from a finite step τ_b < T on, for every target."""
    T = run.steps
    tau_b = run.last_outside_gap + 1
    return held_row(
        RELATIONS,
        "limit_in_sample_gap",
        bool(np.all(tau_b < T)),
        value=float(tau_b.max()),
        tolerance=float(T),
        margin=float(T - tau_b.max()),
        timings=timings,
        data=facts,
    )


def corner_row(run: HeadRun, grid: np.ndarray, facts: dict[str, Any]) -> CheckResult:
    """Grid samples: |w_T G − 1| ≤ 1e-2 and |b_T − mid| ≤ 1e-2 G."""
    r_minus, r_plus = run.gap[:, 0], run.gap[:, 1]
    G = r_plus - r_minus
    mid = 0.5 * (r_minus + r_plus)
    dev = np.maximum(np.abs(run.w[-1] * G - 1.0), np.abs(run.b[-1] - mid) / G)[grid]
    worst = float(dev.max())
    return held_row(
        RELATIONS,
        "gap_corner_limit",
        worst <= GAP_TOL,
        value=worst,
        tolerance=GAP_TOL,
        margin=GAP_TOL - worst,
        data=facts,
    )
