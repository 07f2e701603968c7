"""scikit-learn's bundled handwritten digits (1797 × 64, shipped with the package, no download).

Used where a real data set with more rows than diabetes (442) is needed, e.g. the solver
benchmarks at n = 1000. The 8 × 8 pixel intensities are standardized (the three pixels that
are constant over the whole set are dropped), projected onto their top ``d`` principal
components, and each component is scaled to unit variance over the chosen rows; the target
is the digit label 0–9, centered and scaled to unit variance (a regression target).
"""

from __future__ import annotations

import numpy as np

from relucheck.datasets.generators import Dataset

DIGITS_ROWS = 1797


def digits_pca(n: int, d: int, seed: int) -> Dataset:
    """``n`` rows of the digits set (drawn without replacement by ``seed``), ``d`` whitened
    principal components of the standardized pixels, standardized label as target."""
    from sklearn.datasets import load_digits

    data = load_digits()
    pixels = data.data[:, data.data.std(axis=0) > 0]
    if not 1 <= n <= DIGITS_ROWS:
        raise ValueError(f"digits has {DIGITS_ROWS} rows, asked for n={n}")
    if not 1 <= d <= pixels.shape[1]:
        raise ValueError(f"digits has {pixels.shape[1]} non-constant pixels, asked for d={d}")
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(DIGITS_ROWS, size=n, replace=False))
    Z = pixels[rows]
    Z = (Z - Z.mean(axis=0)) / np.where(Z.std(axis=0) > 0, Z.std(axis=0), 1.0)
    _, _, Vt = np.linalg.svd(Z, full_matrices=False)
    X = Z @ Vt[:d].T
    X = X / X.std(axis=0)
    y = data.target[rows].astype(float)
    y = (y - y.mean()) / y.std()
    return Dataset(
        X, y, f"sklearn digits: {n} rows, top {d} principal components (whitened), label target"
    )
