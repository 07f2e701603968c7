"""``python -m relucheck.mutants`` (``make mutants``): plant each defect, verify, report."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from relucheck.cli.common import Parser, usage_error
from relucheck.mutants.apply import MutantRotted, source_root, validate
from relucheck.mutants.catalog import MUTANTS, by_id


def main(argv: Sequence[str] | None = None) -> int:
    """Exit 0 iff every selected mutant is caught; 1 if one survives; 2 on bad usage/rot."""
    parser = Parser(prog="relucheck.mutants", description=__doc__)
    parser.add_argument("--only", action="append", default=[], metavar="ID",
                        help="run only these mutants (repeatable)")  # fmt: skip
    parser.add_argument("--jobs", type=int, default=2, help="verify worker processes (2)")
    parser.add_argument("--out", default="reports/mutants", help="output folder")
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="seconds per verify run (600)")  # fmt: skip
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the unmutated run of the same instances")  # fmt: skip
    parser.add_argument("--list", action="store_true", help="print the catalog and exit")
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        mutants = [by_id(i) for i in args.only] if args.only else list(MUTANTS)
    except KeyError as exc:
        return usage_error(exc.args[0])
    if args.jobs < 1:
        return usage_error(f"--jobs must be at least 1 (got {args.jobs})")
    src = source_root()
    try:
        for mutant in mutants:  # every search text exactly once, before anything runs
            validate(src, mutant)
    except MutantRotted as exc:
        return usage_error(exc)
    if args.list:
        for m in mutants:
            scope = ",".join(m.instances) or "all quick instances"
            print(f"{m.id:36s} {m.claim:9s} {m.path}  [{scope}]\n    {m.description}")
        return 0
    from relucheck.mutants.run import run_all

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    status, _ = run_all(
        mutants,
        jobs=args.jobs,
        out_dir=Path(args.out),
        timeout=args.timeout,
        baseline=not args.no_baseline,
        log=log,
    )
    return status


if __name__ == "__main__":
    raise SystemExit(main())
