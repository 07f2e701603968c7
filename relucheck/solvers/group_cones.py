"""The structure the group-cone solvers work on: k groups, each a fit map F_g and cone rows C_g.

:class:`GroupCones` is the seam between the programs (the CE restricted program in
:mod:`relucheck.solvers.fast_two_layer`, the PR group program in
:mod:`relucheck.solvers.fast_path`) and the methods that solve them
(:mod:`relucheck.solvers.group_cone_ipm`, :mod:`relucheck.solvers.manifold_polish`).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class GroupCones(Protocol):
    """The data of the program: k groups of p variables, r cone rows each."""

    k: int
    p: int
    r: int

    def fit(self, U: np.ndarray) -> np.ndarray:
        """Σ_g F_g u_g for U of shape (k, p); shape (n,)."""

    def fit_adjoint(self, v: np.ndarray) -> np.ndarray:
        """(F_gᵀ v)_g, shape (k, p)."""

    def fit_columns(self, idx: np.ndarray) -> np.ndarray:
        """[F_g for g in idx], shape (n, len(idx)·p)."""

    def rows(self, U: np.ndarray) -> np.ndarray:
        """(C_g u_g)_g, shape (k, r)."""

    def rows_adjoint(self, Z: np.ndarray) -> np.ndarray:
        """(C_gᵀ z_g)_g for Z of shape (k, r); shape (k, p)."""

    row_norms: np.ndarray
    """‖row‖₂ of C_g, shape (k, r) (or broadcastable to it)."""

    def rows_gram(self, weights: np.ndarray) -> np.ndarray:
        """(C_gᵀ diag(w_g) C_g)_g for weights (k, r); shape (k, p, p)."""

    def row_matrix(self, g: int, rows: np.ndarray) -> np.ndarray:
        """C_g restricted to ``rows``, shape (len(rows), p)."""
