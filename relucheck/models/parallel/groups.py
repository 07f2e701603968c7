"""Groups of the path-regularized convex program: exact enumeration and sampling (claims.md PR).

A group is g = (D_2, (D_1j, ε_j)_{j≤m}, σ_g) (derivation: :mod:`relucheck.models.parallel.program`).
Write c_ij = ε_j [D_1j]_ii ∈ {−1, 0, 1} and h = Σ_j ε_j D_1j X z_j, so h_i = Σ_j c_ij x_iᵀz_j.
On the first-layer cone K = {Z : (2D_1j − I) X z_j ≥ 0 ∀j} every active term x_iᵀz_j
(c_ij ≠ 0) has the sign of c_ij, hence

* "pure-positive" rows (some c_ij = +1, none −1): h_i ≥ 0 on K, so D_2[i] = 1 is forced;
* "pure-negative" rows (some −1, none +1): h_i ≤ 0 on K, so D_2[i] = 0 is forced;
* rows with c_i = 0 (or x_i = 0): h_i ≡ 0; D_2[i] = 1 (the ≥ convention), output 0;
* "mixed" rows (both signs): the sign of h_i is NOT determined by K. The realizable D_2 on
  these rows are exactly the sign vectors of the full-dimensional cells of the central
  arrangement {Z : a_iᵀ vec(Z) = 0}, a_i = (c_ij x_i)_j ∈ R^{dm}, inside the open cone int K.

So the second-layer cone constraint (2D_2 − I) h ≥ 0 is implied by the first-layer ones on
every row but the mixed ones; groups store D_2 with the forced values and the program
imposes the second-layer constraint on mixed rows only.

Exact enumeration (``enumerate_groups``), for tiny instances:
1. first-layer patterns: all chambers of X (:func:`enumerate_patterns`, certified), without
   the all-zero one (a neuron in that chamber outputs 0 and only adds penalty);
2. (D_1j, ε_j) tuples up to permutation of j: multisets of size m of the 2P items
   (pattern, sign) (permuting the neurons of a sub-network permutes Z's columns: same
   function, same ‖Z‖_F), leaving out tuples with every ε_j = −1 (then h ≤ 0 and the
   sub-network outputs 0);
3. second-layer cells: incremental insertion of the mixed-row hyperplanes inside int K,
   every cell decided by a certified LP (:func:`relucheck.models.arrangements.lp.feasible_sides`:
   a witness with margin > MARGIN_TOL proves a cell, LP duals prove emptiness);
4. groups whose output is identically 0 (D_2 selects no row with c_i ≠ 0) are dropped, and
   each remaining cell gives two groups, σ_g = ±1.

Why chambers suffice (covering): int K minus the hyperplanes is dense in K, so every Z ∈ K
lies in the closure of a full-dimensional cell, and the closure of a cell lies in that
group's closed cone C_g; likewise every z lies in the closure of a first-layer chamber. So
the closed cones C_g of the enumerated groups cover every (Z, ε) and hence every
sub-network. ``exact`` is True only when every LP was decided (``stats["undecided"] == 0``).

Sampled groups (``sample_groups``): Gaussian Z and uniform ε; the patterns the draw realizes.
A subset of the exact groups (coverage is reported against them where they are known);
a program over them is a RESTRICTED program: its value is an upper bound, its certificate
covers only the restricted program (claims.md, "Known pitfalls").

Groups of a trained network (``groups_of_network``) may be lower-dimensional (a z on a
ReLU kink); their closed cones still contain the network, which is all a restricted program
needs to be at least as good as that network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations_with_replacement
from math import comb

import numpy as np

from relucheck.models.arrangements.lp import feasible_sides
from relucheck.models.arrangements.normals import MARGIN_TOL
from relucheck.models.arrangements.patterns import PatternSet, enumerate_patterns
from relucheck.models.parallel.network import rescale_to_z

__all__ = [
    "GroupSet",
    "enumerate_groups",
    "sample_groups",
    "groups_of_network",
    "union",
    "realized_groups",
    "count_first_layer_tuples",
    "row_kinds",
]

#: A draw whose pre-activation is this close to 0 (relative) is discarded when sampling.
SAMPLE_ROUND = 1e-12


@dataclass(frozen=True, eq=False)
class GroupSet:
    """Groups g = (D_2, (D_1j, ε_j)_j, σ_g) of the PR convex program.

    Attributes:
        X: data (n, d).
        D1: (G, m, n) bool first-layer masks.
        eps: (G, m) float ±1 second-layer signs ε_j.
        D2: (G, n) bool second-layer masks (forced values on non-mixed rows).
        sigma: (G,) float ±1 output signs.
        witness: (G, d, m) a point of each group's cone (interior for exact enumeration).
        exact: True iff the closed cones cover every sub-network (certified enumeration).
        method: "exact-lp", "sampled", "network" or "union".
        stats: counts and timings of the enumeration.
    """

    X: np.ndarray
    D1: np.ndarray
    eps: np.ndarray
    D2: np.ndarray
    sigma: np.ndarray
    witness: np.ndarray
    exact: bool
    method: str
    stats: dict = field(default_factory=dict)

    @property
    def count(self) -> int:
        return int(self.sigma.shape[0])

    @property
    def m(self) -> int:
        return int(self.D1.shape[1])

    def coefficients(self) -> np.ndarray:
        """c_gij = ε_gj [D_1gj]_ii: (G, n, m)."""
        return (self.eps[:, None, :] * self.D1.transpose(0, 2, 1)).astype(np.float64)

    def mixed(self) -> np.ndarray:
        """(G, n) rows whose second-layer sign is not forced by the first-layer cone."""
        return row_kinds(self.X, self.coefficients())[2]

    def keys(self) -> list[bytes]:
        """One byte string per group (canonical neuron order), for set comparisons."""
        return _keys(self.D1, self.eps, self.D2, self.sigma)

    def take(self, index: np.ndarray, method: str | None = None) -> GroupSet:
        """The groups at ``index`` (not exact any more unless it is all of them)."""
        index = np.asarray(index)
        everything = index.dtype == bool and bool(index.all())
        return GroupSet(
            self.X,
            self.D1[index],
            self.eps[index],
            self.D2[index],
            self.sigma[index],
            self.witness[index],
            self.exact and everything,
            method or self.method,
            dict(self.stats),
        )


# ----------------------------------------------------------------------------- helpers


def row_kinds(X: np.ndarray, C: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(pure-positive, pure-negative, mixed) rows for coefficients C (G, n, m)."""
    nz = np.any(X != 0.0, axis=1)[None, :]
    pos = np.any(C > 0, axis=2) & nz
    neg = np.any(C < 0, axis=2) & nz
    return pos & ~neg, neg & ~pos, pos & neg


