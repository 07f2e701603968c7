"""The three-layer parallel ReLU network with the path regularizer (claims.md, section PR).

    f(X) = Σ_{k≤K} s_k σ( σ(X W_k) v_k ),   W_k ∈ R^{d×m}, v_k ∈ R^m, s_k ∈ R
    R    = Σ_k ( Σ_j ‖W_k[:, j]‖² v_kj² s_k² )^{1/2}
    p    = ½‖f(X) − y‖² + β R

Shapes: one network is ``W (K, d, m)``, ``v (K, m)``, ``s (K,)``; a batch of B networks
(for vectorized restarts) adds a leading axis: ``W (B, K, d, m)``, ``v (B, K, m)``,
``s (B, K)``. The ReLU derivative uses the ≥ convention of claims.md (σ'(0) = 1), the
same convention as the activation patterns D = diag(1[· ≥ 0]).

Gradient (r = f − y, A_k = X W_k, H_k = σ(A_k), g_k = H_k v_k, o_k = σ(g_k)):

    ∂p/∂s_k      = r·o_k + β ∂R_k/∂s_k
    δ_k          = s_k · r ⊙ 1[g_k ≥ 0]                 (∂(½‖r‖²)/∂g_k)
    ∂p/∂v_k      = H_kᵀ δ_k + β ∂R_k/∂v_k
    ∂p/∂W_k      = Xᵀ ((δ_k v_kᵀ) ⊙ 1[A_k ≥ 0]) + β ∂R_k/∂W_k

with R_k = |s_k| (Σ_j ‖w_kj‖² v_kj²)^{1/2} and, where R_k > 0,
∂R_k/∂w_kj = w_kj v_kj² s_k² / R_k, ∂R_k/∂v_kj = ‖w_kj‖² v_kj s_k² / R_k,
∂R_k/∂s_k = s_k Σ_j ‖w_kj‖² v_kj² / R_k; at R_k = 0 the zero subgradient is used.

Rescaling to z (claims.md PR): with z_kj = W_k[:, j]·|v_kj|·|s_k|, positive homogeneity
of σ gives f_k = sign(s_k) σ(Σ_j sign(v_kj) σ(X z_kj)) and R_k = ‖Z_k‖_F, so the network
is a function of (Z_k, ε_k = sign(v_k), sign(s_k)) alone (:func:`rescale_to_z`,
:func:`from_z`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = [
    "forward",
    "subnetwork_outputs",
    "path_regularizer",
    "objective",
    "objective_and_gradient",
    "n_params",
    "pack",
    "unpack",
    "flat_objective_functions",
    "rescale_to_z",
    "from_z",
]


def _arrays(
    W: np.ndarray, v: np.ndarray, s: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    W = np.asarray(W, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    s = np.asarray(s, dtype=np.float64)
    if W.ndim < 3 or v.shape != W.shape[:-2] + W.shape[-1:] or s.shape != W.shape[:-2]:
        raise ValueError(
            f"need W (..., K, d, m), v (..., K, m), s (..., K); got {W.shape}, {v.shape}, {s.shape}"
        )
    return W, v, s


def _parts(X: np.ndarray, W: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, ...]:
    """A = X W (..., K, n, m), H = σ(A), g = H v (..., K, n), o = σ(g)."""
    A = np.einsum("nd,...kdm->...knm", X, W)
    H = np.maximum(A, 0.0)
    g = np.einsum("...knm,...km->...kn", H, v)
    o = np.maximum(g, 0.0)
    return A, H, g, o


def subnetwork_outputs(X: np.ndarray, W: np.ndarray, v: np.ndarray, s: np.ndarray) -> np.ndarray:
    """s_k σ(σ(X W_k) v_k) for every sub-network: shape (..., K, n)."""
    W, v, s = _arrays(W, v, s)
    o = _parts(np.asarray(X, dtype=np.float64), W, v)[3]
    return s[..., None] * o


def forward(X: np.ndarray, W: np.ndarray, v: np.ndarray, s: np.ndarray) -> np.ndarray:
    """f(X) = Σ_k s_k σ(σ(X W_k) v_k): shape (n,) or (B, n)."""
    return subnetwork_outputs(X, W, v, s).sum(axis=-2)


def _path_norms(W: np.ndarray, v: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """R_k (..., K) and the column norms² ‖w_kj‖² (..., K, m)."""
    col2 = np.sum(W * W, axis=-2)
    inner = np.sum(col2 * v * v, axis=-1)
    return np.abs(s) * np.sqrt(inner), col2


def path_regularizer(W: np.ndarray, v: np.ndarray, s: np.ndarray) -> float | np.ndarray:
    """R = Σ_k (Σ_j ‖W_k[:, j]‖² v_kj² s_k²)^{1/2} (float, or (B,) for a batch)."""
    W, v, s = _arrays(W, v, s)
    R = _path_norms(W, v, s)[0].sum(axis=-1)
    return float(R) if np.ndim(R) == 0 else R


def objective(
    X: np.ndarray, y: np.ndarray, W: np.ndarray, v: np.ndarray, s: np.ndarray, beta: float
) -> float | np.ndarray:
    """½‖f(X) − y‖² + β R with the true ReLU (float, or (B,) for a batch)."""
    f = forward(X, W, v, s)
    val = 0.5 * np.sum((f - np.asarray(y, dtype=np.float64)) ** 2, axis=-1)
    val = val + beta * np.asarray(path_regularizer(W, v, s))
    return float(val) if np.ndim(val) == 0 else val


def objective_and_gradient(
    X: np.ndarray, y: np.ndarray, W: np.ndarray, v: np.ndarray, s: np.ndarray, beta: float
) -> tuple[float | np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Objective and its analytic (sub)gradient (module docstring): (value, gW, gv, gs)."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    W, v, s = _arrays(W, v, s)
    A, H, g, o = _parts(X, W, v)
    f = np.sum(s[..., None] * o, axis=-2)
    r = f - y
    R, col2 = _path_norms(W, v, s)
    value = 0.5 * np.sum(r * r, axis=-1) + beta * R.sum(axis=-1)

    r_k = r[..., None, :]  # broadcast over sub-networks
    gs = np.sum(r_k * o, axis=-1)
    delta = s[..., None] * r_k * (g >= 0.0)
    gv = np.einsum("...knm,...kn->...km", H, delta)
    back = delta[..., :, None] * v[..., None, :] * (A >= 0.0)
    gW = np.einsum("nd,...knm->...kdm", X, back)

    # ∂R_k with the zero subgradient where R_k = 0
    pos = R > 0
    inv = np.where(pos, 1.0 / np.where(pos, R, 1.0), 0.0)
    s2 = s * s
    gW = gW + beta * W * (v * v * (s2 * inv)[..., None])[..., None, :]
    gv = gv + beta * col2 * v * (s2 * inv)[..., None]
    gs = gs + beta * s * np.sum(col2 * v * v, axis=-1) * inv
    return (float(value) if np.ndim(value) == 0 else value), gW, gv, gs


def n_params(d: int, K: int, m: int) -> int:
    """Length K·d·m + K·m + K of a flat parameter vector."""
    return K * d * m + K * m + K


def pack(W: np.ndarray, v: np.ndarray, s: np.ndarray) -> np.ndarray:
    """theta = [vec(W), vec(v), s] (row-major); a leading batch axis is kept."""
    W, v, s = _arrays(W, v, s)
    lead = W.shape[:-3]
    return np.concatenate(
        [W.reshape(lead + (-1,)), v.reshape(lead + (-1,)), s.reshape(lead + (-1,))], axis=-1
    )


def unpack(theta: np.ndarray, d: int, K: int, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Inverse of :func:`pack` (copies)."""
    theta = np.asarray(theta, dtype=np.float64)
    p = n_params(d, K, m)
    if theta.shape[-1] != p:
        raise ValueError(f"theta must end in length {p} for d={d}, K={K}, m={m}")
    lead = theta.shape[:-1]
    a, b = K * d * m, K * d * m + K * m
    W = theta[..., :a].reshape(lead + (K, d, m)).copy()
    v = theta[..., a:b].reshape(lead + (K, m)).copy()
    s = theta[..., b:].reshape(lead + (K,)).copy()
    return W, v, s


