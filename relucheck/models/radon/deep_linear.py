"""Deep linear networks with weight decay: closed forms per singular value (claims.md SR 4).

Factorization penalty: for M with singular values σ_j,

    min { ½ Σ_{i≤L} ‖W_i‖_F² : W_L ⋯ W_1 = M } = (L/2) Σ_j σ_j(M)^{2/L},

attained by the balanced factorization W_i = U_i diag(σ^{1/L}) U_{i−1}ᵀ (U_0 = V, U_L = U
from M = U diag(σ) Vᵀ, any orthogonal U_1..U_{L−1}).

With a data term, F(W) = ½‖W_L⋯W_1 − Y‖_F² + (λ/2) Σ_i ‖W_i‖_F², the minimum over
factorizations of a fixed product Z is ½‖Z − Y‖² + (λL/2) Σ σ_j(Z)^{2/L}; by von Neumann's
trace inequality ‖Z − Y‖_F² ≥ Σ_j (σ_j(Z) − σ_j(Y))², with equality when Z shares Y's
singular vectors, so the optimum is separable per singular value (our derivation):

    s_j* = argmin_{s ≥ 0} ½(s − σ_j(Y))² + (λL/2) s^{2/L},      Z* = U diag(s*) Vᵀ.

L = 1: s = σ/(1 + λ) (ridge, full rank). L = 2: s = max(σ − λ, 0) (soft threshold).
L ≥ 3: with s = a^L the stationary points solve a = 0 or a^{2L−2} − σ a^{L−2} + λ = 0; we
compare the objective at a = 0 and every nonnegative real root. The threshold below which
s* = 0 grows with L, so the rank of the optimum drops as the network deepens.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def scalar_optimum(sigma: float, lam: float, L: int) -> float:
    """argmin_{s≥0} ½(s − σ)² + (λL/2) s^{2/L} (the smaller s on an exact tie)."""
    if L < 1:
        raise ValueError(f"L must be >= 1; got {L}")
    if lam == 0:
        return float(sigma)
    if L == 1:
        return sigma / (1.0 + lam)
    if L == 2:
        return max(sigma - lam, 0.0)
    coeffs = np.zeros(2 * L - 1)  # degree 2L − 2 polynomial in a, highest power first
    coeffs[0] = 1.0
    coeffs[L] = -sigma  # a^{L−2}
    coeffs[-1] = lam
    roots = np.roots(coeffs)
    real = roots[np.abs(roots.imag) <= 1e-9 * np.maximum(1.0, np.abs(roots))].real
    candidates = [0.0] + [a for a in real if a > 0]

    def phi(a: float) -> float:
        return 0.5 * (a**L - sigma) ** 2 + 0.5 * lam * L * a * a

    # Newton polish on each positive root (np.roots is accurate to ~1e-8 relative).
    polished = [0.0]
    for a in candidates[1:]:
        for _ in range(20):
            g = a ** (2 * L - 2) - sigma * a ** (L - 2) + lam
            dg = (2 * L - 2) * a ** (2 * L - 3) - sigma * (L - 2) * a ** max(L - 3, 0)
            if dg == 0:
                break
            a = a - g / dg
        polished.append(max(a, 0.0))
    best = min(polished, key=phi)
    return float(best**L)


def scalar_objective(s: float, sigma: float, lam: float, L: int) -> float:
    """½(s − σ)² + (λL/2) s^{2/L}."""
    return 0.5 * (s - sigma) ** 2 + 0.5 * lam * L * s ** (2.0 / L)


def closed_form(Y: np.ndarray, lam: float, L: int) -> tuple[np.ndarray, np.ndarray, float]:
    """(Z*, s*, optimal value) of min ½‖W_L⋯W_1 − Y‖² + (λ/2)Σ‖W_i‖² (module docstring)."""
    U, sig, Vt = np.linalg.svd(Y, full_matrices=False)
    s = np.array([scalar_optimum(float(v), lam, L) for v in sig])
    value = float(sum(scalar_objective(si, v, lam, L) for si, v in zip(s, sig, strict=True)))
    return (U * s) @ Vt, s, value


def factorization_penalty(M: np.ndarray, L: int) -> float:
    """(L/2) Σ σ_j(M)^{2/L}: the least ½Σ‖W_i‖² over factorizations W_L⋯W_1 = M."""
    sig = np.linalg.svd(M, compute_uv=False)
    return 0.5 * L * float(np.sum(sig ** (2.0 / L)))


def balanced_factorization(M: np.ndarray, L: int, rng: np.random.Generator | None = None):
    """Square factors W_1..W_L (list, W_1 first) with product M and ½Σ‖W_i‖² minimal."""
    U, sig, Vt = np.linalg.svd(M)
    k = M.shape[0]
    if M.shape[0] != M.shape[1]:
        raise ValueError("balanced_factorization is implemented for square M")
    root = np.diag(sig ** (1.0 / L))
    frames = [Vt.T]
    for _ in range(L - 1):
        if rng is None:
            frames.append(np.eye(k))
        else:
            q, _ = np.linalg.qr(rng.standard_normal((k, k)))
            frames.append(q)
    frames.append(U)
    return [frames[i + 1] @ root @ frames[i].T for i in range(L)]


def product(Ws: list[np.ndarray]) -> np.ndarray:
    """W_L ⋯ W_1 for Ws = [W_1, …, W_L] (works batched over a leading axis)."""
    P = Ws[0]
    for W in Ws[1:]:
        P = np.matmul(W, P)
    return P


def objective(Ws: list[np.ndarray], Y: np.ndarray, lam: float) -> float:
    """½‖W_L⋯W_1 − Y‖² + (λ/2) Σ‖W_i‖²."""
    R = product(Ws) - Y
    return 0.5 * float(np.sum(R * R)) + 0.5 * lam * sum(float(np.sum(W * W)) for W in Ws)


def flat_objective_functions(
    Y: np.ndarray, lam: float, L: int
) -> tuple[
    Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    Callable[[np.ndarray], tuple[float, np.ndarray]],
    Callable[[np.ndarray], list[np.ndarray]],
]:
    """(fun_batched, fun_single, unpack) for square k×k factors, theta = [vec W_1, …, vec W_L].

    ∂F/∂W_i = (W_L⋯W_{i+1})ᵀ R (W_{i−1}⋯W_1)ᵀ + λ W_i with R = W_L⋯W_1 − Y.
    """
    k = Y.shape[0]
    if Y.shape != (k, k):
        raise ValueError(f"Y must be square; got {Y.shape}")

    def unpack(theta: np.ndarray) -> list[np.ndarray]:
        lead = theta.shape[:-1]
        return [theta[..., i * k * k : (i + 1) * k * k].reshape(lead + (k, k)) for i in range(L)]

    def fun_batched(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        theta = np.asarray(theta, dtype=float)
        Ws = unpack(theta)
        eye = np.broadcast_to(np.eye(k), Ws[0].shape)
        left = [eye]  # left[i] = W_{i}⋯W_1 (left[0] = I)
        for W in Ws:
            left.append(np.matmul(W, left[-1]))
        right = [eye]  # right[i] = W_L⋯W_{L−i+1}
        for W in reversed(Ws):
            right.append(np.matmul(right[-1], W))
        R = left[-1] - Y
        value = 0.5 * np.sum(R * R, axis=(-2, -1)) + 0.5 * lam * sum(
            np.sum(W * W, axis=(-2, -1)) for W in Ws
        )
        grads = []
        for i, W in enumerate(Ws):
            above = right[L - 1 - i]  # W_L ⋯ W_{i+2} (1-based: layers after this one)
            below = left[i]  # W_{i} ⋯ W_1 (layers before this one)
            g = np.matmul(np.matmul(np.swapaxes(above, -1, -2), R), np.swapaxes(below, -1, -2))
            grads.append((g + lam * W).reshape(theta.shape[:-1] + (k * k,)))
        return value, np.concatenate(grads, axis=-1)

    def fun_single(theta: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = fun_batched(np.asarray(theta, dtype=float)[None, :])
        return float(value[0]), grad[0]

    return fun_batched, fun_single, unpack
