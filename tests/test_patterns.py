"""Tests for relucheck.models.patterns: chamber enumeration, counts, sampling.

The reference is an independent brute force: every sign vector in {0,1}^n is a chamber iff
the LP  max t s.t. (2m_i − 1) x_iᵀu/‖x_i‖ ≥ t (nonzero rows), −1 ≤ u ≤ 1, t ≤ 1  has
t* > BRUTE_TOL, solved directly in R^d (no row-space projection, no de-duplication).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from relucheck.models import patterns as pt
from relucheck.models.patterns import (
    PatternSet,
    cover_bound,
    cover_count,
    enumerate_patterns,
    is_general_position,
    margin,
    numerical_rank,
    sample_patterns,
)

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


@pytest.mark.parametrize("name", sorted(CASES))
def test_enumeration_equals_brute_force(name: str) -> None:
    X = CASES[name]
    ps = enumerate_patterns(X)
    check_invariants(X, ps)
    assert ps.exact
    assert ps.rank == np.linalg.matrix_rank(X)
    expected_method = {0: "rank1", 1: "rank1", 2: "angular-sweep"}.get(ps.rank, "lp-incremental")
    assert ps.method == expected_method
    assert as_set(ps) == brute_force_chambers(X)
    n = X.shape[0]
    assert ps.count <= cover_count(n, ps.rank) <= cover_bound(n, ps.rank)


def test_rank_deficient_cases_really_are() -> None:
    assert numerical_rank(CASES["d4-rank2"]) == 2
    assert numerical_rank(CASES["d4-rank3"]) == 3
    assert enumerate_patterns(CASES["d4-rank2"]).method == "angular-sweep"
    assert enumerate_patterns(CASES["d4-rank3"]).method == "lp-incremental"


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
    (4, 4),
    (9, 4),
    (12, 4),
    (7, 5),
]


@pytest.mark.parametrize("n,d", GRID)
def test_count_equals_cover_on_gaussian_data(n: int, d: int) -> None:
    X = np.random.default_rng(100 * n + d).standard_normal((n, d))
    ps = enumerate_patterns(X)
    check_invariants(X, ps)
    assert ps.exact and ps.rank == d
    assert is_general_position(X) is True
    assert ps.count == cover_count(n, d)
    if n >= 2:
        assert ps.count <= cover_bound(n, d)


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
    assert is_general_position(X) is False


def test_rank_one_with_zero_and_antiparallel_rows() -> None:
    v = np.array([1.0, -2.0, 0.5])
    X = np.array([[1.0], [-3.0], [0.0], [2.0], [0.0]]) * v
    ps = enumerate_patterns(X)
    check_invariants(X, ps)
    assert ps.rank == 1 and ps.method == "rank1" and ps.count == 2
    assert as_set(ps) == {(True, False, True, True, True), (False, True, True, False, True)}


def test_sweep_agrees_with_lp_incremental_in_2d() -> None:
    rng = np.random.default_rng(5)
    base = rng.integers(-4, 5, size=(25, 2)).astype(float)
    X = np.r_[base, 2 * base[:5], -base[5:9], np.zeros((2, 2))]
    sweep = enumerate_patterns(X)
    assert sweep.method == "angular-sweep"
    nz = np.any(X != 0, axis=1)
    A = X[nz] / np.linalg.norm(X[nz], axis=1, keepdims=True)
    reps, _, _ = pt._dedupe_normals(A)
    W, _, undecided = pt._lp_incremental(reps)
    assert undecided == 0
    lp_masks = {tuple(m.tolist()) for m in (W @ X.T >= 0)}
    assert lp_masks == as_set(sweep)


def test_large_2d_sweep() -> None:
    X = np.random.default_rng(0).standard_normal((1000, 2))
    ps = enumerate_patterns(X)
    assert ps.count == 2000 == cover_count(1000, 2)
    assert np.all(margin(X, ps.directions, ps.masks) > 0)


# --------------------------------------------------------------------------------------
# General position, margin, misc API
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
    # with a zero row the all-zero pattern cannot occur: nothing is dropped
    Xz = np.r_[X, np.zeros((1, 3))]
    psz = enumerate_patterns(Xz)
    assert psz.without_zero().count == psz.count == ps.count


def test_patternset_is_immutable_and_validated() -> None:
    ps = enumerate_patterns(CASES["d3-generic"])
    with pytest.raises(ValueError):
        ps.masks[0, 0] = not ps.masks[0, 0]
    with pytest.raises(ValueError):
        enumerate_patterns(np.ones(3))
    with pytest.raises(ValueError):
        enumerate_patterns(np.array([[np.nan, 1.0]]))


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
    zero = sample_patterns(np.zeros((3, 2)), 10, seed=0)
    assert zero.count == 1 and zero.masks.all()


# --------------------------------------------------------------------------------------
# Property tests
# --------------------------------------------------------------------------------------


@st.composite
def small_integer_data(draw: st.DrawFn) -> np.ndarray:
    n = draw(st.integers(1, 6))
    d = draw(st.integers(1, 4))
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


@settings(max_examples=25, deadline=None)
@given(small_integer_data(), st.integers(0, 2**16))
def test_property_sampling_subset(X: np.ndarray, seed: int) -> None:
    sp = sample_patterns(X, 64, seed=seed)
    check_invariants(X, sp)
    assert as_set(sp) <= as_set(enumerate_patterns(X))


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
