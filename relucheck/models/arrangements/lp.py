"""Chambers of a central arrangement by incremental insertion with LP certificates.

The reference method (``enumerate_patterns(X, method="lp")``): independent of the
extreme-ray method, slow (``H·P`` small LPs) but exact on any data of any rank ``r ≥ 2``.

Insert the de-duplicated unit normals ``a_1..a_H`` one at a time, keeping each cell as
(sign vector ``s`` on the inserted hyperplanes, interior point ``w``). For a new hyperplane
``h``, the side of each cell that contains its interior point is non-empty (when
``|a_hᵀw| > MARGIN_TOL``; this is the cheap exact shortcut, otherwise both sides are
tested); the other side ``σ`` is tested by the LP (rows ``g_j`` of ``G``: the ``s_j a_j``
and ``σ a_h``)

    max t  s.t.  s_j a_jᵀ w ≥ t (inserted j),  σ a_hᵀ w ≥ t,  −1 ≤ w ≤ 1,  t ≤ 1,

and the cell is split when ``t* > MARGIN_TOL``. The LPs of all cells of one insertion are
independent; they are solved together as one block-diagonal HiGHS LP (maximise the sum of
the ``t``'s; separable, so each block is at its own optimum) in chunks of ``_LP_CHUNK``
blocks. Both answers are then certified by the project, not by the solver's word:
"non-empty" by the returned point ``w`` itself (its computed margin ``min_j g_jᵀw`` must
exceed ``MARGIN_TOL``; it becomes the new cell's interior point), "empty" by the LP duals:
for any ``y ≥ 0`` with ``Σ y = 1``, ``t ≤ yᵀG w ≤ ‖Gᵀy‖₁`` over the box, so
``‖Gᵀy‖₁ ≤ MARGIN_TOL`` certifies ``t* ≤ MARGIN_TOL``. A block that is neither (a cell at
the tolerance) is re-solved alone; if it stays undecided it is treated as empty and counted
(the caller then reports ``exact=False``).

``MARGIN_TOL = 1e-9``: margins are measured with unit normals and ``‖w‖_∞ ≤ 1``. The LP
runs with HiGHS feasibility tolerances of 1e-10, and evaluating a margin in float64 errs by
~1e-16, so 1e-9 sits an order above solver noise and seven above rounding.

:func:`feasible_sides` (many open polyhedral cones ``{w : G_b w > 0}`` decided at once) is
also the repair step of the extreme-ray method.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from relucheck.models.arrangements.normals import MARGIN_TOL

__all__ = ["feasible_sides", "lp_incremental"]

_LP_OPTIONS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}
_LP_CHUNK = 256


def _solve_blocks(G: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Solve ``max t_b s.t. G_b w_b ≥ t_b, −1 ≤ w_b ≤ 1, −1 ≤ t_b ≤ 1`` for all blocks at once.

    Returns ``(W, Y)``: points ``(B, r)`` and nonnegative row duals ``(B, k)``, or None.
    """
    B, k, r = G.shape
    nv = r + 1
    data = np.concatenate([-G, np.ones((B, k, 1))], axis=2).ravel()
    rows = np.repeat(np.arange(B * k), nv)
    cols = np.broadcast_to(
        (np.arange(B) * nv)[:, None, None] + np.arange(nv)[None, None, :], (B, k, nv)
    ).ravel()
    A_ub = sp.csr_matrix((data, (rows, cols)), shape=(B * k, B * nv))
    c = np.zeros(B * nv)
    c[r::nv] = -1.0
    bounds = np.tile(np.array([-1.0, 1.0]), (B * nv, 1))
    res = linprog(
        c, A_ub=A_ub, b_ub=np.zeros(B * k), bounds=bounds, method="highs", options=_LP_OPTIONS
    )
    if res.status != 0 or res.x is None or res.ineqlin is None:
        return None
    x = res.x.reshape(B, nv)
    W = np.clip(x[:, :r], -1.0, 1.0)
    Y = np.maximum(-np.asarray(res.ineqlin.marginals).reshape(B, k), 0.0)
    return W, Y


