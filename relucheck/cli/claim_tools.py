"""``relucheck check-claim`` and ``relucheck new-claim``: for people who write claims.

    relucheck check-claim CLAIM_OR_PATH [--instances N] [--instance NAME ...]
    relucheck new-claim NAME [--dir DIR]

``check-claim`` runs the conformance suite (:mod:`relucheck.testing.conformance`) and prints
one line per property; exit 0 when every property holds, 1 when one fails, 2 when the claim
cannot be found or loaded (one line naming it). ``new-claim`` writes ``<name>.py`` and
``test_<name>.py`` (:mod:`relucheck.testing.scaffold`); exit 2 if either exists.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from relucheck.cli.common import usage_error


def cmd_check_claim(args: argparse.Namespace) -> int:
    from relucheck.plugins import PluginError
    from relucheck.testing import check_claim

    if args.instances < 1:
        return usage_error(f"--instances must be at least 1 (got {args.instances})")
    try:
        reports = check_claim(
            args.target,
            instances=args.instances,
            instance_names=tuple(args.instance),
            raise_on_failure=False,
        )
    except PluginError as exc:
        return usage_error(exc)
    for report in reports:
        print("\n".join(report.lines()))
    return 0 if all(r.ok for r in reports) else 1


def cmd_new_claim(args: argparse.Namespace) -> int:
    from relucheck.testing.scaffold import ScaffoldError, write_scaffold

    try:
        paths = write_scaffold(args.name, Path(args.dir))
    except ScaffoldError as exc:
        return usage_error(exc)
    except OSError as exc:
        return usage_error(f"cannot write to {args.dir!r}: {exc.strerror or exc}")
    for path in paths:
        print(path)
    print(f"next: relucheck check-claim {paths[0]}  and  pytest {paths[1]}")
    return 0


def add_claim_tool_parsers(sub: argparse._SubParsersAction) -> None:
    """Register ``check-claim`` and ``new-claim``."""
    check = sub.add_parser("check-claim", help="run the conformance suite on a claim")
    check.add_argument("target", metavar="CLAIM_OR_PATH", help="claim id, or a .py file/folder")
    check.add_argument(
        "--instances", type=int, default=1, help="quick instances to check (default 1)"
    )
    check.add_argument(
        "--instance",
        action="append",
        default=[],
        metavar="NAME",
        help="check this quick instance (repeatable; instead of --instances)",
    )
    check.set_defaults(func=cmd_check_claim)

    new = sub.add_parser("new-claim", help="write a working claim module and its test")
    new.add_argument("name", metavar="NAME", help="claim name, e.g. my-claim (id MY-CLAIM)")
    new.add_argument("--dir", default=".", help="folder to write into (default: .)")
    new.set_defaults(func=cmd_new_claim)
