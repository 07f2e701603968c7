"""Seeded instance generators (architecture.md, datasets/).

Every draw comes from ``numpy.random.default_rng(seed)``; the same seed gives the same
data on every machine. Real data comes from scikit-learn's bundled sets (no download).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Dataset:
    """A design matrix, targets and a one-line description of where they came from."""

    X: np.ndarray
    y: np.ndarray
    description: str


def with_bias(X: np.ndarray) -> np.ndarray:
    """Append a ones column: a bias that is regularized with the weights (claims.md CE)."""
    return np.hstack([X, np.ones((X.shape[0], 1))])


def gaussian(n: int, d: int, seed: int) -> Dataset:
    """X with i.i.d. N(0, 1) entries and an unstructured Gaussian target."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = rng.standard_normal(n)
    return Dataset(X, y, f"Gaussian X ({n}x{d}), Gaussian y")


def planted_teacher(
    n: int, d: int, width: int, seed: int, noise: float = 0.1, labels: bool = False
) -> Dataset:
    """y = σ(X U*) α* + noise for a random teacher network; ``labels`` gives sign(y) ∈ {±1}."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    U = rng.standard_normal((d, width))
    alpha = rng.choice([-1.0, 1.0], size=width) * (0.5 + rng.random(width))
    y = np.maximum(X @ U, 0.0) @ alpha + noise * rng.standard_normal(n)
    if labels:
        y = np.where(y >= np.median(y), 1.0, -1.0)
        return Dataset(X, y, f"teacher width {width}, ±1 labels at the median ({n}x{d})")
    return Dataset(X, y, f"teacher width {width}, noise {noise} ({n}x{d})")


def one_dimensional(n: int, seed: int, noise: float = 0.05) -> Dataset:
    """Scalar inputs on [−1, 1] with a ones column (d = 2) and a smooth target plus noise."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-1.0, 1.0, n))
    y = np.sin(3.0 * x) + 0.5 * np.abs(x) + noise * rng.standard_normal(n)
    return Dataset(with_bias(x[:, None]), y, f"1-D x on [-1,1] with bias column (n={n})")


def rank_deficient(n: int, d: int, rank: int, seed: int) -> Dataset:
    """X = A B with A (n×r), B (r×d): rank r < d, so patterns live in an r-dim row space."""
    if not 1 <= rank < d:
        raise ValueError(f"need 1 <= rank < d, got rank={rank}, d={d}")
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, rank)) @ rng.standard_normal((rank, d))
    y = rng.standard_normal(n)
    return Dataset(X, y, f"rank-{rank} X ({n}x{d}), Gaussian y")


def diabetes_subsample(n: int, features: int, seed: int) -> Dataset:
    """Rows of scikit-learn's bundled diabetes set: standardized first features, centered y."""
    from sklearn.datasets import load_diabetes

    data = load_diabetes()
    rng = np.random.default_rng(seed)
    rows = rng.choice(data.data.shape[0], size=n, replace=False)
    X = data.data[rows][:, :features]
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    y = data.target[rows]
    y = (y - y.mean()) / y.std()
    return Dataset(X, y, f"sklearn diabetes: {n} rows, first {features} features, standardized")


DEGENERATE_KINDS = ("repeated", "antiparallel", "coplanar", "rank_deficient")


def degenerate(n: int, d: int, kind: str, seed: int) -> Dataset:
    """Data NOT in general position, where Cover's count is only an upper bound.

    ``repeated``: every row appears twice. ``antiparallel``: rows come in pairs x, −x.
    ``coplanar``: half the rows lie in one hyperplane through the origin, so their
    hyperplanes {u : xᵀu = 0} share a common line. ``rank_deficient``: rank ⌈d/2⌉ < d.
    """
    rng = np.random.default_rng(seed)
    half = max(n // 2, 1)
    if kind == "repeated":
        base = rng.standard_normal((half, d))
        X = np.vstack([base, base])[:n]
    elif kind == "antiparallel":
        base = rng.standard_normal((half, d))
        X = np.vstack([base, -base])[:n]
    elif kind == "coplanar":
        normal = rng.standard_normal(d)
        on_plane = rng.standard_normal((half, d))
        on_plane -= np.outer(on_plane @ normal, normal) / (normal @ normal)
        X = np.vstack([on_plane, rng.standard_normal((n - half, d))])
    elif kind == "rank_deficient":
        return rank_deficient(n, d, (d + 1) // 2, seed)
    else:
        raise ValueError(f"unknown degenerate kind {kind!r} (choose one of {DEGENERATE_KINDS})")
    return Dataset(X, rng.standard_normal(n), f"{kind} rows ({n}x{d})")
