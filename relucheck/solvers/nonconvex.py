"""Generic multi-start non-convex trainers: Adam over K restarts, then L-BFGS polish.

The trainers know nothing about the model: they see a flat parameter vector theta
(length p) and two callables

    fun_batched(theta (K, p)) -> (values (K,), grads (K, p))     for Adam, all restarts at once
    fun_single(theta (p,))    -> (value, grad (p,))              for the L-BFGS polish

so the same code trains the two-layer network of claims.md CE (see
:func:`train_two_layer`) and, later, other models (e.g. parallel three-layer networks
of claims.md PR). Adam is a pure function of an explicit :class:`AdamState`; it is
vectorized across restarts (one batched objective call per step).

Known limitation (claims.md, "Known pitfalls"): optimal ReLU networks sit on kinks,
where the objective is not differentiable, so both phases typically stall about 1e-3
relative above the global optimum and L-BFGS frequently ends with an "ABNORMAL"
line-search message (``converged`` False) rather than a convergence test. Final
values are always re-evaluated at the returned parameters; callers comparing against
a convex optimum should report the gap rather than demand exactness.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import OptimizeResult, minimize

from relucheck.models.two_layer import network as tln

FunBatched = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
FunSingle = Callable[[np.ndarray], tuple[float, np.ndarray]]

DECAYS: tuple[str, ...] = ("constant", "cosine")

__all__ = [
    "DECAYS",
    "AdamState",
    "AdamRun",
    "PolishResult",
    "TrainResult",
    "adam_init",
    "adam_update",
    "learning_rates",
    "record_steps",
    "adam",
    "lbfgs_polish",
    "train_multistart",
    "init_two_layer",
    "train_two_layer",
]


# ------------------------------------------------------------------------------ Adam


@dataclass(frozen=True)
class AdamState:
    """Explicit Adam state for K restarts: parameters, first/second moments, step count."""

    theta: np.ndarray  # (K, p)
    m: np.ndarray  # (K, p) first-moment estimate
    v: np.ndarray  # (K, p) second-moment estimate
    t: int  # number of updates taken


def adam_init(theta0: np.ndarray) -> AdamState:
    """Initial Adam state (zero moments) at theta0 of shape (K, p)."""
    theta0 = np.array(theta0, dtype=np.float64)  # a copy
    if theta0.ndim != 2:
        raise ValueError(f"theta0 must have shape (K, p); got {theta0.shape}")
    return AdamState(theta0, np.zeros_like(theta0), np.zeros_like(theta0), 0)


def adam_update(
    state: AdamState,
    grad: np.ndarray,
    lr: float,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    active: np.ndarray | None = None,
) -> AdamState:
    """One Adam step (Kingma & Ba 2015, with bias correction); returns a new state.

    ``active`` (K,) bool, optional: restarts to update; the others are left unchanged
    (used to freeze a restart whose objective became non-finite).
    """
    b1, b2 = betas
    t = state.t + 1
    m = b1 * state.m + (1.0 - b1) * grad
    v = b2 * state.v + (1.0 - b2) * (grad * grad)
    step = (lr / (1.0 - b1**t)) * m / (np.sqrt(v / (1.0 - b2**t)) + eps)
    if active is not None and not np.all(active):
        keep = ~active[:, None]
        m = np.where(keep, state.m, m)
        v = np.where(keep, state.v, v)
        step = np.where(keep, 0.0, step)
    return AdamState(state.theta - step, m, v, t)


def learning_rates(
    steps: int, lr: float, decay: str = "constant", final_fraction: float = 0.01
) -> np.ndarray:
    """Step sizes for ``steps`` Adam updates.

    "constant": lr throughout. "cosine": lr · (f + (1 − f)(1 + cos(π t / steps)) / 2)
    for t = 0..steps−1 with f = ``final_fraction``.
    """
    if decay not in DECAYS:
        raise ValueError(f"unknown decay {decay!r}; expected one of {DECAYS}")
    t = np.arange(steps, dtype=np.float64)
    if decay == "constant":
        return np.full(steps, float(lr))
    f = float(final_fraction)
    return lr * (f + (1.0 - f) * 0.5 * (1.0 + np.cos(np.pi * t / max(steps, 1))))


def record_steps(steps: int, record_every: int | None = None, n_log: int = 60) -> np.ndarray:
    """Step indices (0..steps, both ends included) at which the trajectory is recorded.

    Every ``record_every`` steps when given, else about ``n_log`` log-spaced indices.
    """
    if steps < 0:
        raise ValueError(f"steps must be >= 0; got {steps}")
    if record_every is not None:
        if record_every < 1:
            raise ValueError(f"record_every must be >= 1; got {record_every}")
        idx = np.arange(0, steps + 1, int(record_every))
    elif steps == 0:
        idx = np.zeros(1, dtype=np.int64)
    else:
        idx = np.rint(np.geomspace(1, steps, num=min(n_log, steps))).astype(np.int64)
    return np.unique(np.concatenate([[0], idx, [steps]])).astype(np.int64)


@dataclass
class AdamRun:
    """Outcome of :func:`adam` for K restarts."""

    theta: np.ndarray  # (K, p) final parameters
    values: np.ndarray  # (K,) objective at the final parameters
    steps: np.ndarray  # (T,) recorded step indices
    trajectory: np.ndarray  # (T, K) objective at those steps
    finite: np.ndarray  # (K,) False where the objective became non-finite (restart frozen)
    state: AdamState
    seconds: float


def adam(
    fun_batched: FunBatched,
    theta0: np.ndarray,
    steps: int,
    lr: float,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    record_every: int | None = None,
    decay: str = "constant",
    final_fraction: float = 0.01,
) -> AdamRun:
    """Adam on K restarts at once: one ``fun_batched`` call per step.

    The trajectory holds the objective after t updates for t in
    :func:`record_steps` (``steps`` itself included). A restart whose value or gradient
    becomes non-finite is frozen at its last finite parameters and flagged in
    ``finite``.
    """
    if steps < 0:
        raise ValueError(f"steps must be >= 0; got {steps}")
    if not lr > 0:
        raise ValueError(f"lr must be positive; got {lr}")
    start = time.perf_counter()
    state = adam_init(theta0)
    K = state.theta.shape[0]
    rates = learning_rates(steps, lr, decay, final_fraction)
    rec = record_steps(steps, record_every)
    rec_set = set(rec.tolist())
    traj = np.empty((rec.shape[0], K))
    k_rec = 0
    finite = np.ones(K, dtype=bool)
    last_values = np.full(K, np.nan)
    prev_theta = state.theta
    for t in range(steps + 1):
        values, grads = fun_batched(state.theta)
        ok = np.isfinite(values) & np.all(np.isfinite(grads), axis=1)
        if not np.all(ok[finite]):
            newly_bad = finite & ~ok
            finite &= ok
            # freeze at the last parameters with a finite objective
            theta = np.where(newly_bad[:, None], prev_theta, state.theta)
            state = AdamState(theta, state.m, state.v, state.t)
        grads = np.where(finite[:, None], grads, 0.0) if not np.all(finite) else grads
        last_values = np.where(finite, values, last_values)
        prev_theta = state.theta
        if t in rec_set:
            traj[k_rec] = last_values
            k_rec += 1
        if t < steps:
            state = adam_update(state, grads, float(rates[t]), betas, eps, active=finite)
    # frozen restarts report the value at their last finite parameters
    values = np.asarray(last_values, dtype=np.float64)
    return AdamRun(
        theta=state.theta,
        values=values,
        steps=rec,
        trajectory=traj,
        finite=finite,
        state=state,
        seconds=time.perf_counter() - start,
    )


# --------------------------------------------------------------------------- L-BFGS


@dataclass
class PolishResult:
    """Outcome of :func:`lbfgs_polish` for one restart."""

    theta: np.ndarray  # (p,)
    value: float
    iterations: int
    converged: bool  # scipy reported success (a convergence test was met)
    message: str
    steps: np.ndarray  # (T,) iteration counter, 0 = start
    values: np.ndarray  # (T,) objective after each iteration
    evaluations: int


def lbfgs_polish(
    fun_single: FunSingle,
    theta0: np.ndarray,
    max_iter: int = 2000,
    tol: float = 1e-12,
    gtol: float = 1e-9,
) -> PolishResult:
    """Polish one restart with scipy's L-BFGS-B (``jac=True``, no bounds).

    ``tol`` is scipy's ``ftol`` (relative decrease of f), ``gtol`` the max-abs gradient
    test. The result is never worse than the start: if L-BFGS ends at a higher or
    non-finite value, theta0 is returned (and ``converged`` is False).
    """
    theta0 = np.array(theta0, dtype=np.float64).reshape(-1)
    v0, _ = fun_single(theta0)
    v0 = float(v0)
    if max_iter <= 0 or not np.isfinite(v0):
        msg = "skipped (max_iter = 0)" if max_iter <= 0 else "skipped (non-finite start)"
        return PolishResult(theta0, v0, 0, False, msg, np.zeros(1, np.int64), np.array([v0]), 1)

    values = [v0]

    def callback(intermediate_result: OptimizeResult) -> None:
        values.append(float(intermediate_result.fun))

    res = minimize(
        fun_single,
        theta0,
        jac=True,
        method="L-BFGS-B",
        callback=callback,
        options={
            "maxiter": int(max_iter),
            "maxfun": max(15000, 4 * int(max_iter)),
            "ftol": float(tol),
            "gtol": float(gtol),
        },
    )
    theta = np.asarray(res.x, dtype=np.float64)
    value = float(res.fun)
    converged = bool(res.success)
    message = str(res.message)
    if not np.isfinite(value) or value > v0:
        theta, value, converged = theta0, v0, False
        message = f"{message} (ended above its start; start returned)"
    vals = np.asarray(values, dtype=np.float64)
    return PolishResult(
        theta=theta,
        value=value,
        iterations=int(res.nit),
        converged=converged,
        message=message,
        steps=np.arange(vals.shape[0], dtype=np.int64),
        values=vals,
        evaluations=int(res.nfev) + 1,
    )


# ------------------------------------------------------------------------ multistart


@dataclass
class TrainResult:
    """K restarts of Adam followed by L-BFGS.

    ``final_values`` are re-evaluated at ``thetas`` (never the optimizer's own number).
    ``trajectories[k] = (steps, values)``: the Adam phase at its recorded steps, then
    the L-BFGS phase with its iteration counter continuing after the last Adam step.
    ``converged[k]`` is True iff L-BFGS met a convergence test (False when skipped).
    ``params`` holds model-specific parameters per restart (e.g. (U, alpha)) when the
    caller knows the model; the generic trainer leaves it empty.
    """

    final_values: np.ndarray  # (K,)
    thetas: np.ndarray  # (K, p)
    trajectories: list[tuple[np.ndarray, np.ndarray]]
    converged: np.ndarray  # (K,) bool
    timings: dict[str, float]
    messages: list[str]
    lbfgs_iterations: np.ndarray  # (K,) int
    adam_values: np.ndarray  # (K,) objective at the end of the Adam phase
    params: list[Any] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def best_index(self) -> int:
        """Restart with the lowest final value (NaN-safe)."""
        return int(np.nanargmin(self.final_values))

    @property
    def best_value(self) -> float:
        return float(self.final_values[self.best_index])

    @property
    def best_theta(self) -> np.ndarray:
        return self.thetas[self.best_index]

    def facts(self) -> dict[str, Any]:
        """Scalar facts for a result row (no arrays)."""
        return {
            "restarts": int(self.final_values.shape[0]),
            "best_value": self.best_value,
            "worst_value": float(np.nanmax(self.final_values)),
            "n_converged": int(np.sum(self.converged)),
            "max_lbfgs_iterations": int(np.max(self.lbfgs_iterations, initial=0)),
            "seconds_adam": self.timings.get("adam"),
            "seconds_lbfgs": self.timings.get("lbfgs"),
            **{k: v for k, v in self.info.items() if np.isscalar(v) or v is None},
        }


def train_multistart(
    fun_batched: FunBatched,
    fun_single: FunSingle,
    init: np.ndarray,
    adam_steps: int = 2000,
    lr: float = 1e-2,
    lbfgs_iters: int = 2000,
    record_every: int | None = None,
    *,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    decay: str = "constant",
    lbfgs_tol: float = 1e-12,
    lbfgs_gtol: float = 1e-9,
    final_objective: Callable[[np.ndarray], np.ndarray] | None = None,
) -> TrainResult:
    """Adam on all K restarts (vectorized), then an L-BFGS polish of each restart.

    Args:
        fun_batched: theta (K, p) → (values (K,), grads (K, p)).
        fun_single: theta (p,) → (value, grad (p,)).
        init: initial parameters, shape (K, p).
        adam_steps, lr, record_every, betas, eps, decay: see :func:`adam`.
        lbfgs_iters, lbfgs_tol, lbfgs_gtol: see :func:`lbfgs_polish` (0 skips it).
        final_objective: thetas (K, p) → values (K,) used to re-evaluate the returned
            parameters; defaults to the values of ``fun_batched``.
    """
    init = np.asarray(init, dtype=np.float64)
    if init.ndim != 2 or init.shape[0] < 1:
        raise ValueError(f"init must have shape (K, p) with K >= 1; got {init.shape}")
    if not np.all(np.isfinite(init)):
        raise ValueError("init contains NaN or infinite entries")
    K = init.shape[0]

    run = adam(fun_batched, init, adam_steps, lr, betas, eps, record_every, decay)

    t0 = time.perf_counter()
    thetas = np.empty_like(run.theta)
    converged = np.zeros(K, dtype=bool)
    iters = np.zeros(K, dtype=np.int64)
    messages: list[str] = []
    trajectories: list[tuple[np.ndarray, np.ndarray]] = []
    for k in range(K):
        pol = lbfgs_polish(fun_single, run.theta[k], lbfgs_iters, lbfgs_tol, lbfgs_gtol)
        thetas[k] = pol.theta
        converged[k] = pol.converged
        iters[k] = pol.iterations
        msg = pol.message if run.finite[k] else f"Adam diverged (non-finite); {pol.message}"
        messages.append(msg)
        steps = np.concatenate([run.steps, adam_steps + pol.steps[1:]])
        values = np.concatenate([run.trajectory[:, k], pol.values[1:]])
        trajectories.append((steps, values))
    t_lbfgs = time.perf_counter() - t0

    if final_objective is None:
        final_values = np.asarray(fun_batched(thetas)[0], dtype=np.float64)
    else:
        final_values = np.asarray(final_objective(thetas), dtype=np.float64)
    return TrainResult(
        final_values=final_values.reshape(K),
        thetas=thetas,
        trajectories=trajectories,
        converged=converged,
        timings={"adam": run.seconds, "lbfgs": t_lbfgs},
        messages=messages,
        lbfgs_iterations=iters,
        adam_values=run.values,
    )


# -------------------------------------------------------------- two-layer (claims CE)


def init_two_layer(
    d: int, width: int, restarts: int, rng: np.random.Generator, init_scale: float = 0.5
) -> np.ndarray:
    """Random flat initial parameters (restarts, d*width + width) for claims.md CE.

    U ~ init_scale · N(0, 1/d) entrywise, α ~ init_scale · N(0, 1/width): for
    standardized data the initial outputs are O(init_scale²), small but non-zero.
    """
    U = rng.standard_normal((restarts, d, width)) * (init_scale / math.sqrt(d))
    alpha = rng.standard_normal((restarts, width)) * (init_scale / math.sqrt(width))
    return tln.pack(U, alpha)


def train_two_layer(
    X: np.ndarray,
    y: np.ndarray,
    beta: float,
    width: int,
    restarts: int,
    seed: int,
    loss: str = "squared",
    adam_steps: int = 2000,
    lr: float = 1e-2,
    lbfgs_iters: int = 2000,
    init_scale: float | None = None,
    record_every: int | None = None,
    decay: str = "constant",
    lbfgs_tol: float = 1e-12,
) -> TrainResult:
    """Train the width-m network of claims.md CE from ``restarts`` random starts.

    Minimizes L(σ(X U) α, y) + (β/2)(‖U‖_F² + ‖α‖²) with Adam (all restarts at once)
    then L-BFGS per restart. Initialization from ``np.random.default_rng(seed)`` (see
    :func:`init_two_layer`; ``init_scale`` None means 0.5). Same arguments → identical
    results. ``result.params[k] = (U, alpha)``; ``result.final_values`` is the true-ReLU
    objective :func:`relucheck.models.two_layer.network.objective` at those parameters.

    Budget notes (n ≈ 20, d = 4, 8 restarts, defaults): ~0.2 s at m ≤ 4, ~0.5–0.8 s at
    m = n + 1, L-BFGS dominating. The defaults leave the best restart within 1e-2 of the
    convex optimum on most but not all random-label instances at m = n + 1; longer Adam
    (e.g. ``adam_steps=10000, lr=3e-2``) closes most of the rest. ``lbfgs_tol`` 1e-10 halves
    the L-BFGS time at a small loss of accuracy.
    """
    X, y, beta = tln.check_data(X, y, beta, loss)
    if int(restarts) != restarts or restarts < 1:
        raise ValueError(f"restarts must be a positive integer; got {restarts!r}")
    if int(width) != width or width < 1:
        raise ValueError(f"width must be a positive integer; got {width!r}")
    scale = 0.5 if init_scale is None else float(init_scale)
    if not (np.isfinite(scale) and scale > 0):
        raise ValueError(f"init_scale must be positive; got {init_scale!r}")
    d, m = X.shape[1], int(width)
    fun_batched, fun_single = tln.flat_objective_functions(X, y, beta, m, loss)
    rng = np.random.default_rng(seed)
    init = init_two_layer(d, m, int(restarts), rng, scale)

    def true_objective(thetas: np.ndarray) -> np.ndarray:
        U, alpha = tln.unpack(thetas, d, m)
        return np.asarray(tln.objective(X, y, U, alpha, beta, loss), dtype=np.float64)

    result = train_multistart(
        fun_batched,
        fun_single,
        init,
        adam_steps=adam_steps,
        lr=lr,
        lbfgs_iters=lbfgs_iters,
        record_every=record_every,
        decay=decay,
        lbfgs_tol=lbfgs_tol,
        final_objective=true_objective,
    )
    result.params = [tln.unpack(theta, d, m) for theta in result.thetas]
    result.info = {
        "model": "two_layer_relu",
        "loss": loss,
        "beta": beta,
        "width": m,
        "restarts": int(restarts),
        "seed": seed,
        "init_scale": scale,
        "adam_steps": int(adam_steps),
        "lr": float(lr),
        "lbfgs_iters": int(lbfgs_iters),
        "decay": decay,
        "lbfgs_tol": float(lbfgs_tol),
    }
    return result
