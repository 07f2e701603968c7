"""Tests for models.arrangements.patterns: chamber enumeration, counts, sampling, lazy masks.

References, from independent to fast:
* brute force: every sign vector in {0,1}^n is a chamber iff the LP
  max t s.t. (2m_i − 1) x_iᵀu/‖x_i‖ ≥ t (nonzero rows), −1 ≤ u ≤ 1, t ≤ 1  has
  t* > BRUTE_TOL, solved directly in R^d (no row-space projection, no de-duplication);
* ``method="lp"``: the LP-certified incremental method (independent of the ray method);
* Cover's count in general position.
The default (``method="auto"``) is the angular sweep (r = 2) or the extreme-ray method
(r ≥ 3); ``method="rays"`` forces the ray method at r = 2 as well.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from relucheck.models.arrangements import patterns as pt
from relucheck.models.arrangements import rays as ar
from relucheck.models.arrangements.patterns import (
    PatternSet,
    cover_bound,
    cover_count,
    enumerate_patterns,
    is_general_position,
    margin,
    numerical_rank,
    sample_patterns,
)
from relucheck.models.arrangements.sweep import angular_sweep

BRUTE_TOL = 1e-7  # integer-valued data: real chambers have margins >> 1e-4


def brute_force_chambers(X: np.ndarray) -> set[tuple[bool, ...]]:
    """All chamber masks of X by one strict-margin LP per sign vector."""
    X = np.asarray(X, dtype=float)
    n, d = X.shape
    norms = np.linalg.norm(X, axis=1)
    nz = norms > 0
    if not nz.any():
        return {tuple([True] * n)}
    Xn = X[nz] / norms[nz, None]
    out = set()
    for bits in itertools.product([False, True], repeat=int(nz.sum())):
        s = np.where(bits, 1.0, -1.0)
        # variables (u, t): minimise -t s.t. -s_i x_i^T u + t <= 0
        A_ub = np.c_[-s[:, None] * Xn, np.ones(len(s))]
        res = linprog(
            np.r_[np.zeros(d), -1.0],
            A_ub=A_ub,
            b_ub=np.zeros(len(s)),
            bounds=[(-1, 1)] * d + [(None, 1)],
            method="highs",
        )
        assert res.status == 0
        if -res.fun > BRUTE_TOL:
            mask = np.ones(n, dtype=bool)
            mask[nz] = bits
            out.add(tuple(mask.tolist()))
    return out


def lp_margin(X: np.ndarray, mask: np.ndarray) -> float:
    """Largest t with (2m_i − 1) x̂_iᵀu ≥ t, ‖u‖_∞ ≤ 1 (the LP method's measure)."""
    X = np.asarray(X, dtype=float)
    norms = np.linalg.norm(X, axis=1)
    nz = norms > 0
    G = np.where(mask[nz], 1.0, -1.0)[:, None] * (X[nz] / norms[nz, None])
    d = X.shape[1]
    res = linprog(
        np.r_[np.zeros(d), -1.0],
        A_ub=np.c_[-G, np.ones(G.shape[0])],
        b_ub=np.zeros(G.shape[0]),
        bounds=[(-1, 1)] * d + [(None, 1)],
        method="highs",
        options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10},
    )
    return float(-res.fun)


def as_set(ps: PatternSet) -> set[tuple[bool, ...]]:
    return {tuple(m.tolist()) for m in ps.masks}


def check_invariants(X: np.ndarray, ps: PatternSet) -> None:
    """What every returned PatternSet must satisfy."""
    X = np.asarray(X, dtype=float)
    n, d = X.shape
    assert ps.masks.shape == (ps.count, n) and ps.masks.dtype == bool
    assert ps.directions.shape == (ps.count, d) and ps.directions.dtype == np.float64
    assert len(as_set(ps)) == ps.count, "masks not distinct"
    if ps.count:
        np.testing.assert_allclose(np.linalg.norm(ps.directions, axis=1), 1.0, rtol=1e-12)
        assert np.array_equal((ps.directions @ X.T) >= 0, ps.masks)
        assert np.all(margin(X, ps.directions, ps.masks) > 0)
    zero = ~np.any(X != 0, axis=1)
    assert ps.masks[:, zero].all(), "zero rows must be 1 under >="
    assert np.array_equal(ps.packed_masks(), np.packbits(ps.masks, axis=1))


# --------------------------------------------------------------------------------------
# Brute force on tiny, degenerate instances
# --------------------------------------------------------------------------------------


