"""SR 2 — one dimension: weight decay is TV(f') and training is trend filtering (kinds
``one_d`` and ``interpolation``).

Statement (Savarese et al. 2019; Parhi & Nowak): for scalar x with free biases and skip term,
the weight-decay minimum equals the trend-filtering optimum min_θ ½‖θ − y‖² + λ·TV(θ'), and
every global minimizer is balanced, kinks only inside [x_1, x_n], and reduces to at most
n − 2 neurons. The least interpolation cost is T = ‖Dy‖₁ with a skip connection and
max(T, (T + |s_1 + s_{n−1}|)/2) without one.

Instances: y = sin 3x + |x|/2 + noise on sorted x ∈ [−1, 1] (``one_d``: λ a fraction of
the λ at which the fit is a line; ``interpolation``: the same data and a convex exp(2x)).
Checks (``one_d``): ``tv_exact_certified``, ``nn_above_opt``, ``nn_close_opt`` (soft),
``fitted_values_agree``, ``balance_near_optimum``, ``knot_structure``; control
``control_lambda_tenth`` (a net trained at λ/10 is detected as suboptimal at λ).
Checks (``interpolation``): ``interpolation_costs``; control ``control_skip_formula`` (the
skip formula T is detected as wrong for a network without skip on convex data).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from relucheck.datasets import generators
from relucheck.harness.claims import InstanceSpec, RunOptions
from relucheck.harness.records import CheckResult, Verdict
from relucheck.models.univariate import skip_network as sn
from relucheck.models.univariate import splines as sp
from relucheck.models.univariate.skip_reduction import Reduction, active_width, reduce_network
from relucheck.solvers.backends import SolverUnavailable
from relucheck.solvers.lasso_1d import min_norm_interpolation
from relucheck.solvers.skip_train_1d import train_skip_network
from relucheck.solvers.trend_filter_1d import (
    TrendFilterSolution,
    trend_filter_cvxpy,
    trend_filter_exact,
)
from relucheck.theorems.common import REL_TOL, SOFT_TOL, padded_grid
from relucheck.theorems.sparse_regularization.spec import (
    CHECKS_BY_KIND,
    EXACT_TOL,
    RELATIONS,
    inconclusive,
    row,
    skipped_row,
)

# -------------------------------------------------------------------------- instances


def one_d_data(spec: InstanceSpec) -> tuple[np.ndarray, np.ndarray]:
    """Sorted scalar x on [−1, 1] and y = sin 3x + |x|/2 + noise (relucheck/datasets)."""
    data = generators.one_dimensional(spec.p["n"], spec.seed)
    return data.X[:, 0], data.y


def tv_lambda_max(x: np.ndarray, y: np.ndarray) -> float:
    """‖(DDᵀ)⁻¹Dy‖_∞: the smallest λ at which the trend-filtering fit is a line."""
    D = sp.difference_operator(x)
    return float(np.max(np.abs(np.linalg.solve(D @ D.T, D @ y))))


def outside_path_weight(x: np.ndarray, net: sn.SkipNet) -> float:
    """Σ|v_k||w_k| over neurons whose kink b_k/w_k lies outside [x_1, x_n] (or w_k = 0)."""
    w = net.W[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        kink = np.where(w != 0, net.b / w, np.inf)
    outside = (kink < x.min()) | (kink > x.max())
    return float(np.sum(np.abs(net.v[outside] * w[outside])))


# ------------------------------------------------------------------- checks: one_d


@dataclass(frozen=True)
class TrainedFit:
    """One ``one_d`` instance after training: the data, λ, the certified trend-filtering
    optimum and its knots, every run's final objective, the best run and its reduction."""

    x: np.ndarray
    y: np.ndarray
    lam: float
    exact: TrendFilterSolution
    knots: np.ndarray
    finals: np.ndarray
    best: sn.SkipNet
    red: Reduction
    seconds: float  # training time
    facts: dict[str, Any]

    @property
    def F_best(self) -> float:
        return float(self.finals.min())


def check_one_d(spec: InstanceSpec, options: RunOptions) -> list[CheckResult]:
    """SR 2: trained 1-D networks against exact trend filtering."""
    p = spec.p
    x, y = one_d_data(spec)
    n = x.shape[0]
    lam = p["lam_frac"] * tv_lambda_max(x, y)
    facts: dict[str, Any] = {"n": n, "lam": lam}
    exact = trend_filter_exact(x, y, lam)
    rows = [tv_exact_row(x, y, lam, exact, facts, options)]
    if exact.gap > EXACT_TOL:  # everything below compares against a certified optimum
        reason = f"exact trend filtering not certified (gap {exact.gap:.2e})"
        return rows + [inconclusive(c, reason) for c in CHECKS_BY_KIND["one_d"][1:]]

    start = time.perf_counter()
    X1 = x[:, None]
    run = train_skip_network(
        X1, y, lam, width=2 * n, restarts=p["restarts"], seed=spec.seed, adam_steps=p["adam_steps"]
    )
    seconds = time.perf_counter() - start
    finals = np.asarray(run.final_values, dtype=float)
    best = run.params[int(np.argmin(finals))]
    fit = TrainedFit(
        x=x,
        y=y,
        lam=lam,
        exact=exact,
        knots=sp.knots(x, exact.theta, rel_tol=1e-8),
        finals=finals,
        best=best,
        red=reduce_network(X1, best, skip=True),
        seconds=seconds,
        facts=facts,
    )
    rows += optimality_rows(fit)
    rows.append(knot_structure_row(fit))
    rows.append(control_lambda_tenth(spec, X1, y, lam, exact.objective, facts))
    return rows


