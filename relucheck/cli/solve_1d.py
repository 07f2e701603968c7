"""``relucheck solve lasso-1d`` and ``relucheck solve tv1d``: exact 1-D optima with knots.

    relucheck solve lasso-1d --x x.npy --y y.npy --beta B [--solver S] [--json]
    relucheck solve tv1d --x x.npy --y y.npy --lam L [--no-skip] [--method exact|cvxpy]
        [--solver S] [--json]

``lasso-1d`` (claims.md LASSO-1D): min_{z,ξ} ½‖Az + ξ1 − y‖² + β‖z‖₁ over the ramps
σ(x − x_j), σ(x_j − x) at the data: the optimum of weight-decay training of a two-layer
ReLU network with a free output bias and no skip connection.

``tv1d`` (claims.md SR 2): with a skip connection, trend filtering on unequal spacing
min_θ ½‖y − θ‖² + λ‖Dθ‖₁ (= weight-decay training with penalty λ·TV(f′)); solved by the
exact dual active-set method by default (``--method cvxpy`` for the conic program).
``--no-skip`` solves the network without the skip term, which is the ramp Lasso with β = λ.

Every value comes with a lower bound from a dual point the project checks itself, and
``certified_gap`` = (value − lower)/value. Knots are the points where the optimal spline
kinks (by more than 1e-6 of the largest kink). Exit status 0 for a certified optimum
(solver status optimal and |gap| ≤ 1e-6), 1 when not (numbers printed, flagged
INCONCLUSIVE), 2 for bad input (one line on stderr): unreadable files, NaN/inf, entries
beyond 1e100, β/λ outside [1e-100, 1e100], and for tv1d repeated x or x spacings below
1e-100.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from relucheck.cli.common import certified, json_line, usage_error
from relucheck.datasets.array_files import load_array
from relucheck.datasets.validation import (
    MIN_PARAMETER,
    BadInput,
    check_finite,
    check_magnitude,
    check_parameter,
)
from relucheck.solvers.choices import SOLVER_CHOICES

KNOT_REL_TOL = 1e-6


def load_xy(args: argparse.Namespace, min_n: int, distinct: bool) -> tuple[np.ndarray, np.ndarray]:
    """Scalar inputs x (n,) or (n, 1) and targets y (n,), validated."""
    x = load_array(args.x, "--x")
    y = load_array(args.y, "--y")
    if x.ndim == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.ndim != 1:
        raise BadInput(f"--x must hold scalar inputs, shape (n,) or (n, 1); got {x.shape}")
    if y.ndim != 1:
        raise BadInput(f"--y must be 1-D (n,), got shape {y.shape}")
    if x.shape[0] != y.shape[0]:
        raise BadInput(f"x has {x.shape[0]} entries but y has {y.shape[0]}")
    if x.shape[0] < min_n:
        raise BadInput(f"need at least {min_n} data points, got {x.shape[0]}")
    check_finite("x", x)
    check_finite("y", y)
    check_magnitude("x", x)
    check_magnitude("y", y)
    if distinct:
        gaps = np.diff(np.sort(x))
        if np.any(gaps == 0):
            raise BadInput("x values must be distinct for tv1d (average repeated points first)")
        # trend filtering divides by the spacings; 1/h and 1/h² must stay finite
        if gaps.min() < MIN_PARAMETER:
            raise BadInput(
                f"x values are only {gaps.min():.3g} apart; tv1d needs spacings of at least "
                f"{MIN_PARAMETER:g} (it divides by them): rescale x or merge those points"
            )
    return x, y


def lasso_facts(x: np.ndarray, y: np.ndarray, beta: float, solver: str) -> dict[str, Any]:
    """Solve and certify the data-breakpoint ramp Lasso; facts for the JSON object."""
    from relucheck.solvers.lasso_1d import solve_ramp_lasso

    start = time.perf_counter()
    sol = solve_ramp_lasso(x, y, beta, solver=solver)
    seconds = time.perf_counter() - start
    T = sol.breakpoints.shape[0]
    kinks = sol.z[:T] + sol.z[T:]  # both ramps at t_j change the slope by +z there
    scale = float(np.max(np.abs(kinks), initial=0.0))
    on = np.abs(kinks) > KNOT_REL_TOL * scale if scale > 0 else np.zeros(T, dtype=bool)
    zscale = float(np.max(np.abs(sol.z), initial=0.0))
    width = int(np.sum(np.abs(sol.z) > KNOT_REL_TOL * zscale)) if zscale > 0 else 0
    res = sol.result
    return {
        "value": sol.objective,
        "certified_lower": sol.lower,
        "certified_gap": sol.gap,
        "certifies": "full",
        "accurate": certified(res.accurate, sol.gap),
        "knots": sol.breakpoints[on].tolist(),
        "kinks": kinks[on].tolist(),
        "width": width,
        "bias": float(sol.gamma[0]),
        "breakpoints": sol.breakpoints.tolist(),
        "z_right": sol.z[:T].tolist(),
        "z_left": sol.z[T:].tolist(),
        "fitted": sol.fitted.tolist(),
        "solver": res.solver,
        "status": res.status,
        "iterations": res.iterations,
        "seconds": seconds,
        "n": int(x.shape[0]),
        "skip": False,
    }


def tv_facts(x: np.ndarray, y: np.ndarray, lam: float, method: str, solver: str) -> dict[str, Any]:
    """Solve and certify trend filtering (skip connection); facts for the JSON object."""
    from relucheck.models.univariate import splines as sp
    from relucheck.solvers.trend_filter_1d import trend_filter_cvxpy, trend_filter_exact

    start = time.perf_counter()
    if method == "exact":
        sol = trend_filter_exact(x, y, lam)
    else:
        sol = trend_filter_cvxpy(x, y, lam, solver=solver)
    seconds = time.perf_counter() - start
    order = np.argsort(x, kind="stable")
    xs, ts = x[order], sol.theta[order]
    kinks = sp.slope_changes(xs, ts)
    scale = float(np.max(np.abs(kinks), initial=0.0))
    on = np.abs(kinks) > KNOT_REL_TOL * scale if scale > 0 else np.zeros(kinks.shape, dtype=bool)
    net = sp.spline_to_network(xs, ts, rel_tol=KNOT_REL_TOL)
    res = sol.result
    return {
        "value": sol.objective,
        "certified_lower": sol.lower,
        "certified_gap": sol.gap,
        "certifies": "full",
        "accurate": certified(res.accurate, sol.gap),
        "knots": xs[1:-1][on].tolist(),
        "kinks": kinks[on].tolist(),
        "width": int(np.sum(on)),
        "skip_slope": float(net.c[0]),
        "skip_intercept": float(net.c0),
        "tv": float(np.sum(np.abs(kinks))),
        "fitted": sol.theta.tolist(),
        "solver": res.solver,
        "status": res.status,
        "iterations": res.iterations,
        "seconds": seconds,
        "n": int(x.shape[0]),
        "skip": True,
        "method": method,
    }


def emit(facts: dict[str, Any], as_json: bool, title: str) -> int:
    if as_json:
        print(json_line(facts))
    else:
        verdict = "certified" if facts["accurate"] else "INCONCLUSIVE (not certified to 1e-6)"
        print(title)
        print(f"  optimum       {facts['value']:.10g}   [{verdict}]")
        print(f"  dual lower    {facts['certified_lower']:.10g}")
        print(f"  relative gap  {facts['certified_gap']:.3e}")
        knots = ", ".join(f"{k:.6g}" for k in facts["knots"])
        print(f"  knots ({len(facts['knots'])})    {knots}")
        print(f"  solver        {facts['solver']} ({facts['status']}), {facts['seconds']:.3f} s")
    return 0 if facts["accurate"] else 1


def _solve_and_emit(
    args: argparse.Namespace,
    *,
    min_n: int,
    distinct: bool,
    flag: str,
    weight: float,
    solve: Callable[[np.ndarray, np.ndarray], dict[str, Any]],
    title: Callable[[dict[str, Any]], str],
) -> int:
    """Load and check x, y and the weight ``flag``, solve, print: what both commands share."""
    from relucheck.solvers.backends import SolverUnavailable

    try:
        x, y = load_xy(args, min_n, distinct=distinct)
        check_parameter(flag, weight)
    except BadInput as exc:
        return usage_error(str(exc))
    try:
        facts = solve(x, y)
    except SolverUnavailable as exc:
        return usage_error(f"--solver {args.solver}: {exc}")
    facts[flag.lstrip("-")] = float(weight)
    return emit(facts, args.json, title(facts))


def run_lasso_1d(args: argparse.Namespace) -> int:
    """``solve lasso-1d``."""
    return _solve_and_emit(
        args,
        min_n=2,
        distinct=False,
        flag="--beta",
        weight=args.beta,
        solve=lambda x, y: lasso_facts(x, y, args.beta, args.solver),
        title=lambda f: f"1-D ramp Lasso (free output bias), n={f['n']}, beta={args.beta:g}",
    )


def run_tv1d(args: argparse.Namespace) -> int:
    """``solve tv1d``."""
    kind = "no skip (ramp Lasso)" if args.no_skip else "skip connection (trend filtering)"
    return _solve_and_emit(
        args,
        min_n=3,
        distinct=True,
        flag="--lam",
        weight=args.lam,
        solve=(lambda x, y: lasso_facts(x, y, args.lam, args.solver))
        if args.no_skip
        else (lambda x, y: tv_facts(x, y, args.lam, args.method, args.solver)),
        title=lambda f: f"1-D TV(f') fit, {kind}, n={f['n']}, lam={args.lam:g}",
    )


def register_one_dimensional(kinds: argparse._SubParsersAction) -> None:
    """``solve lasso-1d`` and ``solve tv1d`` (claims.md LASSO-1D, SR 2)."""
    solvers = SOLVER_CHOICES
    lasso = kinds.add_parser("lasso-1d", help="1-D ramp Lasso = 1-D training, no skip (LASSO-1D)")
    lasso.add_argument("--x", required=True, help="scalar inputs, .npy (n,) or .csv")
    lasso.add_argument("--y", required=True, help="targets, .npy (n,) or .csv")
    lasso.add_argument("--beta", required=True, type=float, help="weight decay beta > 0")
    lasso.add_argument("--solver", choices=solvers, default="auto")
    lasso.add_argument("--json", action="store_true", help="print one JSON object")
    lasso.set_defaults(func=run_lasso_1d)

    tv = kinds.add_parser("tv1d", help="1-D TV(f')-regularized fit = 1-D training (SR)")
    tv.add_argument("--x", required=True, help="scalar inputs (distinct), .npy (n,) or .csv")
    tv.add_argument("--y", required=True, help="targets, .npy (n,) or .csv")
    tv.add_argument("--lam", required=True, type=float, help="weight decay lambda > 0")
    tv.add_argument(
        "--no-skip", action="store_true", help="no skip connection (then it is the ramp Lasso)"
    )
    tv.add_argument("--method", choices=("exact", "cvxpy"), default="exact")
    tv.add_argument("--solver", choices=solvers, default="auto", help="for cvxpy / --no-skip")
    tv.add_argument("--json", action="store_true", help="print one JSON object")
    tv.set_defaults(func=run_tv1d)
