"""``relucheck solve``: the certified global optimum of the user's own data.

    relucheck solve two-layer --X X.npy --y y.npy --beta B [--bias] [--loss squared|hinge]
        [--patterns exact|sampled:N] [--solver auto|fast|clarabel|scs|mosek] [--seed S]
        [--save net.npz] [--json]
    relucheck solve two-layer ... --beta-path B1,B2,... | --betas N [--X-test F --y-test F]
        (a certified, warm-started β path: :mod:`relucheck.solve_beta_path`)

Exit status: 0 for a certified solve (the solver reported an accurate solve and the
certified relative gap is at most 1e-6), 1 otherwise (the numbers are printed but flagged
INCONCLUSIVE, ``"accurate": false``), 2 for bad input (a one-line message on stderr, nothing
written). Data files: see :mod:`relucheck.datasets.array_files`; entries beyond 1e100 and β
outside [1e-100, 1e100] are refused (:mod:`relucheck.datasets.validation`).
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

from relucheck.datasets.array_files import load_array  # also imported from here by the others
from relucheck.datasets.generators import with_bias
from relucheck.datasets.validation import BadInput, check_finite, validate_problem

LOSS_CHOICES = ("squared", "hinge")

#: Exit status 0 needs the solver's word *and* a certified relative gap within this
#: (claims.md uses 1e-6 for every certified optimum); otherwise the numbers are flagged.
GAP_TOL = 1e-6

#: Largest N in ``sampled:N``: a larger request would run for hours or exhaust memory.
MAX_SAMPLES = 1_000_000


def parse_exact_or_sampled(text: str, option: str = "--patterns") -> tuple[str, int]:
    """'exact' or 'sampled:N' (N ≥ 1 random draws), as given to ``option``."""
    if text == "exact":
        return "exact", 0
    if text.startswith("sampled:"):
        try:
            count = int(text.split(":", 1)[1])
        except ValueError:
            count = 0
        if count > MAX_SAMPLES:
            raise BadInput(f"{option} sampled:N allows at most N = {MAX_SAMPLES}, got {count}")
        if count >= 1:
            return "sampled", count
    raise BadInput(f"{option} must be 'exact' or 'sampled:N' with N >= 1, got {text!r}")


def check_seed(seed: int) -> None:
    """numpy seeds are integers >= 0."""
    if seed < 0:
        raise BadInput(f"--seed must be an integer >= 0, got {seed}")


def certified(accurate: bool, gap: float | None) -> bool:
    """The solver reported an accurate solve and the project's certificate closes the gap.

    A negative gap beyond the tolerance (a "lower bound" above the value) means rounding
    broke the certificate: not certified either.
    """
    return bool(accurate and gap is not None and np.isfinite(gap) and abs(gap) <= GAP_TOL)


def json_line(facts: dict[str, Any]) -> str:
    """One strict-JSON object: NaN and ±inf (never valid JSON) become null."""

    def clean(v: Any) -> Any:
        if isinstance(v, float) and not np.isfinite(v):
            return None
        if isinstance(v, dict):
            return {k: clean(w) for k, w in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(w) for w in v]
        return v

    return json.dumps(clean(facts), allow_nan=False)


def check_output_path(path: str | None, inputs: dict[str, str] | None = None) -> None:
    """Fail before solving if --save cannot be written (a folder, a missing or read-only
    folder, or one of the input files named by ``inputs``, flag -> path)."""
    if path is None:
        return
    target = Path(path)
    if target.is_dir():
        raise BadInput(f"--save: {path} is a directory; give a file name such as net.npz")
    for flag, source in (inputs or {}).items():
        if target.exists() and Path(source).exists() and os.path.samefile(target, source):
            raise BadInput(f"--save: {path} is the input file of {flag}; refusing to overwrite it")
    folder = target.resolve().parent
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        raise BadInput(f"--save: folder {folder} does not exist or is not writable")
    try:  # os.access can say yes where creating a file fails (/proc, read-only mounts)
        fd, probe = tempfile.mkstemp(dir=folder, suffix=".probe")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise BadInput(f"--save: cannot create files in {folder} ({exc.strerror})") from None


def save_with_facts(args: Any, facts: dict[str, Any], **arrays: Any) -> int | None:
    """``--save``: write the arrays and the facts' JSON atomically, note the path in facts.

    Returns None when saved or not asked for, else the exit status of the usage error.
    """
    if not args.save:
        return None
    try:
        save_npz_atomic(args.save, facts=json_line(facts), **arrays)
    except BadInput as exc:
        return usage_error(str(exc))
    facts["saved"] = str(args.save)
    return None


def emit_solve(args: Any, facts: dict[str, Any], print_human: Any, **arrays: Any) -> int:
    """Save (``--save``), print (JSON or text) and return the exit status of a solve."""
    failed = save_with_facts(args, facts, **arrays)
    if failed is not None:
        return failed
    if args.json:
        print(json_line(facts))
    else:
        print_human(facts)
    return 0 if facts["accurate"] else 1


def save_npz_atomic(path: str, **arrays: Any) -> None:
    """Write arrays to an .npz atomically (temp file in the same folder, then rename).

    A failed write (disk full, folder gone) leaves nothing behind and raises BadInput.
    """
    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.resolve().parent, suffix=".npz.tmp")
    except OSError as exc:
        raise BadInput(f"--save: cannot write {path} ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise BadInput(f"--save: cannot write {path} ({exc.strerror or exc})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def validate_matrix(X: np.ndarray) -> None:
    """A finite, non-empty 2-D data matrix (the part of validate_problem that needs no y)."""
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise BadInput(f"X must be a non-empty 2-D array (n, d), got shape {X.shape}")
    check_finite("X", X)


def run_two_layer(args: argparse.Namespace) -> int:
    """Solve, reconstruct, prune and certify the user's problem."""
    from relucheck.models.arrangements.patterns import enumerate_patterns, sample_patterns
    from relucheck.solvers.backends import SolverUnavailable
    from relucheck.solvers.two_layer_global import solve_two_layer

    try:
        X = load_array(args.X, "--X", matrix=True)
        y = load_array(args.y, "--y")
        if X.ndim == 1:
            X = X[:, None]
        path_mode = args.beta is None
        # a path validates its βs itself (relucheck.solve_beta_path); 1.0 stands in here
        validate_problem(X, y, 1.0 if path_mode else args.beta, args.loss)
        mode, count = parse_exact_or_sampled(args.patterns, "--patterns")
        check_seed(args.seed)
        check_output_path(args.save, {"--X": args.X, "--y": args.y})
        if not path_mode and (args.X_test is not None or args.y_test is not None):
            raise BadInput("--X-test/--y-test go with --beta-path or --betas")
    except BadInput as exc:
        return usage_error(str(exc))
    if path_mode:
        from relucheck.solve_beta_path import run_two_layer_path

        return run_two_layer_path(args, X, y)
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
        # the certified gap is measured from the better of the two networks' objectives
        "value": min(sol.objective, sol.objective_pruned),
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
        "accurate": certified(res.accurate, res.certified_gap),
        "iterations": res.iterations,
        "seconds": seconds,
        "timings": {"patterns": t_patterns, **sol.timings},
        **({"work": sol.work} if sol.work else {}),
        "n": int(X.shape[0]),
        "d": int(X.shape[1]),
        "beta": float(args.beta),
        "loss": args.loss,
        "bias": bool(args.bias),
    }
    return emit_solve(args, facts, print_human, U=sol.U_pruned, alpha=sol.alpha_pruned)