def tv_exact_row(
    x: np.ndarray,
    y: np.ndarray,
    lam: float,
    exact: TrendFilterSolution,
    facts: dict[str, Any],
    options: RunOptions,
) -> CheckResult:
    """The exact method's certificate, cross-checked by the conic program (SKIPPED without)."""
    try:
        conic = trend_filter_cvxpy(x, y, lam, solver=options.solver)
    except SolverUnavailable as exc:
        return skipped_row("tv_exact_certified", str(exc))
    agree = abs(conic.objective - exact.objective) / abs(exact.objective)
    ok = -1e-12 <= exact.gap <= EXACT_TOL and agree <= REL_TOL
    result = row(
        "tv_exact_certified",
        ok,
        value=exact.gap,
        tolerance=EXACT_TOL,
        margin=EXACT_TOL - exact.gap,
        solver=conic.result.facts(),
        timings={"exact": exact.timings["solve"], "cvxpy": conic.timings["solve"]},
        data={**facts, "opt": exact.objective, "lower": exact.lower, "cvxpy_rel_diff": agree},
    )
    if not ok and not conic.result.accurate and exact.gap <= EXACT_TOL:
        result = inconclusive(
            "tv_exact_certified", "conic cross-check inaccurate", data=result.data
        )
    return result


def optimality_rows(fit: TrainedFit) -> list[CheckResult]:
    """Every run above the certified optimum, the best one close to it, its fitted values
    within the strong-convexity radius and its neurons near-balanced."""
    x, exact, best, finals, F_best = fit.x, fit.exact, fit.best, fit.finals, fit.F_best
    opt, lower = exact.objective, exact.lower
    tol = REL_TOL * abs(opt)
    grid = padded_grid(x)
    red = fit.red
    red_kinks = (red.net.b / red.net.W[0]).tolist() if red.width_after else []
    fit_data = {
        **fit.facts,
        "opt": opt,
        "finals": finals.tolist(),
        "x": x.tolist(),
        "y": fit.y.tolist(),
        "grid": grid.tolist(),
        "exact_on_grid": sp.evaluate_spline(x, exact.theta, grid).tolist(),
        "net_on_grid": sn.forward(grid[:, None], best).tolist(),
        "knots": fit.knots.tolist(),
        "reduced_knots": red_kinks,
    }
    rows = [
        row(
            "nn_above_opt",
            float(finals.min()) >= lower - tol,
            value=float(finals.min()),
            tolerance=tol,
            margin=float(finals.min()) - (lower - tol),
            timings={"train": fit.seconds},
            data=fit_data,
        )
    ]
    excess = (F_best - opt) / abs(opt)
    rows.append(
        CheckResult(
            "nn_close_opt",
            Verdict.PASS if excess <= SOFT_TOL else Verdict.INCONCLUSIVE,
            RELATIONS["nn_close_opt"],
            value=excess,
            tolerance=SOFT_TOL,
            margin=SOFT_TOL - excess,
            reason="" if excess <= SOFT_TOL else "optimizer stalled above the optimum (soft)",
            data={"opt": opt, "best": F_best},
        )
    )
    theta_nn = sn.forward(x[:, None], best)
    dist = float(np.linalg.norm(theta_nn - exact.theta))
    allowed = float(np.sqrt(2.0 * max(F_best - lower, 0.0))) + 1e-9
    rows.append(
        row(
            "fitted_values_agree",
            dist <= allowed,
            value=dist,
            tolerance=allowed,
            margin=allowed - dist,
            data={
                "distance": dist,
                "bound": allowed,
                "relative": dist / np.linalg.norm(exact.theta),
            },
        )
    )
    imbalance = 0.5 * fit.lam * float(np.sum((np.abs(best.v) - np.abs(best.W[0])) ** 2))
    slack = F_best - lower + 1e-9
    rows.append(
        row(
            "balance_near_optimum",
            imbalance <= slack,
            value=imbalance,
            tolerance=slack,
            margin=slack - imbalance,
            data={"imbalance_cost": imbalance, "suboptimality": F_best - lower},
        )
    )
    return rows