def _cases() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(1234)
    ints = lambda n, d: rng.integers(-3, 4, size=(n, d)).astype(float)  # noqa: E731
    c: dict[str, np.ndarray] = {}
    c["d1-mixed-signs-zero"] = np.array([[2.0], [-1.0], [0.0], [3.0], [-5.0]])
    c["d2-generic"] = ints(8, 2)
    c["d2-parallel-antiparallel"] = np.array(
        [[1, 2], [2, 4], [-1, -2], [3, -1], [-6, 2], [0, 1], [0, -3], [1, 1]], dtype=float
    )
    c["d3-generic"] = ints(8, 3)
    c["d3-repeated"] = np.array(
        [[1, 0, 2], [1, 0, 2], [1, 0, 2], [0, 1, -1], [2, 1, 1], [2, 1, 1], [-1, 3, 0]],
        dtype=float,
    )
    c["d3-antiparallel"] = np.array(
        [[1, 2, 3], [-1, -2, -3], [2, 4, 6], [0, 1, 0], [0, -2, 0], [1, 0, -1], [1, 1, 1]],
        dtype=float,
    )
    c["d3-zero-rows"] = np.array(
        [[0, 0, 0], [1, -1, 2], [0, 0, 0], [2, 0, 1], [-1, 1, 1], [3, 1, 0]], dtype=float
    )
    # three points on a common 2-D plane (normals in the plane x3 = 0): their hyperplanes
    # share the line R·e3, which is not generic in R^3
    c["d3-coplanar"] = np.array(
        [[1, 0, 0], [0, 1, 0], [1, 1, 0], [1, -2, 0], [0, 1, 1], [1, 2, 3], [-2, 1, 1]],
        dtype=float,
    )
    c["d3-all-in-half-space"] = np.array(
        [[1, 0, 0], [1, 1, 0], [1, 0, 1], [1, -1, 1], [2, 1, -1], [1, 1, 1]], dtype=float
    )
    B, C = rng.integers(-2, 3, size=(8, 2)), rng.integers(-2, 3, size=(2, 4))
    c["d4-rank2"] = (B @ C).astype(float)
    B, C = rng.integers(-2, 3, size=(8, 3)), rng.integers(-2, 3, size=(3, 4))
    c["d4-rank3"] = (B @ C).astype(float)
    c["d4-generic"] = ints(7, 4)
    c["d4-degenerate"] = np.array(
        [
            [1, 0, 0, 0],
            [0, 1, 0, 0],
            [1, 1, 0, 0],
            [0, 0, 1, 1],
            [0, 0, -2, -2],
            [0, 0, 0, 0],
            [1, 1, 1, 1],
            [1, 1, 1, 1],
        ],
        dtype=float,
    )
    return c


CASES = _cases()


AUTO_METHOD = {0: "rank1", 1: "rank1", 2: "angular-sweep"}


def auto_method(rank: int) -> str:
    return AUTO_METHOD.get(rank, "extreme-rays")


@functools.cache
def brute_force_case(name: str) -> frozenset[tuple[bool, ...]]:
    return frozenset(brute_force_chambers(CASES[name]))


@pytest.mark.parametrize("name", sorted(CASES))
def test_enumeration_equals_brute_force(name: str) -> None:
    X = CASES[name]
    ps = enumerate_patterns(X)
    check_invariants(X, ps)
    assert ps.exact
    assert ps.rank == np.linalg.matrix_rank(X)
    assert ps.method == auto_method(ps.rank)
    assert "fallback" not in ps.stats
    assert as_set(ps) == brute_force_case(name)
    n = X.shape[0]
    assert ps.count <= cover_count(n, ps.rank) <= cover_bound(n, ps.rank)


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("method", ["lp", "rays"])
def test_every_method_equals_brute_force(name: str, method: str) -> None:
    X = CASES[name]
    ps = enumerate_patterns(X, method=method)
    check_invariants(X, ps)
    assert ps.exact
    if ps.rank >= 2:
        assert ps.method == {"lp": "lp-incremental", "rays": "extreme-rays"}[method]
    assert as_set(ps) == brute_force_case(name)


def test_rank_deficient_cases_really_are() -> None:
    assert numerical_rank(CASES["d4-rank2"]) == 2
    assert numerical_rank(CASES["d4-rank3"]) == 3
    assert enumerate_patterns(CASES["d4-rank2"]).method == "angular-sweep"
    assert enumerate_patterns(CASES["d4-rank3"]).method == "extreme-rays"


def test_unknown_method_rejected() -> None:
    with pytest.raises(ValueError, match="method"):
        enumerate_patterns(CASES["d3-generic"], method="magic")


# --------------------------------------------------------------------------------------
# Degenerate and near-degenerate arrangements (extreme-ray method vs references)
# --------------------------------------------------------------------------------------

# seven planes through the ray (1, 1, 1) (integer normals with zero sum) and three others
THROUGH_ONE_RAY_3D = np.array(
    [
        [1, -1, 0],
        [1, 0, -1],
        [0, 1, -1],
        [2, -1, -1],
        [1, 1, -2],
        [1, -2, 1],
        [3, -1, -2],
        [1, 2, 0],
        [0, 1, 3],
        [2, 0, 1],
    ],
    dtype=float,
)

