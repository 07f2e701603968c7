"""The claim contract: instance specs with explicit seeds, run options, and the Claim record.

A claim module builds one :class:`Claim`; the explicit list in
``relucheck/theorems/__init__.py`` names the built-ins, and :mod:`relucheck.plugins` adds
those of installed packages and of files named on the command line. Nothing registers itself
at import time. The rest of the contract (what :func:`relucheck.plugins.claim_problems` and
the conformance suite :mod:`relucheck.testing.conformance` check) is stated there.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from relucheck.harness.records import CheckResult

PROFILES = ("quick", "full")


@dataclass(frozen=True)
class InstanceSpec:
    """A frozen, hashable description of one instance: every random draw comes from ``seed``.

    ``params`` is a sorted tuple of (name, value) pairs with JSON-serializable values so the
    id is stable across processes and runs.
    """

    claim: str
    name: str
    seed: int
    params: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def make(cls, claim: str, name: str, seed: int, **params: Any) -> InstanceSpec:
        return cls(claim=claim, name=name, seed=int(seed), params=tuple(sorted(params.items())))

    @property
    def p(self) -> dict[str, Any]:
        """The parameters as a dict."""
        return dict(self.params)

    @property
    def id(self) -> str:
        """Stable id: a hash of claim, name, seed and parameters."""
        payload = json.dumps(
            {"claim": self.claim, "name": self.name, "seed": self.seed, "params": self.params},
            sort_keys=True,
            default=str,
        )
        return self.name + "-" + hashlib.sha1(payload.encode()).hexdigest()[:10]

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "name": self.name,
            "seed": self.seed,
            "params": dict(self.params),
            "instance_id": self.id,
        }


@dataclass(frozen=True)
class RunOptions:
    """What a check may consult besides its instance: which conic solver to use."""

    solver: str = "auto"
    profile: str = "quick"


@dataclass(frozen=True)
class Claim:
    """One claim of claims.md: statement, instance grid per profile, checks, figures.

    ``check_ids`` lists every check the claim can emit, so the runner can write a row per
    check even when an instance times out or its worker dies; ``checks_for`` narrows that
    per instance. ``own_derivation`` is
    non-empty when the module relies on the project's derivation rather than a paper's
    text; reports print it.
    """

    id: str
    title: str
    citation: str
    statement: str
    check_ids: tuple[str, ...]
    instances: Callable[[str], list[InstanceSpec]]
    check: Callable[[InstanceSpec, RunOptions], list[CheckResult]]
    figures: Callable[[pd.DataFrame, Path], list[Path]] | None = None
    own_derivation: str = ""
    budget_seconds: float = 120.0
    checks_for: Callable[[InstanceSpec], tuple[str, ...]] | None = None

    def expected_checks(self, instance: InstanceSpec) -> tuple[str, ...]:
        """The check ids one instance reports: ``checks_for(instance)`` or all ``check_ids``.

        Claims whose instance kinds measure different things (e.g. PT: counts on one grid,
        solve times on another) declare ``checks_for`` so no instance pads its rows.
        """
        if self.checks_for is None:
            return tuple(self.check_ids)
        return tuple(self.checks_for(instance))


def registry_lookup(registry: Mapping[str, Claim], names: list[str]) -> list[Claim]:
    """Claims by id (case-insensitive); raises KeyError naming the unknown one."""
    by_upper = {k.upper(): v for k, v in registry.items()}
    out = []
    for name in names:
        if name.upper() not in by_upper:
            known = ", ".join(registry)
            raise KeyError(f"unknown claim {name!r} (known: {known})")
        out.append(by_upper[name.upper()])
    return out
