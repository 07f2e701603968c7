"""``relucheck solve two-layer --beta-path B1,B2,... | --betas N``: a certified β path.

    relucheck solve two-layer --X X.npy --y y.npy --betas 8 [--X-test Xt.npy --y-test yt.npy]
        [--patterns exact|sampled:N] [--solver auto|fast|clarabel|...] [--save net.npz]

Solves the CE program (claims.md CE, squared loss) at every β, largest first, warm-started
from the previous optimum (:mod:`relucheck.solvers.two_layer_path`), and prints one JSON
object per β as soon as it is certified: ``beta``, ``beta_fraction`` (β / gauge, gauge =
max_i ‖Xᵀ D_i y‖ over the patterns), ``value``, ``certified_lower``, ``certified_gap``,
``certifies``, ``width``, ``accurate``, ``seconds`` and, with held-out data, ``test_mse``.
``--betas N`` takes N values log-spaced from the gauge down to 1e-3 · gauge. With held-out
data, ``--save`` writes the network of the β with the least ``test_mse`` (the same .npz as
a single-β solve). Exit status: 0 when every β is certified, 1 otherwise, 2 for bad input.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from relucheck.cli.common import (
    certified,
    json_line,
    parse_exact_or_sampled,
    save_with_facts,
    usage_error,
)
from relucheck.datasets.array_files import load_array
from relucheck.datasets.generators import with_bias
from relucheck.datasets.validation import BadInput, check_finite, check_parameter

#: Most βs one command may ask for (each is a certified solve).
MAX_BETAS = 1000


def parse_beta_path(text: str) -> list[float]:
    """'B1,B2,...' → distinct βs, each a valid regularization weight."""
    try:
        betas = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise BadInput(f"--beta-path must be comma-separated numbers, got {text!r}") from None
    if not betas:
        raise BadInput("--beta-path needs at least one β")
    if len(betas) > MAX_BETAS:
        raise BadInput(f"--beta-path allows at most {MAX_BETAS} values, got {len(betas)}")
    for b in betas:
        check_parameter("--beta-path", b)
    if len(set(betas)) != len(betas):
        raise BadInput("--beta-path lists a β twice")
    return betas


def check_beta_count(count: int) -> None:
    if not 1 <= count <= MAX_BETAS:
        raise BadInput(f"--betas must be an integer in [1, {MAX_BETAS}], got {count}")


def load_test_data(args: argparse.Namespace, d: int) -> tuple[np.ndarray, np.ndarray] | None:
    """--X-test/--y-test (both or neither), shaped like the training data."""
    if (args.X_test is None) != (args.y_test is None):
        raise BadInput("--X-test and --y-test go together")
    if args.X_test is None:
        return None
    Xt = load_array(args.X_test, "--X-test", matrix=True)
    yt = load_array(args.y_test, "--y-test")
    if Xt.ndim == 1:
        Xt = Xt[:, None]
    if Xt.ndim != 2 or Xt.shape[1] != d:
        raise BadInput(f"--X-test must have {d} columns like --X, got shape {Xt.shape}")
    if yt.ndim != 1 or yt.shape[0] != Xt.shape[0]:
        raise BadInput(f"--y-test must have {Xt.shape[0]} entries, got shape {yt.shape}")
    check_finite("--X-test", Xt)
    check_finite("--y-test", yt)
    return Xt, yt


def test_error(U: np.ndarray, alpha: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    """Mean squared error of the network σ(X U) α on held-out data."""
    fit = np.maximum(X @ U, 0.0) @ alpha if alpha.shape[0] else np.zeros(X.shape[0])
    return float(np.mean((fit - y) ** 2))


def run_two_layer_path(args: argparse.Namespace, X: np.ndarray, y: np.ndarray) -> int:
    """The path mode of ``solve two-layer`` (called after X, y and the flags are validated)."""
    from relucheck.models.arrangements.patterns import enumerate_patterns, sample_patterns
    from relucheck.solvers.fast_two_layer import masks_for, scanner_for
    from relucheck.solvers.two_layer_global import solve_two_layer_path
    from relucheck.solvers.two_layer_path import log_spaced_betas, path_gauge

    try:
        if args.loss != "squared":
            raise BadInput("--beta-path/--betas solve the squared loss only")
        betas = parse_beta_path(args.beta_path) if args.beta_path else None
        if betas is None:
            check_beta_count(args.betas)
        test = load_test_data(args, X.shape[1])
        if args.save and test is None:
            raise BadInput("--save with a β path needs --X-test/--y-test to pick the β")
        mode, count = parse_exact_or_sampled(args.patterns, "--patterns")
    except BadInput as exc:
        return usage_error(str(exc))
    if args.bias:
        X = with_bias(X)
        if test is not None:
            test = (with_bias(test[0]), test[1])

    start = time.perf_counter()
    patterns = enumerate_patterns(X) if mode == "exact" else sample_patterns(X, count, args.seed)
    patterns = patterns.without_zero()
    gauge = path_gauge(X, y, scanner_for(X, masks_for(patterns)))
    if betas is None:
        betas = [float(b) for b in log_spaced_betas(gauge, args.betas)]
    print(
        f"relucheck: {len(betas)} β from {max(betas):.4g} to {min(betas):.4g} "
        f"(gauge {gauge:.4g}), {patterns.count} patterns",
        file=sys.stderr,
        flush=True,
    )
    best: dict = {}
    all_certified = True

    def report(beta: float, sol) -> None:
        nonlocal all_certified
        res = sol.result
        ok = certified(res.accurate, res.certified_gap)
        all_certified &= ok
        facts = {
            "beta": beta,
            "beta_fraction": beta / gauge if gauge > 0 else None,
            "value": min(sol.objective, sol.objective_pruned),
            "certified_lower": res.certified_lower,
            "certified_gap": res.certified_gap,
            "certifies": res.certifies,
            "width": sol.width,
            "accurate": ok,
            "seconds": res.seconds,
            "solver": res.solver,
            "status": res.status,
            "patterns": patterns.count,
            "patterns_exact": patterns.exact,
            "n": int(X.shape[0]),
            "d": int(X.shape[1]),
            "loss": "squared",
            "bias": bool(args.bias),
        }
        if test is not None:
            facts["test_mse"] = test_error(sol.U_pruned, sol.alpha_pruned, *test)
            if not best or facts["test_mse"] < best["facts"]["test_mse"]:
                best.update(facts=dict(facts), U=sol.U_pruned, alpha=sol.alpha_pruned)
        print(json_line(facts), flush=True)

    solve_two_layer_path(X, y, betas, patterns, solver=args.solver, on_point=report)
    print(f"relucheck: path done in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    if args.save and best:
        failed = save_with_facts(args, best["facts"], U=best["U"], alpha=best["alpha"])
        if failed is not None:
            return failed
    return 0 if all_certified else 1


def add_path_arguments(parser: argparse.ArgumentParser) -> None:
    """The path flags of ``solve two-layer`` (--beta, --beta-path and --betas exclude each
    other; one of them is required)."""
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--beta", type=float, help="weight decay beta > 0")
    which.add_argument("--beta-path", default=None, help="B1,B2,...: solve every β, warm-started")
    which.add_argument(
        "--betas", type=int, default=None, help="N βs log-spaced from the gauge to 1e-3·gauge"
    )
    parser.add_argument("--X-test", default=None, help="held-out data (path mode): test_mse")
    parser.add_argument("--y-test", default=None, help="held-out targets for --X-test")
