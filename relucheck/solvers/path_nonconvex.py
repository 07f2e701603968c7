"""Non-convex training of the path-regularized parallel network (claims.md PR).

Reuses the generic multi-start machinery of relucheck.solvers.nonconvex (vectorized Adam over
restarts, then an L-BFGS polish per restart) with the objective and analytic gradient of
relucheck.models.parallel.network. Final values are re-evaluated with the true ReLU.

The path regularizer is invariant under w_kj → t w_kj, v_kj → v_kj / t, so parameters may
drift in scale without changing the objective; local methods also stall on ReLU kinks
(claims.md "Known pitfalls"), so callers report the gap to the convex optimum.
"""

from __future__ import annotations

import math

import numpy as np

from relucheck.models.parallel import network as pn
from relucheck.solvers.nonconvex import TrainResult, train_multistart

__all__ = ["init_parallel", "train_parallel"]


def init_parallel(
    d: int, K: int, m: int, restarts: int, rng: np.random.Generator, scale: float = 0.5
) -> np.ndarray:
    """Flat initial parameters (restarts, K·d·m + K·m + K), Gaussian, small outputs."""
    W = rng.standard_normal((restarts, K, d, m)) * (scale / math.sqrt(d))
    v = rng.standard_normal((restarts, K, m)) * (scale / math.sqrt(m))
    s = rng.standard_normal((restarts, K)) * (scale / math.sqrt(K))
    return pn.pack(W, v, s)


def train_parallel(
    X: np.ndarray,
    y: np.ndarray,
    beta: float,
    K: int,
    m: int,
    restarts: int,
    seed: int,
    adam_steps: int = 2000,
    lr: float = 1e-2,
    lbfgs_iters: int = 2000,
    init_scale: float = 0.5,
    lbfgs_tol: float = 1e-12,
) -> TrainResult:
    """K sub-networks of width m from ``restarts`` random starts (Adam, then L-BFGS).

    ``result.params[k] = (W, v, s)``; ``final_values`` are the true objective there.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if K < 1 or m < 1 or restarts < 1:
        raise ValueError(f"K, m and restarts must be >= 1; got {K}, {m}, {restarts}")
    d = X.shape[1]
    fun_batched, fun_single = pn.flat_objective_functions(X, y, beta, K, m)
    init = init_parallel(d, K, m, int(restarts), np.random.default_rng(seed), init_scale)

    def true_objective(thetas: np.ndarray) -> np.ndarray:
        W, v, s = pn.unpack(thetas, d, K, m)
        return np.asarray(pn.objective(X, y, W, v, s, beta), dtype=np.float64)

    result = train_multistart(
        fun_batched,
        fun_single,
        init,
        adam_steps=adam_steps,
        lr=lr,
        lbfgs_iters=lbfgs_iters,
        lbfgs_tol=lbfgs_tol,
        final_objective=true_objective,
    )
    result.params = [pn.unpack(theta, d, K, m) for theta in result.thetas]
    result.info = {
        "model": "parallel_three_layer_path",
        "beta": float(beta),
        "K": int(K),
        "m": int(m),
        "restarts": int(restarts),
        "seed": int(seed),
        "adam_steps": int(adam_steps),
        "lr": float(lr),
        "lbfgs_iters": int(lbfgs_iters),
    }
    return result
