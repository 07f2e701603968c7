"""Activation patterns of a data matrix: the chambers of a central hyperplane arrangement.

Definitions (claims.md, sections CE and PT)
-------------------------------------------
For ``X ∈ R^{n×d}`` with rows ``x_i`` and a gate ``u ∈ R^d`` the activation pattern is
``D(u) = diag(1[X u ≥ 0])`` (the ≥ convention of claims.md; the network's ReLU derivative
uses the same convention). A pattern is stored as a boolean mask ``m ∈ {0, 1}^n``.

The convex program of CE needs the sign vectors of the CHAMBERS (open, full-dimensional
cells) of the central arrangement ``{u : x_iᵀu = 0}``, ``x_i ≠ 0``:

* inside a chamber ``C`` no ``x_iᵀu`` vanishes, so the pattern ``D_C`` is constant on ``C``;
* every ``u`` lies in the closure of some chamber ``C`` and ``σ(Xu) = D_C X u`` there (rows
  with ``x_iᵀu = 0`` contribute 0 whichever mask they get), so the cones
  ``{u : (2D_C − I) X u ≥ 0}`` of the chambers cover ``R^d``. Patterns of lower-dimensional
  faces are therefore redundant for the convex program: chambers suffice.
* Zero rows ``x_i = 0`` are always 1 under ≥ (they define no hyperplane).
* Parallel rows (``x_j = c x_i``, ``c > 0``) share a hyperplane and a sign; antiparallel rows
  (``c < 0``) share a hyperplane with opposite signs. Hyperplanes are de-duplicated before
  enumeration (unit normals ``a, b`` are the same hyperplane when
  ``min(‖a − b‖, ‖a + b‖) ≤ PARALLEL_TOL``).

Chambers come in pairs ``C, −C`` (distinct as soon as there is one hyperplane), so the count
is even whenever the rank is ≥ 1. The all-zero mask is a chamber iff some ``u`` has
``X u < 0`` (no zero rows, data in an open half-space); it contributes nothing to the
convex program: :meth:`PatternSet.without_zero` drops it (this changes ``P``, never the
optimum, see "Known pitfalls" in claims.md).

Rank-deficient data
-------------------
If ``rank X = r < d`` every hyperplane contains the null space of ``X``, so the chambers
are cylinders over the chambers of the projected arrangement in the row space. Patterns do
not depend on the scale of the rows, so we first scale every nonzero row to unit norm
(``X̂``; this makes the rank decision scale-free: a row of norm 1e-12 next to rows of norm 1
still counts), take the SVD ``X̂ = U S Vᵀ``, keep the ``r`` singular values
``> rank_tol · s_max``, set ``Z = X̂ V_r`` (rows ``z_i ∈ R^r``), enumerate in ``R^r`` and map
interior points back by ``u = V_r w``. Since ``x̂_iᵀ V_r w = z_iᵀ w`` the mask
``1[X u ≥ 0]`` computed from the full ``X`` equals the row-space mask, with a positive margin
on every nonzero row; this is checked (``RuntimeError`` otherwise). With a large
``rank_tol`` a nonzero row can lose its row-space component (``‖z_i‖ ≤ NULL_ROW_REL``); it
then defines no hyperplane at this precision, its mask bit is the sign of a rounding-level
number, and a ``RuntimeWarning`` is emitted.

Counting (PT)
-------------
For ``n`` rows of rank ``r`` in general position (every ``r`` projected rows linearly
independent, see :func:`is_general_position`) the number of chambers is Cover's count
``cover_count(n, r) = 2 Σ_{k<r} C(n−1, k)``; for any data of rank ``r`` it is at most that
(general position maximises the count), and ``cover_count(n, r) ≤ cover_bound(n, r) =
2r(e(n−1)/r)^r`` for ``n ≥ 2, r ≥ 1`` (at ``n = 1`` the bound is 0 while the count is 2;
at ``r = 0`` there is exactly one pattern, all ones, while both formulas give 0).

Methods of :func:`enumerate_patterns`
-------------------------------------
* ``"rank1"``: ``r ≤ 1``. ``r = 0``: one pattern (all ones). ``r = 1``: the two chambers
  ``±v`` of the single hyperplane ``{vᵀu = 0}``.
* ``"angular-sweep"``: ``r = 2``, exact, ``O(n log n)``. A row with normal at angle ``φ_i``
  is positive on the open half circle ``(φ_i − π/2, φ_i + π/2)``; the chamber boundaries are
  the angles ``φ_i ± π/2``. Sort them, merge equal ones (consecutive unit boundary vectors
  ``b, b'`` with ``b × b' ≤ PARALLEL_TOL`` and ``b·b' > 0``), and take the midpoint of each
  arc between consecutive distinct boundaries as interior direction.
* ``"lp-incremental"``: ``r ≥ 3``, exact with LP certification. Insert the de-duplicated
  unit normals ``a_1..a_H`` one at a time, keeping each cell as (sign vector ``s`` on the
  inserted hyperplanes, interior point ``w``). For a new hyperplane ``h``, the side of each
  cell that contains its interior point is non-empty (when ``|a_hᵀw| > MARGIN_TOL``; this
  is the cheap exact shortcut, otherwise both sides are tested); the other side ``σ`` is
  tested by the LP (rows ``g_j`` of ``G``: the ``s_j a_j`` and ``σ a_h``)

      max t  s.t.  s_j a_jᵀ w ≥ t (inserted j),  σ a_hᵀ w ≥ t,  −1 ≤ w ≤ 1,  t ≤ 1,

  and the cell is split when ``t* > MARGIN_TOL``. The LPs of all cells of one insertion
  are independent; they are solved together as one block-diagonal HiGHS LP (maximise the
  sum of the ``t``'s; separable, so each block is at its own optimum) in chunks of
  ``_LP_CHUNK`` blocks. Both answers are then certified by the project, not by the
  solver's word: "non-empty" by the returned point ``w`` itself (its computed margin
  ``min_j g_jᵀw`` must exceed ``MARGIN_TOL``; it becomes the new cell's interior point),
  "empty" by the LP duals: for any ``y ≥ 0`` with ``Σ y = 1``, ``t ≤ yᵀG w ≤ ‖Gᵀy‖₁``
  over the box, so ``‖Gᵀy‖₁ ≤ MARGIN_TOL`` certifies ``t* ≤ MARGIN_TOL``. A block that is
  neither (a cell at the tolerance) is re-solved alone; if it stays undecided it is
  treated as empty, a ``RuntimeWarning`` is emitted and the result has ``exact=False``.

``MARGIN_TOL = 1e-9``: margins are measured with unit normals and ``‖w‖_∞ ≤ 1``. The LP
runs with HiGHS feasibility tolerances of 1e-10, and evaluating a margin in float64 errs by
~1e-16, so 1e-9 sits an order above solver noise and seven above rounding. A chamber whose
inscribed margin is below 1e-9 is numerically indistinguishable from a lower-dimensional
face and is not reported (the angular sweep draws the same line with ``PARALLEL_TOL``). The
final masks are always recomputed as ``1[X u ≥ 0]`` from the full ``X`` and checked.

:func:`sample_patterns` draws Gaussian gates ``u ~ N(0, I_d)`` instead: a subset of the
chambers (``exact=False``), the cheap but incomplete alternative whose coverage PT reports.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, replace
from itertools import combinations

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

__all__ = [
    "MARGIN_TOL",
    "PARALLEL_TOL",
    "GP_TOL",
    "PatternSet",
    "enumerate_patterns",
    "sample_patterns",
    "cover_count",
    "cover_bound",
    "numerical_rank",
    "is_general_position",
    "margin",
]

MARGIN_TOL = 1e-9
"""A cell exists iff its LP margin (unit normals, ``‖w‖_∞ ≤ 1``) exceeds this."""

PARALLEL_TOL = 1e-10
"""Unit normals closer than this (up to sign) are the same hyperplane."""

GP_TOL = 1e-8
"""General position: smallest singular value of every ``r`` unit projected rows > this."""

NULL_ROW_REL = 1e-6
"""A unit row with projection ``‖z_i‖ ≤ NULL_ROW_REL`` has no usable row-space component."""

_LP_OPTIONS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}
_LP_CHUNK = 256
_GP_MAX_SUBSETS = 200_000
_SAMPLE_CHUNK = 8192


# --------------------------------------------------------------------------------------
# Result type
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PatternSet:
    """Distinct activation patterns of ``X`` with an interior gate for each.

    Attributes:
        masks: ``(P, n)`` bool, one row per distinct pattern ``1[X u ≥ 0]``.
        directions: ``(P, d)`` float64 unit vectors; ``1[X directions[p] ≥ 0] == masks[p]``
            with a strictly positive margin on every row that defines a hyperplane.
        exact: True iff ``masks`` are ALL chambers (certified enumeration). Dropping the
            all-zero pattern with :meth:`without_zero` keeps ``exact``: that pattern never
            matters to the convex program or its dual certificate.
        rank: numerical rank ``r`` of ``X``.
        method: ``"rank1"``, ``"angular-sweep"``, ``"lp-incremental"`` or ``"sampled"``.

    The arrays are made read-only.
    """

    masks: np.ndarray
    directions: np.ndarray
    exact: bool
    rank: int
    method: str

    def __post_init__(self) -> None:
        if self.masks.ndim != 2 or self.masks.dtype != np.bool_:
            raise ValueError("masks must be a 2-D bool array")
        if self.directions.ndim != 2 or self.directions.shape[0] != self.masks.shape[0]:
            raise ValueError("directions must be (P, d) with one row per mask")
        self.masks.setflags(write=False)
        self.directions.setflags(write=False)

    @property
    def count(self) -> int:
        """Number ``P`` of distinct patterns."""
        return int(self.masks.shape[0])

    def without_zero(self) -> PatternSet:
        """The same set without the all-zero pattern (changes ``P``, never the optimum)."""
        keep = self.masks.any(axis=1)
        if keep.all():
            return self
        return replace(self, masks=self.masks[keep].copy(), directions=self.directions[keep].copy())


# --------------------------------------------------------------------------------------
# Counting formulas and small helpers
# --------------------------------------------------------------------------------------


def cover_count(n: int, r: int) -> int:
    """Cover's count ``2 Σ_{k<r} C(n−1, k)``: chambers of ``n`` rows of rank ``r`` in general
    position (exact integer). Requires ``0 ≤ r ≤ n``; gives 0 at ``r = 0`` (the true count
    there is 1: the all-ones pattern)."""
    n, r = int(n), int(r)
    if r < 0 or n < 0 or r > n:
        raise ValueError(f"need 0 <= r <= n, got n={n}, r={r}")
    return 2 * sum(math.comb(n - 1, k) for k in range(r))


def cover_bound(n: int, r: int) -> float:
    """The bound ``2r(e(n−1)/r)^r`` on :func:`cover_count` (valid for ``n ≥ 2``, ``r ≥ 1``;
    returns 0.0 for ``r = 0``)."""
    n, r = int(n), int(r)
    if r < 0 or n < 0:
        raise ValueError(f"need n, r >= 0, got n={n}, r={r}")
    if r == 0:
        return 0.0
    return float(2 * r * (math.e * (n - 1) / r) ** r)


def _as_matrix(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, got shape {X.shape}")
    if X.shape[1] == 0:
        raise ValueError("X must have at least one column")
    if not np.all(np.isfinite(X)):
        raise ValueError("X must be finite")
    return X


def _singular_values(X: np.ndarray) -> np.ndarray:
    if X.size == 0:
        return np.zeros(0)
    return np.linalg.svd(X, compute_uv=False)


def _unit_rows(X: np.ndarray) -> np.ndarray:
    """X with every nonzero row scaled to unit norm (zero rows stay zero)."""
    xn = np.linalg.norm(X, axis=1, keepdims=True)
    return X / np.where(xn > 0, xn, 1.0)


def numerical_rank(X: np.ndarray, rank_tol: float = 1e-10) -> int:
    """Rank of the arrangement of ``X``: the number of singular values ``> rank_tol · s_max``
    of ``X`` with its nonzero rows scaled to unit norm (0 for a zero or empty ``X``).

    Patterns do not depend on the scale of the rows, so neither does this rank; in exact
    arithmetic it is ``rank X``.
    """
    X = _as_matrix(X)
    s = _singular_values(_unit_rows(X))
    if s.size == 0 or s[0] == 0.0:
        return 0
    return int(np.sum(s > rank_tol * s[0]))


@dataclass(frozen=True)
class _RowSpace:
    rank: int
    basis: np.ndarray  # (d, r), orthonormal columns V_r
    Z: np.ndarray  # (n, r) = X V_r
    zero_rows: np.ndarray  # (n,) exactly zero rows
    hyper_rows: np.ndarray  # (n,) rows that define a hyperplane in the row space
    null_rows: np.ndarray  # (n,) nonzero rows with negligible row-space component


def _row_space(X: np.ndarray, rank_tol: float) -> _RowSpace:
    n, d = X.shape
    zero = ~np.any(X != 0.0, axis=1)
    if X.size == 0 or zero.all():
        empty = np.zeros(n, dtype=bool)
        return _RowSpace(0, np.zeros((d, 0)), np.zeros((n, 0)), zero, empty, empty)
    Xn = _unit_rows(X)
    _, s, Vt = np.linalg.svd(Xn, full_matrices=False)
    r = int(np.sum(s > rank_tol * s[0]))
    V = Vt[:r].T.copy()
    Z = Xn @ V
    zn = np.linalg.norm(Z, axis=1)
    hyper = (~zero) & (zn > NULL_ROW_REL)
    null = (~zero) & ~hyper
    return _RowSpace(r, V, Z, zero, hyper, null)


def margin(X: np.ndarray, directions: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """Per pattern, ``min`` over nonzero rows of ``(2m_i − 1) x_iᵀu / (‖x_i‖ ‖u‖)``.

    Positive means ``u`` is strictly inside the cell of ``m`` (``+inf`` when ``X`` has no
    nonzero row). ``directions`` are normalised here, so any positive scaling gives the same
    value; for the unit directions of a :class:`PatternSet` it is ``(2m−1) x_iᵀu/‖x_i‖``.
    """
    X = _as_matrix(X)
    U = np.atleast_2d(np.asarray(directions, dtype=np.float64))
    M = np.atleast_2d(np.asarray(masks, dtype=bool))
    if U.shape[0] != M.shape[0] or U.shape[1] != X.shape[1] or M.shape[1] != X.shape[0]:
        raise ValueError("shapes: directions (P, d), masks (P, n) for X (n, d)")
    xn = np.linalg.norm(X, axis=1)
    nz = xn > 0
    if not nz.any() or U.shape[0] == 0:
        return np.full(U.shape[0], np.inf)
    un = np.linalg.norm(U, axis=1)
    vals = (U @ X[nz].T) / (un[:, None] * xn[nz][None, :])
    signs = np.where(M[:, nz], 1.0, -1.0)
    return np.min(signs * vals, axis=1)


def is_general_position(X: np.ndarray, rank_tol: float = 1e-10) -> bool | None:
    """Whether every ``min(n, r)`` rows of the row-space-projected data are independent.

    In this central setting "general position" is with respect to the projected rows
    ``z_i = V_rᵀ x_i`` (rank ``r``); then the chamber count is ``cover_count(n, r)``. A set
    of unit rows counts as independent when its smallest singular value exceeds
    :data:`GP_TOL`. Zero rows (or rows with no row-space component) are never in general
    position, nor is ``r = 0``. All ``C(n, r)`` subsets are checked when there are at most
    200 000 of them; otherwise ``None`` (unknown) is returned.
    """
    X = _as_matrix(X)
    n = X.shape[0]
    rs = _row_space(X, rank_tol)
    r = rs.rank
    if r == 0 or not rs.hyper_rows.all():
        return False
    k = min(n, r)
    if math.comb(n, k) > _GP_MAX_SUBSETS:
        return None
    if k == 1:
        return True
    A = rs.Z / np.linalg.norm(rs.Z, axis=1, keepdims=True)
    subsets = np.array(list(combinations(range(n), k)), dtype=np.intp)
    for start in range(0, subsets.shape[0], 20_000):
        block = A[subsets[start : start + 20_000]]  # (c, k, r)
        s = np.linalg.svd(block, compute_uv=False)
        if np.any(s[:, k - 1] <= GP_TOL):
            return False
    return True


# --------------------------------------------------------------------------------------
# Enumeration: r = 2 (angular sweep)
# --------------------------------------------------------------------------------------


def _angular_sweep(Zh: np.ndarray) -> np.ndarray:
    """Interior unit points (P, 2) of the chambers of the lines ``{zᵀw = 0}``, z in rows."""
    if Zh.shape[0] == 0:
        return np.array([[1.0, 0.0]])
    a = Zh / np.linalg.norm(Zh, axis=1, keepdims=True)
    # boundary directions: a rotated by ±90 degrees
    b = np.concatenate([np.stack([-a[:, 1], a[:, 0]], 1), np.stack([a[:, 1], -a[:, 0]], 1)])
    theta = np.mod(np.arctan2(b[:, 1], b[:, 0]), 2 * np.pi)
    order = np.argsort(theta, kind="stable")
    theta, b = theta[order], b[order]
    m = theta.shape[0]
    nxt = np.roll(np.arange(m), -1)
    cross = b[:, 0] * b[nxt, 1] - b[:, 1] * b[nxt, 0]
    dot = np.einsum("ij,ij->i", b, b[nxt])
    same_as_next = (np.abs(cross) <= PARALLEL_TOL) & (dot > 0)  # boundary k ~ k+1 (cyclic)
    if same_as_next.all():  # one line only: two half planes
        w = b[0] @ np.array([[0.0, 1.0], [-1.0, 0.0]])  # rotate back by -90: the normal
        return np.stack([w, -w])
    # rotate so that index 0 starts a cluster (its predecessor is a different boundary)
    starts = np.flatnonzero(~np.roll(same_as_next, 1))
    k0 = int(starts[0])
    idx = np.r_[np.arange(k0, m), np.arange(0, k0)]
    theta = theta[idx] + np.where(idx < k0, 2 * np.pi, 0.0)
    same_as_next = same_as_next[idx]
    # cluster c spans positions [lo_c, hi_c]; a cluster ends where same_as_next is False
    hi = np.flatnonzero(~same_as_next)
    lo = np.r_[0, hi[:-1] + 1]
    hi_angle = theta[hi]
    lo_next = np.r_[theta[lo[1:]], theta[lo[0]] + 2 * np.pi]
    mid = 0.5 * (hi_angle + lo_next)
    return np.stack([np.cos(mid), np.sin(mid)], axis=1)


# --------------------------------------------------------------------------------------
# Enumeration: r >= 3 (incremental, LP-certified)
# --------------------------------------------------------------------------------------


def _dedupe_normals(A: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group unit normals (m, r) into hyperplanes.

    Returns ``(reps, group, orient)``: representative unit normals ``(H, r)``, the group of
    every row and its orientation (``a_i ≈ orient_i · reps[group_i]``).
    """
    m = A.shape[0]
    group = np.full(m, -1, dtype=np.intp)
    orient = np.zeros(m, dtype=np.int8)
    reps: list[np.ndarray] = []
    for i in range(m):
        if group[i] >= 0:
            continue
        g = len(reps)
        reps.append(A[i])
        rest = np.flatnonzero(group < 0)
        dp = np.linalg.norm(A[rest] - A[i], axis=1)
        dm = np.linalg.norm(A[rest] + A[i], axis=1)
        plus = dp <= PARALLEL_TOL
        minus = (dm <= PARALLEL_TOL) & ~plus
        group[rest[plus]] = g
        orient[rest[plus]] = 1
        group[rest[minus]] = g
        orient[rest[minus]] = -1
    return np.array(reps).reshape(len(reps), A.shape[1]), group, orient


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


