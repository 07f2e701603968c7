"""toy-pgd: proximal gradient on the gated program, offered as a CE solver (a toy).

It ignores the cone constraints and stops after a fixed number of steps, so relucheck, which
restores feasibility and certifies the point itself, usually reports it as NOT certified —
which is the point of the example: a plug-in cannot claim an accuracy it did not reach.
"""

from __future__ import annotations

import numpy as np

from relucheck_gated.gated import predictions


class ToyProximalGradient:
    name = "toy-pgd"

    def __init__(self, steps: int = 500) -> None:
        self.steps = steps

    def available(self) -> tuple[bool, str]:
        return True, "numpy only"

    def solve(self, program, time_limit):
        X, y, beta, masks = program.X, program.y, program.beta, program.masks
        d, P = X.shape[1], masks.shape[0]
        U = np.zeros((d, P))
        step = 1.0 / _lipschitz(X, masks)
        for _ in range(self.steps):
            r = predictions(X, masks, U) - y
            Z = U - step * (X.T @ (masks.T * r[:, None]))
            norms = np.maximum(np.linalg.norm(Z, axis=0), 1e-300)
            U = Z * np.maximum(0.0, 1.0 - step * beta / norms)
        return U, np.zeros_like(U)  # u_i = v_i − w_i with w_i = 0


def _lipschitz(X: np.ndarray, masks: np.ndarray, iterations: int = 30) -> float:
    """‖A‖² of A: U ↦ Σ_i D_i X u_i, by power iteration (times 1.1 for safety)."""
    U = np.random.default_rng(0).standard_normal((X.shape[1], masks.shape[0]))
    norm = 1.0
    for _ in range(iterations):
        U = X.T @ (masks.T * predictions(X, masks, U)[:, None])
        norm = float(np.linalg.norm(U))
        U /= max(norm, 1e-300)
    return 1.1 * norm


SOLVER = ToyProximalGradient()
