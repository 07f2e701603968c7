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
on every nonzero row; this is checked (``RuntimeError`` otherwise; see "Methods" for when
the sweep skips the check). With a large
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
``method="auto"`` (default) picks the fast exact method for the rank; ``method="lp"`` runs
the LP-certified incremental method for every ``r ≥ 2`` (the independent reference of the
tests); ``method="rays"`` forces the extreme-ray method for ``r ≥ 2``.

* ``"rank1"``: ``r ≤ 1``. ``r = 0``: one pattern (all ones). ``r = 1``: the two chambers
  ``±v`` of the single hyperplane ``{vᵀu = 0}``.
* ``"angular-sweep"`` (auto, ``r = 2``): exact, ``O(n log n)``, vectorised, with an
  ``O(P)`` structural certificate of every interior point
  (:mod:`relucheck.models.arrangements.sweep`).
* ``"extreme-rays"`` (auto, ``r ≥ 3``): every chamber of an essential arrangement has an
  extreme ray, the null direction of ``r − 1`` independent normals; the chambers around a
  ray are those of the local arrangement of its incident hyperplanes. Exact, vectorised over
  batches of rays, every witness recomputed and certified
  (:mod:`relucheck.models.arrangements.rays`, which states the argument and the incidence
  tolerance). If the data are too ill-conditioned for its tolerances (or its general-
  position count check fails) the LP method is used instead and ``stats["fallback"]`` says
  why.
* ``"lp-incremental"``: insertion of one hyperplane at a time, each new cell decided by a
  certified LP (:mod:`relucheck.models.arrangements.lp`). Slow (``H·P`` LPs), independent.

