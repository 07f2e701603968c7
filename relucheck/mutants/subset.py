"""``relucheck verify`` on a chosen subset of a claim's instances (used by the mutant runner).

``python -m relucheck.mutants.subset --select CE=gaussian-d3,teacher-d3 -- --jobs 2 --out DIR``
runs exactly ``relucheck verify CE --jobs 2 --out DIR`` with the claim's instance grid cut
down to the named instances: same checks, budgets, rows, report and exit status. The claim
registry is replaced in this process only (workers are forked from it), so nothing on disk
changes. An unknown claim or instance name is a usage error (exit 2).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from relucheck.harness.claims import Claim, InstanceSpec


def parse_selection(items: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """``["CE=a,b", "PT=c"]`` → ``{"CE": ("a", "b"), "PT": ("c",)}``; ``"CE"`` alone = all."""
    out: dict[str, tuple[str, ...]] = {}
    for item in items:
        claim, _, names = item.partition("=")
        if not claim:
            raise ValueError(f"bad selection {item!r} (expected CLAIM=name,name)")
        out[claim] = tuple(n for n in names.split(",") if n)
    return out


def _narrowed(
    instances: Callable[[str], list[InstanceSpec]], names: tuple[str, ...]
) -> Callable[[str], list[InstanceSpec]]:
    def chosen(profile: str) -> list[InstanceSpec]:
        specs = instances(profile)
        if not names:
            return specs
        missing = sorted(set(names) - {s.name for s in specs})
        if missing:
            raise KeyError(f"no instance {', '.join(missing)} in the {profile} profile")
        return [s for s in specs if s.name in names]

    return chosen


def narrowed_registry(
    registry: Mapping[str, Claim], selection: Mapping[str, tuple[str, ...]], profile: str
) -> dict[str, Claim]:
    """The selected claims only, each with its instance grid cut to the named instances.

    Raises KeyError naming an unknown claim or instance (checked here, before any run).
    """
    out: dict[str, Claim] = {}
    for claim_id, names in selection.items():
        if claim_id not in registry:
            raise KeyError(f"unknown claim {claim_id!r} (known: {', '.join(registry)})")
        claim = registry[claim_id]
        narrowed = replace(claim, instances=_narrowed(claim.instances, names))
        narrowed.instances(profile)  # raises on an unknown instance name
        out[claim_id] = narrowed
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """``--select CLAIM=names`` (repeatable) and ``--expect-root DIR``, then ``--`` and the
    arguments of ``relucheck verify``."""
    import relucheck
    import relucheck.theorems
    from relucheck.cli import main as cli_main
    from relucheck.cli.common import Parser, usage_error

    argv = list(sys.argv[1:] if argv is None else argv)
    split = argv.index("--") if "--" in argv else len(argv)
    own, verify_args = argv[:split], argv[split + 1 :]
    parser = Parser(prog="relucheck.mutants.subset")
    parser.add_argument("--select", action="append", required=True, metavar="CLAIM=NAMES")
    parser.add_argument("--expect-root", default=None, metavar="DIR")
    args = parser.parse_args(own)
    if args.expect_root is not None:
        root = Path(args.expect_root).resolve()
        imported = Path(relucheck.__file__).resolve()
        if root not in imported.parents:
            return usage_error(f"imported {imported}, not the copy under {root}")
    profile = "quick"
    if "--profile" in verify_args[:-1]:
        profile = verify_args[verify_args.index("--profile") + 1]
    try:
        selection = parse_selection(args.select)
        registry = narrowed_registry(relucheck.theorems.REGISTRY, selection, profile)
    except (KeyError, ValueError) as exc:
        return usage_error(exc.args[0])
    relucheck.theorems.REGISTRY = registry  # cli.verify.registry() reads it at call time
    return cli_main(["verify", *selection, *verify_args])


if __name__ == "__main__":
    raise SystemExit(main())
