"""``relucheck solve path-regularized``: the path-regularized parallel network of your data.

    relucheck solve path-regularized --X X.npy --y y.npy --beta B --width m
        [--groups exact|sampled:N] [--bias] [--solver auto|fast|clarabel|scs|mosek] [--seed S]
        [--save net.npz] [--json]

Solves the group program of claims.md PR (relucheck.models.parallel.program) over an exact
enumeration of groups (tiny instances only; refused with a message when the number of
first-layer tuples is too large) or over N sampled draws (a RESTRICTED program: the value is
an upper bound and ``certifies`` says "restricted"). The JSON object has the keys of
``solve two-layer`` (``width`` = sub-networks after pruning, ``patterns`` = first-layer
patterns) plus ``subnetwork_width`` (m), ``groups``, ``groups_exact``. With ``--width 1``
the program is CE's, so the value equals ``solve two-layer`` on the same data.

``--solver fast`` solves the group program with the project's interior-point method
(relucheck.solvers.fast_path: one solve over every group, polish, exact feasibility
restoration, gauge bounds over every group); where it does not certify its point the
program is solved by Clarabel instead (``status`` says so). ``auto`` is Clarabel.

Exit status: 0 for a certified solve (accurate solver status and certified gap ≤ 1e-6),
1 otherwise (numbers flagged INCONCLUSIVE), 2 for bad input (one line on stderr, nothing
written; ``--width`` is at most 100).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

from relucheck.cli.common import (
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

#: Exact enumeration is refused above this many (D_1j, ε_j) tuples.
MAX_EXACT_TUPLES = 50_000

#: Largest sub-network width m (the program grows with m; m = 50 already takes seconds on
#: six points, and a huge m would exhaust memory before any message).
MAX_WIDTH = 100

#: Sampling draws N Gaussian (d, m) matrices at once: N·d·m floats are capped (400 MB).
MAX_DRAW_ENTRIES = 50_000_000


def run_path_regularized(args: argparse.Namespace) -> int:
    """Solve, reconstruct, prune and certify the user's path-regularized problem."""
    from relucheck.models.arrangements.patterns import enumerate_patterns, numerical_rank
    from relucheck.models.parallel.groups import (
        count_first_layer_tuples,
        enumerate_groups,
        sample_groups,
    )
    from relucheck.solvers.backends import SolverUnavailable
    from relucheck.solvers.path_global import solve_path_regularized

    try:
        X, y = load_problem(args.X, args.y)
        validate_problem(X, y, args.beta, "squared")
        if not 1 <= args.width <= MAX_WIDTH:
            raise BadInput(f"--width must be between 1 and {MAX_WIDTH}, got {args.width}")
        mode, count = parse_exact_or_sampled(args.groups, "--groups")
        draw_entries = count * (X.shape[1] + int(args.bias)) * args.width
        if draw_entries > MAX_DRAW_ENTRIES:
            raise BadInput(
                f"--groups sampled:{count} with d={X.shape[1] + int(args.bias)} and "
                f"m={args.width} draws {draw_entries} Gaussian entries at once (at most "
                f"{MAX_DRAW_ENTRIES}); use fewer draws"
            )
        check_seed(args.seed)
        check_output_path(args.save, {"--X": args.X, "--y": args.y})
    except BadInput as exc:
        return usage_error(str(exc))
    if args.bias:
        X = with_bias(X)

    start = time.perf_counter()
    if mode == "exact":
        patterns = enumerate_patterns(X)
        P = patterns.without_zero().count
        tuples = count_first_layer_tuples(P, args.width)
        if tuples > MAX_EXACT_TUPLES:
            return usage_error(
                f"--groups exact: {tuples} first-layer tuples (P={P} patterns, m={args.width}) "
                f"exceed {MAX_EXACT_TUPLES}; use --groups sampled:N (a restricted program)"
            )
        groups = enumerate_groups(X, args.width, patterns, max_tuples=MAX_EXACT_TUPLES)
        n_patterns, patterns_exact, rank = P, patterns.exact, patterns.rank
    else:
        groups = sample_groups(X, args.width, count, seed=args.seed)
        masks = groups.D1.reshape(-1, X.shape[0])
        n_patterns = (
            int(np.unique(np.packbits(masks, axis=1), axis=0).shape[0]) if masks.size else 0
        )
        patterns_exact, rank = False, numerical_rank(X)
    t_groups = time.perf_counter() - start
    try:
        sol = solve_path_regularized(X, y, args.beta, groups, solver=args.solver)
    except SolverUnavailable as exc:
        return usage_error(f"--solver {args.solver}: {exc}")
    seconds = time.perf_counter() - start

    facts: dict[str, Any] = {
        **solve_facts(sol, width_before=sol.s.shape[0], seconds=seconds, X=X),
        "patterns": n_patterns,
        "patterns_exact": patterns_exact,
        "rank": rank,
        "timings": {"groups": t_groups, **sol.timings},
        "beta": float(args.beta),
        "loss": "squared",
        "bias": bool(args.bias),
        "subnetwork_width": int(args.width),
        "groups": groups.count,
        "groups_exact": groups.exact,
    }
    return emit_solve(args, facts, print_human, W=sol.W_pruned, v=sol.v_pruned, s=sol.s_pruned)


def print_human(f: dict[str, Any]) -> None:
    if not f["accurate"]:
        verdict = "INCONCLUSIVE (solver inaccurate or gap > 1e-6)"
    else:
        verdict = "certified" if f["groups_exact"] else "restricted program only: an upper bound"
    print(
        f"parallel three-layer ReLU, path regularizer, m={f['subnetwork_width']}, "
        f"n={f['n']}, d={f['d']}, beta={f['beta']:g}"
    )
    kind = "exact" if f["groups_exact"] else "sampled (restricted program)"
    print(f"  groups        {f['groups']} ({kind}); first-layer patterns {f['patterns']}")
    print_certificate(f, verdict, width_label="sub-networks")


def register_path_regularized(kinds: argparse._SubParsersAction) -> None:
    """``solve path-regularized``: parallel three-layer ReLU network (claims.md PR)."""
    p = kinds.add_parser(
        "path-regularized", help="parallel three-layer ReLU network, path regularizer (PR)"
    )
    p.add_argument("--X", required=True, help="data matrix, .npy (n, d) or .csv")
    p.add_argument("--y", required=True, help="targets, .npy (n,) or .csv")
    p.add_argument("--beta", required=True, type=float, help="path regularization beta > 0")
    p.add_argument("--width", required=True, type=int, help="neurons m per sub-network")
    p.add_argument("--groups", default="exact", help="exact | sampled:N")
    p.add_argument("--bias", action="store_true", help="append a ones column (a regularized bias)")
    p.add_argument("--solver", choices=SOLVER_CHOICES, default="auto")
    p.add_argument("--seed", type=int, default=0, help="seed for sampled groups")
    p.add_argument("--save", default=None, help="write the pruned network (W, v, s) to .npz")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run_path_regularized)
