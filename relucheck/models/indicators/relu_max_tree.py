"""The variable transformation r(x) = max_i (u_iᵀx + c_i) as an exact sparse ReLU tree.

claims.md, section PC: the target f°(x) = 1[r(x) ≤ ρ] uses a "variable transformation" r
computed exactly by a sparse ReLU sub-network. A maximum of m affine maps is such a network:
the first layer computes the m affine values z_i = u_iᵀx + c_i, and a balanced binary tree of
pairwise maxima

    max(a, b) = a + σ(b − a)                                            (PC, ReLU max)

reduces them in ⌈log₂ m⌉ ReLU layers using m − 1 ReLU units (one per pair), each reading two
inputs: the network is sparse (every tree unit has fan-in 2, plus one skip connection).

In exact arithmetic the tree equals the maximum. In float64 ``a + (b − a)`` can differ from
``b`` by a rounding of ``b − a``, so the tree agrees with ``np.max`` to a few ulps of the
largest |z_i|, and bit-for-bit whenever b − a is exact (e.g. integer inputs, or b/2 ≤ a ≤ 2b
by Sterbenz's lemma). The tests check both statements.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Rows evaluated per block so that the (rows × m) affine layer stays under ~64 MB.
BLOCK_ELEMENTS = 8_000_000


def relu(z: np.ndarray) -> np.ndarray:
    """σ(z) = max(z, 0)."""
    return np.maximum(z, 0.0)


def relu_max_pair(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """max(a, b) written with one ReLU and a skip connection: a + σ(b − a)."""
    return a + relu(b - a)


def relu_max_tree(z: np.ndarray) -> np.ndarray:
    """Maximum over the last axis by a balanced tree of :func:`relu_max_pair` layers.

    Each pass pairs neighbours (0,1), (2,3), ...; an odd last entry is carried to the next
    layer unchanged (an identity unit). ⌈log₂ m⌉ passes for m entries.
    """
    z = np.asarray(z, dtype=float)
    if z.shape[-1] == 0:
        raise ValueError("relu_max_tree needs at least one affine map")
    while z.shape[-1] > 1:
        m = z.shape[-1]
        half = m // 2
        paired = relu_max_pair(z[..., 0 : 2 * half : 2], z[..., 1 : 2 * half : 2])
        z = np.concatenate([paired, z[..., 2 * half :]], axis=-1) if m % 2 else paired
    return z[..., 0]


def tree_depth(m: int) -> int:
    """Number of ReLU layers of the max tree over m inputs: ⌈log₂ m⌉ (0 for m = 1)."""
    return int(np.ceil(np.log2(m))) if m > 1 else 0


@dataclass(frozen=True)
class MaxAffine:
    """r(x) = max_i (u_iᵀx + c_i): rows of ``U`` (m × d) are the u_i, ``c`` the offsets.

    Polytopes are {r ≤ ρ}: a half-space (m = 1), a box (m = 2d), a simplex (m = d + 1), or
    the N-direction polygonal gauge of a ball (m = N); see models/indicators/polyhedral_gauge.py.
    """

    U: np.ndarray
    c: np.ndarray

    @property
    def m(self) -> int:
        return int(self.U.shape[0])

    @property
    def d(self) -> int:
        return int(self.U.shape[1])

    @property
    def depth(self) -> int:
        """ReLU layers of the tree (the affine first layer has no ReLU)."""
        return tree_depth(self.m)

    @property
    def relu_units(self) -> int:
        """One ReLU per pairwise maximum: m − 1."""
        return self.m - 1

    def affine(self, X: np.ndarray) -> np.ndarray:
        """The first layer: z = X Uᵀ + c, shape (n, m)."""
        return np.asarray(X, dtype=float) @ self.U.T + self.c

    def __call__(self, X: np.ndarray) -> np.ndarray:
        """r(X) row by row through the ReLU tree, in blocks of rows to bound memory."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        rows = max(1, BLOCK_ELEMENTS // max(self.m, 1))
        out = np.empty(X.shape[0])
        for start in range(0, X.shape[0], rows):
            out[start : start + rows] = relu_max_tree(self.affine(X[start : start + rows]))
        return out

    def reference(self, X: np.ndarray) -> np.ndarray:
        """The same maximum by ``np.max`` (for tests, never used for r in the claim)."""
        return self.affine(X).max(axis=1)
