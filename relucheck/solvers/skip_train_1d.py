"""Weight-decay training of skip networks (claims.md SR, LASSO-1D) with the generic trainer.

Named for the one-dimensional claims, where it is mostly used, but it trains the network
of relucheck/models/skip_network.py on any R^d (SR 3 uses d = 2). It reuses
:func:`relucheck.solvers.nonconvex.train_multistart` (Adam on all restarts at once, then
an L-BFGS polish per restart); only the initialization is specific:

* inner weights w_k ~ N(0, s²/d), kinks placed THROUGH random data points
  (b_k = w_kᵀx_i for a random i, plus a little jitter), because a kink far outside the data
  is a wasted neuron that weight decay then has to kill;
* outer weights v_k ~ N(0, s²/m); skip term zero; output bias c_0 = mean(y).

Final values are re-evaluated with the true ReLU at the returned parameters (the objective
of the model module, never the optimizer's number).
"""

from __future__ import annotations

import numpy as np

from relucheck.models import skip_network as sn
from relucheck.solvers.nonconvex import TrainResult, train_multistart


def init_skip_network(
    X: np.ndarray,
    y: np.ndarray,
    layout: sn.Layout,
    restarts: int,
    rng: np.random.Generator,
    init_scale: float = 1.0,
) -> np.ndarray:
    """Random flat initial parameters (restarts, p) with kinks through data points."""
    n, d = X.shape
    m = layout.m
    W = rng.standard_normal((restarts, d, m)) * (init_scale / np.sqrt(d))
    anchors = X[rng.integers(0, n, size=(restarts, m))]  # (K, m, d)
    b = np.einsum("kmd,kdm->km", anchors, W) + 0.01 * rng.standard_normal((restarts, m))
    v = rng.standard_normal((restarts, m)) * (init_scale / np.sqrt(m))
    c = np.zeros((restarts, d))
    c0 = np.full(restarts, float(np.mean(y)))
    return layout.pack(W, b, v, c, c0)


def train_skip_network(
    X: np.ndarray,
    y: np.ndarray,
    lam: float,
    width: int,
    restarts: int,
    seed: int,
    *,
    skip: bool = True,
    bias_penalty: bool = False,
    adam_steps: int = 2000,
    lr: float = 1e-2,
    lbfgs_iters: int = 3000,
    init_scale: float = 1.0,
) -> TrainResult:
    """Train f(x) = Σ v_k σ(w_kᵀx − b_k) + cᵀx + c_0 with weight decay λ from K restarts.

    ``result.params[k]`` is a :class:`relucheck.models.skip_network.SkipNet`;
    ``result.final_values[k]`` its true objective. Same arguments → identical results.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X[:, None]
    y = np.asarray(y, dtype=np.float64)
    fun_batched, fun_single, layout = sn.flat_objective_functions(
        X, y, lam, width, skip=skip, bias_penalty=bias_penalty
    )
    rng = np.random.default_rng(seed)
    init = init_skip_network(X, y, layout, int(restarts), rng, init_scale)
    result = train_multistart(
        fun_batched,
        fun_single,
        init,
        adam_steps=adam_steps,
        lr=lr,
        lbfgs_iters=lbfgs_iters,
    )
    result.params = [layout.net(theta) for theta in result.thetas]
    result.final_values = np.array(
        [sn.objective(X, y, net, lam, bias_penalty) for net in result.params]
    )
    result.info = {
        "model": "skip_network" if skip else "no_skip_network",
        "lam": float(lam),
        "width": int(width),
        "restarts": int(restarts),
        "seed": int(seed),
        "bias_penalty": bool(bias_penalty),
        "adam_steps": int(adam_steps),
        "lr": float(lr),
        "lbfgs_iters": int(lbfgs_iters),
    }
    return result