def _forced_D2(X: np.ndarray, C: np.ndarray, D2: np.ndarray) -> np.ndarray:
    """D_2 with the forced values on non-mixed rows (1 unless pure-negative)."""
    _, pure_neg, mixed = row_kinds(X, C)
    return np.where(mixed, D2, ~pure_neg)


def _keys(D1: np.ndarray, eps: np.ndarray, D2: np.ndarray, sigma: np.ndarray) -> list[bytes]:
    G = D1.shape[0]
    parts = np.concatenate(
        [
            np.packbits(D1.reshape(G, D1.shape[1] * D1.shape[2]), axis=1),
            (eps > 0).astype(np.uint8),
            np.packbits(D2, axis=1),
            (sigma > 0).astype(np.uint8)[:, None],
        ],
        axis=1,
    )
    return [row.tobytes() for row in parts]


def _canonical(D1: np.ndarray, eps: np.ndarray, Z: np.ndarray) -> tuple[np.ndarray, ...]:
    """Sort each group's neurons by (ε descending, mask): one representative per multiset."""
    G, m, n = D1.shape
    if m == 1 or G == 0:
        return D1, eps, Z
    packed = np.packbits(D1.reshape(G * m, n), axis=1)
    _, ids = np.unique(packed, axis=0, return_inverse=True)
    ids = ids.reshape(G, m)
    key = np.where(eps > 0, 0, 1) * (ids.max() + 1) + ids
    order = np.argsort(key, axis=1, kind="stable")
    rows = np.arange(G)[:, None]
    return D1[rows, order], eps[rows, order], Z[rows, :, order].transpose(0, 2, 1)


def _unique(D1, eps, D2, sigma, Z) -> tuple[np.ndarray, ...]:
    keys = _keys(D1, eps, D2, sigma)
    _, first = np.unique(np.array(keys, dtype=object), return_index=True)
    first = np.sort(first)
    return D1[first], eps[first], D2[first], sigma[first], Z[first]


def _with_signs(D1, eps, D2, Z) -> tuple[np.ndarray, ...]:
    """Each (D_1, ε, D_2) twice: σ = +1 then σ = −1."""
    G = D1.shape[0]
    sigma = np.concatenate([np.ones(G), -np.ones(G)])
    return (
        np.concatenate([D1, D1]),
        np.concatenate([eps, eps]),
        np.concatenate([D2, D2]),
        sigma,
        np.concatenate([Z, Z]),
    )