# six hyperplanes through (1, 1, 1, 1) in R^4, three of them (rows 0-2) with normals in one
# plane: the local arrangement at that ray is itself degenerate (two levels of recursion)
THROUGH_ONE_RAY_4D = np.array(
    [
        [1, -1, 0, 0],
        [0, 1, -1, 0],
        [1, 0, -1, 0],
        [0, 0, 1, -1],
        [1, 1, -1, -1],
        [2, -1, 0, -1],
        [1, 2, 0, 1],
        [0, 1, 3, -1],
        [2, 0, 1, 1],
    ],
    dtype=float,
)


def test_many_hyperplanes_through_one_ray_3d_brute_force() -> None:
    X = THROUGH_ONE_RAY_3D
    ps = enumerate_patterns(X)
    check_invariants(X, ps)
    assert ps.method == "extreme-rays" and ps.exact
    assert ps.stats["degenerate_rays"] >= 2 and not ps.stats["general_position"]
    assert as_set(ps) == brute_force_chambers(X)
    assert as_set(enumerate_patterns(X, method="lp")) == as_set(ps)
    assert ps.count < cover_count(X.shape[0], 3)


def test_nested_degenerate_rays_in_4d(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"rays": 0, "local": 0}
    real_rays, real_local = ar.ray_chambers, ar._local_chambers

    def spy_rays(A):
        calls["rays"] += 1
        return real_rays(A)

    def spy_local(*args):
        calls["local"] += 1
        return real_local(*args)

    monkeypatch.setattr(ar, "ray_chambers", spy_rays)
    monkeypatch.setattr(ar, "_local_chambers", spy_local)
    X = THROUGH_ONE_RAY_4D
    ps = enumerate_patterns(X)
    assert ps.method == "extreme-rays" and ps.exact
    assert calls["local"] >= 2 and calls["rays"] >= 2  # recursed into a local R^3
    monkeypatch.undo()
    check_invariants(X, ps)
    assert as_set(ps) == brute_force_chambers(X)
    assert as_set(enumerate_patterns(X, method="lp")) == as_set(ps)


@pytest.mark.parametrize("seed", range(4))
def test_degenerate_integer_data_5d_matches_lp(seed: int) -> None:
    rng = np.random.default_rng(seed)
    through = np.array(
        [
            [1, -1, 0, 0, 0],
            [0, 1, -1, 0, 0],
            [1, 0, -1, 0, 0],
            [0, 0, 1, -1, 0],
            [0, 0, 0, 1, -1],
            [1, 1, -1, -1, 0],
            [0, 1, 1, -1, -1],
        ],
        dtype=float,
    )
    X = np.r_[through[rng.permutation(7)[: 5 + seed % 3]], rng.integers(-2, 3, size=(3, 5))]
    ps = enumerate_patterns(X)
    check_invariants(X, ps)
    assert ps.method == "extreme-rays" and ps.exact
    assert ps.stats["degenerate_rays"] > 0
    assert as_set(ps) == as_set(enumerate_patterns(X, method="lp"))


def test_near_degenerate_resolved_perturbation() -> None:
    """Rays split by 1e-5: every chamber has margin >> 1e-9; general position again."""
    X = THROUGH_ONE_RAY_3D + 1e-5 * np.random.default_rng(0).standard_normal((10, 3))
    ps = enumerate_patterns(X)
    check_invariants(X, ps)
    assert ps.stats["general_position"] and ps.stats["degenerate_rays"] == 0
    assert is_general_position(X) is True
    assert ps.count == cover_count(10, 3)
    assert as_set(ps) == as_set(enumerate_patterns(X, method="lp"))


def test_near_degenerate_rounding_level_perturbation() -> None:
    """A 1e-15 perturbation is an exact incidence at the ray tolerance: nothing changes."""
    base = enumerate_patterns(THROUGH_ONE_RAY_3D)
    X = THROUGH_ONE_RAY_3D + 1e-15 * np.random.default_rng(1).standard_normal((10, 3))
    ps = enumerate_patterns(X)
    check_invariants(X, ps)
    assert ps.stats["degenerate_rays"] == base.stats["degenerate_rays"] > 0
    assert as_set(ps) == as_set(base) == as_set(enumerate_patterns(X, method="lp"))


def test_near_degenerate_below_margin_chambers_dropped_like_lp() -> None:
    """A 1e-11 perturbation splits the rays (non-incident above the ray tolerance), but the
    chambers it creates have margins ~1e-11 < MARGIN_TOL: the LP repair refutes them, as the
    LP method drops them; the count bookkeeping still matches Cover's count."""
    X = THROUGH_ONE_RAY_3D + 1e-11 * np.random.default_rng(0).standard_normal((10, 3))
    ps = enumerate_patterns(X)
    check_invariants(X, ps)
    assert ps.exact and ps.method == "extreme-rays"
    assert ps.stats["general_position"] and ps.stats["below_margin"] > 0
    assert ps.count + ps.stats["below_margin"] == cover_count(10, 3)
    assert as_set(ps) == as_set(enumerate_patterns(THROUGH_ONE_RAY_3D))
    assert as_set(ps) == as_set(enumerate_patterns(X, method="lp"))


