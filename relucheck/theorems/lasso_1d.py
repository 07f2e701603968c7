"""LASSO-1D — one-dimensional weight-decay training is a Lasso (claims.md, LASSO-1D).

Statement (Zeger & Pilanci survey, arXiv 2603.23831; arXiv 2403.01046): for scalar inputs
x_1..x_n, training the network f(x) = Σ_k v_k σ(w_k x − b_k) + ξ with weight decay
(β/2)Σ_k(v_k² + w_k²) (inner biases b_k and the output bias ξ unregularized, no skip term;
relucheck/models/univariate/skip_network.py with skip=False) has the same optimal value as

    min_{z, ξ} ½‖A z + ξ1 − y‖² + β‖z‖₁,    A = [σ(x − x_j), σ(x_j − x)]_{j≤n}.

Why breakpoints at the data suffice (the reason the dense-grid check must agree): on the
data, a ramp with its kink strictly between two consecutive data points is the convex
combination of the two ramps at those points (same ℓ1 weight), and a kink outside
[x_1, x_n] is a data ramp plus a constant (absorbed by ξ) or zero.

Instances: sorted uniform x on [−1, 1], y = sin 3x + ½|x| + noise (relucheck/datasets),
β a fraction of β_max = ‖AᵀPy‖_∞ (the smallest β at which z = 0 is optimal).

Checks (relation and tolerance in each row):
  lasso_certified        data-breakpoint Lasso: 0 ≤ (upper − our dual lower)/upper ≤ 1e-6
                         (−1e-12 allowed for round-off)
  dual_bound_sound       weak duality away from the optimum: the bound built from the zero
                         fit's residual and from every training run's residual is ≤ the
                         Lasso's value (+1e-12 rel); a bound that forgets its scaling
                         s = min(1, β/‖AᵀPr‖_∞) is exact at the optimum but not here
  reconstruction_attains the network built from the Lasso solution has the Lasso's value
  nonconvex_above_lasso  EVERY training run (all restarts) ≥ certified Lasso lower − 1e-6 rel
  best_restart_close     best run within 1e-2 rel of the Lasso (soft: INCONCLUSIVE if not)
  dense_grid_same        a dense breakpoint grid containing the data (and reaching outside
                         [x_1, x_n]) gives the same certified value, within 1e-6 rel
Negative controls (PASS = the violation was detected):
  control_midpoints      breakpoints only at midpoints: certified lower > data upper + tol
  control_drop_one       the data breakpoint with the largest kink of the optimal fit
                         removed: certified lower > data upper + tol
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from relucheck.datasets import generators
from relucheck.harness.claims import Claim, InstanceSpec, RunOptions
from relucheck.harness.records import CheckResult, Verdict
from relucheck.harness.records import skipped as skipped_row
from relucheck.models.univariate import ramp_lasso as rl
from relucheck.models.univariate import skip_network as sn
from relucheck.models.univariate.splines import knots as spline_knots
from relucheck.models.univariate.splines import slope_changes
from relucheck.solvers.backends import SolverUnavailable
from relucheck.solvers.lasso_1d import RampLassoSolution, solve_ramp_lasso
from relucheck.solvers.skip_train_1d import train_skip_network
from relucheck.theorems.common import (
    REL_TOL,
    SOFT_TOL,
    at_most_row,
    held_row,
    inconclusive_row,
    padded_grid,
)

CLAIM_ID = "LASSO-1D"
ROUNDING = 1e-12  # weak duality: lower <= upper up to round-off

#: The relation each check is held to, stated once and reused by every row.
RELATIONS = {
    "lasso_certified": "-1e-12 <= (lasso_upper - dual_lower)/lasso_upper <= 1e-6",
    "dual_bound_sound": "max over r in {y, y - f_run} of lower(r) <= lasso_upper + 1e-12 rel",
    "reconstruction_attains": "|F(network from z) - lasso_value| <= 1e-6*|lasso_value|",
    "nonconvex_above_lasso": "min over all runs >= lasso_lower - 1e-6*|lasso_value|",
    "best_restart_close": "(best run - lasso_value)/lasso_value <= 1e-2",
    "dense_grid_same": "|v_dense - v_data| <= 1e-6*|v_data| + both certified gaps",
    "control_midpoints": "lower(midpoint breakpoints) > upper(data breakpoints) + 1e-6 rel",
    "control_drop_one": "lower(data minus one kink) > upper(data breakpoints) + 1e-6 rel",
}
CHECK_IDS = tuple(RELATIONS)


# --------------------------------------------------------------------------- instances


def instances(profile: str) -> list[InstanceSpec]:
    """Quick: three small instances (n ≤ 15, width 2n, 6 restarts). Full: larger n."""
    quick = profile == "quick"
    train = {"restarts": 6, "adam_steps": 2000} if quick else {"restarts": 10, "adam_steps": 6000}
    make = InstanceSpec.make
    grid = [
        make(CLAIM_ID, "1d-n10", 31, n=10, beta_frac=0.05, **train),
        make(CLAIM_ID, "1d-n12", 32, n=12, beta_frac=0.02, **train),
        make(CLAIM_ID, "1d-n15", 33, n=15, beta_frac=0.1, **train),
    ]
    if not quick:
        grid += [
            make(CLAIM_ID, "1d-n25", 34, n=25, beta_frac=0.02, **train),
            make(CLAIM_ID, "1d-n40", 35, n=40, beta_frac=0.01, **train),
        ]
    return grid


def load_data(spec: InstanceSpec) -> tuple[np.ndarray, np.ndarray, str]:
    """Scalar x (sorted), y and a description, from the instance's seed."""
    data = generators.one_dimensional(spec.p["n"], spec.seed)
    return data.X[:, 0], data.y, "1-D x on [-1,1], y = sin 3x + |x|/2 + noise"


