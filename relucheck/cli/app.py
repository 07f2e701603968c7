"""The ``relucheck`` command: one parser, each command family registered by its own module.

Every subcommand sets ``func`` with ``set_defaults``; :func:`main` calls ``args.func(args)``
and returns its exit status (see :mod:`relucheck.cli.common` for what the statuses mean).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from relucheck.cli.arrangements import add_arrangements_parser
from relucheck.cli.claim_tools import add_claim_tool_parsers
from relucheck.cli.common import Parser
from relucheck.cli.solve import add_solve_parser
from relucheck.cli.verify import add_verify_parsers


def build_parser() -> argparse.ArgumentParser:
    """The full parser: list, verify, report, the solve group, arrangements, check-claim and
    new-claim."""
    parser = Parser(prog="relucheck", description="Executable checks of ReLU-network theorems.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_verify_parsers(sub)
    add_solve_parser(sub)
    add_arrangements_parser(sub)
    add_claim_tool_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` (default: ``sys.argv[1:]``), dispatch, return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
    try:
        return int(args.func(args))
    except BrokenPipeError:
        # Output piped into `head` and friends: stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