def test_ill_conditioned_subset_falls_back_to_lp() -> None:
    rng = np.random.default_rng(1)
    X = rng.standard_normal((8, 3))
    X[1] = X[0] + 1e-7 * rng.standard_normal(3)  # distinct hyperplanes 1e-7 apart
    ps = enumerate_patterns(X)
    check_invariants(X, ps)
    assert ps.method == "lp-incremental" and "ill-conditioned" in ps.stats["fallback"]
    assert ps.exact and ps.count == cover_count(8, 3)
    with pytest.raises(ar.RayMethodUnsuitable):
        ar.ray_chambers(X / np.linalg.norm(X, axis=1, keepdims=True))


@pytest.mark.parametrize("scale", [1e-6, 1e-8])
def test_near_degenerate_gray_zone_is_a_superset_of_lp(scale: float) -> None:
    """Integer data plus tiny noise: whatever the ray method returns beyond the LP method
    is a real chamber of LP margin ≲ MARGIN_TOL, and it misses nothing the LP finds."""
    for seed in (115, 117) if scale == 1e-6 else (12, 16):
        rng = np.random.default_rng(seed)
        d = int(rng.integers(3, 6))
        n = int(rng.integers(d, 12))
        X = rng.integers(-2, 3, size=(n, d)).astype(float)
        X = X + scale * rng.standard_normal(X.shape)
        fast, lp = enumerate_patterns(X), enumerate_patterns(X, method="lp")
        check_invariants(X, fast)
        assert as_set(lp) <= as_set(fast)
        for extra in as_set(fast) - as_set(lp):  # real: witnessed by check_invariants
            assert lp_margin(X, np.array(extra)) < 2e-9


def test_witness_repair_by_lp(monkeypatch: pytest.MonkeyPatch) -> None:
    """Broken witnesses are caught by the certification and decided by the LP."""
    X = np.random.default_rng(3).standard_normal((9, 3))
    good = enumerate_patterns(X)

    def garbage(A, V, SUB, codes, sig):
        return np.random.default_rng(0).standard_normal((codes.shape[0], A.shape[1]))

    monkeypatch.setattr(ar, "_generic_points", garbage)
    ps = enumerate_patterns(X)
    check_invariants(X, ps)
    assert ps.method == "extreme-rays" and ps.exact
    assert ps.stats["lp_repairs"] > 0
    assert as_set(ps) == as_set(good)


def test_undecided_cells_mean_not_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    X = np.random.default_rng(3).standard_normal((9, 3))

    def garbage(A, V, SUB, codes, sig):
        return np.random.default_rng(0).standard_normal((codes.shape[0], A.shape[1]))

    def undecided(G):
        return np.zeros(G.shape[0], bool), np.zeros((G.shape[0], G.shape[2])), G.shape[0]

    monkeypatch.setattr(ar, "_generic_points", garbage)
    monkeypatch.setattr(ar, "feasible_sides", undecided)
    with pytest.warns(RuntimeWarning, match="undecided"):
        ps = enumerate_patterns(X)
    assert not ps.exact and ps.count < cover_count(9, 3)


def test_general_position_count_check_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """Losing rays in general position is detected by Cover's count (then the LP runs)."""
    real = ar._subset_batches

    def lossy(H, k):
        for batch in real(H, k):
            yield batch[::3]  # two thirds of the rays lost: some chambers lose all of theirs

    monkeypatch.setattr(ar, "_subset_batches", lossy)
    X = np.random.default_rng(4).standard_normal((9, 3))
    ps = enumerate_patterns(X)
    assert ps.method == "lp-incremental" and "Cover" in ps.stats["fallback"]
    assert ps.exact and ps.count == cover_count(9, 3)


# --------------------------------------------------------------------------------------
# Counts
# --------------------------------------------------------------------------------------

GRID = [
    (1, 1),
    (5, 1),
    (20, 1),
    (2, 2),
    (10, 2),
    (50, 2),
    (300, 2),
    (3, 3),
    (8, 3),
    (20, 3),
    (80, 3),
    (4, 4),
    (9, 4),
    (12, 4),
    (30, 4),
    (7, 5),
    (16, 5),
    (10, 6),
    (10, 8),
]


@pytest.mark.parametrize("n,d", GRID)
def test_count_equals_cover_on_gaussian_data(n: int, d: int) -> None:
    X = np.random.default_rng(100 * n + d).standard_normal((n, d))
    ps = enumerate_patterns(X)
    check_invariants(X, ps)
    assert ps.exact and ps.rank == d and ps.method == auto_method(d)
    if math.comb(n, d) <= 200_000:
        assert is_general_position(X) is True
    assert ps.count == cover_count(n, d)
    if n >= 2:
        assert ps.count <= cover_bound(n, d)
    if d >= 3:
        assert ps.stats["general_position"] and ps.stats["lp_repairs"] == 0


