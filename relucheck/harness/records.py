"""Verdicts and result rows: the one vocabulary every check reports in (claims.md, preamble)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any


class Verdict(str, Enum):
    """Outcome of one check.

    PASS: the relation held. FAIL: certified numbers contradict the claim (or a negative
    control went undetected). INCONCLUSIVE: solver inaccurate, budget hit, not converged.
    SKIPPED: not applicable here, with a reason (e.g. no MOSEK license). ERROR: exception.
    """

    PASS = "PASS"
    FAIL = "FAIL"
    INCONCLUSIVE = "INCONCLUSIVE"
    SKIPPED = "SKIPPED"
    ERROR = "ERROR"

    @property
    def is_failure(self) -> bool:
        return self in (Verdict.FAIL, Verdict.ERROR)


def jsonable(value: Any) -> Any:
    """Convert numpy scalars/arrays and non-finite floats to strict-JSON Python values.

    The one policy for every JSON the project writes (rows, ``--json`` output, saved facts):
    NaN becomes null, +inf and -inf the strings "inf" and "-inf" (an infinite gap is a fact,
    not a missing value).
    """
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if hasattr(value, "tolist"):  # numpy scalar or array
        return jsonable(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, Enum):
        return value.value
    return value


@dataclass
class CheckResult:
    """One row: a check on one instance, held to a stated relation and tolerance.

    ``relation`` is the human-readable inequality that was tested, e.g.
    ``"nonconvex_min >= p_cvx - 1e-6*|p_cvx|"``; ``value`` is the measured left-hand
    quantity and ``margin`` how far inside (positive) or outside (negative) the relation
    it landed. ``control`` marks a negative control: its PASS means the planted violation
    was detected.
    """

    check: str
    verdict: Verdict
    relation: str
    value: float | None = None
    tolerance: float | None = None
    margin: float | None = None
    control: bool = False
    reason: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    solver: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["verdict"] = self.verdict.value
        return jsonable(out)


def held(
    check: str,
    ok: bool,
    relation: str,
    *,
    value: float | None = None,
    tolerance: float | None = None,
    margin: float | None = None,
    control: bool = False,
    reason: str = "",
    **extra: Any,
) -> CheckResult:
    """A PASS/FAIL row from a boolean that says whether ``relation`` held."""
    return CheckResult(
        check=check,
        verdict=Verdict.PASS if ok else Verdict.FAIL,
        relation=relation,
        value=value,
        tolerance=tolerance,
        margin=margin,
        control=control,
        reason=reason,
        **extra,
    )


def is_control(check_id: str) -> bool:
    """Negative controls are the checks named ``control_*`` (the convention of every claim)."""
    return check_id.startswith("control_")


def skipped(check_id: str, relation: str, reason: str) -> CheckResult:
    """A SKIPPED row that still states the relation it would have been held to.

    Negative controls are named ``control_*`` across the project, so the flag follows the id.
    """
    return CheckResult(
        check_id,
        Verdict.SKIPPED,
        relation,
        reason=reason,
        control=is_control(check_id),
    )
