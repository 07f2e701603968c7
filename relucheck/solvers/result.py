"""SolveResult: what every solver call returns, whatever the backend."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Relative gap at which claims.md calls an optimum certified (claims.md CE: "gap ≤ 1e-6 rel"):
#: the one threshold behind every "certified" the project prints.
CERTIFIED_GAP = 1e-6


@dataclass
class SolveResult:
    """One solve of a convex program.

    ``value`` is the primal objective at the returned point as the backend reports it;
    ``certified_lower`` and ``certified_gap`` are computed by the project from a dual
    point it checked itself (never taken from the solver's word). ``accurate`` is False
    when the backend reported an inaccurate or failed solve: such results make a check
    INCONCLUSIVE, never PASS.
    """

    value: float
    solution: dict[str, Any]
    status: str
    solver: str
    seconds: float
    iterations: int | None = None
    accurate: bool = True
    dual: dict[str, Any] = field(default_factory=dict)
    certified_lower: float | None = None
    certified_gap: float | None = None
    certifies: str = ""  # "full" or "restricted": which program the certificate covers

    @classmethod
    def from_cvxpy(
        cls,
        problem: Any,
        facts: dict[str, Any],
        solver: str,
        solution: dict[str, Any],
        *,
        upper: float,
        lower: float,
        certifies: str,
    ) -> SolveResult:
        """A solve through :func:`relucheck.solvers.backends.solve_problem`, certified by us.

        ``upper`` is an objective the project evaluated at a feasible point and ``lower`` a
        bound from a dual point it checked; the gap is theirs, never the solver's.
        """
        from relucheck.models.two_layer.certificate import relative_gap

        return cls(
            value=float(problem.value) if problem.value is not None else float("nan"),
            solution=solution,
            status=facts["status"],
            solver=solver,
            seconds=facts["seconds"],
            iterations=facts["iterations"],
            accurate=facts["accurate"],
            certified_lower=lower,
            certified_gap=relative_gap(upper, lower),
            certifies=certifies,
        )

    def facts(self) -> dict[str, Any]:
        """Solver facts for a result row (no arrays)."""
        return {
            "solver": self.solver,
            "status": self.status,
            "iterations": self.iterations,
            "seconds": self.seconds,
            "accurate": self.accurate,
            "value": self.value,
            "certified_lower": self.certified_lower,
            "certified_gap": self.certified_gap,
            "certifies": self.certifies,
        }