@pytest.mark.parametrize("n,d", [(8, 3), (10, 4), (7, 5)])
def test_gaussian_lp_equals_rays(n: int, d: int) -> None:
    X = np.random.default_rng(n + d).standard_normal((n, d))
    assert as_set(enumerate_patterns(X, method="lp")) == as_set(enumerate_patterns(X))


@pytest.mark.parametrize("n,d,r", [(10, 4, 2), (9, 4, 3), (12, 5, 3), (30, 6, 2), (6, 3, 1)])
def test_count_rank_deficient_gaussian(n: int, d: int, r: int) -> None:
    rng = np.random.default_rng(7 * n + d + r)
    X = rng.standard_normal((n, r)) @ rng.standard_normal((r, d))
    ps = enumerate_patterns(X)
    check_invariants(X, ps)
    assert ps.rank == r
    assert is_general_position(X) is True  # w.r.t. the projected rows
    assert ps.count == cover_count(n, r) <= cover_bound(n, r)
    assert ps.count < cover_count(n, d)  # fewer than full-rank data would have


def test_degenerate_counts_below_cover() -> None:
    for name, X in CASES.items():
        ps = enumerate_patterns(X)
        n = X.shape[0]
        assert ps.count <= cover_count(n, ps.rank), name
        if n >= 2:
            assert ps.count <= cover_bound(n, ps.rank), name
        if is_general_position(X) is False and ps.rank >= 2:
            assert ps.count < cover_count(n, ps.rank), name


def test_cover_formulas() -> None:
    assert cover_count(1, 1) == 2
    assert cover_count(7, 1) == 2
    assert cover_count(7, 2) == 14
    assert cover_count(4, 3) == 2 * (1 + 3 + 3)
    for r in range(1, 12):
        assert cover_count(r, r) == 2**r
    assert cover_count(0, 0) == 0 and cover_count(5, 0) == 0
    assert isinstance(cover_count(200, 6), int)
    assert cover_bound(10, 3) == pytest.approx(6 * (math.e * 9 / 3) ** 3)
    for n in range(2, 80):
        for r in range(1, n + 1):
            assert cover_count(n, r) <= cover_bound(n, r), (n, r)
    assert cover_bound(1, 1) == 0.0  # documented: the bound needs n >= 2
    with pytest.raises(ValueError):
        cover_count(3, 4)


def test_rank_zero_and_empty() -> None:
    X = np.zeros((4, 3))
    ps = enumerate_patterns(X)
    assert ps.rank == 0 and ps.count == 1 and ps.method == "rank1" and ps.exact
    assert ps.masks.all()
    check_invariants(X, ps)
    assert ps.without_zero().count == 1
    ps0 = enumerate_patterns(np.zeros((0, 2)))
    assert ps0.count == 1 and ps0.masks.shape == (1, 0)
    assert ps0.packed_masks().shape == (1, 0)
    assert is_general_position(X) is False


def test_rank_one_with_zero_and_antiparallel_rows() -> None:
    v = np.array([1.0, -2.0, 0.5])
    X = np.array([[1.0], [-3.0], [0.0], [2.0], [0.0]]) * v
    ps = enumerate_patterns(X)
    check_invariants(X, ps)
    assert ps.rank == 1 and ps.method == "rank1" and ps.count == 2
    assert as_set(ps) == {(True, False, True, True, True), (False, True, True, False, True)}


def test_sweep_agrees_with_lp_and_rays_in_2d() -> None:
    rng = np.random.default_rng(5)
    base = rng.integers(-4, 5, size=(25, 2)).astype(float)
    X = np.r_[base, 2 * base[:5], -base[5:9], np.zeros((2, 2))]
    sweep = enumerate_patterns(X)
    assert sweep.method == "angular-sweep"
    check_invariants(X, sweep)
    lp = enumerate_patterns(X, method="lp")
    rays = enumerate_patterns(X, method="rays")
    assert lp.method == "lp-incremental" and rays.method == "extreme-rays"
    assert as_set(lp) == as_set(sweep) == as_set(rays)


def test_large_2d_sweep_and_its_certificate() -> None:
    X = np.random.default_rng(0).standard_normal((1000, 2))
    ps = enumerate_patterns(X)
    assert ps.count == 2000 == cover_count(1000, 2)
    actual = margin(X, ps.directions, ps.masks)
    assert np.all(actual > 0)
    assert 0 < ps.stats["certified_margin"] <= actual.min() + 1e-15


