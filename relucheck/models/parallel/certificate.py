"""Certified lower bound on the PR convex optimum from a dual point (claims.md PR, step 6 of
relucheck.models.parallel.program).

For a residual r and every group g, γ̄_g ≥ sup { σ_g rᵀ L_g(Z) : Z ∈ C_g, ‖Z‖_F ≤ 1 } is
certified by :func:`relucheck.models.two_layer.certificate.cone_sup_bound` (NNLS over the
polar cone: the bound holds for whatever multipliers it returns). With s = min(1, β / max_g γ̄_g),

    p_cvx ≥ ½‖y‖² − ½‖y − s r‖².

This bounds the FULL program (and every parallel network, any K) only when the groups are
an exact enumeration; otherwise it certifies the restricted program over those groups
(``certifies`` says which). The bound is this project's derivation (as in CE).
"""

from __future__ import annotations

import numpy as np

from relucheck.models.parallel.groups import GroupSet
from relucheck.models.parallel.program import group_blocks
from relucheck.models.two_layer.certificate import DualCertificate, cone_sup_bound

__all__ = ["group_gauges", "path_certificate", "screening_lower_bounds"]


def group_gauges(
    nu: np.ndarray, groups: GroupSet, *, refine_above: float | None = 0.0
) -> np.ndarray:
    """(G,) certified upper bounds on sup_{Z ∈ C_g, ‖Z‖_F ≤ 1} νᵀ L_g(Z).

    Every μ ≥ 0 gives a valid bound ‖c + Aᵀμ‖, so the smaller of two is kept: scipy's
    ``nnls`` (through :func:`cone_sup_bound`) sometimes stops at a clearly suboptimal μ on
    these degenerate cones (seen with scipy 1.17: 6.0 where the sup is 0.19; scipy issues
    #21140, #25389), so groups whose NNLS bound exceeds ``refine_above`` are re-bounded with
    BVLS (``None``: never).
    """
    out = np.zeros(groups.count)
    for g in range(groups.count):
        L, A = group_blocks(groups, g)
        c = L.T @ nu
        if A.shape[0] == 0:
            out[g] = float(np.linalg.norm(c))
            continue
        out[g] = cone_sup_bound(c, A, second_opinion=False)
        if refine_above is not None and out[g] > refine_above:
            out[g] = min(out[g], cone_sup_bound(c, A, second_opinion=True))
    return out


def path_certificate(
    y: np.ndarray, beta: float, residual: np.ndarray, groups: GroupSet
) -> DualCertificate:
    """Lower bound ½‖y‖² − ½‖y − s r‖² with s = min(1, β / max_g γ̄_g)."""
    # groups whose bound is below 0.9β cannot decide the scale: refine only the others
    gauge = float(group_gauges(residual, groups, refine_above=0.9 * beta).max(initial=0.0))
    scale = 1.0 if gauge <= beta else beta / gauge
    lower = 0.5 * float(y @ y) - 0.5 * float(np.sum((y - scale * residual) ** 2))
    return DualCertificate(lower, scale, gauge, "full" if groups.exact else "restricted")


def screening_lower_bounds(
    y: np.ndarray, beta: float, groups: GroupSet, threshold: float | None = None
) -> np.ndarray:
    """(G,) certified lower bounds on each single-group problem min_{Z ∈ C_g} ½‖L_g Z − y‖² + β‖Z‖.

    The dual point ν = s_g·y of the one-group program gives ½‖y‖²(1 − (1 − s_g)²) with
    s_g = min(1, β/γ̄_g(y)); cheap, used to skip groups that cannot beat ``threshold``.
    Only the groups at or below ``threshold`` (all, when None) get the BVLS refinement.
    """

    def bounds(gam: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            s = np.where(gam > beta, beta / np.where(gam > 0, gam, 1.0), 1.0)
        return 0.5 * float(y @ y) * (1.0 - (1.0 - s) ** 2)

    out = bounds(group_gauges(y, groups, refine_above=None))
    low = np.flatnonzero(out <= (np.inf if threshold is None else threshold))
    if low.size:
        out[low] = np.maximum(
            out[low], bounds(group_gauges(y, groups.take(low), refine_above=beta))
        )
    return out
