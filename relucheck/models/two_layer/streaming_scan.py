"""Certified gauge bounds over ALL chambers without holding them densely (claims.md CE, Dual).

:class:`relucheck.models.two_layer.gauge_scan.GaugeScanner` keeps the (P, n) masks and one (P, n)
block of warm multipliers per sign: 4·P·n doubles, 0.9 GB at n = 300 with the 9·10⁴
chambers of d = 3 and 32 GB at n = 1000 (10⁶ chambers). This scanner gives the same
certified bounds (the same inequality: for every μ ≥ 0, sup over the cone ≤ ‖c + Aᵀμ‖₂)
from state that grows with P·d, not P·n:

* masks are recomputed block by block from the interior gates, 1[X g_i ≥ 0] (the
  definition :class:`relucheck.models.arrangements.patterns.PatternSet` uses), never stored;
* warm multipliers are stored SPARSE, at most K = 2d entries per (pattern, sign): an exact
  NNLS multiplier is a basic solution with at most d nonzeros, so it is kept whole; a
  projected-gradient one is cut to its K largest entries (any μ ≥ 0 certifies, a cut one
  only more loosely, and a loose bound above the threshold is refined again).

Memory: 2 signs × P × K × (8 + 4) bytes of multipliers, 3 × P bytes/doubles of per-pattern
bookkeeping, plus one block of BLOCK_ELEMENTS mask entries and its float copies (about
64·BLOCK_ELEMENTS bytes) — 0.2 GB at P = 10⁶, d = 3, independent of n. The bounds it
reports are valid for any stored μ; ``tests/test_streaming_scan.py`` checks that the
working-set solver certifies the same optimum with either scanner.
"""

from __future__ import annotations

import numpy as np

from relucheck.models.two_layer.certificate import cone_sup_multipliers
from relucheck.models.two_layer.gauge_scan import REFINE_ITERATIONS

#: Mask entries (patterns × rows) per block of the scan.
BLOCK_ELEMENTS = 1 << 21


