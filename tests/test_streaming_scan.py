"""The streaming gauge scan (models/two_layer/streaming_scan.py) against the dense one."""

from __future__ import annotations

import numpy as np
import pytest

from relucheck.datasets.generators import planted_teacher
from relucheck.models.arrangements.patterns import enumerate_patterns
from relucheck.models.two_layer.certificate import cone_sup_bound
from relucheck.models.two_layer.gauge_scan import GaugeScanner
from relucheck.models.two_layer.streaming_scan import PatternMasks, StreamingGaugeScanner
from relucheck.solvers import fast_two_layer
from relucheck.solvers.two_layer_path import solve_with_continuation


@pytest.fixture(scope="module")
def exact():
    ds = planted_teacher(40, 3, 3, seed=2, noise=0.1)
    return ds.X, ds.y, enumerate_patterns(ds.X).without_zero()


def test_pattern_masks_equal_the_dense_masks(exact, monkeypatch):
    X, _, ps = exact
    monkeypatch.setattr("relucheck.models.two_layer.streaming_scan.BLOCK_ELEMENTS", 7 * X.shape[0])
    lazy = PatternMasks(X, ps.directions)
    assert lazy.shape == ps.masks.shape
    assert np.array_equal(lazy[3], ps.masks[3])
    assert np.array_equal(lazy[np.array([5, 1])], ps.masks[[5, 1]])
    stacked = np.concatenate([block for _, block in lazy.blocks()])
    assert np.array_equal(stacked, ps.masks)  # several blocks, in order


def test_streamed_bounds_are_valid_and_tight_above_the_threshold(exact, monkeypatch):
    X, y, ps = exact
    monkeypatch.setattr("relucheck.models.two_layer.streaming_scan.BLOCK_ELEMENTS", 50 * X.shape[0])
    rng = np.random.default_rng(0)
    r = y - 0.5 * rng.standard_normal(y.size)
    stream = StreamingGaugeScanner(X, PatternMasks(X, ps.directions))
    dense = GaugeScanner(X, ps.masks)
    threshold = 0.5 * float(dense.bounds(r, np.inf).max())
    got, ref = stream.bounds(r, threshold), dense.bounds(r, threshold)
    exact_sup = np.array(
        [
            [
                cone_sup_bound(s * (X.T @ (m * r)), np.where(m, 1.0, -1.0)[:, None] * X)
                for s in (1, -1)
            ]
            for m in ps.masks
        ]
    )
    assert np.all(got >= exact_sup - 1e-9 * np.abs(exact_sup).max())  # certified: never below
    above = exact_sup > threshold
    assert np.allclose(got[above], exact_sup[above], rtol=1e-7)  # tight where it matters
    assert np.isclose(got.max(), ref.max(), rtol=1e-9)
    # the stored multipliers are sparse (at most 2d per pattern and sign) and still certify
    again = stream.bounds(r + 0.0, threshold)
    assert np.all(again >= exact_sup - 1e-9 * np.abs(exact_sup).max())
    assert np.count_nonzero(stream.multipliers(1, int(np.argmax(got[:, 0])))) <= 2 * X.shape[1]


@pytest.mark.parametrize("beta", [2.0, 0.05])
def test_streamed_solve_certifies_the_same_optimum(exact, beta):
    X, y, ps = exact
    dense = solve_with_continuation(X, y, beta, ps.masks, ps.directions)
    stream = solve_with_continuation(X, y, beta, PatternMasks(X, ps.directions), ps.directions)
    assert dense.status == stream.status == "certified"
    assert stream.gap <= 1e-6 and dense.gap <= 1e-6
    assert stream.value == pytest.approx(dense.value, rel=2e-6)


def test_masks_for_streams_only_large_pattern_sets(exact, monkeypatch):
    X, _, ps = exact
    assert isinstance(fast_two_layer.masks_for(ps), np.ndarray)
    monkeypatch.setattr(fast_two_layer, "STREAM_ABOVE", 10)
    assert isinstance(fast_two_layer.masks_for(ps), PatternMasks)
    assert isinstance(fast_two_layer.scanner_for(X, PatternMasks(X, ps.directions)),
                      StreamingGaugeScanner)  # fmt: skip


def test_a_missing_chamber_is_exposed_by_the_full_scan(exact):
    """Negative control: streaming only half the chambers solves a different (restricted)
    program; its residual, scanned over ALL chambers, certifies no 1e-6 gap for the full one."""
    X, y, ps = exact
    beta = 0.05
    half = PatternMasks(X, ps.directions[::2])
    wrong = solve_with_continuation(X, y, beta, half, ps.directions[::2])
    assert wrong.status == "certified"  # certified for the program it was given
    full = solve_with_continuation(X, y, beta, ps.masks, ps.directions)
    assert wrong.value > full.value * (1 + 1e-4)
    fit = np.zeros_like(y)
    for i in range(half.shape[0]):
        fit += half[i] * (X @ (wrong.V[:, i] - wrong.W[:, i]))
    residual = y - fit
    gauge = float(GaugeScanner(X, ps.masks).bounds(residual, beta).max())
    scale = min(1.0, beta / gauge)
    lower = -0.5 * float(np.sum((y - scale * residual) ** 2)) + 0.5 * float(y @ y)
    assert (wrong.value - lower) / wrong.value > 1e-6
