"""PC solver: the windowed minibatch step equals plain minibatch GD; tracking; the MLP SGD."""

from __future__ import annotations

import numpy as np
import pytest

from relucheck.models.indicators.dense_mlp import init_mlp
from relucheck.models.indicators.network import loss_and_gradient
from relucheck.solvers.minibatch_gd import StepRule, log_times, train_heads, train_mlp_sgd


def _levels(sizes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.uniform(0, 1, n) for n in sizes]


def _manual_gd(blocks_per_problem, rho, rule, w0, b0, steps):
    """Plain minibatch GD with loss_and_gradient on each problem's current block."""
    K = len(blocks_per_problem)
    w, b = np.full(K, w0), np.asarray(b0, dtype=float).copy()
    out_w, out_b = [w.copy()], [b.copy()]
    for t in range(1, steps + 1):
        gw, gb = np.empty(K), np.empty(K)
        for k, blocks in enumerate(blocks_per_problem):
            r = blocks[(t - 1) % len(blocks)]
            _, gwk, gbk = loss_and_gradient(
                r[None, :], (r <= rho[k]).astype(float)[None, :], w[k : k + 1], b[k : k + 1]
            )
            gw[k], gb[k] = gwk[0], gbk[0]
        eta_b = rule.b_step(w)
        w = w - rule.w_step(w) * gw
        b = b - eta_b * gb
        out_w.append(w.copy())
        out_b.append(b.copy())
    return np.array(out_w), np.array(out_b)


@pytest.mark.parametrize("rule", [StepRule(0.5, 3.0), StepRule(0.5, 0.0), StepRule(0.3, 3.0, 1.0)])
def test_cyclic_windowed_steps_equal_plain_minibatch_gd(rule):
    sizes, batch, seed, steps = (300, 257, 64), 50, 4, 60
    levels = _levels(sizes)
    rho = np.array([0.5, 0.4, 0.6])
    b0 = rho + 0.2
    run = train_heads(
        levels, rho, steps=steps, batch=batch, schedule="cyclic", rule=rule, w0=0.5, b0=b0,
        record_count=10 * steps, seed=seed,
    )  # fmt: skip
    rng = np.random.default_rng(seed)
    blocks = []
    for r in levels:
        r = r[rng.permutation(r.shape[0])]
        blocks.append([r[a : a + batch] for a in range(0, r.shape[0], batch)])
    w_ref, b_ref = _manual_gd(blocks, rho, rule, 0.5, b0, steps)
    assert np.array_equal(run.times, np.arange(steps + 1))
    assert np.allclose(run.w, w_ref, rtol=1e-12, atol=1e-12)
    assert np.allclose(run.b, b_ref, rtol=1e-12, atol=1e-12)


def test_random_batches_are_unbiased():
    """One step from a fixed point: the mean update is −η∇L of the full sample."""
    levels = _levels((2000,), seed=1)
    rho = np.array([0.5])
    w0, b0, eta = 4.0, np.array([0.53]), 0.5
    deltas = np.array(
        [
            train_heads(
                levels, rho, steps=1, batch=64, rule=StepRule(eta, 0.0), w0=w0, b0=b0, seed=s
            ).w[-1, 0]
            - w0
            for s in range(400)
        ]
    )
    r = levels[0]
    _, gw, _ = loss_and_gradient(r[None], (r <= 0.5)[None].astype(float), np.array([w0]), b0)
    stderr = deltas.std() / np.sqrt(deltas.size)
    assert abs(deltas.mean() + eta * gw[0]) <= 4 * stderr
    assert deltas.std() > 0  # the batches really are random


def test_hitting_times_and_log_times():
    levels = _levels((20_000,), seed=2)
    probes = np.array([[0.1, 0.45, 0.5, 0.55, 0.9]])
    run = train_heads(
        levels, np.array([0.5]), steps=3000, batch=256, w0=0.5, b0=np.array([0.7]),
        probe_levels=probes, seed=0,
    )  # fmt: skip
    tau = run.hitting_times()[0]
    assert np.isfinite(tau[[0, 4]]).all() and tau[0] < run.steps
    assert np.isinf(tau[2])  # the boundary probe is never exact
    t = log_times(1000, 50)
    assert t[0] == 0 and t[-1] == 1000 and np.all(np.diff(t) > 0)


def test_gap_tracking_reaches_the_corner_without_exact_fit():
    grid = (np.arange(10) + 0.5) / 10  # levels 0.05, ..., 0.95: gap (0.45, 0.55) around 0.5
    run = train_heads(
        [grid], np.array([0.5]), steps=30_000, batch=2, schedule="cyclic", w0=0.5,
        b0=np.array([0.7]), track_gap=True, seed=0,
    )  # fmt: skip
    assert run.gap[0] == pytest.approx([0.45, 0.55])
    assert 0 <= run.last_outside_gap[0] < run.steps
    assert run.first_exact_fit[0] == -1  # the loss tends to 0 but never reaches it
    assert run.w[-1, 0] * 0.1 == pytest.approx(1.0, abs=1e-3)
    assert run.b[-1, 0] == pytest.approx(0.5, abs=1e-4)


def test_exact_fit_is_detected_and_freezes():
    """Started inside the zero-loss region every gradient is 0: nothing ever moves."""
    grid = (np.arange(20) + 0.5) / 20
    run = train_heads(
        [grid], np.array([0.5]), steps=50, batch=4, w0=100.0, b0=np.array([0.5]),
        track_gap=True, seed=0,
    )  # fmt: skip
    assert run.first_exact_fit[0] == 0
    assert np.all(run.w == 100.0) and np.all(run.b == 0.5)


def test_step_rule_and_schedule_validation():
    rule = StepRule(0.5, 3.0)
    assert rule.b_step(np.array([0.5, 2.0]))[1] == pytest.approx(0.5 / 8)
    assert rule.b_step(np.array([0.5]))[0] == 0.5
    assert StepRule(0.5, 0.0, 2.0).w_step(np.array([3.0]))[0] == pytest.approx(4.5)
    assert "fixed" in StepRule(0.5, 0.0).description
    with pytest.raises(ValueError):
        train_heads(_levels((10,)), np.array([0.5]), steps=1, batch=2, schedule="shuffled")


def test_mlp_sgd_moves_only_with_a_step():
    rng = np.random.default_rng(3)
    X = rng.uniform(-1, 1, (500, 2))
    y = (np.linalg.norm(X, axis=1) <= 0.6).astype(float)
    probes = rng.uniform(-1, 1, (7, 2))
    net = init_mlp(2, 8, 2, seed=0)
    still = train_mlp_sgd(net, X, y, steps=50, batch=16, eta=0.0, probes=probes, watch=20, seed=0)
    assert still.probe_values.shape == (20, 7)
    assert np.ptp(still.probe_values, axis=0).max() == 0.0
    moving = train_mlp_sgd(
        net, X, y, steps=300, batch=16, eta=0.05, probes=probes, watch=20, seed=0
    )
    assert np.ptp(moving.probe_values, axis=0).max() > 0.0
    assert moving.loss[-1] < moving.loss[0]
