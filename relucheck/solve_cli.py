"""``relucheck solve``: the certified global optimum of the user's own data.

    relucheck solve two-layer --X X.npy --y y.npy --beta B [--bias] [--loss squared|hinge]
        [--patterns exact|sampled:N] [--solver auto|clarabel|scs|mosek] [--seed S]
        [--save net.npz] [--json]

Exit status: 0 for an accurate solve, 1 when the solver reported an inaccurate solve
(the numbers are printed but flagged INCONCLUSIVE), 2 for bad input (a one-line message on
stderr, nothing written).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from relucheck.datasets.generators import with_bias
from relucheck.datasets.validation import BadInput, validate_problem

LOSS_CHOICES = ("squared", "hinge")


def load_array(path: str, name: str) -> np.ndarray:
    """A float64 array from .npy (no pickles) or a delimited text file (.csv/.txt)."""
    p = Path(path)
    if not p.is_file():
        raise BadInput(f"{name}: no such file {path}")
    try:
        if p.suffix.lower() in (".csv", ".txt"):
            arr = np.loadtxt(p, delimiter="," if p.suffix.lower() == ".csv" else None, ndmin=1)
        else:
            arr = np.load(p, allow_pickle=False)
    except Exception as exc:
        raise BadInput(f"{name}: cannot read {path} as a numeric array ({exc})") from None
    if not isinstance(arr, np.ndarray):
        raise BadInput(f"{name}: {path} holds several arrays (npz); save one array with np.save")
    if arr.dtype.kind not in "biuf":
        raise BadInput(f"{name}: {path} is not numeric (dtype {arr.dtype})")
    return arr.astype(np.float64)


def parse_exact_or_sampled(text: str, option: str = "--patterns") -> tuple[str, int]:
    """'exact' or 'sampled:N' (N ≥ 1 random draws), as given to ``option``."""
    if text == "exact":
        return "exact", 0
    if text.startswith("sampled:"):
        try:
            count = int(text.split(":", 1)[1])
        except ValueError:
            count = 0
        if count >= 1:
            return "sampled", count
    raise BadInput(f"{option} must be 'exact' or 'sampled:N' with N >= 1, got {text!r}")


def check_output_path(path: str | None) -> None:
    """Fail before solving if --save cannot be written."""
    if path is None:
        return
    folder = Path(path).resolve().parent
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        raise BadInput(f"--save: folder {folder} does not exist or is not writable")


def save_npz_atomic(path: str, **arrays: Any) -> None:
    """Write arrays to an .npz atomically (temp file in the same folder, then rename)."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.resolve().parent, suffix=".npz.tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def validate_matrix(X: np.ndarray) -> None:
    """A finite, non-empty 2-D data matrix (the part of validate_problem that needs no y)."""
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise BadInput(f"X must be a non-empty 2-D array (n, d), got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise BadInput("X contains NaN or inf")


def run_two_layer(args: argparse.Namespace) -> int:
    """Solve, reconstruct, prune and certify the user's problem."""
    from relucheck.models.patterns import enumerate_patterns, sample_patterns
    from relucheck.solvers.backends import SolverUnavailable
    from relucheck.solvers.two_layer_global import solve_two_layer

    try:
        X = load_array(args.X, "--X")
        y = load_array(args.y, "--y")
        if X.ndim == 1:
            X = X[:, None]
        validate_problem(X, y, args.beta, args.loss)
        mode, count = parse_exact_or_sampled(args.patterns, "--patterns")
        check_output_path(args.save)
    except BadInput as exc:
        return usage_error(str(exc))
    if args.bias:
        X = with_bias(X)

    start = time.perf_counter()
    if mode == "exact":
        patterns = enumerate_patterns(X)
    else:
        patterns = sample_patterns(X, count, seed=args.seed)
    t_patterns = time.perf_counter() - start
    try:
        sol = solve_two_layer(X, y, args.beta, patterns, loss=args.loss, solver=args.solver)
    except SolverUnavailable as exc:
        return usage_error(f"--solver {args.solver}: {exc}")
    seconds = time.perf_counter() - start

    res = sol.result
    facts = {
        "value": sol.objective,
        "certified_lower": res.certified_lower,
        "certified_gap": res.certified_gap,
        "certifies": res.certifies,
        "width": sol.width,
        "width_before_pruning": int(sol.alpha.shape[0]),
        "objective_pruned": sol.objective_pruned,
        "patterns": patterns.count,
        "patterns_exact": patterns.exact,
        "rank": patterns.rank,
        "solver": res.solver,
        "status": res.status,
        "accurate": res.accurate,
        "iterations": res.iterations,
        "seconds": seconds,
        "timings": {"patterns": t_patterns, **sol.timings},
        "n": int(X.shape[0]),
        "d": int(X.shape[1]),
        "beta": float(args.beta),
        "loss": args.loss,
        "bias": bool(args.bias),
    }
    if args.save:
        save_npz_atomic(args.save, U=sol.U_pruned, alpha=sol.alpha_pruned, facts=json.dumps(facts))
        facts["saved"] = str(args.save)
    if args.json:
        print(json.dumps(facts))
    else:
        print_human(facts)
    return 0 if res.accurate else 1


def print_human(f: dict[str, Any]) -> None:
    verdict = "certified" if f["accurate"] else "INCONCLUSIVE (solver inaccurate)"
    print(f"two-layer ReLU, {f['loss']} loss, n={f['n']}, d={f['d']}, beta={f['beta']:g}")
    kind = "exact" if f["patterns_exact"] else "sampled"
    print(f"  patterns      {f['patterns']} ({kind}, rank {f['rank']})")
    print(f"  optimum       {f['value']:.10g}   [{verdict}]")
    print(f"  dual lower    {f['certified_lower']:.10g}   (certifies the {f['certifies']} program)")
    print(f"  relative gap  {f['certified_gap']:.3e}")
    print(f"  width         {f['width']} after pruning ({f['width_before_pruning']} before)")
    print(f"  solver        {f['solver']} ({f['status']}), {f['seconds']:.2f} s in all")
    if "saved" in f:
        print(f"  saved         {f['saved']}")


def usage_error(message: str) -> int:
    print(f"relucheck: error: {message}", file=sys.stderr)
    return 2


def add_solve_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``solve`` and its problem kinds on the main parser.

    Each problem kind lives in its own module with a ``register_*(kinds)`` function; list
    it in ``SOLVE_KINDS`` below (one line each).
    """
    solve = subparsers.add_parser("solve", help="certified global optimum of your own data")
    kinds = solve.add_subparsers(dest="problem", required=True, metavar="PROBLEM")
    for register in SOLVE_KINDS:
        register(kinds)


def register_two_layer(kinds: argparse._SubParsersAction) -> None:
    """``solve two-layer``: two-layer ReLU network with weight decay (claims.md CE)."""
    two = kinds.add_parser("two-layer", help="two-layer ReLU network with weight decay (CE)")
    two.add_argument("--X", required=True, help="data matrix, .npy (n, d) or .csv")
    two.add_argument("--y", required=True, help="targets, .npy (n,) or .csv")
    two.add_argument("--beta", required=True, type=float, help="weight decay beta > 0")
    two.add_argument(
        "--bias",
        action="store_true",
        help="append a ones column (a bias regularized with the weights)",
    )
    two.add_argument("--loss", choices=LOSS_CHOICES, default="squared")
    two.add_argument("--patterns", default="exact", help="exact | sampled:N")
    two.add_argument("--solver", choices=("auto", "clarabel", "scs", "mosek"), default="auto")
    two.add_argument("--seed", type=int, default=0, help="seed for sampled patterns")
    two.add_argument("--save", default=None, help="write the pruned network to this .npz")
    two.add_argument("--json", action="store_true", help="print one JSON object")
    two.set_defaults(func=run_two_layer)


from relucheck.solve_1d import register_one_dimensional  # noqa: E402  (bottom: import cycle)
from relucheck.solve_path import register_path  # noqa: E402  (bottom: import cycle)

#: The ``solve`` problem kinds, one registration function per line.
SOLVE_KINDS = [
    register_two_layer,
    register_one_dimensional,
    register_path,
]
