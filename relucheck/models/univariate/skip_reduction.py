"""Exact Carathéodory reduction of a skip network, modulo affine functions (claims.md SR 3).

Representer theorem (Parhi & Nowak, JMLR 2021): some solution of weight-decay training with
unregularized biases and skip term has K ≤ n − (d + 1) neurons. A trained network is often
optimal yet not that sparse, so we reduce it without ever raising the penalty:

1. Balance: v σ(wᵀx − b) = c·s·σ(ŵᵀx − t) with ŵ = w/‖w‖, t = b/‖w‖, s = sign(v) and path
   weight c = |v|‖w‖; the weight decay (λ/2)(v² + ‖w‖²) ≥ λc, with equality once balanced.
   A neuron with w = 0 is the constant vσ(−b): it moves into c_0.
2. Write the fit as F c + B γ with atoms F = [s_k σ(Xŵ_k − t_k)] (n × m), c ≥ 0 and the
   free affine part B = [1, X] (with skip) or [1] (without). Let Q span range(B)^⊥.
   While the projected atoms QᵀF have a null vector η (always when m > n − rank B):
   F η = B δ for some δ, so moving c ← c + τη and γ ← γ − τδ leaves the fit unchanged;
   orient η so that Σ_k η_k ≤ 0 (the penalty λΣc cannot grow) and take the largest τ that
   keeps c ≥ 0, which zeroes at least one neuron.

At the end the projected atoms are independent, so K ≤ n − rank(B) = n − (d + 1) for data
with affinely independent points. Atoms that are affine on the data (kink outside the data,
or a dead neuron) have Qᵀa = 0 and are removed first, their fit absorbed by the skip term.
``rank_tol`` treats σ_min ≤ rank_tol·σ_max as a dependency, which can move the fit by
~rank_tol·‖F‖‖c‖: callers re-evaluate the true objective afterwards.

This reduction (the projection of the classic Carathéodory step of
relucheck/models/two_layer/reconstruction.py off the unpenalized affine part) is our derivation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from relucheck.models.univariate.skip_network import SkipNet


@dataclass(frozen=True)
class Reduction:
    """The reduced (balanced) network and what the reduction did."""

    net: SkipNet
    width_before: int
    width_after: int
    path_before: float  # Σ|v||w| of the input network
    path_after: float  # Σ|v||w| of the reduced network (never larger)
    steps: int


def _affine_basis(X: np.ndarray, skip: bool) -> np.ndarray:
    cols = [np.ones((X.shape[0], 1))] + ([X] if skip else [])
    return np.hstack(cols)


def reduce_network(
    X: np.ndarray, net: SkipNet, *, skip: bool = True, rank_tol: float = 1e-10
) -> Reduction:
    """Carathéodory reduction modulo the free affine part; penalty never grows."""
    X = np.asarray(X, dtype=float)
    norms = np.linalg.norm(net.W, axis=0)
    path_before = float(np.sum(np.abs(net.v) * norms))
    c0 = float(net.c0)
    lin = np.array(net.c, dtype=float)  # without skip it stays fixed (zero for such nets)
    # w = 0: a constant v σ(−b), free to move into the output bias.
    flat = norms == 0
    c0 += float(np.sum(net.v[flat] * np.maximum(-net.b[flat], 0.0)))
    keep = (~flat) & (net.v != 0)
    dirs = net.W[:, keep] / norms[keep]
    offs = net.b[keep] / norms[keep]
    signs = np.sign(net.v[keep])
    c = np.abs(net.v[keep]) * norms[keep]
    fits = signs * np.maximum(X @ dirs - offs, 0.0)  # (n, m)

    B = _affine_basis(X, skip)
    gamma = np.concatenate([[c0], lin]) if skip else np.array([c0])
    U, sv, _ = np.linalg.svd(B, full_matrices=True)
    rank_b = int(np.sum(sv > 1e-12 * sv[0]))
    Q = U[:, rank_b:]  # orthonormal basis of range(B)^⊥
    steps = 0
    while fits.shape[1] > 0:
        G = Q.T @ fits
        m = fits.shape[1]
        if G.shape[0] == 0:  # every atom is affine on the data
            null = np.eye(m)[0]
        else:
            _, s, vt = np.linalg.svd(G, full_matrices=True)
            top = s[0] if s.size else 0.0
            if m <= G.shape[0] and top > 0 and s[-1] > rank_tol * top:
                break
            null = vt[-1]
        eta = null if null.sum() <= 0 else -null
        negative = eta < 0
        if not np.any(negative):  # η = 0 numerically: nothing to move
            break
        ratios = c[negative] / -eta[negative]
        tau = float(ratios.min())
        delta, *_ = np.linalg.lstsq(B, fits @ eta, rcond=None)
        c = c + tau * eta
        gamma = gamma - tau * delta
        drop = np.zeros(m, dtype=bool)
        drop[np.flatnonzero(negative)[np.argmin(ratios)]] = True
        drop |= c <= 0
        live = ~drop
        dirs, offs, signs, c, fits = dirs[:, live], offs[live], signs[live], c[live], fits[:, live]
        steps += 1

    root = np.sqrt(c)
    reduced = SkipNet(
        W=dirs * root,
        b=offs * root,
        v=signs * root,
        c=gamma[1:].copy() if skip else lin,
        c0=float(gamma[0]),
    )
    return Reduction(
        net=reduced,
        width_before=int(net.v.shape[0]),
        width_after=int(c.shape[0]),
        path_before=path_before,
        path_after=float(np.sum(c)),
        steps=steps,
    )


def active_width(net: SkipNet, rel_tol: float = 1e-6) -> int:
    """Neurons whose path weight |v|‖w‖ exceeds rel_tol × the largest (a threshold count)."""
    weights = np.abs(net.v) * np.linalg.norm(net.W, axis=0)
    top = float(np.max(weights, initial=0.0))
    return int(np.sum(weights > rel_tol * top)) if top > 0 else 0