# ------------------------------------------------------------------------------ checks


def check(spec: InstanceSpec, options: RunOptions) -> list[CheckResult]:
    """Every LASSO-1D check and control on one instance."""
    p = spec.p
    x, y, description = load_data(spec)
    n = x.shape[0]
    A = rl.ramp_dictionary(x, np.unique(x))
    B = rl.free_basis(x, skip=False)
    beta = p["beta_frac"] * rl.beta_max(A, B, y)
    facts: dict[str, Any] = {"n": n, "beta": beta, "data": description}
    try:
        sol = solve_ramp_lasso(x, y, beta, solver=options.solver)
    except SolverUnavailable as exc:
        return [skipped(c, str(exc)) for c in CHECK_IDS]
    solver_facts = sol.result.facts()
    if not sol.result.accurate:
        reason = f"Lasso solve inaccurate (status {sol.result.status})"
        return [
            inconclusive_row(RELATIONS, c, reason, solver=solver_facts, data=facts)
            for c in CHECK_IDS
        ]
    facts["lasso_value"] = sol.objective
    facts["lasso_lower"] = sol.lower
    rows = [check_certified(sol, facts), check_reconstruction(x, y, beta, sol, facts)]

    start = time.perf_counter()
    run = train_skip_network(
        x[:, None],
        y,
        beta,
        width=2 * n,
        restarts=p["restarts"],
        seed=spec.seed,
        skip=False,
        adam_steps=p["adam_steps"],
    )
    seconds = time.perf_counter() - start
    rows += check_training(x, y, sol, run, seconds, facts)
    rows.append(check_dual_sound(x, y, beta, sol, run, facts))
    rows.append(check_dense_grid(x, y, beta, sol, options, facts))
    rows.append(control_midpoints(x, y, beta, sol, options, facts))
    rows.append(control_drop_one(x, y, beta, sol, options, facts))
    for row in rows:
        row.solver = row.solver or solver_facts
    return rows


def skipped(check_id: str, reason: str) -> CheckResult:
    """A SKIPPED row for one of this claim's checks, with its relation."""
    return skipped_row(check_id, RELATIONS[check_id], reason)


def check_certified(sol: RampLassoSolution, facts: dict[str, Any]) -> CheckResult:
    """The data-breakpoint Lasso optimum, certified by our own dual point."""
    gap = sol.gap
    # A lower bound above the value it bounds means the dual point was not feasible (e.g.
    # the free bias was ignored): that is a FAIL, not a small gap.
    return held_row(
        RELATIONS,
        "lasso_certified",
        -ROUNDING <= gap <= REL_TOL,
        value=gap,
        tolerance=REL_TOL,
        margin=REL_TOL - gap,
        timings=dict(sol.timings),
        data={**facts, "dual_scale": sol.certificate.scale, "gauge": sol.certificate.gauge},
    )


def check_reconstruction(x, y, beta, sol: RampLassoSolution, facts) -> CheckResult:
    """The Lasso solution as a network (no skip, free output bias) has the same objective."""
    net = rl.lasso_to_network(sol.breakpoints, sol.z, sol.gamma, skip=False)
    value = sn.objective(x[:, None], y, net, beta)
    err = abs(value - sol.objective) / abs(sol.objective)
    return at_most_row(
        RELATIONS,
        "reconstruction_attains",
        err,
        REL_TOL,
        data={**facts, "network_objective": value, "neurons": net.width},
    )


