"""Clear errors on bad input before any solver sees it."""

from __future__ import annotations

import numpy as np


class BadInput(ValueError):
    """Input that no check or solve can use; the message names the problem."""


def validate_problem(X: np.ndarray, y: np.ndarray, beta: float, loss: str = "squared") -> None:
    """Reject wrong shapes/dtypes, empty or non-finite data, β ≤ 0 and non-±1 hinge labels."""
    for name, arr in (("X", X), ("y", y)):
        if not isinstance(arr, np.ndarray):
            raise BadInput(f"{name} must be a numpy array")
        if arr.dtype.kind not in "biuf":
            raise BadInput(f"{name} must be numeric, got dtype {arr.dtype}")
    if X.ndim != 2:
        raise BadInput(f"X must be 2-D (n, d), got shape {X.shape}")
    if y.ndim != 1:
        raise BadInput(f"y must be 1-D (n,), got shape {y.shape}")
    if X.shape[0] != y.shape[0]:
        raise BadInput(f"X has {X.shape[0]} rows but y has {y.shape[0]} entries")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise BadInput(f"X is empty (shape {X.shape})")
    if not np.all(np.isfinite(X)):
        raise BadInput("X contains NaN or inf")
    if not np.all(np.isfinite(y)):
        raise BadInput("y contains NaN or inf")
    if not (isinstance(beta, (int, float, np.floating)) and np.isfinite(beta) and beta > 0):
        raise BadInput(f"beta must be a finite number > 0, got {beta!r}")
    if loss == "hinge" and not np.all(np.isin(y, (-1.0, 1.0))):
        raise BadInput("hinge loss needs labels y in {-1, +1}")
