"""A dense ReLU MLP, forward and backward: the PC control network (claims.md, section PC).

The control for the PC claim is "a dense ReLU MLP of the same depth trained with
constant-step SGD": no variable transformation, no clipped head, every weight trainable.

    h_0 = x,   h_l = σ(h_{l−1} W_l + c_l)  (l = 1..L),   g = h_L v + c_out

Loss (1/B) Σ_i (g(x_i) − y_i)² over a batch, as for the indicator network. The ReLU
derivative uses the ≥ convention (1[z ≥ 0]). He-normal initialization from an explicit seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class MLP:
    """Weights (W_l, c_l) of the hidden layers and the linear output (v, c_out)."""

    weights: list[np.ndarray]
    biases: list[np.ndarray]

    @property
    def depth(self) -> int:
        """Hidden ReLU layers (the output layer is linear)."""
        return len(self.weights) - 1

    def copy(self) -> MLP:
        return MLP([w.copy() for w in self.weights], [c.copy() for c in self.biases])


def init_mlp(d: int, width: int, depth: int, seed: int) -> MLP:
    """He-normal weights, zero biases: d → width (× depth ReLU layers) → 1."""
    rng = np.random.default_rng(seed)
    sizes = [d] + [width] * depth + [1]
    weights = [
        rng.standard_normal((a, b)) * np.sqrt(2.0 / a)
        for a, b in zip(sizes, sizes[1:], strict=False)
    ]
    biases = [np.zeros(b) for b in sizes[1:]]
    return MLP(weights, biases)


def mlp_forward(net: MLP, X: np.ndarray) -> np.ndarray:
    """g(X), shape (n,)."""
    h = np.asarray(X, dtype=float)
    for W, c in zip(net.weights[:-1], net.biases[:-1], strict=True):
        h = np.maximum(h @ W + c, 0.0)
    return (h @ net.weights[-1] + net.biases[-1])[:, 0]


def mlp_loss_and_gradient(
    net: MLP, X: np.ndarray, y: np.ndarray
) -> tuple[float, list[np.ndarray], list[np.ndarray]]:
    """Mean squared loss and its gradients (same layout as ``net.weights``/``net.biases``)."""
    acts = [np.asarray(X, dtype=float)]
    pre = []
    for W, c in zip(net.weights[:-1], net.biases[:-1], strict=True):
        z = acts[-1] @ W + c
        pre.append(z)
        acts.append(np.maximum(z, 0.0))
    out = (acts[-1] @ net.weights[-1] + net.biases[-1])[:, 0]
    residual = out - y
    n = X.shape[0]
    delta = (2.0 / n) * residual[:, None]
    gW = [np.empty(0)] * len(net.weights)
    gc = [np.empty(0)] * len(net.biases)
    gW[-1] = acts[-1].T @ delta
    gc[-1] = delta.sum(axis=0)
    for layer in range(len(net.weights) - 2, -1, -1):
        delta = (delta @ net.weights[layer + 1].T) * (pre[layer] >= 0.0)
        gW[layer] = acts[layer].T @ delta
        gc[layer] = delta.sum(axis=0)
    return float(np.mean(residual**2)), gW, gc
