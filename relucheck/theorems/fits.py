"""Fitted power laws and where a fitted exponent sits inside an allowed band."""

from __future__ import annotations

import numpy as np


def loglog_slope(x, y) -> float:
    """Least-squares slope of log y against log x: the exponent k of y ≈ c·x^k."""
    return float(np.polyfit(np.log(np.asarray(x, float)), np.log(np.asarray(y, float)), 1)[0])


def band_margin(values, lo: float, hi: float) -> tuple[float, float]:
    """(margin, value): the smallest distance inside [lo, hi] over ``values`` (negative when
    one lies outside) and the value that attains it."""
    v = np.asarray(values, dtype=float)
    inside = np.minimum(v - lo, hi - v)
    k = int(np.argmin(inside))
    return float(inside[k]), float(v[k])