def check_dual_sound(x, y, beta, sol: RampLassoSolution, run, facts) -> CheckResult:
    """The certified bound from residuals far from optimal never exceeds the Lasso's value.

    Weak duality holds for every residual r once ν = s·P r is scaled into the feasible set,
    so ``lower(r) ≤ p* ≤ lasso_upper`` for all of them. At the optimum the scale is ≈ 1 and
    an unscaled bound looks right; the zero fit (‖AᵀPy‖_∞ = β/beta_frac > β) and the
    training runs' fits are where the scaling matters.
    """
    A = rl.ramp_dictionary(x, sol.breakpoints, both=sol.both)
    B = rl.free_basis(x, skip=False)
    residuals = {"zero_fit": np.asarray(y, dtype=float)}
    for k, net in enumerate(run.params):
        residuals[f"run_{k}"] = y - sn.forward(x[:, None], net)
    certs = {name: rl.certificate(A, B, y, beta, r) for name, r in residuals.items()}
    worst = max(certs, key=lambda name: certs[name].lower)
    excess = (certs[worst].lower - sol.objective) / abs(sol.objective)
    return held_row(
        RELATIONS,
        "dual_bound_sound",
        excess <= ROUNDING,
        value=excess,
        tolerance=ROUNDING,
        margin=ROUNDING - excess,
        data={
            **facts,
            "worst_residual": worst,
            "lowers": {name: c.lower for name, c in certs.items()},
            "scales": {name: c.scale for name, c in certs.items()},
        },
    )


def check_training(x, y, sol: RampLassoSolution, run, seconds: float, facts) -> list[CheckResult]:
    """Hard: every run ≥ certified lower bound − tol. Soft: best run within 1e-2."""
    finals = np.asarray(run.final_values, dtype=float)
    worst = float(finals.min())
    tol = REL_TOL * abs(sol.objective)
    best = run.params[int(np.argmin(finals))]
    excess = (worst - sol.objective) / abs(sol.objective)
    grid = padded_grid(x)
    exact_on_grid = sol.evaluate(grid)
    knots = spline_knots(x, sol.fitted, rel_tol=1e-5)
    data = {
        **facts,
        "finals": finals.tolist(),
        "width": int(best.width),
        "x": x.tolist(),
        "y": y.tolist(),
        "grid": grid.tolist(),
        "exact_on_grid": exact_on_grid.tolist(),
        "net_on_grid": sn.forward(grid[:, None], best).tolist(),
        "knots": knots.tolist(),
        "net_kinks": (best.b / np.where(best.W[0] == 0, np.nan, best.W[0])).tolist(),
    }
    hard = held_row(
        RELATIONS,
        "nonconvex_above_lasso",
        worst >= sol.lower - tol,
        value=worst,
        tolerance=tol,
        margin=worst - (sol.lower - tol),
        timings={"train": seconds},
        data=data,
    )
    ok = excess <= SOFT_TOL
    soft = CheckResult(
        "best_restart_close",
        Verdict.PASS if ok else Verdict.INCONCLUSIVE,
        RELATIONS["best_restart_close"],
        value=excess,
        tolerance=SOFT_TOL,
        margin=SOFT_TOL - excess,
        timings={"train": seconds},
        reason="" if ok else "local optimizer stalled above the Lasso optimum (soft check)",
        data={"lasso_value": sol.objective, "best": worst},
    )
    return [hard, soft]


def check_dense_grid(x, y, beta, sol: RampLassoSolution, options, facts) -> CheckResult:
    """Breakpoints on a dense grid (data included, reaching outside the data): same value."""
    span = x.max() - x.min()
    grid = np.linspace(x.min() - 0.25 * span, x.max() + 0.25 * span, 10 * x.shape[0])
    t = np.union1d(x, grid)
    dense = solve_ramp_lasso(x, y, beta, t, solver=options.solver)
    data = {
        **facts,
        "breakpoints": int(t.shape[0]),
        "dense_value": dense.objective,
        "dense_lower": dense.lower,
    }
    if not dense.result.accurate:
        reason = f"dense-grid solve inaccurate (status {dense.result.status})"
        return inconclusive_row(
            RELATIONS, "dense_grid_same", reason, solver=dense.result.facts(), data=data
        )
    diff = abs(dense.objective - sol.objective)
    allowed = (
        REL_TOL * abs(sol.objective) + (sol.objective - sol.lower) + (dense.objective - dense.lower)
    )
    return held_row(
        RELATIONS,
        "dense_grid_same",
        diff <= allowed,
        value=diff / abs(sol.objective),
        tolerance=allowed / abs(sol.objective),
        margin=(allowed - diff) / abs(sol.objective),
        timings=dict(dense.timings),
        solver=dense.result.facts(),
        data=data,
    )


