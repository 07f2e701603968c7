"""Certified upper bounds on every pattern's dual gauge at once, with warm multipliers.

claims.md CE, "Dual": a residual r is scaled into the dual feasible set by
s = min(1, β / γ̄) where γ̄ bounds γ°(r) = max_{i,±} sup { ±rᵀD_iXu : ‖u‖ ≤ 1, (2D_i − I)Xu ≥ 0 }.
:func:`relucheck.models.two_layer.certificate.cone_sup_bound` shows that EVERY μ ≥ 0 gives

    sup_i  ≤  ‖c_i + A_iᵀ μ‖₂,      c_i = ±XᵀD_i r,   A_i = (2D_i − I) X,

and solves an NNLS for the μ that makes it tight. Solving P NNLS problems at every step of
an iterative solver is the expensive part (about 10 ms each at n = 2000, d = 20), so this
scanner keeps the last μ of every (pattern, sign) and first evaluates the bound with it —
for all patterns together in two matrix products. Only the patterns whose warm bound exceeds
the threshold the caller cares about are re-solved. The result is as certified as a full
scan (any μ ≥ 0 is valid); it is only looser on patterns whose bound is below the threshold,
and those do not enter max_i or the scaling s.
"""

from __future__ import annotations

import numpy as np

from relucheck.models.two_layer.certificate import cone_sup_multipliers

#: Projected-gradient steps that :meth:`GaugeScanner.bounds` spends on the patterns above the
#: threshold before solving NNLS problems one by one.
REFINE_ITERATIONS = 30


class GaugeScanner:
    """Per-(pattern, sign) certified gauge bounds for residuals of one data set.

    ``masks`` is ``(P, n)`` bool; ``signs`` the output signs in column order: column
    ``j = 2i`` is (pattern i, +1) and ``2i + 1`` is (pattern i, −1) when both are used.
    """

    def __init__(self, X: np.ndarray, masks: np.ndarray, signs: tuple[int, ...] = (1, -1)):
        self.X = np.asarray(X, dtype=float)
        self.masks = np.asarray(masks, dtype=bool)
        self.signs = tuple(int(s) for s in signs)
        self.P = self.masks.shape[0]
        self._flip = np.where(self.masks, 1.0, -1.0)  # diagonal of 2D_i − I, (P, n)
        self._dense_masks = self.masks.astype(float)
        # warm multipliers, one (P, n) block per sign; μ = 0 gives the gated bound ‖c_i‖
        self.mu = {s: np.zeros((self.P, self.X.shape[0])) for s in self.signs}
        self.nnls_solves = 0
        #: accelerated projected-gradient steps tried before any exact NNLS (0: none)
        self.refine_iterations = REFINE_ITERATIONS
        self._lipschitz = max(float(np.linalg.norm(self.X, 2)) ** 2, 1e-300)
        # which bounds were already made tight for the residual seen last
        self._residual: np.ndarray | None = None
        self._fresh = {s: np.zeros(self.P, dtype=bool) for s in self.signs}
        self._last = {s: np.full(self.P, np.inf) for s in self.signs}

    def all_tight(self, threshold: float) -> bool:
        """Whether every bound above ``threshold`` was made tight for the last residual."""
        return all(not np.any((self._last[s] > threshold) & ~self._fresh[s]) for s in self.signs)

    def multipliers(self, sign: int, i: int) -> np.ndarray:
        """The warm μ of (pattern i, sign), (n,)."""
        return self.mu[sign][i]

    def tight(self) -> np.ndarray:
        """(P, len(signs)) bool: which bounds of the last call were made tight (fresh NNLS)."""
        return np.stack([self._fresh[s] for s in self.signs], axis=1)

    def _refine(
        self, idx: np.ndarray, sign: int, residual: np.ndarray, threshold: float
    ) -> np.ndarray:
        """Lower the bounds of patterns ``idx`` by accelerated projected gradient on the NNLS.

        min_{μ≥0} ½‖c_i + A_iᵀμ‖² for all the patterns at once (three matrix products per
        step; A_iᵀA_i = XᵀX for every pattern, so one step size 1/‖X‖₂² serves all). Every
        iterate is a valid μ ≥ 0, so every bound it gives is certified; the best one per
        pattern is kept. Most patterns fall below the threshold in a few steps and need no
        exact NNLS at all; the rest go on to it.
        """
        X = self.X
        C = sign * ((self._dense_masks[idx] * residual) @ X)
        F = self._flip[idx]
        mu = self.mu[sign][idx].copy()
        best = np.linalg.norm(C + (F * mu) @ X, axis=1)
        best_mu = mu.copy()
        z, t = mu.copy(), 1.0
        for step in range(1, self.refine_iterations + 1):
            grad = F * ((C + (F * z) @ X) @ X.T)
            nxt = np.maximum(z - grad / self._lipschitz, 0.0)
            t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
            z = nxt + ((t - 1.0) / t_next) * (nxt - mu)
            mu, t = nxt, t_next
            if step % 5 == 0 or step == self.refine_iterations:
                value = np.linalg.norm(C + (F * mu) @ X, axis=1)
                better = value < best
                best[better] = value[better]
                best_mu[better] = mu[better]
                if np.all(best <= threshold):
                    break
        self.mu[sign][idx] = best_mu
        return best

    def _warm_bounds(self, residual: np.ndarray, sign: int) -> np.ndarray:
        C = sign * ((self._dense_masks * residual) @ self.X)  # rows c_iᵀ = ±(D_i r)ᵀ X
        C += (self._flip * self.mu[sign]) @ self.X  # + (A_iᵀ μ_i)ᵀ
        return np.linalg.norm(C, axis=1)

    def bounds(
        self, residual: np.ndarray, threshold: float, *, limit: int | None = None
    ) -> np.ndarray:
        """Certified bounds, shape ``(P, len(signs))``; tight wherever they exceed ``threshold``.

        Patterns whose warm bound is above ``threshold`` get a fresh NNLS (at most ``limit``
        of them, largest warm bound first, when ``limit`` is given; the rest keep their warm,
        still valid, bound).
        """
        r = np.asarray(residual, dtype=float)
        if self._residual is None or not np.array_equal(r, self._residual):
            self._residual = r.copy()
            for sign in self.signs:
                self._fresh[sign][:] = False
                self._last[sign][:] = np.inf  # bounds for another residual prove nothing here
        out = np.empty((self.P, len(self.signs)))
        for k, sign in enumerate(self.signs):
            warm = np.minimum(self._warm_bounds(r, sign), self._last[sign])
            above = np.flatnonzero((warm > threshold) & ~self._fresh[sign])
            if above.size and self.refine_iterations:
                warm[above] = np.minimum(warm[above], self._refine(above, sign, r, threshold))
            redo = np.flatnonzero((warm > threshold) & ~self._fresh[sign])
            if limit is not None and redo.size > limit:
                redo = redo[np.argsort(-warm[redo])[:limit]]
            for i in redo:
                A = self._flip[i][:, None] * self.X
                c = sign * (self.X.T @ (self._dense_masks[i] * r))
                if not np.any(c):
                    self.mu[sign][i] = 0.0
                    warm[i] = 0.0
                    self._fresh[sign][i] = True
                    continue
                mu, bound = cone_sup_multipliers(c, A)
                self.nnls_solves += 1
                self.mu[sign][i] = mu
                warm[i] = min(bound, warm[i])
            self._fresh[sign][redo] = True
            self._last[sign] = warm
            out[:, k] = warm
        return out