def test_sweep_certificate_is_a_lower_bound_per_chamber() -> None:
    rng = np.random.default_rng(2)
    Z = np.r_[rng.standard_normal((200, 2)), rng.integers(-3, 4, size=(40, 2))]
    Z = Z[np.any(Z != 0, axis=1)]
    W, cert = angular_sweep(Z)
    A = Z / np.linalg.norm(Z, axis=1, keepdims=True)
    actual = np.abs(W @ A.T).min(axis=1)
    assert np.all(cert > 0) and np.all(cert <= actual + 1e-15)


# --------------------------------------------------------------------------------------
# PatternSet: lazy masks, packed masks, caching
# --------------------------------------------------------------------------------------


def test_masks_not_built_for_count_directions_packed_or_without_zero() -> None:
    X = np.random.default_rng(0).standard_normal((3000, 2))
    X[:, 0] = np.abs(X[:, 0]) + 0.1  # data in a half-plane: the all-zero pattern occurs
    ps = enumerate_patterns(X)
    assert ps._cache == {}
    assert ps.count == 6000 and ps.directions.shape == (6000, 2)
    packed = ps.packed_masks()
    nz = ps.without_zero()
    assert nz is ps.without_zero()  # cached
    assert "masks" not in ps._cache and "masks" not in nz._cache
    assert packed.shape == (6000, 375) and packed.dtype == np.uint8
    m = ps.masks
    assert ps._cache["masks"] is m and ps.masks is m
    assert np.array_equal(packed, np.packbits(m, axis=1))
    assert nz.count == ps.count - 1