def flat_objective_functions(
    X: np.ndarray, y: np.ndarray, beta: float, K: int, m: int
) -> tuple[
    Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    Callable[[np.ndarray], tuple[float, np.ndarray]],
]:
    """(fun_batched, fun_single) on flat parameters, for relucheck.solvers.nonconvex."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    d = X.shape[1]

    def fun_batched(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        W, v, s = unpack(theta, d, K, m)
        value, gW, gv, gs = objective_and_gradient(X, y, W, v, s, beta)
        return np.asarray(value), pack(gW, gv, gs)

    def fun_single(theta: np.ndarray) -> tuple[float, np.ndarray]:
        W, v, s = unpack(theta, d, K, m)
        value, gW, gv, gs = objective_and_gradient(X, y, W, v, s, beta)
        return float(value), pack(gW, gv, gs)

    return fun_batched, fun_single


def rescale_to_z(
    W: np.ndarray, v: np.ndarray, s: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(Z (K, d, m), ε (K, m), σ (K,)) with z_kj = W_k[:, j]|v_kj||s_k|, ε = sign v, σ = sign s.

    Zero signs are mapped to +1 (their z is zero, so the choice does not matter).
    """
    W, v, s = _arrays(W, v, s)
    Z = W * (np.abs(v) * np.abs(s)[..., None])[..., None, :]
    eps = np.where(v < 0, -1.0, 1.0)
    sig = np.where(s < 0, -1.0, 1.0)
    return Z, eps, sig


def from_z(
    Z: np.ndarray, eps: np.ndarray, sig: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A network (W, v, s) = (Z, ε, σ) computing the rescaled sub-networks exactly."""
    return (
        np.asarray(Z, dtype=np.float64).copy(),
        np.asarray(eps, dtype=np.float64).copy(),
        np.asarray(sig, dtype=np.float64).copy(),
    )
