"""PR program: the m = 1 reduction to CE, reconstruction, certificate, pruning, the trainer."""

from __future__ import annotations

import numpy as np
import pytest

from relucheck.datasets import generators
from relucheck.models.arrangements.patterns import enumerate_patterns
from relucheck.models.parallel import network as pn
from relucheck.models.parallel.groups import enumerate_groups, sample_groups
from relucheck.models.parallel.program import cone_violation, convex_objective
from relucheck.models.parallel.reconstruction import caratheodory
from relucheck.models.two_layer.certificate import dual_gauge_bound
from relucheck.solvers.path_global import single_subnetwork_bounds, solve_path_regularized
from relucheck.solvers.path_nonconvex import train_parallel
from relucheck.solvers.two_layer_global import solve_two_layer


@pytest.fixture(scope="module")
def problem():
    data = generators.gaussian(6, 2, 3)
    X, y = data.X, data.y
    ps = enumerate_patterns(X)
    beta = 0.1 * dual_gauge_bound(X, y, ps.without_zero().masks)
    groups = enumerate_groups(X, 2, ps)
    return X, y, beta, ps, groups, solve_path_regularized(X, y, beta, groups)


@pytest.mark.parametrize("seed,d,frac", [(1, 2, 0.1), (2, 3, 0.05), (3, 2, 0.3)])
def test_m1_equals_ce(seed, d, frac):
    data = generators.gaussian(8, d, seed)
    X, y = data.X, data.y
    ps = enumerate_patterns(X)
    beta = frac * dual_gauge_bound(X, y, ps.without_zero().masks)
    ce = solve_two_layer(X, y, beta, ps)
    pr = solve_path_regularized(X, y, beta, enumerate_groups(X, 1, ps))
    assert ce.result.accurate and pr.result.accurate
    assert pr.objective == pytest.approx(ce.objective, rel=1e-6)
    assert pr.certificate.lower == pytest.approx(ce.certificate.lower, rel=1e-6)


def test_reconstruction_attains_and_is_certified(problem):
    X, y, beta, _, groups, sol = problem
    assert sol.result.accurate
    assert sol.objective == pytest.approx(sol.result.value, rel=1e-6)
    z = sol.result.solution["z"]
    assert convex_objective(X, y, beta, groups, z) == pytest.approx(sol.result.value, rel=1e-6)
    assert cone_violation(groups, z) < 1e-7
    assert sol.certificate.certifies == "full"
    assert sol.certificate.lower <= sol.objective
    assert sol.result.certified_gap < 1e-6


def test_pruning_keeps_objective_and_at_most_n(problem):
    X, y, beta, _, _, sol = problem
    assert sol.width <= X.shape[0]
    assert sol.objective_pruned <= sol.objective * (1 + 1e-9)
    assert pn.objective(X, y, sol.W_pruned, sol.v_pruned, sol.s_pruned, beta) == pytest.approx(
        sol.objective_pruned
    )


def test_caratheodory_on_dependent_atoms():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((3, 7))
    c = rng.random(7)
    c2 = caratheodory(A, c)
    np.testing.assert_allclose(A @ c2, A @ c, atol=1e-12)
    assert c2.sum() <= c.sum() + 1e-12 and np.count_nonzero(c2) <= 3 and c2.min() >= 0


def test_dropping_second_layer_cone_is_a_relaxation_that_is_not_attained(problem):
    X, y, beta, _, groups, sol = problem
    relaxed = solve_path_regularized(X, y, beta, groups, second_layer_cone=False)
    assert relaxed.result.value < sol.result.value - 1e-6
    assert relaxed.objective > relaxed.result.value + 1e-3


def test_sampled_groups_give_an_upper_bound_only(problem):
    X, y, beta, _, groups, sol = problem
    sampled = sample_groups(X, 2, 30, seed=2)
    sub = solve_path_regularized(X, y, beta, sampled)
    assert sub.certificate.certifies == "restricted"
    assert sub.objective >= sol.certificate.lower - 1e-9


def test_one_subnetwork_bracket(problem):
    X, y, beta, _, groups, sol = problem
    b = single_subnetwork_bounds(X, y, beta, groups, threshold=sol.objective * (1 + 1e-6))
    assert b.lower <= b.upper
    assert b.lower > sol.objective  # this optimum needs several sub-networks


def test_nonconvex_runs_stay_above_the_certified_bound(problem):
    X, y, beta, _, _, sol = problem
    for K in (1, 7):
        res = train_parallel(X, y, beta, K, 2, restarts=3, seed=K, adam_steps=600)
        assert np.all(res.final_values >= sol.certificate.lower - 1e-6 * sol.objective)
    assert res.best_value <= sol.objective * 1.05


def test_group_gauges_are_tight_against_an_socp():
    """The certified sup per group matches a direct SOCP (NNLS alone is sometimes loose)."""
    import cvxpy as cp

    from relucheck.models.parallel.certificate import group_gauges
    from relucheck.models.parallel.program import group_blocks

    X = generators.gaussian(8, 3, 4).X
    groups = sample_groups(X, 2, 300, seed=4)
    nu = np.random.default_rng(4).standard_normal(8)
    gam = group_gauges(nu, groups)
    loose = group_gauges(nu, groups, refine_above=None)
    assert np.all(gam <= loose + 1e-12)
    for g in np.argsort(loose - gam)[-8:]:  # where the two differ most
        L, A = group_blocks(groups, int(g))
        u = cp.Variable(L.shape[1])
        prob = cp.Problem(cp.Maximize((L.T @ nu) @ u), [A @ u >= 0, cp.norm(u) <= 1])
        prob.solve(solver="CLARABEL")
        assert gam[g] >= prob.value - 1e-7  # a valid upper bound
        assert gam[g] <= prob.value + 1e-6  # and a tight one
