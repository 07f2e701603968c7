"""What the claims share: the common tolerances and the row helpers built on a RELATIONS map.

``REL_TOL`` is the relative accuracy at which claims.md calls an optimum certified or attained
(a certified duality gap, an equality of two optimal values; claims.md CE, and every claim
that reuses it); ``SOFT_TOL`` bounds how far the best of several local (non-convex) training
runs may stay above a certified optimum, since such methods stall on ReLU kinks (claims.md CE:
"report the gap, never demand 1e-6"). A check that needs another tolerance declares it beside
itself and says why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from relucheck.harness.claims import InstanceSpec, RunOptions
from relucheck.harness.records import CheckResult, Verdict, held, is_control
from relucheck.solvers.result import CERTIFIED_GAP

REL_TOL = CERTIFIED_GAP
SOFT_TOL = 1e-2


def held_row(relations: Mapping[str, str], check_id: str, ok: bool, **kw: Any) -> CheckResult:
    """PASS/FAIL row for ``check_id`` with its declared relation."""
    return held(check_id, ok, relations[check_id], control=is_control(check_id), **kw)


def inconclusive_row(
    relations: Mapping[str, str], check_id: str, reason: str, **kw: Any
) -> CheckResult:
    """INCONCLUSIVE row for ``check_id`` (a solve that could not be certified), with why."""
    return CheckResult(
        check_id,
        Verdict.INCONCLUSIVE,
        relations[check_id],
        control=is_control(check_id),
        reason=reason,
        **kw,
    )


def padded_grid(x: np.ndarray, points: int = 200) -> np.ndarray:
    """``points`` evenly spaced values over the data's range widened by 10 % on each side."""
    span = x.max() - x.min()
    return np.linspace(x.min() - 0.1 * span, x.max() + 0.1 * span, points)


def at_most_row(
    relations: Mapping[str, str], check_id: str, value: float, tolerance: float, **kw: Any
) -> CheckResult:
    """PASS when ``value ≤ tolerance`` (a relative error, a gap), with value, tolerance, margin."""
    return held_row(
        relations,
        check_id,
        value <= tolerance,
        value=value,
        tolerance=tolerance,
        margin=tolerance - value,
        **kw,
    )


#: A claim's family: checks one instance of its kind.
FamilyRun = Callable[[InstanceSpec, RunOptions], list[CheckResult]]


def run_by_kind(
    claim_id: str, runs: Mapping[str, FamilyRun], spec: InstanceSpec, options: RunOptions
) -> list[CheckResult]:
    """Dispatch ``spec`` to the family of its ``kind`` parameter (claims with several kinds)."""
    kind = spec.p["kind"]
    if kind not in runs:
        raise ValueError(f"unknown {claim_id} instance kind {kind!r}")
    return runs[kind](spec, options)
