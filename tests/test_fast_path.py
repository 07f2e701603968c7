"""The fast PR solver (relucheck.solvers.fast_path): operators, agreement with Clarabel,
exact feasibility, certificate validity and its negative controls, fallback, CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cvxpy as cp
import numpy as np
import pytest

from relucheck.datasets import generators
from relucheck.models.arrangements.patterns import enumerate_patterns
from relucheck.models.parallel.groups import enumerate_groups, sample_groups
from relucheck.models.parallel.program import cone_matrix, group_blocks, linear_maps
from relucheck.models.two_layer.certificate import dual_gauge_bound
from relucheck.solvers import fast_path
from relucheck.solvers.fast_path import (
    PRGroups,
    batched_gauge_bounds,
    certify_point,
    solve_path_fast,
)
from relucheck.solvers.path_global import solve_path_regularized
from relucheck.solvers.two_layer_global import solve_two_layer


def instance(n: int, d: int, m: int, seed: int, frac: float):
    data = generators.gaussian(n, d, seed)
    ps = enumerate_patterns(data.X)
    beta = frac * dual_gauge_bound(data.X, data.y, ps.without_zero().masks)
    return data.X, data.y, beta, ps, enumerate_groups(data.X, m, ps)


@pytest.fixture(scope="module")
def m2():
    X, y, beta, _, groups = instance(6, 2, 2, 3, 0.1)
    return X, y, beta, groups, solve_path_fast(X, y, beta, groups)


def test_operators_match_the_dense_program():
    X, _, _, _, groups = instance(6, 2, 2, 4, 0.1)
    pr = PRGroups(groups)
    rng = np.random.default_rng(0)
    U = rng.standard_normal((pr.k, pr.p))
    v = rng.standard_normal(X.shape[0])
    Z = rng.standard_normal((pr.k, pr.r))
    w = rng.random((pr.k, pr.r))
    L = linear_maps(groups)
    assert np.allclose(pr.fit(U), L @ U.reshape(-1), atol=1e-12)
    assert np.allclose(pr.fit_adjoint(v).reshape(-1), L.T @ v, atol=1e-12)
    assert np.allclose(pr.fit_columns(np.arange(pr.k)), L.toarray(), atol=1e-14)
    R, RA, RG = pr.rows(U), pr.rows_adjoint(Z), pr.rows_gram(w)
    for g in range(0, pr.k, 7):
        C = pr.dense_rows(g)
        assert np.allclose(R[g], C @ U[g]) and np.allclose(RA[g], C.T @ Z[g])
        assert np.allclose(RG[g], C.T @ (w[g][:, None] * C))
        assert np.allclose(pr.row_norms[g], np.linalg.norm(C, axis=1))
        # the nonzero rows are exactly path_program's cone rows of the group
        _, A = group_blocks(groups, g)
        ours = np.sort(np.round(C[np.any(C != 0, axis=1)], 12).view("f8,f8,f8,f8"), axis=0)
        theirs = np.sort(np.round(A, 12).view("f8,f8,f8,f8"), axis=0)
        assert ours.shape == theirs.shape and np.array_equal(ours, theirs)
    sub = pr.subset(np.array([3, 1]))
    assert np.allclose(sub.rows(U[[3, 1]]), R[[3, 1]])


def test_agrees_with_clarabel_and_certifies(m2):
    X, y, beta, groups, fast = m2
    assert fast.certified and fast.polished and fast.feasible
    assert fast.gap <= 1e-6
    ref = solve_path_regularized(X, y, beta, groups, solver="clarabel")
    assert ref.result.accurate
    assert fast.value == pytest.approx(ref.result.value, rel=1e-6)
    # the bound is below every feasible objective, Clarabel's reconstructed network included
    assert fast.lower <= min(ref.objective, ref.objective_pruned) * (1 + 1e-12)


def test_returned_point_is_exactly_feasible(m2):
    *_, groups, fast = m2
    rows = cone_matrix(groups) @ fast.z  # path_program's own evaluation of the cone rows
    assert rows.min() >= 0.0
    assert np.count_nonzero(np.linalg.norm(fast.z.reshape(groups.count, -1), axis=1)) >= 1


@pytest.mark.parametrize("seed,frac", [(1, 0.1), (2, 0.05)])
def test_width_one_equals_ce(seed, frac):
    X, y, beta, ps, groups = instance(8, 2, 1, seed, frac)
    ce = solve_two_layer(X, y, beta, ps, solver="clarabel")
    pr = solve_path_regularized(X, y, beta, groups, solver="fast")
    assert pr.result.solver == "fast" and pr.result.accurate
    assert pr.result.certified_gap <= 1e-6
    assert pr.objective == pytest.approx(ce.objective, rel=1e-6)


def test_gauge_bounds_are_upper_bounds(m2):
    X, y, beta, groups, _ = m2
    pr = PRGroups(groups)
    r = np.random.default_rng(1).standard_normal(X.shape[0])
    bounds = batched_gauge_bounds(pr, r, 0.0)  # threshold 0: every group gets multipliers
    # the witness of each group lies in its cone: c_gᵀ w/‖w‖ is a value the sup attains
    W = groups.witness.transpose(0, 2, 1).reshape(groups.count, -1)
    attained = np.einsum("gp,gp->g", pr.fit_adjoint(r), W) / np.linalg.norm(W, axis=1)
    assert np.all(bounds >= attained - 1e-12)
    # and above the sup itself, computed by Clarabel on a sample of groups
    u = cp.Variable(pr.p)
    c = cp.Parameter(pr.p)
    A = cp.Parameter((pr.r, pr.p))
    prob = cp.Problem(cp.Maximize(c @ u), [cp.norm(u, 2) <= 1, A @ u >= 0])
    cs = pr.fit_adjoint(r)
    for g in range(0, groups.count, 23):
        c.value, A.value = cs[g], pr.dense_rows(g)
        prob.solve(solver="CLARABEL")
        assert bounds[g] >= prob.value - 1e-7 * max(1.0, abs(prob.value))
    # the multipliers do something: tighter than the gated bound ‖c_g‖ (μ = 0) on average
    assert bounds.mean() < 0.9 * np.linalg.norm(cs, axis=1).mean()


def test_wrong_points_are_not_certified(m2):
    X, y, beta, groups, fast = m2
    pr = PRGroups(groups)
    U = fast.z.reshape(groups.count, -1)
    assert certify_point(pr, y, beta, U).gap <= 1e-6
    big = int(np.argmax(np.linalg.norm(U, axis=1)))
    dropped = U.copy()
    dropped[big] = 0.0  # a feasible point without the largest sub-network
    assert certify_point(pr, y, beta, dropped).gap > 1e-3
    shrunk = 0.9 * U  # feasible (cones), but not optimal
    assert certify_point(pr, y, beta, shrunk).gap > 1e-4
    # a restricted solve over the wrong groups stops uncertified
    support = np.flatnonzero(np.linalg.norm(U, axis=1))
    others = np.setdiff1d(np.arange(groups.count), support)[:20]
    wrong = solve_path_fast(X, y, beta, groups, start=others, max_rounds=1)
    assert not wrong.certified and wrong.gap > 1e-6


def test_polish_failure_falls_back_to_clarabel(m2, monkeypatch):
    X, y, beta, groups, fast = m2
    real = fast_path.solve_group_cone_qp

    def failing(*args, **kwargs):
        res = real(*args, **kwargs)
        res.polished, res.polish = False, "forced failure (test)"
        return res

    monkeypatch.setattr(fast_path, "solve_group_cone_qp", failing)
    sol = solve_path_regularized(X, y, beta, groups, solver="fast")
    assert sol.result.solver == "CLARABEL" and "polish failed" in sol.result.status
    assert sol.result.accurate and sol.result.certified_gap <= 1e-6
    assert sol.result.value == pytest.approx(fast.value, rel=1e-6)


def test_sampled_groups_certify_the_restricted_program():
    X, y, beta, _, exact = instance(8, 2, 2, 5, 0.1)
    sampled = sample_groups(X, 2, 40, 0)
    sol = solve_path_regularized(X, y, beta, sampled, solver="fast")
    assert sol.result.solver == "fast" and sol.certificate.certifies == "restricted"
    full = solve_path_regularized(X, y, beta, exact, solver="fast")
    assert full.certificate.certifies == "full"
    assert sol.objective >= full.certificate.lower


def test_cli_fast_json(tmp_path: Path):
    d = generators.gaussian(8, 2, 3)
    np.save(tmp_path / "X.npy", d.X)
    np.save(tmp_path / "y.npy", d.y)
    base = ["solve", "path-regularized", "--X", str(tmp_path / "X.npy")]
    base += ["--y", str(tmp_path / "y.npy"), "--beta", "0.3", "--width", "2", "--json"]
    runs = {}
    for solver in ("fast", "clarabel"):
        out = subprocess.run(
            [sys.executable, "-m", "relucheck", *base, "--solver", solver],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert out.returncode == 0, out.stderr
        runs[solver] = json.loads(out.stdout)
    fast, ref = runs["fast"], runs["clarabel"]
    assert fast["solver"] == "fast" and fast["accurate"] and fast["certifies"] == "full"
    assert fast["certified_gap"] <= 1e-6
    assert fast["value"] == pytest.approx(ref["value"], rel=1e-6)
