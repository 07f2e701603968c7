"""Two interleaved spirals, a two-class set in the plane (claims.md PR, the paper's Fig. 1 idea).

Class +1 lies on the arm r = θ/θ_max for θ ∈ [θ_0, θ_max] (θ_max = 2π·turns), class −1 on the
same arm rotated by π; a little Gaussian jitter (seeded) keeps the points in general
position. A ones column is appended (a regularized bias, as in CE): without a bias every
network of claims.md is positively homogeneous and cannot separate points on one ray.
"""

from __future__ import annotations

import numpy as np

from relucheck.datasets.generators import Dataset, with_bias


def spirals(
    n: int, seed: int, turns: float = 1.0, noise: float = 0.02, start: float = 0.25
) -> Dataset:
    """n points (n even), half per class, labels ±1; X = [x₁, x₂, 1] of shape (n, 3)."""
    if n < 2 or n % 2:
        raise ValueError(f"n must be an even number >= 2, got {n}")
    rng = np.random.default_rng(seed)
    k = n // 2
    theta_max = 2.0 * np.pi * turns
    theta = np.linspace(start * theta_max, theta_max, k)
    radius = theta / theta_max
    arm = np.stack([radius * np.cos(theta), radius * np.sin(theta)], axis=1)
    pts = np.concatenate([arm, -arm]) + noise * rng.standard_normal((n, 2))
    y = np.concatenate([np.ones(k), -np.ones(k)])
    desc = f"two spirals, {turns} turn(s), n={n}, jitter {noise}, bias column"
    return Dataset(with_bias(pts), y, desc)