All methods work on the de-duplicated unit normals in the row space (tolerances in
:mod:`relucheck.models.arrangements.normals`: ``MARGIN_TOL``, ``PARALLEL_TOL``,
``ROUND_TOL``). A chamber whose inscribed margin is below ``MARGIN_TOL = 1e-9`` is
numerically indistinguishable from a lower-dimensional face; such chambers may be reported
by one method and not by another. The returned directions are always re-checked in the full
space: every hyperplane row has ``|x̂_iᵀu| > ROUND_TOL`` (for the sweep, when
``P·n ≤ 2·10⁷``; above that the sweep's structural certificate stands alone).

Masks on demand
---------------
:class:`PatternSet` stores the directions and (a read-only copy of) ``X``; ``masks``
(``(P, n)`` bool) is computed on first access and cached, :meth:`PatternSet.packed_masks`
returns ``np.packbits(masks, axis=1)`` computed chunk by chunk without the dense array, and
``count`` needs neither. At ``d = 2``, ``n = 10⁵`` the dense masks would take 20 GB.

:func:`sample_patterns` draws Gaussian gates ``u ~ N(0, I_d)`` instead: a subset of the
chambers (``exact=False``), the cheap but incomplete alternative whose coverage PT reports.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from itertools import combinations

import numpy as np

from relucheck.models.arrangements.lp import lp_incremental
from relucheck.models.arrangements.normals import (
    MARGIN_TOL,
    PARALLEL_TOL,
    ROUND_TOL,
    dedupe_normals,
)
from relucheck.models.arrangements.rays import RayMethodUnsuitable, ray_chambers
from relucheck.models.arrangements.sweep import angular_sweep

__all__ = [
    "MARGIN_TOL",
    "PARALLEL_TOL",
    "ROUND_TOL",
    "GP_TOL",
    "METHODS",
    "PatternSet",
    "enumerate_patterns",
    "sample_patterns",
    "cover_count",
    "cover_bound",
    "numerical_rank",
    "is_general_position",
    "margin",
]

GP_TOL = 1e-8
"""General position: smallest singular value of every ``r`` unit projected rows > this."""

NULL_ROW_REL = 1e-6
"""A unit row with projection ``‖z_i‖ ≤ NULL_ROW_REL`` has no usable row-space component."""

METHODS = ("auto", "rays", "lp")
"""Accepted ``method`` arguments of :func:`enumerate_patterns`."""

_GP_MAX_SUBSETS = 200_000
_SAMPLE_CHUNK = 8192
_CHUNK_ELEMS = 1 << 16  # entries of one (rows × n) block when computing masks or checks
_SWEEP_FULL_CHECK_MAX = 20_000_000


# --------------------------------------------------------------------------------------
# Result type
# --------------------------------------------------------------------------------------


def _row_chunks(P: int, n: int) -> Iterator[slice]:
    step = max(1, _CHUNK_ELEMS // max(n, 1))
    for start in range(0, P, step):
        yield slice(start, min(P, start + step))


def _read_only(a: np.ndarray, copy_if_writeable: bool) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    if a.flags.writeable:
        if copy_if_writeable:
            a = a.copy()
        a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False, init=False)
class PatternSet:
    """Distinct activation patterns of ``X``, one interior gate (direction) each.

    Attributes:
        directions: ``(P, d)`` float64 unit vectors, one per pattern; the pattern of
            ``directions[p]`` is ``1[X directions[p] ≥ 0]``, with a strictly positive margin
            on every row that defines a hyperplane.
        X: ``(n, d)`` the data (a read-only copy), from which masks are computed.
        exact: True iff the patterns are ALL chambers (certified enumeration). Dropping the
            all-zero pattern with :meth:`without_zero` keeps ``exact``: that pattern never
            matters to the convex program or its dual certificate.
        rank: numerical rank ``r`` of ``X``.
        method: ``"rank1"``, ``"angular-sweep"``, ``"extreme-rays"``, ``"lp-incremental"``
            or ``"sampled"``.
        stats: what the method reports (rays, repairs, fallback reason, ...).

    ``masks`` (``(P, n)`` bool, read-only) is computed from ``directions`` and ``X`` on
    first access and cached; ``count`` and ``directions`` never build it, and
    :meth:`packed_masks` does not either. The constructor also accepts ``masks=`` (so that
    ``dataclasses.replace(ps, masks=..., directions=...)`` works): they must equal
    ``1[X directions ≥ 0]`` (checked) and become the cached masks.
    """

    directions: np.ndarray
    X: np.ndarray
    exact: bool
    rank: int
    method: str
    stats: dict = field(default_factory=dict)
    _cache: dict = field(default_factory=dict, init=False, repr=False)

    def __init__(
        self,
        directions: np.ndarray,
        X: np.ndarray,
        exact: bool,
        rank: int,
        method: str,
        stats: dict | None = None,
        masks: np.ndarray | None = None,
    ) -> None:
        directions = _read_only(directions, copy_if_writeable=False)
        X = _read_only(X, copy_if_writeable=True)
        if X.ndim != 2:
            raise ValueError("X must be a 2-D array")
        if directions.ndim != 2 or directions.shape[1] != X.shape[1]:
            raise ValueError("directions must be (P, d) for X of shape (n, d)")
        for name, value in [
            ("directions", directions),
            ("X", X),
            ("exact", bool(exact)),
            ("rank", int(rank)),
            ("method", str(method)),
            ("stats", dict(stats or {})),
            ("_cache", {}),
        ]:
            object.__setattr__(self, name, value)
        if masks is not None:
            masks = np.array(masks, dtype=bool, copy=True)
            if masks.shape != (directions.shape[0], X.shape[0]):
                raise ValueError("masks must be (P, n): one row per direction")
            if not np.array_equal(masks, (directions @ X.T) >= 0.0):
                raise ValueError("masks must equal 1[X directions >= 0]")
            masks.setflags(write=False)
            self._cache["masks"] = masks

    @property
    def count(self) -> int:
        """Number ``P`` of distinct patterns."""
        return int(self.directions.shape[0])

    def _mask_blocks(self) -> Iterator[tuple[slice, np.ndarray]]:
        Xt = self.X.T
        for sl in _row_chunks(self.count, self.X.shape[0]):
            yield sl, (self.directions[sl] @ Xt) >= 0.0

    @property
    def masks(self) -> np.ndarray:
        """``(P, n)`` bool, ``masks[p] = 1[X directions[p] ≥ 0]`` (computed once, cached)."""
        m = self._cache.get("masks")
        if m is None:
            m = np.empty((self.count, self.X.shape[0]), dtype=bool)
            for sl, block in self._mask_blocks():
                m[sl] = block
            m.setflags(write=False)
            self._cache["masks"] = m
        return m

    def packed_masks(self) -> np.ndarray:
        """``np.packbits(masks, axis=1)``: ``(P, ceil(n/8))`` uint8, computed block by block
        without the dense ``(P, n)`` array (a new array on every call; not cached)."""
        m = self._cache.get("masks")
        if m is not None:
            return np.packbits(m, axis=1)
        out = np.empty((self.count, -(-self.X.shape[0] // 8)), dtype=np.uint8)
        for sl, block in self._mask_blocks():
            out[sl] = np.packbits(block, axis=1)
        return out

    def without_zero(self) -> PatternSet:
        """The same set without the all-zero pattern (changes ``P``, never the optimum)."""
        cached = self._cache.get("without_zero")
        if cached is not None:
            return cached
        m = self._cache.get("masks")
        if m is not None:
            keep = m.any(axis=1)
        else:
            keep = np.empty(self.count, dtype=bool)
            for sl, block in self._mask_blocks():
                keep[sl] = block.any(axis=1)
        out = self if keep.all() else replace(self, directions=self.directions[keep])
        self._cache["without_zero"] = out
        return out


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
    """X with every nonzero row scaled to unit norm (zero rows stay zero).

    Each row is first divided by its largest |entry|: the plain norm squares the entries,
    which overflows for rows near 1e154 and beyond and underflows to 0 for subnormal rows
    (a nonzero row would then look like a zero one).
    """
    top = np.max(np.abs(X), axis=1, keepdims=True)
    Xs = X / np.where(top > 0, top, 1.0)
    xn = np.linalg.norm(Xs, axis=1, keepdims=True)
    return Xs / np.where(xn > 0, xn, 1.0)


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
# Enumeration
# --------------------------------------------------------------------------------------


def _full_space_check(
    X: np.ndarray,
    rs: _RowSpace,
    W: np.ndarray,
    U: np.ndarray,
    grouping: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
) -> None:
    """Every hyperplane row has ``|x̂_iᵀu| > ROUND_TOL`` at every direction ``u`` (unit), and
    (with ``grouping = (reps, group, orient)``) the sign the row-space method assigned to it
    through its representative normal. Blocks of rows; never a (P, n) array."""
    h = rs.hyper_rows
    Xh = _unit_rows(X[h]).T
    if grouping is not None:
        reps, group, orient = grouping
        rows = (reps[group] * orient[:, None]).T  # (r, n_h): each row's oriented rep normal
    for sl in _row_chunks(U.shape[0], Xh.shape[1]):
        F = U[sl] @ Xh
        if F.size and np.abs(F).min() <= ROUND_TOL:
            raise RuntimeError("a returned direction lies on (or too near) a hyperplane")
        if grouping is not None and F.size:
            F *= W[sl] @ rows  # same strict sign iff the product is positive
            if F.min() <= 0.0:
                raise RuntimeError("row-space and full-space signs disagree")


def _make(
    X: np.ndarray,
    rs: _RowSpace,
    W: np.ndarray,
    exact: bool,
    method: str,
    stats: dict,
    check: bool,
    grouping: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> PatternSet:
    """Map row-space points back to unit directions, check them, build the PatternSet."""
    d = X.shape[1]
    if rs.rank == 0:
        U = np.eye(1, d)
    else:
        U = W @ rs.basis.T
        U /= np.linalg.norm(U, axis=1, keepdims=True)
    if check and rs.hyper_rows.any():
        _full_space_check(X, rs, W, U, grouping)
    if rs.null_rows.any():
        warnings.warn(
            f"{int(rs.null_rows.sum())} nonzero row(s) have no row-space component at "
            f"this rank tolerance; their mask bits are not meaningful",
            RuntimeWarning,
            stacklevel=3,
        )
    return PatternSet(directions=U, X=X, exact=exact, rank=rs.rank, method=method, stats=stats)


def enumerate_patterns(
    X: np.ndarray, *, rank_tol: float = 1e-10, method: str = "auto"
) -> PatternSet:
    """All chamber patterns ``1[X u ≥ 0]`` of ``X`` (exact), with an interior gate each.

    Works in the row space of ``X`` (rank from the SVD with relative tolerance
    ``rank_tol``). ``method`` (see the module docstring): ``"auto"`` — ``"rank1"`` for
    ``r ≤ 1``, ``"angular-sweep"`` for ``r = 2``, ``"extreme-rays"`` for ``r ≥ 3``;
    ``"lp"`` — ``"lp-incremental"`` for every ``r ≥ 2`` (the slow independent reference);
    ``"rays"`` — ``"extreme-rays"`` for every ``r ≥ 2``. ``exact`` is True unless a cell
    could not be decided at :data:`MARGIN_TOL` (then a ``RuntimeWarning`` is emitted).
    Masks are not computed here (see :class:`PatternSet`).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    X = _as_matrix(X).copy()
    rs = _row_space(X, rank_tol)
    r = rs.rank
    Zh = rs.Z[rs.hyper_rows]
    if r == 0:
        return _make(X, rs, np.zeros((1, 0)), True, "rank1", {}, check=False)
    if r == 1:
        W = np.array([[1.0], [-1.0]]) if Zh.shape[0] else np.array([[1.0]])
        return _make(X, rs, W, True, "rank1", {}, check=True)
    if r == 2 and method == "auto":
        W, cert = angular_sweep(Zh)
        if not np.all(cert > ROUND_TOL):
            raise RuntimeError("angular sweep: an interior point is not certified")
        P, nh = W.shape[0], Zh.shape[0]
        stats = {"certified_margin": float(cert.min())}
        return _make(X, rs, W, True, "angular-sweep", stats, check=P * nh <= _SWEEP_FULL_CHECK_MAX)
    A = Zh / np.linalg.norm(Zh, axis=1, keepdims=True)
    reps, group, orient = dedupe_normals(A)
    stats: dict = {"hyperplanes": int(reps.shape[0])}
    use_lp = method == "lp"
    if not use_lp:
        try:
            if reps.shape[0] < r or np.linalg.matrix_rank(reps) < r:
                raise RayMethodUnsuitable("the de-duplicated normals are not essential")
            res = ray_chambers(reps)
            W, undecided, name = res.points, res.undecided, "extreme-rays"
            stats.update(res.stats)
        except RayMethodUnsuitable as exc:
            stats["fallback"] = str(exc)
            use_lp = True
    if use_lp:
        W, _, undecided = lp_incremental(reps)
        name = "lp-incremental"
    if undecided:
        warnings.warn(
            f"{undecided} cell(s) undecided at MARGIN_TOL={MARGIN_TOL:g}; result not certified",
            RuntimeWarning,
            stacklevel=2,
        )
    return _make(X, rs, W, undecided == 0, name, stats, check=True, grouping=(reps, group, orient))


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
    seen: set[bytes] = set()
    dirs: list[np.ndarray] = []
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
        packed = np.packbits(vals[idx] >= 0.0, axis=1)
        _, first = np.unique(packed, axis=0, return_index=True)
        for i in np.sort(first):
            key = packed[i].tobytes()
            if key not in seen:
                seen.add(key)
                dirs.append(G[idx[i]] / gn[idx[i]])
    U_out = np.array(dirs, dtype=np.float64).reshape(len(dirs), d)
    return PatternSet(directions=U_out, X=X, exact=False, rank=numerical_rank(X), method="sampled")
