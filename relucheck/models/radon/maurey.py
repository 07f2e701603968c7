"""Maurey sub-sampling of a ReLU network: dimension-free K^(−1/2) approximation (claims.md SR 5).

A network f(x) = Σ_k v_k σ(w_kᵀx − b_k) with unit path norm Σ_k |v_k|‖w_k‖ = 1 is, with
ŵ_k = w_k/‖w_k‖, t_k = b_k/‖w_k‖, s_k = sign(v_k) and p_k = |v_k|‖w_k‖, the mean

    f = E_{k∼p} [ s_k g_k ],     g_k(x) = σ(ŵ_kᵀx − t_k).

Draw k_1..k_K i.i.d. from p and set f_K = (1/K) Σ_i s_{k_i} g_{k_i} (a width-K network of
path norm 1). For any probability measure μ,

    E ‖f − f_K‖²_{L²(μ)} = (E_p ‖g_k‖²_μ − ‖f‖²_μ) / K ≤ sup_k ‖g_k‖²_μ / K,

and on the unit ball with ‖ŵ‖ = 1 and |t| ≤ 1 every |g_k| ≤ 2: the root-mean-square error is
at most 2/√K whatever the dimension d (Maurey / Barron / Pisier).

A BIASED sampler (the sign s_k forgotten: f̃_K = (1/K) Σ g_{k_i}) converges to E_p g ≠ f, so
its error stalls at ‖f − E_p g‖: the harness's negative control.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class UnitPathNetwork:
    """Neurons in balanced form: unit directions (M, d), offsets (M,), signs, weights p (Σp = 1)."""

    directions: np.ndarray
    offsets: np.ndarray
    signs: np.ndarray
    weights: np.ndarray

    def atoms(self, X: np.ndarray) -> np.ndarray:
        """g_k(x_i) = σ(ŵ_kᵀx_i − t_k), shape (n, M)."""
        return np.maximum(X @ self.directions.T - self.offsets, 0.0)

    def __call__(self, X: np.ndarray) -> np.ndarray:
        return self.atoms(X) @ (self.signs * self.weights)


def random_network(d: int, width: int, rng: np.random.Generator) -> UnitPathNetwork:
    """Random unit-path-norm network: ŵ uniform on the sphere, t ∈ [−½, ½], random signs."""
    W = rng.standard_normal((width, d))
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    t = rng.uniform(-0.5, 0.5, width)
    s = rng.choice([-1.0, 1.0], width)
    p = rng.exponential(1.0, width)
    return UnitPathNetwork(W, t, s, p / p.sum())


def sphere_points(n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    """n points uniform on the unit sphere S^{d−1} (the measure μ: their empirical measure)."""
    X = rng.standard_normal((n, d))
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def subsample_errors(
    net: UnitPathNetwork,
    X: np.ndarray,
    widths: tuple[int, ...],
    repeats: int,
    rng: np.random.Generator,
    *,
    biased: bool = False,
) -> np.ndarray:
    """Root-mean-square L²(μ) error of f_K over ``repeats`` draws, per K (μ: empirical on X).

    ``biased`` drops the signs (the control's sampler, not Maurey's).
    """
    G = net.atoms(X)  # (n, M)
    f = G @ (net.signs * net.weights)
    signs = np.ones_like(net.signs) if biased else net.signs
    out = []
    for K in widths:
        # K i.i.d. draws from p, as counts per neuron: f_K = G (counts ∘ s) / K
        counts = rng.multinomial(K, net.weights, size=repeats)  # (repeats, M)
        approx = G @ (counts * signs).T / K  # (n, repeats)
        sq = np.mean((approx - f[:, None]) ** 2, axis=0)
        out.append(float(np.sqrt(np.mean(sq))))
    return np.array(out)


def expected_sq_error_constant(net: UnitPathNetwork, X: np.ndarray) -> float:
    """E_p‖g_k‖²_μ − ‖f‖²_μ: K times the exact expected squared error of Maurey's f_K."""
    G = net.atoms(X)
    f = G @ (net.signs * net.weights)
    return float(np.mean(G**2, axis=0) @ net.weights - np.mean(f**2))