def _feasible_sides(G: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Decide, for each block ``G_b`` (rows = oriented unit normals), whether the open cone
    ``{w : G_b w > 0}`` is non-empty. Returns (feasible, witness points, #undecided)."""
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


def _lp_incremental(A: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
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
        feasible, Wn, und = _feasible_sides(G)
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


# --------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------


def _finish(X: np.ndarray, rs: _RowSpace, W: np.ndarray, exact: bool, method: str) -> PatternSet:
    """Map row-space points back, compute masks from the full X, check margins."""
    n, d = X.shape
    if rs.rank == 0:
        U = np.eye(1, d)
    else:
        U = W @ rs.basis.T
        U = U / np.linalg.norm(U, axis=1, keepdims=True)
    vals = U @ X.T  # (P, n)
    masks = vals >= 0.0
    h = rs.hyper_rows
    if h.any():
        # strict signs agree in the row space and in R^d: masks = 1[Xu >= 0] hold with a
        # positive margin on every hyperplane row (what margin() > 0 means)
        zvals = W @ rs.Z[h].T
        vh = vals[:, h]
        if not (np.array_equal(zvals > 0, vh > 0) and np.array_equal(zvals < 0, vh < 0)):
            raise RuntimeError("row-space and full-space signs disagree")
        if not np.all(zvals != 0):
            raise RuntimeError("a returned direction lies on a hyperplane")
    if rs.null_rows.any():
        warnings.warn(
            f"{int(rs.null_rows.sum())} nonzero row(s) have no row-space component at "
            f"this rank tolerance; their mask bits are not meaningful",
            RuntimeWarning,
            stacklevel=3,
        )
    if len({row.tobytes() for row in np.packbits(masks, axis=1)}) != masks.shape[0]:
        raise RuntimeError("duplicate patterns from distinct chambers (numerics)")
    return PatternSet(masks=masks, directions=U, exact=exact, rank=rs.rank, method=method)


def enumerate_patterns(X: np.ndarray, *, rank_tol: float = 1e-10) -> PatternSet:
    """All chamber patterns ``1[X u ≥ 0]`` of ``X`` (exact), with an interior gate each.

    Works in the row space of ``X`` (rank from the SVD with relative tolerance
    ``rank_tol``): ``"rank1"`` for ``r ≤ 1``, ``"angular-sweep"`` for ``r = 2``,
    ``"lp-incremental"`` for ``r ≥ 3`` (see the module docstring). ``exact`` is True unless
    a cell could not be decided at :data:`MARGIN_TOL` (then a warning is emitted).
    """
    X = _as_matrix(X)
    rs = _row_space(X, rank_tol)
    r = rs.rank
    Zh = rs.Z[rs.hyper_rows]
    exact = True
    if r == 0:
        return _finish(X, rs, np.zeros((1, 0)), True, "rank1")
    if r == 1:
        W = np.array([[1.0], [-1.0]]) if Zh.shape[0] else np.array([[1.0]])
        return _finish(X, rs, W, True, "rank1")
    if r == 2:
        return _finish(X, rs, _angular_sweep(Zh), True, "angular-sweep")
    A = Zh / np.linalg.norm(Zh, axis=1, keepdims=True)
    reps, group, orient = _dedupe_normals(A)
    W, S, undecided = _lp_incremental(reps)
    if undecided:
        exact = False
        warnings.warn(
            f"{undecided} cell(s) undecided at MARGIN_TOL={MARGIN_TOL:g}; result not certified",
            RuntimeWarning,
            stacklevel=2,
        )
    out = _finish(X, rs, W, exact, "lp-incremental")
    expected = (S[:, group] * orient[None, :]) > 0  # combinatorial masks on hyperplane rows
    if not np.array_equal(expected, out.masks[:, rs.hyper_rows]):
        raise RuntimeError("combinatorial and computed masks disagree (hyperplane grouping)")
    return out


def sample_patterns(X: np.ndarray, n_samples: int, seed: int) -> PatternSet:
    """Distinct patterns ``1[X u ≥ 0]`` of Gaussian gates ``u ~ N(0, I_d)`` (``exact=False``).

    Gates that land (to rounding, ``|x_iᵀu| ≤ 1e-12 ‖x_i‖ ‖u‖``) on a hyperplane of a
    nonzero row are discarded, so every kept pattern is a chamber pattern and a subset of
    :func:`enumerate_patterns`. Patterns keep the order in which they were first drawn and
    the first gate that drew them (normalised) as direction.
    """
    X = _as_matrix(X)
    n, d = X.shape
    n_samples = int(n_samples)
    if n_samples < 0:
        raise ValueError("n_samples must be >= 0")
    rng = np.random.default_rng(seed)
    xn = np.linalg.norm(X, axis=1)
    nz = xn > 0
    seen: dict[bytes, int] = {}
    dirs: list[np.ndarray] = []
    masks: list[np.ndarray] = []
    done = 0
    while done < n_samples:
        c = min(_SAMPLE_CHUNK, n_samples - done)
        done += c
        G = rng.standard_normal((c, d))
        gn = np.linalg.norm(G, axis=1)
        vals = G @ X.T
        ok = np.all(np.abs(vals[:, nz]) > 1e-12 * gn[:, None] * xn[nz][None, :], axis=1)
        ok &= gn > 0
        idx = np.flatnonzero(ok)
        M = vals[idx] >= 0.0
        _, first = np.unique(np.packbits(M, axis=1), axis=0, return_index=True)
        for i in np.sort(first):
            key = np.packbits(M[i]).tobytes()
            if key not in seen:
                seen[key] = len(dirs)
                dirs.append(G[idx[i]] / gn[idx[i]])
                masks.append(M[i])
    M_out = np.array(masks, dtype=bool).reshape(len(masks), n)
    U_out = np.array(dirs, dtype=np.float64).reshape(len(dirs), d)
    return PatternSet(
        masks=M_out, directions=U_out, exact=False, rank=numerical_rank(X), method="sampled"
    )
