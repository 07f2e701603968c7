"""Tools for people who write claims: the conformance suite, usable from pytest.

    from relucheck.testing import check_claim

    def test_my_claim_conforms():
        check_claim("path/to/my_claim.py")     # or a Claim object, or a registered id

:func:`check_claim` raises ``AssertionError`` naming every failed property (see
:mod:`relucheck.testing.conformance` for the list); ``relucheck check-claim`` runs the same
suite from the command line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from relucheck.harness.claims import Claim
from relucheck.testing.conformance import PROPERTIES, ConformanceReport, conformance

__all__ = ["PROPERTIES", "ConformanceReport", "check_claim", "resolve_claims"]


def resolve_claims(target: Claim | str | Path) -> list[Any]:
    """The claims ``target`` names: a Claim, a registered id, or a claim file or folder.

    Raises :class:`relucheck.plugins.PluginError` (one line) when it names nothing usable.
    """
    from relucheck.plugins import PluginError, claims_from_paths, load_claims, require_paths

    if isinstance(target, Claim):
        return [target]
    path = Path(target)
    if path.exists() or str(target).endswith(".py"):
        registry = load_claims([path], entry_points=False)
        require_paths(registry, [path])
        found = claims_from_paths(registry, [path])
        if not found:
            raise PluginError(f"claim path {str(path)!r}: defines no claim")
        return found
    registry = load_claims()
    claims = {k.upper(): v for k, v in registry.claims.items()}
    if str(target).upper() in claims:
        return [claims[str(target).upper()]]
    broken = registry.find_broken(str(target))
    if broken is not None:
        raise PluginError(f"claim plug-in {broken.line()}")
    raise PluginError(f"unknown claim {str(target)!r} (known: {', '.join(registry.claims)})")


def check_claim(
    target: Claim | str | Path,
    *,
    instances: int = 1,
    instance_names: tuple[str, ...] = (),
    raise_on_failure: bool = True,
) -> list[ConformanceReport]:
    """Run the conformance suite on every claim ``target`` names; one report per claim.

    With ``raise_on_failure`` (the default, for pytest) an ``AssertionError`` lists each
    failed property of each claim with what broke it.
    """
    reports = [
        conformance(claim, instances=instances, instance_names=instance_names)
        for claim in resolve_claims(target)
    ]
    failed = [r for r in reports if not r.ok]
    if failed and raise_on_failure:
        raise AssertionError("\n".join(line for r in failed for line in r.lines()))
    return reports