def row_norms(X: np.ndarray) -> np.ndarray:
    """‖x_i‖ for every row, without the underflow of the plain norm on tiny rows (1e-200
    squares to 0) or its overflow on huge ones: each row is divided by its largest |entry|
    first."""
    top = np.max(np.abs(X), axis=1) if X.shape[1] else np.zeros(X.shape[0])
    safe = np.where(top > 0, top, 1.0)
    return top * np.linalg.norm(X / safe[:, None], axis=1)


def realized_groups(
    X: np.ndarray, Z: np.ndarray, eps: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Patterns realized by sub-networks (Z (G, d, m), ε (G, m)): (D1, D2 forced, margin).

    ``margin`` (G,) is the smallest |x̂_iᵀz_j|/‖z_j‖ over nonzero rows and, on mixed rows,
    the smallest |h_i|/(‖x_i‖‖Z‖_F): positive iff the point is inside its group's cone.
    """
    X = np.asarray(X, dtype=np.float64)
    A = np.einsum("nd,gdm->gnm", X, Z)  # x_iᵀ z_j
    D1 = (A >= 0.0).transpose(0, 2, 1)
    C = eps[:, None, :] * D1.transpose(0, 2, 1)
    h = np.sum(C * A, axis=2)
    D2 = _forced_D2(X, C, h >= 0.0)
    xn = row_norms(X)
    nz = xn > 0
    zn = np.linalg.norm(Z, axis=1)  # (G, m)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel1 = np.abs(A[:, nz, :]) / (xn[nz][None, :, None] * zn[:, None, :])
        # no nonzero row (X = 0): no first-layer kink to be near
        G = Z.shape[0]
        first = np.nanmin(rel1.reshape(G, rel1[0].size if G else 0), axis=1, initial=np.inf)
        mixed = row_kinds(X, C)[2]
        rel2 = np.abs(h) / (xn[None, :] * np.linalg.norm(Z, axis=(1, 2))[:, None])
        second = np.min(np.where(mixed, rel2, np.inf), axis=1)
    return D1, D2, np.minimum(first, second)


def count_first_layer_tuples(P: int, m: int) -> int:
    """Number of (D_1j, ε_j) multisets enumerated: C(2P + m − 1, m) − C(P + m − 1, m)."""
    return comb(2 * P + m - 1, m) - comb(P + m - 1, m)


# ----------------------------------------------------------------------- exact groups


def _cone_rows(X: np.ndarray, D1: np.ndarray) -> np.ndarray:
    """Unit first-layer cone rows for tuples D1 (T, m, n): (T, m·n', d·m), n' nonzero rows."""
    T, m, n = D1.shape
    d = X.shape[1]
    nz = np.any(X != 0.0, axis=1)
    Xh = X[nz] / row_norms(X[nz])[:, None]
    S = np.where(D1[:, :, nz], 1.0, -1.0)  # (T, m, n')
    rows = np.zeros((T, m, Xh.shape[0], m, d))
    for j in range(m):
        rows[:, j, :, j, :] = S[:, j, :, None] * Xh[None]
    return rows.reshape(T, m * Xh.shape[0], m * d)


def _second_layer_cells(
    X: np.ndarray, D1: np.ndarray, C: np.ndarray, mixed: np.ndarray, Z0: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    """Cells of the mixed-row arrangement inside int K for every tuple (incremental + LP).

    Returns (tuple index (N,), signs on mixed rows (N, n) in {−1, 0, +1}, points (N, dm),
    undecided LPs plus cells lost at the tolerance, LPs solved).
    """
    T, m, n = D1.shape
    d = X.shape[1]
    cone = _cone_rows(X, D1)
    # normals a_i = (c_ij x_i)_j of mixed rows, unit, in the order of the rows
    A = (C[:, :, :, None] * X[None, :, None, :]).reshape(T, n, m * d)
    norms = np.linalg.norm(A, axis=2, keepdims=True)
    A = np.where(norms > 0, A / np.where(norms > 0, norms, 1.0), 0.0)
    counts = mixed.sum(axis=1)
    steps = int(counts.max(initial=0))
    # O[t, k] = the k-th mixed row of tuple t (increasing row index), −1 past the end
    O = np.full((T, max(steps, 1)), -1, dtype=np.intp)
    for t in np.flatnonzero(counts):
        O[t, : counts[t]] = np.flatnonzero(mixed[t])
    # cells: owner tuple, sign per row (0 = not inserted yet), interior point
    owner = np.arange(T)
    signs = np.zeros((T, n), dtype=np.int8)
    points = Z0.transpose(0, 2, 1).reshape(T, m * d)  # vec(Z) = [z_1; ...; z_m]
    undecided = solved = vanished = 0
    for k in range(steps):
        row = O[owner, k]
        act = np.flatnonzero(row >= 0)
        if act.size == 0:
            continue
        a = A[owner[act], row[act]]  # (c, dm)
        vals = np.einsum("cr,cr->c", a, points[act])
        pos, neg = vals > MARGIN_TOL, vals < -MARGIN_TOL
        amb = ~(pos | neg)
        # the side holding the cell's own point is certified by that point; the other side
        # (both sides for a point on the hyperplane) is decided by a certified LP
        pairs = np.concatenate([act[pos], act[neg], act[amb], act[amb]])
        side = np.concatenate(
            [-np.ones(pos.sum()), np.ones(neg.sum()), np.ones(amb.sum()), -np.ones(amb.sum())]
        )
        o = owner[pairs]
        prev_rows = O[o, :k]  # the k rows inserted before, the same for every cell of a tuple
        prev = A[o[:, None], prev_rows] * signs[pairs[:, None], prev_rows][..., None]
        new = side[:, None] * A[o, row[pairs]]
        G = np.concatenate([cone[o], prev, new[:, None, :]], axis=1)
        if G.shape[0]:
            feasible, Wn, und = feasible_sides(G)
            undecided += und
            solved += G.shape[0]
        else:
            feasible, Wn = np.zeros(0, dtype=bool), np.zeros((0, m * d))
        # a cell whose point sits on the hyperplane must survive on at least one side; if
        # neither LP certifies a side, the cell is lost at MARGIN_TOL: not an exact result
        n_dec, n_amb = int(pos.sum() + neg.sum()), int(amb.sum())
        both = feasible[n_dec : n_dec + n_amb] | feasible[n_dec + n_amb :]
        vanished += int(n_amb - both.sum())
        kept = act[pos | neg]
        kept_sign = np.where(vals[pos | neg] > 0, 1, -1).astype(np.int8)
        untouched = np.flatnonzero(row < 0)
        cells = np.concatenate([untouched, kept, pairs[feasible]])
        new_signs = signs[cells].copy()
        n_old = untouched.size
        set_rows = row[cells[n_old:]]
        new_signs[np.arange(n_old, cells.size), set_rows] = np.concatenate(
            [kept_sign, side[feasible].astype(np.int8)]
        )
        points = np.concatenate([points[untouched], points[kept], Wn[feasible]])
        owner, signs = owner[cells], new_signs
    return owner, signs, points, undecided + vanished, solved


def enumerate_groups(
    X: np.ndarray, m: int, patterns: PatternSet | None = None, *, max_tuples: int = 200_000
) -> GroupSet:
    """All groups of the PR program for width m (exact; module docstring, steps 1–4).

    Raises ValueError when the first-layer patterns are not exact or the number of
    (D_1j, ε_j) tuples exceeds ``max_tuples`` (use :func:`sample_groups` then).
    """
    import time

    X = np.asarray(X, dtype=np.float64)
    n, d = X.shape
    if m < 1:
        raise ValueError(f"width m must be >= 1, got {m}")
    start = time.perf_counter()
    ps = (patterns if patterns is not None else enumerate_patterns(X)).without_zero()
    if not ps.exact:
        raise ValueError("exact groups need an exact first-layer enumeration")
    masks, dirs, P = ps.masks, ps.directions, ps.count
    n_tuples = count_first_layer_tuples(P, m)
    if n_tuples > max_tuples:
        raise ValueError(
            f"{n_tuples} first-layer tuples for P={P}, m={m} exceed max_tuples={max_tuples}; "
            "exact enumeration is too expensive here (use sampled groups)"
        )
    items = np.array(list(combinations_with_replacement(range(2 * P), m)), dtype=np.intp)
    items = items.reshape(-1, m)
    items = items[np.any(items % 2 == 0, axis=1)]  # some ε_j = +1
    pidx, eps = items // 2, np.where(items % 2 == 0, 1.0, -1.0)
    D1 = masks[pidx]  # (T, m, n)
    Z0 = dirs[pidx].transpose(0, 2, 1)  # (T, d, m): interior point of K
    C = eps[:, None, :] * D1.transpose(0, 2, 1)
    _, pure_neg, mixed = row_kinds(X, C)
    owner, signs, points, undecided, solved = _second_layer_cells(X, D1, C, mixed, Z0)
    D2 = np.where(mixed[owner], signs > 0, ~pure_neg[owner])
    Zc = points.reshape(-1, m, d).transpose(0, 2, 1)
    D1c, epsc, Cc = D1[owner], eps[owner], C[owner]
    support = np.any(Cc != 0, axis=2) & np.any(X != 0.0, axis=1)[None, :]
    live = np.any(D2 & support, axis=1)
    D1c, epsc, D2c, Zc = D1c[live], epsc[live], D2[live], Zc[live]
    D1c, epsc, Zc = _canonical(D1c, epsc, Zc)
    D1g, epsg, D2g, sig, Zg = _with_signs(D1c, epsc, D2c, Zc)
    stats = {
        "first_layer_patterns": P,
        "tuples": int(items.shape[0]),
        "cells": int(owner.shape[0]),
        "zero_output_cells": int((~live).sum()),
        "lps": int(solved),
        "undecided": int(undecided),
        "seconds": time.perf_counter() - start,
    }
    return GroupSet(X, D1g, epsg, D2g, sig, Zg, undecided == 0, "exact-lp", stats)


# --------------------------------------------------------------------- sampled groups


def _from_points(X: np.ndarray, Z: np.ndarray, eps: np.ndarray, method: str) -> GroupSet:
    D1, D2, _ = realized_groups(X, Z, eps)
    C = eps[:, None, :] * D1.transpose(0, 2, 1)
    support = np.any(C != 0, axis=2) & np.any(X != 0.0, axis=1)[None, :]
    live = np.any(D2 & support, axis=1) & np.any(eps > 0, axis=1)
    D1, eps, D2, Z = D1[live], eps[live], D2[live], Z[live]
    D1, eps, Z = _canonical(D1, eps, Z)
    D1, eps, D2, sig, Z = _unique(*_with_signs(D1, eps, D2, Z))
    return GroupSet(X, D1, eps, D2, sig, Z, False, method, {})


def sample_groups(X: np.ndarray, m: int, n_samples: int, seed: int) -> GroupSet:
    """Distinct groups realized by ``n_samples`` draws Z ~ N(0, I), ε uniform in {±1}^m.

    Draws within ``SAMPLE_ROUND`` of a kink (first or second layer), and draws with a neuron
    in the all-zero first-layer chamber, are discarded, so every kept group is one of
    :func:`enumerate_groups`'s (a subset; ``exact`` is False).
    """
    X = np.asarray(X, dtype=np.float64)
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((int(n_samples), X.shape[1], m))
    eps = rng.choice([-1.0, 1.0], size=(int(n_samples), m))
    D1, _, margin = realized_groups(X, Z, eps)
    # a neuron in the all-zero chamber outputs 0 and only adds to ‖Z‖_F; the exact
    # enumeration leaves that chamber out, and so does sampling (else the sets differ)
    live_rows = np.any(X != 0.0, axis=1)
    dead = ~np.any(D1[:, :, live_rows], axis=2).all(axis=1)
    keep = (margin > SAMPLE_ROUND) & ~dead
    gs = _from_points(X, Z[keep], eps[keep], "sampled")
    gs.stats.update({"draws": int(n_samples), "kept_draws": int(keep.sum())})
    return gs


def groups_of_network(X: np.ndarray, W: np.ndarray, v: np.ndarray, s: np.ndarray) -> GroupSet:
    """The groups of a parallel network's sub-networks (their closed cones contain it)."""
    Z, eps, _ = rescale_to_z(W, v, s)
    nonzero = np.linalg.norm(Z, axis=(1, 2)) > 0
    return _from_points(np.asarray(X, dtype=np.float64), Z[nonzero], eps[nonzero], "network")


def union(*sets: GroupSet) -> GroupSet:
    """All groups of several sets, de-duplicated; exact if any of them is."""
    X = sets[0].X
    D1, eps, D2, sig, Z = _unique(
        np.concatenate([s.D1 for s in sets]),
        np.concatenate([s.eps for s in sets]),
        np.concatenate([s.D2 for s in sets]),
        np.concatenate([s.sigma for s in sets]),
        np.concatenate([s.witness for s in sets]),
    )
    stats = {"parts": [s.method for s in sets], "part_counts": [s.count for s in sets]}
    return GroupSet(X, D1, eps, D2, sig, Z, any(s.exact for s in sets), "union", stats)