def knot_structure_row(fit: TrainedFit) -> CheckResult:
    """Little weight on kinks outside [x_1, x_n]; the exact reduction leaves ≤ n − 2 neurons."""
    x, best, red, F_best, lower = fit.x, fit.best, fit.red, fit.F_best, fit.exact.lower
    F_red = sn.objective(x[:, None], fit.y, red.net, fit.lam)
    slack = F_best - lower + 1e-9
    outside = fit.lam * outside_path_weight(x, best)
    bound = x.shape[0] - 2
    structure_ok = (
        outside <= slack and red.width_after <= bound and F_red <= F_best + 1e-9 * abs(F_best)
    )
    return row(
        "knot_structure",
        structure_ok,
        value=float(red.width_after),
        tolerance=float(bound),
        margin=float(bound - red.width_after),
        data={
            **fit.facts,
            "d": 1,
            "lam_outside_path": outside,
            "suboptimality": F_best - lower,
            "width_trained": int(best.width),
            "active_trained": active_width(best),
            "width_reduced": red.width_after,
            "bound": bound,
            "canonical_knots": int(fit.knots.shape[0]),
            "F_trained": F_best,
            "F_reduced": F_red,
        },
    )


# ------------------------------------------------------------------ control: one_d


def control_lambda_tenth(spec, X1, y, lam, opt, facts) -> CheckResult:
    """Train at λ/10, balance, evaluate at λ: detected as more than 1e-2 above the optimum."""
    p = spec.p
    run = train_skip_network(
        X1, y, lam / 10, width=2 * X1.shape[0], restarts=2, seed=spec.seed + 1,
        adam_steps=p["adam_steps"],
    )  # fmt: skip
    net = run.params[int(np.argmin(run.final_values))]
    net = sn.rescale(net, sn.balancing_factors(net))  # the best rescaling for any λ
    value = sn.objective(X1, y, net, lam)
    excess = (value - opt) / abs(opt)
    return row(
        "control_lambda_tenth",
        excess > SOFT_TOL,
        value=excess,
        tolerance=SOFT_TOL,
        margin=excess - SOFT_TOL,
        data={**facts, "F_at_lam": value, "opt": opt},
    )


# ------------------------------------------------- checks and control: interpolation


def check_interpolation(spec: InstanceSpec, options: RunOptions) -> list[CheckResult]:
    """Least interpolation costs with and without skip, against certified LPs."""
    x, y_mixed = one_d_data(spec)
    y_convex = np.exp(2.0 * x)  # convex and increasing: |s_1 + s_{n−1}| > T
    data: dict[str, Any] = {"n": int(x.shape[0])}
    worst, ok, inaccurate = 0.0, True, False
    try:
        for label, y in (("mixed", y_mixed), ("convex", y_convex)):
            T = sp.total_slope_change(x, y)
            formula = sp.no_skip_interpolation_cost(x, y)
            with_skip = min_norm_interpolation(x, y, skip=True, solver=options.solver)
            no_skip = min_norm_interpolation(x, y, skip=False, solver=options.solver)
            canonical = sp.spline_to_network(x, y)
            canon_ok = np.allclose(sn.forward(x[:, None], canonical), y, rtol=0, atol=1e-10)
            canon_cost = sn.path_norm(canonical)
            for name, lp, target in (("skip", with_skip, T), ("no_skip", no_skip, formula)):
                err = abs(lp.upper - target) / abs(target)
                inside = lp.lower - REL_TOL * target <= target <= lp.upper + REL_TOL * target
                ok &= err <= REL_TOL and inside
                inaccurate |= not lp.result.accurate
                worst = max(worst, err)
                data[f"{label}_{name}"] = {
                    "lp_lower": lp.lower,
                    "lp_upper": lp.upper,
                    "formula": target,
                }
            ok &= canon_ok and abs(canon_cost - T) <= 1e-9 * max(T, 1.0)
            data[f"{label}_T"] = T
            data[f"{label}_end_slopes_sum"] = float(abs(sp.slopes(x, y)[0] + sp.slopes(x, y)[-1]))
            data[f"{label}_canonical_cost"] = canon_cost
            if label == "convex":
                convex_no_skip, convex_T = no_skip, T
    except SolverUnavailable as exc:
        return [skipped_row(c, str(exc)) for c in CHECKS_BY_KIND["interpolation"]]
    costs = row(
        "interpolation_costs", ok, value=worst, tolerance=REL_TOL, margin=REL_TOL - worst, data=data
    )
    if not ok and inaccurate:
        costs = inconclusive("interpolation_costs", "an LP solve was inaccurate", data=data)
    gap = convex_no_skip.lower - convex_T * (1 + REL_TOL)
    control = row(
        "control_skip_formula",
        gap > 0,
        value=convex_no_skip.lower,
        tolerance=REL_TOL * convex_T,
        margin=gap,
        data={"T": convex_T, "no_skip_lower": convex_no_skip.lower},
    )
    return [costs, control]
