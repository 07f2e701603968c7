"""``relucheck solve PROBLEM``: the certified optimum of the user's own data, one module a problem.

Each problem kind lives in its own module with a ``register_*(kinds)`` function; list it in
:data:`SOLVE_KINDS` (one line each).
"""

from __future__ import annotations

import argparse

from relucheck.cli.solve_1d import register_one_dimensional
from relucheck.cli.solve_parallel import register_path_regularized
from relucheck.cli.solve_two_layer import register_two_layer

#: The ``solve`` problem kinds, one registration function per line.
SOLVE_KINDS = [
    register_two_layer,
    register_one_dimensional,
    register_path_regularized,
]


def add_solve_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``solve`` and its problem kinds on the main parser."""
    solve = subparsers.add_parser("solve", help="certified global optimum of your own data")
    kinds = solve.add_subparsers(dest="problem", required=True, metavar="PROBLEM")
    for register in SOLVE_KINDS:
        register(kinds)
