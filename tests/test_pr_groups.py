"""PR groups: exact enumeration against sampling, realizability, counts and the m = 1 case."""

from __future__ import annotations

from math import comb

import numpy as np
import pytest

from relucheck.datasets import generators
from relucheck.models.arrangements.patterns import cover_count, enumerate_patterns
from relucheck.models.parallel import network as pn
from relucheck.models.parallel.groups import (
    count_first_layer_tuples,
    enumerate_groups,
    groups_of_network,
    realized_groups,
    sample_groups,
    union,
)


@pytest.fixture(scope="module")
def small():
    X = generators.gaussian(6, 2, 11).X
    return X, enumerate_groups(X, 2)


def test_m1_groups_are_ce_patterns_with_both_signs():
    X = generators.gaussian(7, 3, 2).X
    ps = enumerate_patterns(X).without_zero()
    g = enumerate_groups(X, 1, ps)
    assert g.count == 2 * ps.count
    assert np.all(g.D2)  # D_2 = I for m = 1 (≥ convention)
    assert np.all(g.eps == 1.0)
    masks = {m.tobytes() for m in g.D1[:, 0, :]}
    assert masks == {m.tobytes() for m in ps.masks}


def test_every_exact_group_has_an_interior_witness(small):
    X, g = small
    D1, D2, margin = realized_groups(X, g.witness, g.eps)
    np.testing.assert_array_equal(D1, g.D1)
    np.testing.assert_array_equal(D2, g.D2)
    assert margin.min() > 0
    assert g.exact and g.stats["undecided"] == 0


def test_sampled_groups_are_a_subset_and_cover_eventually(small):
    X, g = small
    s = sample_groups(X, 2, 100_000, seed=3)
    exact, sampled = set(g.keys()), set(s.keys())
    assert sampled <= exact
    assert len(sampled) / len(exact) > 0.9


def test_dropping_groups_is_detected_by_sampling(small):
    """The completeness test can fail: an enumeration missing groups shows up."""
    X, g = small
    keep = np.ones(g.count, dtype=bool)
    keep[::3] = False
    partial = g.take(keep)
    assert not partial.exact
    sampled = set(sample_groups(X, 2, 50_000, seed=4).keys())
    assert sampled - set(partial.keys())


def test_counts_within_derived_bounds(small):
    X, g = small
    P = g.stats["first_layer_patterns"]
    assert g.stats["tuples"] == count_first_layer_tuples(P, 2) == comb(P + 1, 2) + P * P
    assert P * (P + 1) <= g.count <= 2 * (comb(P + 1, 2) + P * P * cover_count(6, 2))


def test_groups_of_a_network_contain_it():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((8, 2))
    W, v, s = rng.standard_normal((3, 2, 2)), rng.standard_normal((3, 2)), rng.standard_normal(3)
    g = groups_of_network(X, W, v, s)
    from relucheck.models.parallel.program import convex_prediction

    Z, eps, sig = pn.rescale_to_z(W, v, s)
    z = np.zeros((g.count, 2, 2))  # (G, m, d) blocks
    keys = g.keys()
    for k in range(3):
        one = groups_of_network(X, W[k : k + 1], v[k : k + 1], s[k : k + 1])
        if one.count == 0:
            continue  # this sub-network outputs 0 everywhere
        idx = keys.index(one.keys()[0 if sig[k] > 0 else 1])
        z[idx] += one.witness[0].T
    np.testing.assert_allclose(convex_prediction(g, z.ravel()), pn.forward(X, W, v, s), atol=1e-12)


def test_union_keeps_exactness(small):
    X, g = small
    s = sample_groups(X, 2, 100, seed=1)
    u = union(g, s)
    assert u.exact and u.count == g.count
    assert not union(s, s).exact


def test_exact_enumeration_refuses_large_instances():
    X = generators.gaussian(30, 3, 1).X
    with pytest.raises(ValueError, match="too expensive"):
        enumerate_groups(X, 2, max_tuples=1000)


def test_sampled_subset_of_exact_with_a_zero_chamber():
    """d = 3 data with an all-zero chamber: sampling must not report dead-neuron groups."""
    X = generators.gaussian(6, 3, 7).X
    ps = enumerate_patterns(X)
    assert ps.without_zero().count < ps.count  # the data have a zero chamber
    g = enumerate_groups(X, 2, ps)
    s = sample_groups(X, 2, 20_000, seed=106)
    assert set(s.keys()) <= set(g.keys())