def _judge(G: np.ndarray, W: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(non-empty certified by the point, empty certified by the duals) for each block."""
    margins = np.einsum("bjl,bl->bj", G, W).min(axis=1)
    ysum = Y.sum(axis=1)
    gty = np.abs(np.einsum("bjl,bj->bl", G, Y)).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        bound = np.where(ysum > 0, gty / ysum, np.inf)
    return margins > MARGIN_TOL, bound <= MARGIN_TOL


def feasible_sides(G: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Decide, for each block ``G_b`` (rows = oriented unit normals), whether the open cone
    ``{w : G_b w > 0}`` has a point of margin > MARGIN_TOL in the box.

    Returns ``(feasible, witness points, #undecided)``; an undecided block is reported
    infeasible and counted.
    """
    B, _, r = G.shape
    feasible = np.zeros(B, dtype=bool)
    decided = np.zeros(B, dtype=bool)
    W = np.zeros((B, r))
    for start in range(0, B, _LP_CHUNK):
        sl = slice(start, min(B, start + _LP_CHUNK))
        sol = _solve_blocks(G[sl])
        if sol is None:
            continue  # decided below, block by block
        W[sl] = sol[0]
        yes, no = _judge(G[sl], sol[0], sol[1])
        feasible[sl] = yes
        decided[sl] = yes | no
    undecided = 0
    for b in np.flatnonzero(~decided):
        sol = _solve_blocks(G[b : b + 1])
        if sol is None:
            raise RuntimeError("HiGHS failed on a single-cell LP")
        yes, no = _judge(G[b : b + 1], sol[0], sol[1])
        W[b] = sol[0][0]
        feasible[b] = bool(yes[0])
        if not (yes[0] or no[0]):
            undecided += 1
    return feasible, W, undecided


def lp_incremental(A: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Chambers of the central arrangement with distinct unit normals ``A`` (H, r).

    Returns ``(W, S, undecided)``: interior points (P, r) in the box, sign vectors (P, H)
    with ``S[p, j] = sign(a_jᵀ W[p])``, and the number of cells left undecided at the
    tolerance (0 for a certified result).
    """
    H, r = A.shape
    if H == 0:
        return np.eye(1, r), np.zeros((1, 0), dtype=np.int8), 0
    W = np.stack([A[0], -A[0]])
    S = np.array([[1], [-1]], dtype=np.int8)
    undecided = 0
    for k in range(1, H):
        a = A[k]
        vals = W @ a
        pos = np.flatnonzero(vals > MARGIN_TOL)
        neg = np.flatnonzero(vals < -MARGIN_TOL)
        amb = np.flatnonzero(np.abs(vals) <= MARGIN_TOL)
        cells = np.concatenate([pos, neg, amb, amb])
        sigma = np.concatenate(
            [-np.ones(len(pos)), np.ones(len(neg)), np.ones(len(amb)), -np.ones(len(amb))]
        )
        G = np.concatenate(
            [
                S[cells][:, :, None] * A[None, :k, :],
                (sigma[:, None] * a[None, :])[:, None, :],
            ],
            axis=1,
        )
        feasible, Wn, und = feasible_sides(G)
        undecided += und
        keep_S = [
            np.c_[S[pos], np.ones(len(pos), dtype=np.int8)],
            np.c_[S[neg], -np.ones(len(neg), dtype=np.int8)],
        ]
        keep_W = [W[pos], W[neg]]
        np_, nn = len(pos), len(neg)
        if len(amb) and not (feasible[np_ + nn :].reshape(2, -1).any(axis=0)).all():
            raise RuntimeError("a cell vanished on both sides of a hyperplane (numerics)")
        new_S = np.c_[S[cells][feasible], sigma[feasible].astype(np.int8)]
        S = np.concatenate([*keep_S, new_S])
        W = np.concatenate([*keep_W, Wn[feasible]])
    return W, S, undecided
