"""Two-layer ReLU networks with unregularized biases and a skip term (claims.md SR, LASSO-1D).

Network (claims.md SR, "Model"):

    f(x) = Σ_{k≤m} v_k σ(w_kᵀx − b_k) + cᵀx + c_0,

with weight decay (λ/2) Σ_k (v_k² + ‖w_k‖²) on the outer and inner WEIGHTS only: the
inner biases b_k, the skip term c and the output bias c_0 are NOT penalized. Objective

    F = ½ ‖f(X) − y‖² + (λ/2) Σ_k (v_k² + ‖w_k‖²)      [+ (λ/2) Σ_k b_k² if bias_penalty]

``skip=False`` drops c (c_0 stays, unregularized): this is the network of claims.md
LASSO-1D ("unregularized output bias"). ``bias_penalty=True`` penalizes the b_k as well:
it is the hypothesis-violating variant that SR's rescaling control uses (then the
rescaling identity holds for Σ|v_k| √(‖w_k‖² + b_k²) instead of the path norm).

The ReLU derivative uses the ≥ convention σ'(t) = 1[t ≥ 0] (claims.md, notation).

Flat layout (for the generic trainers of relucheck/solvers/nonconvex.py):
theta = [vec(W) (d·m, row-major), b (m), v (m), c (d, only if skip), c_0]. A batch of K
networks is a (K, p) array; single networks are (p,).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SkipNet:
    """One network: W (d, m), b (m,), v (m,), c (d,) (zeros when there is no skip), c0."""

    W: np.ndarray
    b: np.ndarray
    v: np.ndarray
    c: np.ndarray
    c0: float

    @property
    def width(self) -> int:
        return int(self.v.shape[0])


@dataclass(frozen=True)
class Layout:
    """Where each block sits in a flat parameter vector."""

    d: int
    m: int
    skip: bool

    @property
    def size(self) -> int:
        return self.d * self.m + 2 * self.m + (self.d if self.skip else 0) + 1

    def unpack(self, theta: np.ndarray) -> tuple[np.ndarray, ...]:
        """(W, b, v, c, c0) views with a leading batch axis if theta is (K, p)."""
        d, m = self.d, self.m
        lead = theta.shape[:-1]
        i = d * m
        W = theta[..., :i].reshape(lead + (d, m))
        b = theta[..., i : i + m]
        v = theta[..., i + m : i + 2 * m]
        j = i + 2 * m
        if self.skip:
            c = theta[..., j : j + d]
            j += d
        else:
            c = np.zeros(lead + (d,))
        c0 = theta[..., j]
        return W, b, v, c, c0

    def pack(self, W, b, v, c, c0) -> np.ndarray:
        """Inverse of :meth:`unpack` (batched if W is (K, d, m))."""
        W = np.asarray(W, dtype=np.float64)
        lead = W.shape[:-2]
        parts = [W.reshape(lead + (-1,)), np.asarray(b, float), np.asarray(v, float)]
        if self.skip:
            parts.append(np.asarray(c, float).reshape(lead + (self.d,)))
        parts.append(np.asarray(c0, float).reshape(lead + (1,)))
        return np.concatenate(parts, axis=-1)

    def net(self, theta: np.ndarray) -> SkipNet:
        W, b, v, c, c0 = self.unpack(np.asarray(theta, dtype=np.float64))
        return SkipNet(W.copy(), b.copy(), v.copy(), np.array(c, dtype=float), float(c0))


def forward(X: np.ndarray, net: SkipNet) -> np.ndarray:
    """f(X) = σ(X W − b) v + X c + c_0 (claims.md SR, "Model")."""
    return np.maximum(X @ net.W - net.b, 0.0) @ net.v + X @ net.c + net.c0


def penalty(net: SkipNet, lam: float, bias_penalty: bool = False) -> float:
    """(λ/2) Σ_k (v_k² + ‖w_k‖²) [+ (λ/2) Σ b_k² when biases are penalized]."""
    total = float(np.sum(net.v**2) + np.sum(net.W**2))
    if bias_penalty:
        total += float(np.sum(net.b**2))
    return 0.5 * lam * total


def objective(
    X: np.ndarray, y: np.ndarray, net: SkipNet, lam: float, bias_penalty: bool = False
) -> float:
    """½‖f(X) − y‖² + weight decay, evaluated with the true ReLU."""
    r = forward(X, net) - y
    return 0.5 * float(r @ r) + penalty(net, lam, bias_penalty)


def path_norm(net: SkipNet, with_bias: bool = False) -> float:
    """Σ_k |v_k| ‖w_k‖ (claims.md SR 1); ``with_bias``: Σ_k |v_k| √(‖w_k‖² + b_k²)."""
    sq = np.sum(net.W**2, axis=0)
    if with_bias:
        sq = sq + net.b**2
    return float(np.sum(np.abs(net.v) * np.sqrt(sq)))


def rescale(net: SkipNet, gamma: np.ndarray) -> SkipNet:
    """(v, w, b) → (v/γ, γw, γb) per neuron: the same function by positive homogeneity."""
    gamma = np.broadcast_to(np.asarray(gamma, dtype=float), net.v.shape)
    return SkipNet(net.W * gamma, net.b * gamma, net.v / gamma, net.c.copy(), net.c0)


def balancing_factors(net: SkipNet, bias_penalty: bool = False) -> np.ndarray:
    """γ_k minimizing (λ/2)(v_k²/γ² + γ²‖w_k‖²) [+ γ² b_k²]: γ_k = √(|v_k| / ‖(w_k, b_k)‖).

    Neurons with a zero weight (or zero v) get γ = 1; their minimized penalty is 0 only in
    the limit, so callers drop them (they fit a constant or nothing).
    """
    sq = np.sum(net.W**2, axis=0) + (net.b**2 if bias_penalty else 0.0)
    norm = np.sqrt(sq)
    ok = (norm > 0) & (np.abs(net.v) > 0)
    gamma = np.ones_like(net.v)
    gamma[ok] = np.sqrt(np.abs(net.v[ok]) / norm[ok])
    return gamma


def _value_and_grad(
    X: np.ndarray,
    y: np.ndarray,
    W: np.ndarray,
    b: np.ndarray,
    v: np.ndarray,
    c: np.ndarray,
    c0: np.ndarray,
    lam: float,
    bias_penalty: bool,
) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """Batched objective and gradient; W (K, d, m), b/v (K, m), c (K, d), c0 (K,)."""
    Z = np.matmul(X, W) - b[:, None, :]  # (K, n, m)
    active = Z >= 0.0  # ≥ convention (claims.md, notation)
    H = np.where(active, Z, 0.0)
    f = np.einsum("knm,km->kn", H, v) + c @ X.T + c0[:, None]
    r = f - y
    reg = np.sum(W * W, axis=(1, 2)) + np.sum(v * v, axis=1)
    if bias_penalty:
        reg = reg + np.sum(b * b, axis=1)
    value = 0.5 * np.sum(r * r, axis=1) + 0.5 * lam * reg
    G = np.where(active, r[:, :, None] * v[:, None, :], 0.0)  # (K, n, m)
    gW = np.einsum("nd,knm->kdm", X, G) + lam * W
    gb = -G.sum(axis=1) + (lam * b if bias_penalty else 0.0)
    gv = np.einsum("knm,kn->km", H, r) + lam * v
    gc = r @ X
    gc0 = r.sum(axis=1)
    return value, (gW, gb, gv, gc, gc0)


def flat_objective_functions(
    X: np.ndarray,
    y: np.ndarray,
    lam: float,
    width: int,
    *,
    skip: bool = True,
    bias_penalty: bool = False,
) -> tuple[
    Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    Callable[[np.ndarray], tuple[float, np.ndarray]],
    Layout,
]:
    """(fun_batched, fun_single, layout) for relucheck.solvers.nonconvex.train_multistart."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"need X (n, d) and y (n,); got {X.shape} and {y.shape}")
    if not (np.isfinite(lam) and lam >= 0):
        raise ValueError(f"lam must be finite and >= 0; got {lam!r}")
    layout = Layout(X.shape[1], int(width), bool(skip))

    def fun_batched(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        theta = np.asarray(theta, dtype=np.float64)
        W, b, v, c, c0 = layout.unpack(theta)
        value, (gW, gb, gv, gc, gc0) = _value_and_grad(X, y, W, b, v, c, c0, lam, bias_penalty)
        grad = layout.pack(gW, gb, gv, gc, gc0)
        return value, grad

    def fun_single(theta: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = fun_batched(np.asarray(theta, dtype=np.float64)[None, :])
        return float(value[0]), grad[0]

    return fun_batched, fun_single, layout