class PatternMasks:
    """The (P, n) masks 1[X g_i ≥ 0] of interior gates g_i, computed on access.

    Indexing works like the dense array for what the solver needs: ``masks[i]`` (n,),
    ``masks[idx]`` (k, n), ``masks.shape``; :meth:`blocks` walks all patterns.
    """

    def __init__(self, X: np.ndarray, directions: np.ndarray):
        self.X = np.asarray(X, dtype=float)
        self.directions = np.asarray(directions, dtype=float)
        self.shape = (self.directions.shape[0], self.X.shape[0])

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, index) -> np.ndarray:
        return (self.directions[index] @ self.X.T) >= 0.0

    def block_size(self) -> int:
        return max(1, BLOCK_ELEMENTS // max(self.shape[1], 1))

    def blocks(self):
        """(slice, (b, n) bool block) over all patterns."""
        step = self.block_size()
        for start in range(0, self.shape[0], step):
            sl = slice(start, min(self.shape[0], start + step))
            yield sl, self[sl]


class StreamingGaugeScanner:
    """The interface of :class:`GaugeScanner` (``bounds``, ``tight``, ``all_tight``,
    ``multipliers``, ``nnls_solves``) over :class:`PatternMasks`."""

    def __init__(self, X: np.ndarray, masks: PatternMasks, signs: tuple[int, ...] = (1, -1)):
        self.X = np.asarray(X, dtype=float)
        self.masks = masks
        self.signs = tuple(int(s) for s in signs)
        self.P, n = masks.shape
        d = self.X.shape[1]
        self.K = min(n, 2 * d)
        self._idx = {s: np.zeros((self.P, self.K), dtype=np.int32) for s in self.signs}
        self._val = {s: np.zeros((self.P, self.K)) for s in self.signs}
        self.nnls_solves = 0
        self.refine_iterations = REFINE_ITERATIONS
        self._lipschitz = max(float(np.linalg.norm(self.X, 2)) ** 2, 1e-300)
        self._residual: np.ndarray | None = None
        self._fresh = {s: np.zeros(self.P, dtype=bool) for s in self.signs}
        self._last = {s: np.full(self.P, np.inf) for s in self.signs}

    # the same bookkeeping as GaugeScanner
    def all_tight(self, threshold: float) -> bool:
        return all(not np.any((self._last[s] > threshold) & ~self._fresh[s]) for s in self.signs)

    def tight(self) -> np.ndarray:
        return np.stack([self._fresh[s] for s in self.signs], axis=1)

    def multipliers(self, sign: int, i: int) -> np.ndarray:
        """The stored μ of (pattern i, sign) as a dense (n,) vector."""
        mu = np.zeros(self.masks.shape[1])
        np.add.at(mu, self._idx[sign][i], self._val[sign][i])
        return mu

    def _store(self, sign: int, rows: np.ndarray, mu: np.ndarray) -> None:
        """Keep the K largest entries of each μ in ``mu`` (len(rows), n)."""
        K = self.K
        top = np.argpartition(-mu, K - 1, axis=1)[:, :K] if mu.shape[1] > K else None
        if top is None:
            top = np.broadcast_to(np.arange(mu.shape[1]), mu.shape)
        self._idx[sign][rows] = top
        self._val[sign][rows] = np.take_along_axis(mu, top, axis=1)

    def _sparse_term(self, sign: int, rows: np.ndarray, flip: np.ndarray) -> np.ndarray:
        """(A_iᵀ μ_i)ᵀ for the patterns ``rows`` from their stored sparse μ, (len(rows), d)."""
        idx = self._idx[sign][rows]
        weights = np.take_along_axis(flip, idx, axis=1) * self._val[sign][rows]
        return np.einsum("bk,bkd->bd", weights, self.X[idx])

    def _refine(
        self, rows: np.ndarray, sign: int, mask: np.ndarray, r: np.ndarray, threshold: float
    ) -> np.ndarray:
        """Accelerated projected gradient on the NNLS of the patterns ``rows`` (as in
        :meth:`GaugeScanner._refine`); stores the cut best μ; returns the best bounds."""
        X = self.X
        flip = np.where(mask, 1.0, -1.0)
        C = sign * ((mask * r) @ X)
        mu = np.zeros(mask.shape)
        np.put_along_axis(mu, self._idx[sign][rows], self._val[sign][rows], axis=1)
        best = np.linalg.norm(C + (flip * mu) @ X, axis=1)
        best_mu = mu.copy()
        z, t = mu.copy(), 1.0
        for step in range(1, self.refine_iterations + 1):
            grad = flip * ((C + (flip * z) @ X) @ X.T)
            nxt = np.maximum(z - grad / self._lipschitz, 0.0)
            t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
            z = nxt + ((t - 1.0) / t_next) * (nxt - mu)
            mu, t = nxt, t_next
            if step % 5 == 0 or step == self.refine_iterations:
                value = np.linalg.norm(C + (flip * mu) @ X, axis=1)
                better = value < best
                best[better] = value[better]
                best_mu[better] = mu[better]
                if np.all(best <= threshold):
                    break
        self._store(sign, rows, best_mu)
        return best

    def bounds(
        self, residual: np.ndarray, threshold: float, *, limit: int | None = None
    ) -> np.ndarray:
        """Certified bounds (P, len(signs)), tight wherever above ``threshold`` (at most
        ``limit`` fresh NNLS per sign, largest first), as :meth:`GaugeScanner.bounds`."""
        r = np.asarray(residual, dtype=float)
        if self._residual is None or not np.array_equal(r, self._residual):
            self._residual = r.copy()
            for sign in self.signs:
                self._fresh[sign][:] = False
                self._last[sign][:] = np.inf
        out = np.empty((self.P, len(self.signs)))
        warm = {s: np.empty(self.P) for s in self.signs}
        for sl, mask in self.masks.blocks():
            flip = np.where(mask, 1.0, -1.0)
            gated = (mask * r) @ self.X
            rows = np.arange(sl.start, sl.stop)
            for sign in self.signs:
                b = np.linalg.norm(sign * gated + self._sparse_term(sign, rows, flip), axis=1)
                b = np.minimum(b, self._last[sign][sl])
                above = np.flatnonzero((b > threshold) & ~self._fresh[sign][sl])
                if above.size and self.refine_iterations:
                    refined = self._refine(rows[above], sign, mask[above], r, threshold)
                    b[above] = np.minimum(b[above], refined)
                warm[sign][sl] = b
        for k, sign in enumerate(self.signs):
            b = warm[sign]
            redo = np.flatnonzero((b > threshold) & ~self._fresh[sign])
            if limit is not None and redo.size > limit:
                redo = redo[np.argsort(-b[redo])[:limit]]
            if redo.size:
                masks = self.masks[redo]
            for a, i in enumerate(redo):
                c = sign * (self.X.T @ (masks[a] * r))
                if not np.any(c):
                    self._val[sign][i] = 0.0
                    b[i] = 0.0
                    continue
                A = np.where(masks[a], 1.0, -1.0)[:, None] * self.X
                mu, bound = cone_sup_multipliers(c, A)
                self.nnls_solves += 1
                self._store(sign, np.array([i]), mu[None, :])
                # the stored (cut) μ is what later calls start from; this call may use the
                # exact one (NNLS multipliers have at most d nonzeros, so usually the same)
                b[i] = min(bound, b[i])
            self._fresh[sign][redo] = True
            self._last[sign] = b
            out[:, k] = b
        return out
