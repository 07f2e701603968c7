"""Hyperplanes of a central arrangement as unit normals: shared tolerances and de-duplication.

All chamber methods (:mod:`.arrangement_sweep`, :mod:`.arrangement_rays`,
:mod:`.arrangement_lp`) work with UNIT normals ``a_i`` and measure every margin with unit
(or box-bounded) points, so the tolerances below are absolute numbers on values in
``[-1, 1]``:

``ROUND_TOL = 1e-12``
    A computed ``aᵀu`` of unit vectors in ``R^r`` errs by at most ~``r·2⁻⁵³`` (≈ 1e-15 for
    the dimensions this project handles); a value above 1e-12 has a certain sign. This is
    the level at which a returned point is certified to lie strictly inside its chamber.
``PARALLEL_TOL = 1e-10``
    Unit normals ``a, b`` with ``min(‖a − b‖, ‖a + b‖) ≤ PARALLEL_TOL`` are the same
    hyperplane (repeated / antiparallel rows).
``MARGIN_TOL = 1e-9``
    A cell "exists" for the LP method iff its LP margin (``‖w‖_∞ ≤ 1``) exceeds this; it
    is also the incidence tolerance of the extreme-ray method (see there). Chambers whose
    inscribed margin is below it are numerically indistinguishable from lower-dimensional
    faces; which of them are reported may differ between methods.
``REP_TOL = 2·PARALLEL_TOL + ROUND_TOL``
    A point certified against the de-duplicated normals with this margin has the same
    strict sign, with margin > ``ROUND_TOL``, on every original row of each group
    (``|a_iᵀu − a_repᵀu| ≤ ‖a_i ∓ a_rep‖ ≤ PARALLEL_TOL``).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "ROUND_TOL",
    "PARALLEL_TOL",
    "MARGIN_TOL",
    "REP_TOL",
    "dedupe_normals",
]

ROUND_TOL = 1e-12
PARALLEL_TOL = 1e-10
MARGIN_TOL = 1e-9
REP_TOL = 2 * PARALLEL_TOL + ROUND_TOL


def dedupe_normals(A: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group unit normals ``A`` (m, r) into hyperplanes.

    Returns ``(reps, group, orient)``: representative unit normals ``(H, r)`` (the first row
    of each group), the group of every row and its orientation
    (``a_i ≈ orient_i · reps[group_i]`` within :data:`PARALLEL_TOL`). Greedy in row order;
    one vectorised distance pass per group, ``O(m·H)``.
    """
    A = np.asarray(A, dtype=np.float64)
    m = A.shape[0]
    group = np.full(m, -1, dtype=np.intp)
    orient = np.zeros(m, dtype=np.int8)
    reps: list[int] = []
    rest = np.arange(m)
    while rest.size:
        i = int(rest[0])
        g = len(reps)
        reps.append(i)
        dp = np.linalg.norm(A[rest] - A[i], axis=1)
        dm = np.linalg.norm(A[rest] + A[i], axis=1)
        plus = dp <= PARALLEL_TOL
        minus = (dm <= PARALLEL_TOL) & ~plus
        plus[0] = True
        group[rest[plus]] = g
        orient[rest[plus]] = 1
        group[rest[minus]] = g
        orient[rest[minus]] = -1
        rest = rest[~(plus | minus)]
    return A[np.array(reps, dtype=np.intp)].reshape(len(reps), A.shape[1]), group, orient
