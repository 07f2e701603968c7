"""Polyhedral gauges r(x) = max_i u_iᵀx for the PC targets (claims.md, section PC).

Each constructor returns a
:class:`~relucheck.models.indicators.relu_max_tree.MaxAffine` whose sublevel set {r ≤ ρ} is the
target set:

  half-space  r(x) = âᵀx,                     {r ≤ ρ} = {âᵀx ≤ ρ}           (m = 1)
  box         r(x) = max_j |x_j| = ‖x‖_∞,      {r ≤ ρ} = [−ρ, ρ]^d            (m = 2d)
  simplex     r(x) = max_i n_iᵀx, n_i the d+1 unit outward facet normals of a regular
              simplex centred at 0 (Σ n_i = 0, n_iᵀn_j = −1/d): inradius ρ   (m = d + 1)
  ball        r_N(x) = max_{i≤N} u_iᵀx with unit u_i: the circumscribed polytope of the
              ball of radius ρ, so r_N ≤ ‖·‖ and f°_N = 1[r_N ≤ ρ] → f° = 1[‖x‖ ≤ ρ] as
              the directions fill the sphere (the seed's f°_N → f°).

Ball directions: d = 1 uses ±1 (exact: r = |x|); d = 2 the N equally spaced angles, whose
polygon has the closed-form excess area ρ²(N tan(π/N) − π) over the disc
(:func:`regular_polygon_excess_area`, O(N⁻²)); d = 3 the spherical Fibonacci points
(covering radius O(N^{−1/2}), volume excess O(N⁻¹)); d ≥ 4 the 2d axis directions ±e_j
(boundedness) plus seeded Gaussian directions, normalized.
"""

from __future__ import annotations

import numpy as np

from relucheck.models.indicators.relu_max_tree import MaxAffine


def _gauge(U: np.ndarray) -> MaxAffine:
    U = np.asarray(U, dtype=float)
    return MaxAffine(U=U, c=np.zeros(U.shape[0]))


def half_space_gauge(a: np.ndarray) -> MaxAffine:
    """r(x) = âᵀx with â = a/‖a‖ (a single affine map, no ReLU)."""
    a = np.asarray(a, dtype=float)
    return _gauge((a / np.linalg.norm(a))[None, :])


def box_gauge(d: int) -> MaxAffine:
    """r(x) = ‖x‖_∞ = max_j max(x_j, −x_j)."""
    eye = np.eye(d)
    return _gauge(np.vstack([eye, -eye]))


def simplex_normals(d: int) -> np.ndarray:
    """(d+1) × d unit vectors with pairwise inner products −1/d (a regular simplex)."""
    centred = np.eye(d + 1) - 1.0 / (d + 1)
    # An orthonormal basis of the hyperplane 1^⊥ in R^{d+1}: the left singular vectors.
    basis = np.linalg.svd(centred)[0][:, :d]
    v = centred @ basis
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def simplex_gauge(d: int) -> MaxAffine:
    """r(x) = max_i n_iᵀx: {r ≤ ρ} is the regular simplex with inradius ρ centred at 0."""
    return _gauge(simplex_normals(d))


def ball_directions(d: int, N: int, seed: int = 0) -> np.ndarray:
    """N unit directions for the polygonal gauge of the d-ball (see module docstring)."""
    if d == 1:
        return np.array([[1.0], [-1.0]])
    if d == 2:
        theta = 2.0 * np.pi * np.arange(N) / N
        return np.column_stack([np.cos(theta), np.sin(theta)])
    if d == 3:
        k = np.arange(N) + 0.5
        z = 1.0 - 2.0 * k / N
        phi = np.pi * (3.0 - np.sqrt(5.0)) * k
        rho = np.sqrt(1.0 - z * z)
        return np.column_stack([rho * np.cos(phi), rho * np.sin(phi), z])
    if N < 2 * d:
        raise ValueError(f"need N >= 2d = {2 * d} directions for a bounded gauge in d = {d}")
    rng = np.random.default_rng(seed)
    extra = rng.standard_normal((N - 2 * d, d))
    U = np.vstack([np.eye(d), -np.eye(d), extra])
    return U / np.linalg.norm(U, axis=1, keepdims=True)


def ball_gauge(d: int, N: int, seed: int = 0) -> MaxAffine:
    """r_N(x) = max_{i≤N} u_iᵀx with the directions of :func:`ball_directions`."""
    return _gauge(ball_directions(d, N, seed))


def regular_polygon_excess_area(N: int, rho: float) -> float:
    """Area of {r_N ≤ ρ} minus the disc's, d = 2 with N equal angles: ρ²(N tan(π/N) − π).

    {r_N ≤ ρ} is the regular N-gon with inradius ρ: N triangles of height ρ and base
    2ρ tan(π/N).
    """
    return float(rho**2 * (N * np.tan(np.pi / N) - np.pi))
