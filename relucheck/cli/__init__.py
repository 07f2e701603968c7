"""The command line, ``relucheck`` (also ``python -m relucheck``).

:mod:`~relucheck.cli.app` builds the parser from the command families: ``list``, ``verify``
and ``report`` (:mod:`~relucheck.cli.verify`), ``solve`` (:mod:`~relucheck.cli.solve`, one
module per problem: :mod:`~relucheck.cli.solve_two_layer` with its β path in
:mod:`~relucheck.cli.beta_path`, :mod:`~relucheck.cli.solve_1d`,
:mod:`~relucheck.cli.solve_parallel`) and ``arrangements`` (:mod:`~relucheck.cli.arrangements`).
What they share (the parser class, input checks, the JSON and exit-status tail) is in
:mod:`~relucheck.cli.common`.
"""

from relucheck.cli.app import build_parser, main

__all__ = ["build_parser", "main"]
