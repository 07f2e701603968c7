"""``relucheck solve two-layer``: the certified global optimum of the user's own data (CE).

    relucheck solve two-layer --X X.npy --y y.npy --beta B [--bias] [--loss squared|hinge]
        [--patterns exact|sampled:N] [--solver auto|fast|clarabel|scs|mosek|PLUGIN] [--seed S]
        [--solver-plugin FILE.py] [--save net.npz] [--json]
    relucheck solve two-layer ... --beta-path B1,B2,... | --betas N [--X-test F --y-test F]
        (a certified, warm-started β path: :mod:`relucheck.cli.beta_path`)

A solver plug-in (``--solver NAME`` for one installed under the ``relucheck.solvers`` entry
points, or ``--solver-plugin FILE.py``) returns its primal point; the project restores
feasibility and certifies it (:mod:`relucheck.solvers.plugin`), so its result is certified
only when OUR gap is ≤ 1e-6. Plug-ins solve the squared loss at one β.

Exit status as in :mod:`relucheck.cli.common` (0 certified, 1 INCONCLUSIVE, 2 bad input).
Data files: see :mod:`relucheck.datasets.array_files`; entries beyond 1e100 and β outside
[1e-100, 1e100] are refused (:mod:`relucheck.datasets.validation`).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from relucheck.cli.beta_path import add_path_arguments, run_two_layer_path
from relucheck.cli.common import (
    LOSS_CHOICES,
    check_output_path,
    check_seed,
    emit_solve,
    load_problem,
    parse_exact_or_sampled,
    print_certificate,
    solve_facts,
    usage_error,
)
from relucheck.datasets.generators import with_bias
from relucheck.datasets.validation import BadInput, validate_problem
from relucheck.solvers.choices import SOLVER_CHOICES


def run_two_layer(args: argparse.Namespace) -> int:
    """Solve, reconstruct, prune and certify the user's problem."""
    from relucheck.models.arrangements.patterns import enumerate_patterns, sample_patterns
    from relucheck.solvers.backends import SolverUnavailable
    from relucheck.solvers.plugin import solve_with_plugin
    from relucheck.solvers.two_layer_global import solve_two_layer

    try:
        X, y = load_problem(args.X, args.y)
        path_mode = args.beta is None
        # a path validates its βs itself (relucheck.cli.beta_path); 1.0 stands in here
        validate_problem(X, y, 1.0 if path_mode else args.beta, args.loss)
        mode, count = parse_exact_or_sampled(args.patterns, "--patterns")
        check_seed(args.seed)
        check_output_path(args.save, {"--X": args.X, "--y": args.y})
        if not path_mode and (args.X_test is not None or args.y_test is not None):
            raise BadInput("--X-test/--y-test go with --beta-path or --betas")
        plugin = solver_plugin(args, path_mode)
    except BadInput as exc:
        return usage_error(str(exc))
    if path_mode:
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
        if plugin is not None:
            sol = solve_with_plugin(X, y, args.beta, patterns, plugin)
        else:
            sol = solve_two_layer(X, y, args.beta, patterns, loss=args.loss, solver=args.solver)
    except SolverUnavailable as exc:
        return usage_error(f"--solver {args.solver}: {exc}")
    seconds = time.perf_counter() - start

    facts = {
        **solve_facts(sol, width_before=sol.alpha.shape[0], seconds=seconds, X=X),
        "patterns": patterns.count,
        "patterns_exact": patterns.exact,
        "rank": patterns.rank,
        "timings": {"patterns": t_patterns, **sol.timings},
        **({"work": sol.work} if sol.work else {}),
        "beta": float(args.beta),
        "loss": args.loss,
        "bias": bool(args.bias),
    }
    return emit_solve(args, facts, print_human, U=sol.U_pruned, alpha=sol.alpha_pruned)


def solver_plugin(args: argparse.Namespace, path_mode: bool) -> Any:
    """The plug-in ``--solver``/``--solver-plugin`` select, or None for a built-in solver.

    Raises BadInput (one line naming the plug-in) when it is unknown, broken, unavailable,
    or asked for what plug-ins do not solve.
    """
    from relucheck.plugins import PluginError, load_solvers
    from relucheck.solvers.plugin import availability

    if args.solver in SOLVER_CHOICES and not args.solver_plugin:
        return None
    try:
        solvers = load_solvers(args.solver_plugin, reserved=SOLVER_CHOICES)
    except PluginError as exc:
        raise BadInput(str(exc)) from None
    wanted = args.solver
    if wanted in SOLVER_CHOICES:  # --solver-plugin alone: the solver its file defines
        from_files = [e for e in solvers.entries if e.origin.startswith("path ")]
        if len(from_files) != 1:
            raise BadInput("name the plug-in with --solver when --solver-plugin gives several")
        wanted = from_files[0].name
        if wanted in SOLVER_CHOICES:
            raise BadInput(f"solver plug-in {from_files[0].line()}")
    broken = solvers.find_broken(wanted)
    if broken is not None and wanted not in solvers.by_name:
        raise BadInput(f"solver plug-in {broken.line()}")
    if wanted not in solvers.by_name:
        known = ", ".join([*SOLVER_CHOICES, *solvers.by_name])
        raise BadInput(f"unknown solver {wanted!r} (choose {known})")
    plugin = solvers.by_name[wanted]
    ok, reason = availability(plugin)
    if not ok:
        raise BadInput(f"solver plug-in {wanted!r} is not available: {reason}")
    if path_mode or args.loss != "squared":
        raise BadInput(f"solver plug-in {wanted!r} solves the squared loss at one --beta")
    return plugin


def print_human(f: dict[str, Any]) -> None:
    verdict = "certified" if f["accurate"] else "INCONCLUSIVE (solver inaccurate or gap > 1e-6)"
    print(f"two-layer ReLU, {f['loss']} loss, n={f['n']}, d={f['d']}, beta={f['beta']:g}")
    kind = "exact" if f["patterns_exact"] else "sampled"
    print(f"  patterns      {f['patterns']} ({kind}, rank {f['rank']})")
    print_certificate(f, verdict)


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
        "--solver",
        default="auto",
        metavar="{" + ",".join(SOLVER_CHOICES) + "} or PLUGIN",
        help="a built-in solver, or the name of a solver plug-in (default: auto)",
    )
    two.add_argument(
        "--solver-plugin",
        action="append",
        default=[],
        metavar="FILE.py",
        help="load the solver plug-in this file defines (SOLVER); selects it",
    )
    two.add_argument("--seed", type=int, default=0, help="seed for sampled patterns")
    two.add_argument("--save", default=None, help="write the pruned network to this .npz")
    two.add_argument("--json", action="store_true", help="print one JSON object")
    two.set_defaults(func=run_two_layer)