def test_packed_masks_over_many_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pt, "_CHUNK_ELEMS", 50)  # a handful of rows per block
    for n, d in [(13, 3), (21, 2), (8, 4), (1, 3)]:
        X = np.random.default_rng(n).standard_normal((n, d))
        X[0] = 0.0
        ps = enumerate_patterns(X)
        dense = (ps.directions @ X.T) >= 0
        packed = ps.packed_masks()
        assert packed.shape == (ps.count, -(-n // 8))
        assert np.array_equal(packed, np.packbits(dense, axis=1))
        assert "masks" not in ps._cache
        assert np.array_equal(ps.masks, dense)
        assert np.array_equal(ps.packed_masks(), packed)  # from the cached masks now


def test_without_zero() -> None:
    X = CASES["d3-all-in-half-space"]  # x_1 > 0 for all rows: u = -e1 gives all zeros
    ps = enumerate_patterns(X)
    zero_rows = ~ps.masks.any(axis=1)
    assert zero_rows.sum() == 1 and ps.masks.all(axis=1).sum() == 1
    nz = ps.without_zero()
    assert nz.count == ps.count - 1
    assert nz.masks.any(axis=1).all()
    assert nz.exact == ps.exact and nz.method == ps.method and nz.rank == ps.rank
    assert as_set(nz) == as_set(ps) - {tuple([False] * X.shape[0])}
    check_invariants(X, nz)
    # computed without the masks: same answer
    fresh = enumerate_patterns(X).without_zero()
    assert as_set(fresh) == as_set(nz)
    # with a zero row the all-zero pattern cannot occur: nothing is dropped
    Xz = np.r_[X, np.zeros((1, 3))]
    psz = enumerate_patterns(Xz)
    assert psz.without_zero() is psz and psz.count == ps.count


def test_patternset_is_immutable_and_validated() -> None:
    X = CASES["d3-generic"].copy()
    ps = enumerate_patterns(X)
    with pytest.raises(ValueError):
        ps.masks[0, 0] = not ps.masks[0, 0]
    with pytest.raises(ValueError):
        ps.directions[0, 0] = 1.0
    with pytest.raises(ValueError):
        ps.X[0, 0] = 1.0
    before = ps.masks.copy()
    X[:] = -X  # the caller's array is not referenced
    assert np.array_equal(enumerate_patterns(CASES["d3-generic"]).masks.shape, before.shape)
    assert np.array_equal(ps.masks, before)
    with pytest.raises(ValueError):
        enumerate_patterns(np.ones(3))
    with pytest.raises(ValueError):
        enumerate_patterns(np.array([[np.nan, 1.0]]))
    with pytest.raises(ValueError):
        PatternSet(np.zeros((2, 3)), np.zeros((4, 2)), True, 2, "x")


def test_replace_keeps_working_and_does_not_share_the_cache() -> None:
    ps = sample_patterns(CASES["d3-generic"], 6, seed=1)
    _ = ps.masks
    flagged = dataclasses.replace(ps, exact=True)
    assert flagged.exact and not ps.exact
    assert flagged._cache == {} and flagged._cache is not ps._cache
    assert np.array_equal(flagged.masks, ps.masks)
    exact = enumerate_patterns(CASES["d3-generic"])
    fewer = dataclasses.replace(exact, masks=exact.masks[1:], directions=exact.directions[1:])
    assert fewer.count == exact.count - 1 and "masks" in fewer._cache
    assert np.array_equal(fewer.masks, exact.masks[1:])
    with pytest.raises(ValueError, match="must equal"):
        dataclasses.replace(exact, masks=~exact.masks)


# --------------------------------------------------------------------------------------
# Ray-method internals
# --------------------------------------------------------------------------------------


def test_pack_bits_and_unique_groups() -> None:
    rng = np.random.default_rng(0)
    for H in (1, 7, 64, 65, 130):
        bits = rng.random((50, H)) < 0.5
        bits = np.r_[bits, bits[:10]]
        keys = ar.pack_bits(bits)
        assert keys.shape == (60, max(1, -(-H // 64))) and keys.dtype == np.uint64
        back = np.unpackbits(keys.view(np.uint8), axis=1, bitorder="little")[:, :H]
        assert np.array_equal(back.astype(bool), bits)
        first, inverse = ar._unique_groups(keys)
        assert np.array_equal(keys[first[inverse]], keys)
        assert first.shape[0] == len({row.tobytes() for row in bits})


def test_ray_chambers_direct() -> None:
    A = np.random.default_rng(0).standard_normal((11, 4))
    A /= np.linalg.norm(A, axis=1, keepdims=True)
    res = ar.ray_chambers(A)
    assert res.undecided == 0 and res.points.shape == (cover_count(11, 4), 4)
    P = res.points.shape[0] // 2
    assert np.allclose(res.points[P:], -res.points[:P])
    vals = res.points @ A.T
    assert np.abs(vals).min() > ar.REP_TOL
    assert len({row.tobytes() for row in np.packbits(vals > 0, axis=1)}) == 2 * P
    with pytest.raises(ValueError):
        ar.ray_chambers(A[:3])


# --------------------------------------------------------------------------------------
# Misc API
# --------------------------------------------------------------------------------------


def test_is_general_position() -> None:
    assert is_general_position(CASES["d3-coplanar"]) is False
    assert is_general_position(CASES["d3-repeated"]) is False
    assert is_general_position(CASES["d3-zero-rows"]) is False
    assert is_general_position(CASES["d2-parallel-antiparallel"]) is False
    assert is_general_position(np.random.default_rng(0).standard_normal((9, 3))) is True
    big = np.random.default_rng(0).standard_normal((200, 4))  # C(200, 4) > 200 000
    assert is_general_position(big) is None
    # rank-1 data: general position iff no zero row
    assert is_general_position(np.array([[1.0, 2.0], [-2.0, -4.0]])) is True


def test_margin_by_hand() -> None:
    X = np.array([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]])
    u = np.array([[0.6, 0.8], [0.6, 0.8]])
    m = np.array([[True, True, True], [True, False, True]])
    np.testing.assert_allclose(margin(X, u, m), [0.6, -0.8])
    np.testing.assert_allclose(margin(X, 2 * u, m), [0.6, -0.8])  # scale invariant
    assert margin(np.zeros((2, 2)), u, np.ones((2, 2), bool)).tolist() == [np.inf, np.inf]


def test_row_scale_does_not_matter() -> None:
    # rows of norm 1e7 and 1e-4 together: the rank (and the patterns) must not depend on
    # the scale of the rows (regression: an unscaled SVD called this rank 2)
    X = np.array([[-1e7, 2e7, -2e7], [2e-4, 1e-4, -1e-4], [0.1, 0.0, 0.2]])
    ps = enumerate_patterns(X)
    check_invariants(X, ps)
    assert numerical_rank(X) == ps.rank == 3
    assert as_set(ps) == brute_force_chambers(X)
    scaled = enumerate_patterns(X * np.array([[1e-7], [1e4], [10.0]]))
    assert as_set(scaled) == as_set(ps)


def test_large_rank_tol_warns_on_rows_without_row_space_component() -> None:
    X = np.array([[1.0, 0.0], [2.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    with pytest.warns(RuntimeWarning, match="no row-space component"):
        ps = enumerate_patterns(X, rank_tol=0.7)
    assert ps.rank == 1 and ps.count == 2


# --------------------------------------------------------------------------------------
# Sampling
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["d2-parallel-antiparallel", "d3-coplanar", "d4-rank3"])
def test_sampled_is_subset_of_exact(name: str) -> None:
    X = CASES[name]
    exact = enumerate_patterns(X)
    sp = sample_patterns(X, 50, seed=3)
    check_invariants(X, sp)
    assert not sp.exact and sp.method == "sampled" and sp.rank == exact.rank
    assert as_set(sp) <= as_set(exact)
    assert 0 < sp.count <= 50
    again = sample_patterns(X, 50, seed=3)
    assert np.array_equal(again.masks, sp.masks)


@pytest.mark.parametrize("n,d", [(6, 2), (6, 3), (5, 4)])
def test_sampling_reaches_full_count_on_easy_instances(n: int, d: int) -> None:
    X = np.random.default_rng(n + 10 * d).integers(-3, 4, size=(n, d)).astype(float)
    exact = enumerate_patterns(X)
    sp = sample_patterns(X, 20_000, seed=0)
    assert as_set(sp) == as_set(exact)


def test_sampling_edge_cases() -> None:
    X = CASES["d3-generic"]
    sp = sample_patterns(X, 0, seed=0)
    assert sp.count == 0 and sp.masks.shape == (0, X.shape[0]) and sp.directions.shape == (0, 3)
    assert sp.packed_masks().shape == (0, 1)
    zero = sample_patterns(np.zeros((3, 2)), 10, seed=0)
    assert zero.count == 1 and zero.masks.all()


# --------------------------------------------------------------------------------------
# Property tests
# --------------------------------------------------------------------------------------


@st.composite
def small_integer_data(draw: st.DrawFn, max_n: int = 6, max_d: int = 4) -> np.ndarray:
    n = draw(st.integers(1, max_n))
    d = draw(st.integers(1, max_d))
    if draw(st.booleans()):
        entries = draw(st.lists(st.integers(-2, 2), min_size=n * d, max_size=n * d))
        return np.array(entries, dtype=float).reshape(n, d)
    k = draw(st.integers(1, d))  # low rank: X = B C with inner dimension k
    b = draw(st.lists(st.integers(-2, 2), min_size=n * k, max_size=n * k))
    c = draw(st.lists(st.integers(-2, 2), min_size=k * d, max_size=k * d))
    return (np.array(b, float).reshape(n, k) @ np.array(c, float).reshape(k, d)).astype(float)


def _flip_nonzero(mask: np.ndarray, nonzero: np.ndarray) -> tuple[bool, ...]:
    out = mask.copy()
    out[nonzero] = ~out[nonzero]
    return tuple(out.tolist())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_integer_data())
def test_property_enumeration(X: np.ndarray) -> None:
    ps = enumerate_patterns(X)
    check_invariants(X, ps)
    assert ps.exact
    n = X.shape[0]
    r = ps.rank
    assert r == np.linalg.matrix_rank(X)
    assert ps.method == auto_method(r)
    nonzero = np.any(X != 0, axis=1)
    masks = as_set(ps)
    if r >= 1:
        # chambers come in pairs C, -C: the count is even and the set closed under flips
        assert ps.count % 2 == 0
        assert {_flip_nonzero(np.array(m), nonzero) for m in masks} == masks
        assert ps.count <= cover_count(n, r)
        if n >= 2:
            assert ps.count <= cover_bound(n, r)
        if is_general_position(X):
            assert ps.count == cover_count(n, r)
    else:
        assert ps.count == 1
    assert masks == brute_force_chambers(X)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_integer_data(max_n=11, max_d=5))
def test_property_rays_equal_lp_on_integer_grids(X: np.ndarray) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        fast = enumerate_patterns(X)
        rays = enumerate_patterns(X, method="rays")
        lp = enumerate_patterns(X, method="lp")
    assert fast.exact and rays.exact and lp.exact
    assert "fallback" not in fast.stats
    assert as_set(fast) == as_set(lp) == as_set(rays)


@settings(max_examples=25, deadline=None)
@given(small_integer_data(), st.integers(0, 2**16))
def test_property_sampling_subset(X: np.ndarray, seed: int) -> None:
    sp = sample_patterns(X, 64, seed=seed)
    check_invariants(X, sp)
    assert as_set(sp) <= as_set(enumerate_patterns(X))


# --------------------------------------------------------------------------------------
# Slow: larger exhaustive comparisons
# --------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(6))
def test_brute_force_larger_slow(seed: int) -> None:
    rng = np.random.default_rng(seed)
    d = 3 + seed % 2
    X = rng.integers(-2, 3, size=(10, d)).astype(float)
    X[rng.integers(0, 10)] = X[rng.integers(0, 10)]  # a repeated point
    ps = enumerate_patterns(X)
    check_invariants(X, ps)
    assert as_set(ps) == brute_force_chambers(X)


@pytest.mark.slow
@pytest.mark.parametrize("n,d", [(40, 3), (20, 4), (12, 5), (9, 6)])
def test_count_equals_cover_larger_slow(n: int, d: int) -> None:
    X = np.random.default_rng(n * d).standard_normal((n, d))
    ps = enumerate_patterns(X)
    check_invariants(X, ps)
    assert ps.exact and ps.count == cover_count(n, d) <= cover_bound(n, d)
    lp = enumerate_patterns(X, method="lp")
    assert as_set(lp) == as_set(ps)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(40))
def test_degenerate_integer_data_matches_lp_slow(seed: int) -> None:
    rng = np.random.default_rng(1000 + seed)
    d = int(rng.integers(3, 7))
    n = int(rng.integers(d, 16))
    X = rng.integers(-1 - seed % 2, 2 + seed % 2, size=(n, d)).astype(float)
    ps = enumerate_patterns(X)
    check_invariants(X, ps)
    assert ps.exact and "fallback" not in ps.stats
    assert as_set(ps) == as_set(enumerate_patterns(X, method="lp"))
