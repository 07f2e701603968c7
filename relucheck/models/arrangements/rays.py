"""Chambers of an essential central arrangement from its extreme rays (``r ≥ 2``).

Input: distinct unit normals ``a_1..a_H`` spanning ``R^r`` (an ESSENTIAL arrangement; the
caller works in the row space and de-duplicates parallel/antiparallel rows).

Why it is exact
---------------
1. Every chamber ``C = {u : s_i a_iᵀu > 0 ∀i}`` has a pointed closure: a line ``ℓ ⊂ cl C``
   would have ``s_i a_iᵀℓ ≥ 0`` in both directions, so ``Aℓ = 0``, impossible at rank ``r``.
   A pointed polyhedral cone ``≠ {0}`` is the conic hull of its extreme rays, so ``cl C``
   has at least one extreme ray ``v``.
2. At an extreme ray the active normals ``I(v) = {i : a_iᵀv = 0}`` have rank ``r − 1``, so
   ``v`` spans the null space of some INDEPENDENT ``(r − 1)``-subset of normals. Taking the
   null direction of every independent ``(r − 1)``-subset, with both signs, therefore
   reaches every extreme ray of every chamber.
3. Local structure. For ``u = v + εw`` with small ``ε > 0`` the non-incident signs are
   ``sign(a_jᵀv)`` and the incident ones ``sign(a_iᵀw)`` (``a_iᵀv = 0``), and ``a_iᵀw`` only
   depends on the class of ``w`` in ``R^r / span(v) ≅ v^⊥``. Hence the chambers whose
   closure contains ``v`` are exactly: non-incident signs of ``v``, incident signs a chamber
   of the LOCAL arrangement ``{a_i : i ∈ I(v)}`` in ``v^⊥`` (rank ``r − 1`` in dimension
   ``r − 1``: essential again). "⇐": ``v + εw`` with ``w`` in the local chamber lies in that
   chamber for ``0 < ε < ε_max`` and tends to ``v``. "⇒": points of ``C`` close to ``v`` have
   the non-incident signs of ``v``, and their ``v^⊥`` components lie in a local chamber.
   In general position ``|I(v)| = r − 1``, the local normals are independent and all
   ``2^{r−1}`` sign vectors ``σ`` are local chambers, with witness ``w = A_I^+ σ``
   (``a_iᵀw = σ_i``). Otherwise the local arrangement is enumerated recursively (dimension
   2: :func:`.arrangement_sweep.angular_sweep`; dimension 1: the two half-lines).
4. Witness. Scale ``w`` so that ``min_{i∈I} |a_iᵀw| = 1`` and take
   ``ε* = min_{j∉I} |a_jᵀv| / (1 + |a_jᵀw|)``: then ``|a_jᵀ(v + ε*w)| ≥ ε*`` for every
   non-incident ``j`` and ``= ε*|a_iᵀw| ≥ ε*`` for every incident ``i``.
5. By 1–3 the union over all rays of their local chambers is the set of all chambers; they
   are de-duplicated by their bit-packed sign vectors. Chambers come in pairs ``C, −C``:
   only the representative with ``a_1ᵀu > 0`` is kept and ``−u`` is added at the end.

Certification and checks
------------------------
* Every returned point ``u`` is recomputed against all normals: its signs must equal the
  predicted sign vector, with margin ``> REP_TOL`` (unit ``u``; see
  :mod:`.arrangement_normals`). A chamber whose first witness fails gets a second chance at
  its other extreme rays; one without any certified witness (only through floating point,
  or a chamber thinner than the witnesses can resolve) is decided by the certified LP of
  :func:`.arrangement_lp.feasible_sides` (point or dual certificate). The LP's semantics
  then apply: a cell with LP margin ≤ ``MARGIN_TOL`` is dropped (counted in
  ``stats["below_margin"]``), one it cannot decide is counted in ``undecided`` (the caller
  reports ``exact=False``). Chambers with certified witnesses are never dropped, so on
  near-degenerate data this method may return a few real chambers of margin ≲ 1e-9 that the
  LP method misses (the tests check that every extra one has LP margin ≲ 1e-9, and that no
  chamber the LP method finds is missing).
* Completeness in general position: if every ``(r − 1)``-subset is independent and every
  ray has exactly ``r − 1`` incident hyperplanes, the arrangement is in general position
  and the chambers found plus those below margin must number ``cover_count(H, r)``;
  otherwise :class:`RayMethodUnsuitable` is raised (a bug or a numerical failure; the caller
  falls back to the LP method).

Numerical decisions (unit normals, unit rays)
---------------------------------------------
* Incidence: ``i ∈ I(v)`` iff ``|a_iᵀv| ≤ τ_v``, with ``τ_v`` a safety factor 16 times the
  first-order error of the computed ray: ``k·√r·eps/vol`` for a cofactor ray (``vol`` the
  ``(r−1)``-volume of the subset; used when ``vol ≥ 1e-3``), ``√k·eps/σ_min`` for a ray
  recomputed by SVD (``vol < 1e-3``, and every degenerate ray, whose null direction is
  refined from ALL its incident normals until the incidence set is stable), and at least
  ``TAU_FLOOR = 1e-13``. For well-conditioned subsets ``τ_v ≈ 1e-13``: exact incidences
  (residuals ~1e-16) are recognised, and a hyperplane passing 1e-12 from a ray is correctly
  non-incident (the tiny chambers it cuts off are then predicted, witnessed or refuted by
  the LP as above).
* ``τ_v`` must stay below ``INCIDENCE_TOL = MARGIN_TOL = 1e-9``; with ``COND_TOL = 1e-5``
  on the smallest singular value of every subset, and ``DEP_TOL = 1e-11`` below which a
  subset is dependent (no ray), this holds. A subset with ``DEP_TOL < σ_min < COND_TOL``
  (near-degenerate data at the 1e-6 level, say) or a ray whose ``τ_v`` would exceed 1e-9
  cannot be decided reliably: :class:`RayMethodUnsuitable` is raised and the caller uses
  the (slow) LP method. For Gaussian data ``P(σ_min < s) ~ s²``, so this needs ~1e10
  subsets to happen by chance.

Cost: ``C(H, r−1)`` rays (in batches), each with an ``H``-vector of signs; ``2^{r−1}`` bit-
packed keys per generic ray; a sort for the de-duplication; then ``P·H·r`` for the witnesses
and their certification. Degenerate rays are handled one at a time in Python (a small SVD
and a recursive local enumeration each, ~0.1–2 ms): highly degenerate data are slower per
chamber (e.g. ``{−1, 0, 1}`` entries, ``n = 40``, ``d = 5``: 51 048 chambers, 6 000
degenerate rays, ~12 s) than Gaussian data (``n = 60``, ``d = 4``: 68 560 chambers, ~0.2 s).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain, combinations, islice

import numpy as np

from relucheck.models.arrangements.lp import feasible_sides
from relucheck.models.arrangements.normals import MARGIN_TOL, REP_TOL, dedupe_normals
from relucheck.models.arrangements.sweep import angular_sweep

__all__ = [
    "INCIDENCE_TOL",
    "COND_TOL",
    "DEP_TOL",
    "TAU_FLOOR",
    "RayMethodUnsuitable",
    "RayResult",
    "ray_chambers",
    "pack_bits",
]

INCIDENCE_TOL = MARGIN_TOL
COND_TOL = 1e-5
DEP_TOL = 1e-11

TAU_FLOOR = 1e-13

_EPS = float(np.finfo(np.float64).eps)
_ERR_FACTOR = 16.0  # safety factor on the first-order error estimates of a ray
_BLOCK_ELEMS = 1 << 16  # entries of one (rows × H) block: subsets per batch, witnesses per chunk
_REFINE_VOL = 1e-3


class RayMethodUnsuitable(Exception):
    """The extreme-ray method cannot decide this arrangement reliably (use the LP method)."""


@dataclass
class RayResult:
    """Interior points of all chambers and how they were obtained."""

    points: np.ndarray  # (P, r) unit points: P/2 representatives, then their negatives
    undecided: int  # predicted cells neither certified nor refuted (0 = certified)
    stats: dict = field(default_factory=dict)


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def pack_bits(bits: np.ndarray) -> np.ndarray:
    """Bool ``(N, H)`` → ``(N, ceil(H/64))`` uint64 keys (bit ``j`` of word ``j // 64``)."""
    N, H = bits.shape
    words = max(1, -(-H // 64))
    by = np.packbits(bits, axis=1, bitorder="little")
    pad = words * 8 - by.shape[1]
    if pad:
        by = np.concatenate([by, np.zeros((N, pad), dtype=np.uint8)], axis=1)
    return np.ascontiguousarray(by).view("<u8").reshape(N, words)


def _first_unique(keys: np.ndarray) -> np.ndarray:
    """Indices of one occurrence of each distinct row of ``keys`` (N, W)."""
    return _unique_groups(keys)[0]


def _unique_groups(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(first, inverse)``: an occurrence of each distinct row of ``keys`` (N, W), and for
    every row the index of its group (``keys[first[inverse]] == keys``)."""
    if keys.shape[0] == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    if keys.shape[1] == 1:
        _, first, inverse = np.unique(keys[:, 0], return_index=True, return_inverse=True)
        return first, inverse.ravel()
    order = np.lexsort(keys.T[::-1])
    sk = keys[order]
    new = np.r_[True, np.any(sk[1:] != sk[:-1], axis=1)]
    inverse = np.empty(keys.shape[0], dtype=np.intp)
    inverse[order] = np.cumsum(new) - 1
    return order[new], inverse


def _certified(U: np.ndarray, A: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Witness ``u`` (unit rows) certified for its key: same strict signs, margin > REP_TOL."""
    vals = U @ A.T
    return np.all(pack_bits(vals > 0) == keys, axis=1) & (np.abs(vals).min(axis=1) > REP_TOL)


def _subset_batches(H: int, k: int) -> Iterator[np.ndarray]:
    """All k-subsets of range(H) in lexicographic order, as (B, k) index batches."""
    it = chain.from_iterable(combinations(range(H), k))
    total = math.comb(H, k)
    done = 0
    while done < total:
        b = min(max(256, _BLOCK_ELEMS // H), total - done)
        yield np.fromiter(islice(it, b * k), dtype=np.intp, count=b * k).reshape(b, k)
        done += b


def _null_vectors(M: np.ndarray) -> np.ndarray:
    """Generalised cross products: ``(B, r−1, r)`` → ``(B, r)`` with ``M_b v_b = 0`` and
    ``‖v_b‖`` = the (r−1)-volume spanned by the rows (0 iff dependent)."""
    _, k, r = M.shape
    if r == 2:
        return np.stack([M[:, 0, 1], -M[:, 0, 0]], axis=1)
    if r == 3:
        return np.cross(M[:, 0], M[:, 1])
    V = np.empty((M.shape[0], r))
    for c in range(r):
        cols = [j for j in range(r) if j != c]
        V[:, c] = (-1.0) ** c * np.linalg.det(M[:, :, cols])
    return V


def _sigma_table(k: int) -> np.ndarray:
    """(2^k, k) bool: row s holds the bits of s (True = +)."""
    s = np.arange(2**k)
    return ((s[:, None] >> np.arange(k)[None, :]) & 1).astype(bool)


# --------------------------------------------------------------------------------------
# Rays
# --------------------------------------------------------------------------------------


def _ray_tolerance(err: np.ndarray) -> np.ndarray:
    """Incidence tolerance from an error estimate of unit rays; raises if above MARGIN_TOL."""
    tau = np.maximum(TAU_FLOOR, err)
    if np.any(tau > INCIDENCE_TOL):
        raise RayMethodUnsuitable(
            f"a ray is too ill-conditioned to decide incidences at {INCIDENCE_TOL:g} "
            f"(error estimate {float(tau.max()):.1e})"
        )
    return tau


def _rays_of_batch(
    A: np.ndarray, sub: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Unit null directions of the independent subsets in ``sub`` (B, r−1).

    Returns ``(V, tau, keep, dependent)``: rays of the kept subsets, their incidence
    tolerances, the mask of kept subsets and the number of dependent ones. Raises
    :class:`RayMethodUnsuitable` on ill-conditioning.
    """
    M = A[sub]
    k = sub.shape[1]
    r = A.shape[1]
    V = _null_vectors(M)
    vol = np.linalg.norm(V, axis=1)
    keep = np.ones(sub.shape[0], dtype=bool)
    dependent = 0
    check = vol / math.sqrt(k) ** (k - 1) < COND_TOL  # σ_min ≥ vol / σ_max^(k−1)
    if check.any():
        smin = np.linalg.svd(M[check], compute_uv=False)[:, -1]
        dep = smin <= DEP_TOL
        if np.any(~dep & (smin < COND_TOL)):
            raise RayMethodUnsuitable(
                f"an (r-1)-subset of normals is ill-conditioned "
                f"(smallest singular value {float(smin[~dep].min()):.2e} < {COND_TOL:g})"
            )
        dependent = int(dep.sum())
        keep[np.flatnonzero(check)[dep]] = False
    # cofactor rays err by ~k·√r·eps/vol; below _REFINE_VOL recompute by SVD (~√k·eps/σ_min)
    err = _ERR_FACTOR * k * math.sqrt(r) * _EPS / np.maximum(vol, 1e-300)
    refine = keep & (vol < _REFINE_VOL)
    if refine.any():
        _, s, Vt = np.linalg.svd(M[refine])
        V[refine] = Vt[:, -1, :]
        vol[refine] = 1.0
        err[refine] = _ERR_FACTOR * math.sqrt(k) * _EPS / s[:, -1]
    V = V[keep] / vol[keep, None]
    return V, _ray_tolerance(err[keep]), keep, dependent


def _generic_keys(
    base: np.ndarray, sub: np.ndarray, sig: np.ndarray, full: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Keys of the 2^k local chambers of generic rays, canonicalised (bit 0 set).

    ``base`` (R, W): packed non-incident positive signs; ``sub`` (R, k) the incident
    hyperplanes. Returns keys (R·2^k, W) and flip flags (R·2^k,) (True: the canonical
    chamber is the antipode, at ``−v`` with ``−σ``)."""
    R, W = base.shape
    S = sig.shape[0]
    keys = np.repeat(base[:, None, :], S, axis=1)  # (R, S, W)
    rows = np.arange(R)[:, None]
    cols = np.arange(S)[None, :]
    for t in range(sub.shape[1]):
        word = (sub[:, t] // 64)[:, None]
        bit = np.left_shift(np.uint64(1), (sub[:, t] % 64).astype(np.uint64))
        keys[rows, cols, word] += sig[None, :, t].astype(np.uint64) * bit[:, None]
    keys = keys.reshape(R * S, W)
    flip = (keys[:, 0] & np.uint64(1)) == 0
    keys[flip] ^= full
    return keys, flip


def _generic_points(
    A: np.ndarray, V: np.ndarray, SUB: np.ndarray, codes: np.ndarray, sig: np.ndarray
) -> np.ndarray:
    """Witnesses ``±(v + ε* w)`` (unnormalised) for generic candidates ``codes``."""
    S = sig.shape[0]
    flip = (codes & 1).astype(bool)
    g, s = np.divmod(codes >> 1, S)
    sub = SUB[g]
    M = A[sub]  # (c, k, r)
    Gm = M @ np.swapaxes(M, 1, 2)
    sigma = np.where(sig[s], 1.0, -1.0)
    y = np.linalg.solve(Gm, sigma[:, :, None])[:, :, 0]
    w = np.einsum("ckr,ck->cr", M, y)
    v = V[g]
    ratio = np.abs(v @ A.T) / (1.0 + np.abs(w @ A.T))
    ratio[np.arange(len(g))[:, None], sub] = np.inf
    eps = ratio.min(axis=1)
    u = v + eps[:, None] * w
    u[flip] *= -1.0
    return u


def _local_chambers(
    A: np.ndarray, v: np.ndarray, inc: np.ndarray, tau: float
) -> tuple[np.ndarray, np.ndarray]:
    """Witnesses and predicted positive-sign vectors of the chambers around a degenerate ray
    ``v`` with incidence ``inc`` (found at tolerance ``tau``).

    Returns ``(U (L, r), pos (L, H) bool)``.
    """
    H, r = A.shape
    I = np.flatnonzero(inc)
    for _ in range(4):
        _, s, Vt = np.linalg.svd(A[I])
        if s.shape[0] < r - 1 or s[r - 2] < COND_TOL:
            raise RayMethodUnsuitable("the hyperplanes through a ray are ill-conditioned")
        v2 = Vt[-1] if Vt[-1] @ v >= 0 else -Vt[-1]
        D = A @ v2
        err = _ERR_FACTOR * math.sqrt(I.shape[0]) * _EPS / s[r - 2]
        tau = float(_ray_tolerance(np.array([max(err, tau)]))[0])
        I2 = np.flatnonzero(np.abs(D) <= tau)
        if np.array_equal(I2, I):
            break
        I = I2
    else:
        raise RayMethodUnsuitable("the incidence set of a ray does not stabilise")
    AI = A[I]
    Q = Vt[:-1].T  # (r, r−1) orthonormal basis of v^⊥
    B = AI @ Q
    B /= np.linalg.norm(B, axis=1, keepdims=True)
    reps, _, _ = dedupe_normals(B)
    if r - 1 == 1:
        Wl = np.array([[1.0], [-1.0]])
    elif r - 1 == 2:
        Wl = angular_sweep(reps)[0]
    else:
        sub = ray_chambers(reps)
        if sub.undecided:
            raise RayMethodUnsuitable("a local arrangement was not certified")
        Wl = sub.points
    w = Wl @ Q.T  # (L, r)
    t = w @ AI.T
    mt = np.abs(t).min(axis=1)
    if np.any(mt <= 0):
        raise RayMethodUnsuitable("a local witness lies on a hyperplane")
    w /= mt[:, None]
    t /= mt[:, None]
    non = np.ones(H, dtype=bool)
    non[I] = False
    if non.any():
        eps = (np.abs(D[non])[None, :] / (1.0 + np.abs(w @ A[non].T))).min(axis=1)
    else:
        eps = np.ones(w.shape[0])
    U = v2[None, :] + eps[:, None] * w
    pos = np.empty((w.shape[0], H), dtype=bool)
    pos[:, non] = (D[non] > 0)[None, :]
    pos[:, I] = t > 0
    return U, pos


# --------------------------------------------------------------------------------------
# Main entry
# --------------------------------------------------------------------------------------


def ray_chambers(A: np.ndarray) -> RayResult:
    """All chambers of the essential central arrangement with distinct unit normals ``A``
    (H, r), ``r ≥ 2``, ``rank A = r`` (see the module docstring)."""
    A = np.ascontiguousarray(A, dtype=np.float64)
    H, r = A.shape
    if r < 2 or H < r:
        raise ValueError(f"need r >= 2 and at least r normals, got {A.shape}")
    k = r - 1
    sig = _sigma_table(k)
    full = pack_bits(np.ones((1, H), dtype=bool))[0]

    gen_V: list[np.ndarray] = []
    gen_sub: list[np.ndarray] = []
    gen_keys: list[np.ndarray] = []
    gen_code: list[np.ndarray] = []
    deg_V: list[np.ndarray] = []
    deg_inc: list[np.ndarray] = []
    deg_tau: list[np.ndarray] = []
    dependent = 0
    n_gen = 0
    for sub in _subset_batches(H, k):
        V, tau, keep, dep = _rays_of_batch(A, sub)
        dependent += dep
        sub = sub[keep]
        D = V @ A.T
        inc = np.abs(D) <= tau[:, None]
        if not inc[np.arange(sub.shape[0])[:, None], sub].all():
            raise RayMethodUnsuitable("a ray is not incident to its own hyperplanes")
        generic = inc.sum(axis=1) == k
        if generic.any():
            Dg, ig, sg = D[generic], inc[generic], sub[generic]
            keys, flip = _generic_keys(pack_bits((Dg > 0) & ~ig), sg, sig, full)
            R = sg.shape[0]
            code = np.arange(n_gen, n_gen + R)[:, None] * sig.shape[0] + np.arange(sig.shape[0])
            gen_V.append(V[generic])
            gen_sub.append(sg)
            gen_keys.append(keys)
            gen_code.append(code.ravel() * 2 + flip)
            n_gen += R
        if not generic.all():
            deg_V.append(V[~generic])
            deg_inc.append(inc[~generic])
            deg_tau.append(tau[~generic])

    # degenerate rays: one per distinct incidence set
    dU_list: list[np.ndarray] = []
    dpos_list: list[np.ndarray] = []
    n_deg = 0
    if deg_V:
        DV = np.concatenate(deg_V)
        DI = np.concatenate(deg_inc)
        DT = np.concatenate(deg_tau)
        for i in _first_unique(pack_bits(DI)):
            U_l, pos_l = _local_chambers(A, DV[i], DI[i], float(DT[i]))
            dU_list.append(U_l)
            dpos_list.append(pos_l)
            n_deg += 1
    if dU_list:
        dU = np.concatenate(dU_list)
        dpos = np.concatenate(dpos_list)
        flip = ~dpos[:, 0]
        dU[flip] *= -1.0
        dpos[flip] = ~dpos[flip]
        dkeys = pack_bits(dpos)
    else:
        dU = np.zeros((0, r))
        dkeys = np.zeros((0, full.shape[0]), dtype=np.uint64)

    gkeys = np.concatenate(gen_keys) if gen_keys else np.zeros((0, full.shape[0]), np.uint64)
    codes = np.concatenate(gen_code) if gen_code else np.zeros(0, dtype=np.int64)
    GV = np.concatenate(gen_V) if gen_V else np.zeros((0, r))
    GS = np.concatenate(gen_sub) if gen_sub else np.zeros((0, k), dtype=np.intp)
    n_cand = gkeys.shape[0] + dkeys.shape[0]
    all_keys = np.concatenate([gkeys, dkeys])
    first, inverse = _unique_groups(all_keys)
    keys = all_keys[first]
    ng = gkeys.shape[0]

    def witnesses(idx: np.ndarray) -> np.ndarray:
        """Unit witnesses of the candidates ``idx`` (generic: computed; degenerate: stored)."""
        g = idx < ng
        out = np.empty((idx.shape[0], r))
        if g.any():
            out[g] = _generic_points(A, GV, GS, codes[idx[g]], sig)
        if (~g).any():
            out[~g] = dU[idx[~g] - ng]
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    # witnesses of one candidate per chamber and their certification, in chunks
    P = first.shape[0]
    U = np.empty((P, r))
    ok = np.zeros(P, dtype=bool)
    chunk = max(64, _BLOCK_ELEMS // H)
    for start in range(0, P, chunk):
        sl = slice(start, min(P, start + chunk))
        U[sl] = witnesses(first[sl])
        ok[sl] = _certified(U[sl], A, keys[sl])

    # second chance: the same chamber predicted at its other extreme rays
    failed = ~ok
    if failed.any():
        cand = np.flatnonzero(failed[inverse])
        cand = cand[~np.isin(cand, first[failed])]
        for start in range(0, cand.shape[0], chunk):
            c = cand[start : start + chunk]
            Uc = witnesses(c)
            good = _certified(Uc, A, all_keys[c])
            U[inverse[c[good]]] = Uc[good]
            ok[inverse[c[good]]] = True

    # repair: decide the predictions without a certified witness by the certified LP
    bad = np.flatnonzero(~ok)
    undecided = 0
    refuted = 0
    keep = ok.copy()
    if bad.size:
        bits = np.unpackbits(keys[bad].view(np.uint8), axis=1, bitorder="little")[:, :H]
        G = np.where(bits.astype(bool), 1.0, -1.0)[:, :, None] * A[None, :, :]
        feasible, Wlp, und = feasible_sides(G)
        undecided += und
        refuted = int(bad.size - feasible.sum() - und)
        for j, b in enumerate(bad):
            if not feasible[j]:
                continue
            u = Wlp[j] / np.linalg.norm(Wlp[j])
            if np.all(G[j] @ u > REP_TOL):
                U[b] = u
                keep[b] = True
            else:
                undecided += 1
    U = U[keep]

    general = dependent == 0 and n_deg == 0
    count = 2 * U.shape[0]
    stats = {
        "rays": 2 * (n_gen + n_deg),
        "degenerate_rays": 2 * n_deg,
        "dependent_subsets": dependent,
        "candidates": 2 * n_cand,
        "lp_repairs": int(bad.size),
        "below_margin": 2 * refuted,
        "general_position": general,
    }
    # in general position every prediction is a chamber in exact arithmetic; those the LP
    # refutes have margins below MARGIN_TOL (reported as below_margin, not returned)
    cover = 2 * sum(math.comb(H - 1, i) for i in range(r))
    if general and undecided == 0 and count + 2 * refuted != cover:
        raise RayMethodUnsuitable(
            f"general position but {count} + {2 * refuted} chambers != Cover's count {cover}"
        )
    return RayResult(points=np.concatenate([U, -U]), undecided=undecided, stats=stats)
