"""Indicator targets f°(x) = 1[r(x) ≤ ρ] on Ω = [−1, 1]^d, samples and probe points (PC).

claims.md, section PC. A target is a polyhedral gauge r
(models/indicators/polyhedral_gauge.py, computed by the exact ReLU tree) and a level ρ: a
ball (N-direction gauge), a half-space, a box or a simplex. The sampling measure μ is
uniform on Ω; samples are drawn at random or on the cell-centred grid, always from an
explicit seed. A ``margin`` γ removes every sample with |r(x) − ρ| < γ: the sample then has
a gap (r₋, r₊) ⊇ (ρ − γ, ρ + γ) around the boundary.

Probe points sit at prescribed levels r(x) = q (q = ρ ± Δ off the boundary, q = ρ on it):
for a gauge (positively homogeneous) x = q v / r(v); for a half-space x = q â + t v⊥. The
directions v are chosen, from a seeded list, so that every probe lies in Ω.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from relucheck.models.indicators import polyhedral_gauge as pg
from relucheck.models.indicators.relu_max_tree import MaxAffine

KINDS = ("ball", "halfspace", "box", "simplex")

#: Normal of the half-space target in d = 2: â = (0.8, 0.6) makes the law of âᵀx under μ flat
#: on [−0.2, 0.2] (a convolution of two uniforms), so the level ρ = 0.1 sits on a flat density.
HALF_SPACE_NORMAL = (0.8, 0.6)


@dataclass(frozen=True)
class IndicatorTarget:
    """f°(x) = 1[r(x) ≤ ρ] on [−1, 1]^d with r = ``transform`` (a ReLU max tree)."""

    kind: str
    d: int
    rho: float
    transform: MaxAffine
    N: int = 0

    @property
    def label(self) -> str:
        extra = f", N={self.N}" if self.kind == "ball" else ""
        return f"{self.kind} d={self.d}{extra}, rho={self.rho:g}"

    def r(self, X: np.ndarray) -> np.ndarray:
        """r(X) through the ReLU tree."""
        return self.transform(X)

    def f(self, X: np.ndarray) -> np.ndarray:
        """f°(X) = 1[r(X) ≤ ρ] as floats."""
        return (self.r(X) <= self.rho).astype(float)

    def level_points(
        self, levels: np.ndarray, n_dirs: int, seed: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Probe points X (n_dirs·len(levels), d) with r(x) = level, and their computed r.

        Order: direction-major (all levels of direction 0 first). Every point is in Ω.
        """
        levels = np.asarray(levels, dtype=float)
        dirs = self._directions(levels, n_dirs, seed)
        X = np.concatenate([self._place(levels, v) for v in dirs])
        return X, self.r(X)

    def _place(self, levels: np.ndarray, v: np.ndarray) -> np.ndarray:
        if self.kind == "halfspace":
            a = self.transform.U[0]
            perp = v - (v @ a) * a
            return levels[:, None] * a[None, :] + perp[None, :]
        return levels[:, None] * (v / self.r(v[None, :])[0])[None, :]

    def _directions(self, levels: np.ndarray, n_dirs: int, seed: int) -> list[np.ndarray]:
        rng = np.random.default_rng(seed)
        if self.kind == "halfspace":
            # Offsets along the boundary hyperplane; the first probe line passes through 0.
            cand = [np.zeros(self.d)] + list(0.5 * rng.uniform(-1, 1, (64, self.d)))
        else:
            signs = rng.choice([-1.0, 1.0], size=(64, self.d))
            cand = list(self.transform.U) + list(signs) + list(rng.standard_normal((64, self.d)))
            cand = [v for v in cand if self.r(v[None, :])[0] > 1e-9]
        keep = []
        for v in cand:
            X = self._place(levels, np.asarray(v, dtype=float))
            if np.max(np.abs(X)) <= 1.0:
                keep.append(np.asarray(v, dtype=float))
            if len(keep) == n_dirs:
                return keep
        raise ValueError(f"no {n_dirs} probe directions inside the cube for {self.label}")


def make_target(kind: str, d: int, rho: float, N: int = 0, seed: int = 0) -> IndicatorTarget:
    """A target of ``kind`` in ``KINDS``; ``N`` directions for the ball (ignored otherwise)."""
    if kind == "ball":
        transform = pg.ball_gauge(d, N, seed)
        N = transform.m
    elif kind == "halfspace":
        normal = np.zeros(d)
        normal[: min(d, 2)] = HALF_SPACE_NORMAL[: min(d, 2)] if d > 1 else (1.0,)
        transform = pg.half_space_gauge(normal)
    elif kind == "box":
        transform = pg.box_gauge(d)
    elif kind == "simplex":
        transform = pg.simplex_gauge(d)
    else:
        raise ValueError(f"unknown target kind {kind!r} (known: {KINDS})")
    return IndicatorTarget(kind=kind, d=d, rho=float(rho), transform=transform, N=int(N))


def domain_sample(n: int, d: int, seed: int, method: str = "random") -> np.ndarray:
    """n uniform points of [−1, 1]^d, or the cell-centred grid with ⌈n^{1/d}⌉ points per axis."""
    if method == "random":
        return np.random.default_rng(seed).uniform(-1.0, 1.0, size=(n, d))
    if method == "grid":
        m = int(np.ceil(n ** (1.0 / d) - 1e-9))
        axis = -1.0 + (np.arange(m) + 0.5) * (2.0 / m)
        mesh = np.meshgrid(*([axis] * d), indexing="ij")
        return np.column_stack([g.ravel() for g in mesh])
    raise ValueError(f"unknown sampling method {method!r} (random, grid)")


def training_levels(
    target: IndicatorTarget, n: int, seed: int, method: str = "random", margin: float = 0.0
) -> np.ndarray:
    """r-values of a training sample (the head sees the data only through r).

    With ``margin`` > 0 every point with |r − ρ| < margin is dropped; random samples are
    redrawn in rounds until n points remain (a grid keeps what survives).
    """
    if method == "grid":
        r = target.r(domain_sample(n, target.d, seed, "grid"))
        return r[np.abs(r - target.rho) >= margin] if margin > 0 else r
    out: list[np.ndarray] = []
    kept, round_ = 0, 0
    while kept < n:
        r = target.r(domain_sample(n, target.d, seed + 7919 * round_))
        if margin > 0:
            r = r[np.abs(r - target.rho) >= margin]
        out.append(r)
        kept += r.shape[0]
        round_ += 1
        if round_ > 50:
            raise ValueError(f"margin {margin} leaves too few samples for {target.label}")
    return np.concatenate(out)[:n]


def density_at_level(r: np.ndarray, rho: float, h: float = 0.01) -> float:
    """p̂(ρ): the fraction of r-values in [ρ − h, ρ + h] divided by 2h (density of r(X) at ρ)."""
    return float(np.mean(np.abs(np.asarray(r) - rho) <= h) / (2.0 * h))


def sample_gap(r: np.ndarray, rho: float) -> tuple[float, float]:
    """(r₋, r₊): the largest sample level ≤ ρ and the smallest > ρ (−inf/inf if none)."""
    r = np.asarray(r)
    below, above = r[r <= rho], r[r > rho]
    return (
        float(below.max()) if below.size else -np.inf,
        float(above.min()) if above.size else np.inf,
    )