def print_human(f: dict[str, Any]) -> None:
    verdict = "certified" if f["accurate"] else "INCONCLUSIVE (solver inaccurate or gap > 1e-6)"
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
    add_path_arguments(two)
    two.add_argument(
        "--bias",
        action="store_true",
        help="append a ones column (a bias regularized with the weights)",
    )
    two.add_argument("--loss", choices=LOSS_CHOICES, default="squared")
    two.add_argument("--patterns", default="exact", help="exact | sampled:N")
    two.add_argument(
        "--solver", choices=("auto", "fast", "clarabel", "scs", "mosek"), default="auto"
    )
    two.add_argument("--seed", type=int, default=0, help="seed for sampled patterns")
    two.add_argument("--save", default=None, help="write the pruned network to this .npz")
    two.add_argument("--json", action="store_true", help="print one JSON object")
    two.set_defaults(func=run_two_layer)


from relucheck.solve_1d import register_one_dimensional  # noqa: E402  (bottom: import cycle)
from relucheck.solve_beta_path import add_path_arguments  # noqa: E402
from relucheck.solve_path import register_path  # noqa: E402  (bottom: import cycle)

#: The ``solve`` problem kinds, one registration function per line.
SOLVE_KINDS = [
    register_two_layer,
    register_one_dimensional,
    register_path,
]
