"""Weight-decay training of skip networks (claims.md SR, LASSO-1D) with the generic trainer.

Named for the one-dimensional claims, where it is mostly used, but it trains the network
of relucheck/models/univariate/skip_network.py on any R^d (SR 3 uses d = 2). It reuses
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

from collections.abc import Callable
from typing import Any

import numpy as np

from relucheck.models.univariate import skip_network as sn
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
    decay: str = "constant",
) -> TrainResult:
    """Train f(x) = Σ v_k σ(w_kᵀx − b_k) + cᵀx + c_0 with weight decay λ from K restarts.

    ``result.params[k]`` is a :class:`relucheck.models.univariate.skip_network.SkipNet`;
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
        decay=decay,
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
        "decay": decay,
    }
    return result


def insert_neuron(
    X: np.ndarray, y: np.ndarray, net: sn.SkipNet, lam: float, w: np.ndarray, t: float
) -> sn.SkipNet:
    """Add the atom a = σ(Xŵ − t) with the exact line-search weight (a conditional-gradient step).

    With the free affine part B = [1, X] refit, the fit moves by c·s·Pa (P projects off
    range(B)), so for the projected residual ν = P r the objective changes by
    −c|aᵀν| + ½c²‖Pa‖² + λc, minimized at c = max(0, (|aᵀν| − λ)/‖Pa‖²). The neuron is
    inserted balanced and the skip term absorbs −c·s·B⁺a.
    """
    B = np.hstack([np.ones((X.shape[0], 1)), X])
    a = np.maximum(X @ w - t, 0.0)
    coef_a, *_ = np.linalg.lstsq(B, a, rcond=None)
    pa = a - B @ coef_a
    r = y - sn.forward(X, net)
    coef_r, *_ = np.linalg.lstsq(B, r, rcond=None)
    nu = r - B @ coef_r
    corr = float(a @ nu)
    sign = 1.0 if corr >= 0 else -1.0
    c = max(0.0, (abs(corr) - lam) / max(float(pa @ pa), 1e-300))
    if c == 0.0:
        return net
    root = np.sqrt(c)
    shift = coef_r - sign * c * coef_a  # refit the affine part: old residual fit minus atom's
    return sn.SkipNet(
        W=np.hstack([net.W, (root * w)[:, None]]),
        b=np.concatenate([net.b, [root * t]]),
        v=np.concatenate([net.v, [sign * root]]),
        c=net.c + shift[1:],
        c0=net.c0 + float(shift[0]),
    )


def nonnegative_qp(H: np.ndarray, g: np.ndarray, max_rounds: int | None = None) -> np.ndarray:
    """min_{c ≥ 0} ½cᵀHc − gᵀc (H positive semidefinite) by a Lawson–Hanson active set.

    The NNLS algorithm in normal-equation form: grow the passive set by the coordinate with
    the most positive negative-gradient, solve the unconstrained problem on it (least
    squares, so a singular H is tolerated), and step back to feasibility when a coordinate
    would turn negative. Finite for nondegenerate problems; ``max_rounds`` guards the rest.
    """
    m = g.shape[0]
    c = np.zeros(m)
    passive = np.zeros(m, dtype=bool)
    scale = max(float(np.max(np.abs(g), initial=0.0)), 1e-300)
    tol = 1e-13 * scale
    rounds = 0
    limit = max_rounds if max_rounds is not None else 10 * m + 10
    while rounds < limit:
        w = g - H @ c
        candidates = np.where(~passive, w, -np.inf)
        j = int(np.argmax(candidates))
        if candidates[j] <= tol:
            break
        passive[j] = True
        while rounds < limit:
            rounds += 1
            z = np.zeros(m)
            idx = np.flatnonzero(passive)
            z[idx], *_ = np.linalg.lstsq(H[np.ix_(idx, idx)], g[idx], rcond=None)
            if np.all(z[idx] > 0):
                c = z
                break
            bad = idx[z[idx] <= 0]
            alpha = float(np.min(c[bad] / (c[bad] - z[bad])))
            c = c + alpha * (z - c)
            passive &= c > tol
            c[~passive] = 0.0
    return c


def reweight_atoms(X: np.ndarray, y: np.ndarray, net: sn.SkipNet, lam: float) -> sn.SkipNet:
    """Fully corrective step: optimal path weights for the network's fixed atoms (convex).

    With the atoms s_k σ(Xŵ_k − t_k) fixed, min_{c ≥ 0, γ} ½‖Fc + Bγ − y‖² + λΣc is a convex
    quadratic program; with γ eliminated (P projects off B = [1, X]) it is
    min_{c≥0} ½cᵀ(PF)ᵀPF c − ((PF)ᵀPy − λ1)ᵀc, solved by :func:`nonnegative_qp`. Returned only
    if not worse than ``net``.
    """
    norms = np.linalg.norm(net.W, axis=0)
    live = (norms > 0) & (net.v != 0)
    if not np.any(live):
        return net
    dirs = net.W[:, live] / norms[live]
    offs = net.b[live] / norms[live]
    signs = np.sign(net.v[live])
    F = signs * np.maximum(X @ dirs - offs, 0.0)
    B = np.hstack([np.ones((X.shape[0], 1)), X])
    Q, _ = np.linalg.qr(B)
    PF = F - Q @ (Q.T @ F)
    Py = y - Q @ (Q.T @ y)
    c = nonnegative_qp(PF.T @ PF, PF.T @ Py - lam)
    gamma, *_ = np.linalg.lstsq(B, y - F @ c, rcond=None)
    root = np.sqrt(c)
    new = sn.SkipNet(dirs * root, offs * root, signs * root, gamma[1:], float(gamma[0]))
    return new if sn.objective(X, y, new, lam) <= sn.objective(X, y, net, lam) else net


def refine_by_conditional_gradient(
    X: np.ndarray,
    y: np.ndarray,
    lam: float,
    net: sn.SkipNet,
    certify: Callable[[sn.SkipNet], Any],
    oracle: Callable[[sn.SkipNet], tuple[np.ndarray, float]],
    *,
    rounds: int = 60,
    tol: float = 1e-7,
) -> tuple[sn.SkipNet, Any, int]:
    """Fully corrective conditional gradient from a (reduced) network, certified each round.

    Each round: optimal path weights for the current atoms (:func:`reweight_atoms`), the
    exact Carathéodory reduction, the certificate ``certify(net)`` (an object with
    ``.lower``); stop once (F − lower)/F ≤ ``tol``, else insert the atom ``oracle(net)``
    that maximizes the dual correlation (:func:`insert_neuron`). Every step is a descent
    step, so F never rises. Returns (network, its certificate, rounds used).
    """
    from relucheck.models.univariate.skip_reduction import reduce_network

    cert = certify(net)
    used = 0
    while used < rounds:
        used += 1
        net = reduce_network(X, reweight_atoms(X, y, net, lam), skip=True).net
        cert = certify(net)
        value = sn.objective(X, y, net, lam)
        if (value - cert.lower) / abs(value) <= tol:
            break
        w, t = oracle(net)
        net = insert_neuron(X, y, net, lam, w, t)
    return net, cert, used
