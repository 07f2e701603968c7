"""The training run the sweep and its fixed-step control share: targets, samples, probes and
one vectorized minibatch-GD run of the head (w, b) over all of an instance's targets.

Probes (per target): for every Δ in ``OFFSETS``, a point at level ρ − Δ and one at ρ + Δ,
then one on the boundary ρ, along each of ``n_dirs`` directions, and last the centre x = 0;
their levels r(x) are computed through the ReLU tree.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from relucheck.datasets.indicators import (
    IndicatorTarget,
    density_at_level,
    make_target,
    training_levels,
)
from relucheck.harness.claims import InstanceSpec
from relucheck.models.indicators.network import head
from relucheck.solvers.minibatch_gd import HeadRun, StepRule, train_heads
from relucheck.theorems.pointwise_convergence.spec import B_OFFSET, OFFSETS, W0


def targets_of(specs: tuple) -> list[IndicatorTarget]:
    """The targets of ``(kind, d, N, ρ, ...)`` tuples (extra fields ignored)."""
    return [make_target(kind, d, rho, N=N, seed=0) for kind, d, N, rho, *_ in specs]


def probe_levels(
    target: IndicatorTarget, seed: int, n_dirs: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Probe levels r(x) (computed through the tree) and signed offsets r − ρ.

    Per direction: ρ − Δ and ρ + Δ for every Δ in OFFSETS, then ρ (the boundary); last, the
    centre x = 0.
    """
    offs = np.asarray(OFFSETS)
    levels = np.concatenate([target.rho - offs, target.rho + offs, [target.rho]])
    _, r = target.level_points(levels, n_dirs, seed)
    r = np.append(r, target.r(np.zeros((1, target.d)))[0])
    return r, r - target.rho


@dataclass
class SweepRun:
    """One instance's targets, samples, probes, estimated densities p̂(ρ) and training run."""

    targets: list[IndicatorTarget]
    train: list[np.ndarray]  # training levels r(x_i), per target
    evals: list[np.ndarray]  # independent sorted evaluation levels, per target
    probes: list[tuple[np.ndarray, np.ndarray]]  # (r, r − ρ) per target
    rho: np.ndarray
    p_hat: np.ndarray
    run: HeadRun
    timings: dict[str, float]


def sweep_run(spec: InstanceSpec, rule: StepRule) -> SweepRun:
    """Data, probes and one vectorized training run over the instance's targets."""
    p = spec.p
    targets = targets_of(p["targets"])
    start = time.perf_counter()
    train = [training_levels(t, p["n"], spec.seed + 100 * k) for k, t in enumerate(targets)]
    evals = [
        np.sort(training_levels(t, p.get("n_eval", 1), spec.seed + 100 * k + 1))
        for k, t in enumerate(targets)
    ]
    probes = [probe_levels(t, spec.seed + k) for k, t in enumerate(targets)]
    rho = np.array([t.rho for t in targets])
    t_data = time.perf_counter() - start
    run = train_heads(
        train,
        rho,
        steps=p["steps"],
        batch=p["batch"],
        schedule=p.get("schedule", "random"),
        rule=rule,
        w0=W0,
        b0=rho + B_OFFSET,
        probe_levels=np.array([pr[0] for pr in probes]),
        seed=spec.seed,
    )
    return SweepRun(
        targets=targets,
        train=train,
        evals=evals,
        probes=probes,
        rho=rho,
        p_hat=np.array([density_at_level(r, t.rho) for r, t in zip(train, targets, strict=True)]),
        run=run,
        timings={"data": t_data, "train": run.seconds},
    )


def boundary_values(run: HeadRun, probes: list, rho: np.ndarray) -> np.ndarray:
    """|g_t(x_∂) − ½| at every record (R, K), worst over each target's boundary probes."""
    out = np.empty(run.w.shape)
    for k, (r, delta) in enumerate(probes):
        on = np.abs(delta) < 1e-12
        g = head(r[on][None, :], run.w[:, k : k + 1], run.b[:, k : k + 1])
        out[:, k] = np.max(np.abs(g - 0.5), axis=1)
    return out
