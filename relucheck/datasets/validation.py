"""Clear errors on bad input before any solver sees it."""

from __future__ import annotations

import numpy as np

#: Largest |entry| of the data accepted by the solve commands. Squares and products of the
#: data appear in every program and certificate; 1e100² = 1e200 still fits in a double, while
#: data near 1e154 and beyond overflow them to inf (and the certificates to NaN).
MAX_MAGNITUDE = 1e100

#: β and λ are accepted in [MIN_PARAMETER, MAX_MAGNITUDE]: outside it quotients such as
#: (kink)/λ overflow, and no double-precision certificate can separate the value from 0.
MIN_PARAMETER = 1e-100


class BadInput(ValueError):
    """Input that no check or solve can use; the message names the problem."""


def check_finite(name: str, arr: np.ndarray) -> None:
    """Reject NaN and ±inf, naming how many entries and the first one."""
    bad = ~np.isfinite(arr)
    if bad.any():
        count = int(bad.sum())
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        where = first[0] if len(first) == 1 else first
        entries = "entry" if count == 1 else "entries"
        raise BadInput(f"{name} contains NaN or inf ({count} {entries}, first at index {where})")


def check_magnitude(name: str, arr: np.ndarray) -> None:
    """Reject (finite) data whose largest |entry| exceeds :data:`MAX_MAGNITUDE`."""
    if arr.size == 0:
        return
    top = float(np.max(np.abs(arr)))
    if top > MAX_MAGNITUDE:
        raise BadInput(
            f"{name} has entries as large as {top:.3g}; squares and products of the data "
            f"overflow double precision beyond {MAX_MAGNITUDE:g}: rescale {name}"
        )


def check_parameter(flag: str, value: float) -> None:
    """A regularization weight: finite, > 0 and within [MIN_PARAMETER, MAX_MAGNITUDE]."""
    if not (isinstance(value, (int, float, np.floating)) and np.isfinite(value) and value > 0):
        raise BadInput(f"{flag} must be a finite number > 0, got {value!r}")
    if not MIN_PARAMETER <= value <= MAX_MAGNITUDE:
        raise BadInput(
            f"{flag} must lie in [{MIN_PARAMETER:g}, {MAX_MAGNITUDE:g}] (double precision "
            f"cannot certify the optimum outside it), got {value!r}: rescale the data instead"
        )


def validate_problem(X: np.ndarray, y: np.ndarray, beta: float, loss: str = "squared") -> None:
    """Reject wrong shapes/dtypes, empty, non-finite or overflowing data, β outside
    [MIN_PARAMETER, MAX_MAGNITUDE] and non-±1 hinge labels."""
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
    check_finite("X", X)
    check_finite("y", y)
    check_magnitude("X", X)
    check_magnitude("y", y)
    check_parameter("beta", beta)
    if loss == "hinge" and not np.all(np.isin(y, (-1.0, 1.0))):
        raise BadInput("hinge loss needs labels y in {-1, +1}")