def _strictly_above(check_id: str, restricted, sol, extra, facts) -> CheckResult:
    data = {
        **facts,
        **extra,
        "restricted_value": restricted.objective,
        "restricted_lower": restricted.lower,
        "excess": (restricted.objective - sol.objective) / abs(sol.objective),
    }
    tol = REL_TOL * abs(sol.objective)
    margin = restricted.lower - (sol.objective + tol)
    if margin <= 0 and not restricted.result.accurate:
        reason = f"restricted solve inaccurate (status {restricted.result.status})"
        return inconclusive_row(
            RELATIONS, check_id, reason, solver=restricted.result.facts(), data=data
        )
    return held_row(
        RELATIONS,
        check_id,
        margin > 0,
        value=restricted.lower,
        tolerance=tol,
        margin=margin,
        timings=dict(restricted.timings),
        solver=restricted.result.facts(),
        data=data,
    )


def control_midpoints(x, y, beta, sol: RampLassoSolution, options, facts) -> CheckResult:
    """Breakpoints only at midpoints between data: a strictly larger certified value."""
    u = np.unique(x)
    mids = 0.5 * (u[1:] + u[:-1])
    restricted = solve_ramp_lasso(x, y, beta, mids, solver=options.solver)
    return _strictly_above("control_midpoints", restricted, sol, {"breakpoints": len(mids)}, facts)


def control_drop_one(x, y, beta, sol: RampLassoSolution, options, facts) -> CheckResult:
    """Drop the interior data breakpoint where the optimal fit kinks most: strictly larger.

    Why strictly: the optimal fitted values θ* are unique (the loss is strictly convex in
    the fit), and without a breakpoint in (x_{j−1}, x_{j+1}) every fit is linear there, so
    θ* with a kink at x_j is out of reach.
    """
    u = np.unique(x)
    kinks = slope_changes(x, sol.fitted)
    j = int(np.argmax(np.abs(kinks))) + 1  # interior index into u
    t = np.delete(u, j)
    restricted = solve_ramp_lasso(x, y, beta, t, solver=options.solver)
    extra = {"dropped": float(u[j]), "kink_there": float(kinks[j - 1])}
    return _strictly_above("control_drop_one", restricted, sol, extra, facts)


# ----------------------------------------------------------------------------- figures


def figures(df, out_dir: Path) -> list[Path]:
    """Trained network vs the exact Lasso spline, knots marked, one panel per instance."""
    import matplotlib.pyplot as plt

    from relucheck.harness.figdata import payloads as stored
    from relucheck.harness.figstyle import paper_style, save_figure

    payloads = [(nm, d) for nm, d in stored(df, CLAIM_ID, "nonconvex_above_lasso") if "grid" in d]
    if not payloads:
        return []
    cols = min(3, len(payloads))
    nrows = int(np.ceil(len(payloads) / cols))
    with paper_style():
        fig, axes = plt.subplots(nrows, cols, figsize=(2.3 * cols, 1.9 * nrows), squeeze=False)
        for ax, (name, d) in zip(axes.flat, payloads, strict=False):
            ax.plot(d["grid"], d["exact_on_grid"], "-", color="C0", label="exact Lasso spline")
            ax.plot(d["grid"], d["net_on_grid"], "--", color="C1", label="trained net")
            ax.plot(d["x"], d["y"], "o", color="0.3", ms=2.5, label="data")
            for k in d["knots"]:
                ax.axvline(k, color="C2", lw=0.5, ls=":")
            ax.set_title(f"{name}: {len(d['knots'])} knots")
            ax.set_xlabel("x")
        for ax in axes.flat[len(payloads) :]:
            ax.set_visible(False)
        axes.flat[0].legend(loc="best")
        fig.suptitle("1-D weight-decay training vs the data-breakpoint Lasso")
        paths = save_figure(fig, out_dir, "lasso1d_fits")
    return paths


CLAIM = Claim(
    id=CLAIM_ID,
    title="One-dimensional training is a Lasso",
    citation="Zeger & Pilanci, Unveiling Hidden Convexity in Deep Learning (arXiv 2603.23831); "
    "Zeger, Wang, Pilanci et al. (arXiv 2403.01046)",
    statement="For scalar inputs, weight-decay training of a two-layer ReLU net with an "
    "unregularized output bias equals the Lasso over ramps sigma(x - x_j), sigma(x_j - x) "
    "with breakpoints at the data; denser breakpoints do not lower the value.",
    check_ids=CHECK_IDS,
    instances=instances,
    check=check,
    figures=figures,
    own_derivation="The certified lower bound (residual projected off the free bias, scaled "
    "into the dual-feasible set) and the strictness argument of the drop-one control are "
    "this project's derivations; see relucheck/models/univariate/ramp_lasso.py.",
    budget_seconds=120.0,
)
