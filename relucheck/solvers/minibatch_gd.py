"""Minibatch gradient descent on the PC head (w, b), and constant-step SGD for the MLP control.

claims.md, section PC. K independent problems (targets, dimensions, N) run in one loop over
steps: every step works on (K × batch) arrays, so there is a Python iteration per step but
none per sample, problem or probe. The head sees the data only through the levels r_i, so
the training sample is passed as its r-values.

Batches ("generalized minibatch"):
  random  B indices drawn uniformly with replacement from the sample at every step;
  cyclic  one seeded permutation of the sample cut into consecutive blocks of B (the last
          one shorter), visited in order (every point once per ⌈n/B⌉ steps).
Only points inside the ramp have a nonzero gradient, so each step touches only the part of
its batch inside the ramp window, found by binary search (exact; see :class:`_Batches`).

Step rule (the one the analysis of theorems/pointwise_convergence/ needs):

    w ← w − η ∂L_B/∂w,        b ← b − η_b(w) ∂L_B/∂b,   η_b(w) = η / max(w, 1)^q,   q = 3.

Why: near the optimum L ≈ p_ρ/(12w) + p_ρ w (b − ρ)² (p_ρ the density of r(X) at ρ), so the
curvature in b is 2 p_ρ w and grows with w. (i) Stability needs η_b · 2p_ρ w < 2; with q ≥ 1
and η p_ρ < 1 this holds for every w. (ii) Minibatch noise leaves a stationary spread of the
boundary value w(b − ρ) of about √(η_b w² / (12B)); it vanishes only if η_b = o(w⁻²).
(iii) b must still track its minimizer: its relaxation time 1/(2 p_ρ w η_b) = w^{q−1}/(2p_ρη)
must be o(t) = o(w³). q = 3 meets (i)–(iii) with a margin of one power of w on each side.
The curvature in w, p_ρ/(6w³), only shrinks, so a constant η on w is stable.
q = 0 is plain fixed-step descent: the hypothesis-violation control (unstable once
w > 1/(p_ρ η)).

The probes' saturation is tracked at every step (the last step at which each probe was not
exact), and optionally whether b lies in the sample's gap (r₋, r₊) around ρ and whether every
training point is exact (the loss is then exactly 0 and the iteration never moves again).
(w, b) are kept at log-spaced recording times only, so 10⁶ steps cost O(K · #records) memory.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from relucheck.models.indicators.dense_mlp import MLP, mlp_forward, mlp_loss_and_gradient

SCHEDULES = ("random", "cyclic")


@dataclass(frozen=True)
class StepRule:
    """η·max(w, 1)^w_power on w; η / max(w, 1)^power on b.

    power = 3, w_power = 0 is the analysis' rule; power = 0 is fixed-step descent (the
    hypothesis-violation control). w_power ≠ 0 changes the growth law of w (w_power = 2 makes
    w grow linearly): the tests use it to plant a wrong rate.
    """

    eta: float = 0.5
    power: float = 3.0
    w_power: float = 0.0

    def b_step(self, w: np.ndarray) -> np.ndarray:
        return self.eta / np.maximum(w, 1.0) ** self.power

    def w_step(self, w: np.ndarray) -> np.ndarray | float:
        return self.eta * np.maximum(w, 1.0) ** self.w_power if self.w_power else self.eta

    @property
    def description(self) -> str:
        w_part = f"{self.eta:g}" + (f"*max(w,1)^{self.w_power:g}" if self.w_power else "")
        if self.power == 0:
            return f"fixed step: eta_w={w_part}, eta_b={self.eta:g}"
        return f"eta_w={w_part}, eta_b={self.eta:g}/max(w,1)^{self.power:g}"


@dataclass
class HeadRun:
    """A run of :func:`train_heads`: recorded (w, b) and per-step saturation facts."""

    times: np.ndarray  # (R,) recorded steps, 0 = initial point
    w: np.ndarray  # (R, K)
    b: np.ndarray  # (R, K)
    last_bad: np.ndarray  # (K, P) last step in 0..steps with the probe not exact, −1 if none
    first_exact_fit: np.ndarray  # (K,) first step with every training point exact, −1 if none
    last_outside_gap: np.ndarray  # (K,) last step with b ∉ (r₋, r₊), −1 if none (track_gap)
    gap: np.ndarray  # (K, 2) the sample's gap (r₋, r₊) around ρ (track_gap; nan otherwise)
    fit_w: np.ndarray  # (K,) w at that step (nan if never)
    fit_b: np.ndarray  # (K,) b at that step (nan if never)
    steps: int
    batch: int
    schedule: str
    rule: StepRule
    seconds: float
    info: dict[str, float] = field(default_factory=dict)

    def hitting_times(self) -> np.ndarray:
        """τ = last_bad + 1 (the step from which the probe stays exact); inf if not yet."""
        tau = (self.last_bad + 1).astype(float)
        tau[self.last_bad >= self.steps] = np.inf
        return tau


def log_times(steps: int, count: int) -> np.ndarray:
    """0 and about ``count`` integer steps spaced geometrically in [1, steps]."""
    grid = np.unique(np.round(np.geomspace(1, steps, count)).astype(np.int64))
    return np.concatenate([[0], grid])


class _Batches:
    """Each problem's minibatch restricted to the ramp window, step by step.

    Only points with −½ ≤ s < ½ (s = w(b − r)) have a nonzero gradient, i.e. levels in
    [b − 1/(2w), b + 1/(2w)]; every other point of a batch contributes exactly 0. So a batch
    is represented by its points inside a (slightly widened) window, found by binary search
    in sorted levels; the exact mask in the step then decides. This is exact, not an
    approximation, and costs O(B/w) instead of O(B) per step once w has grown.

    random  B uniform draws with replacement from n points: the number falling in a window
            of n_w points is Binomial(B, n_w/n) and, given that number, they are uniform on
            the window. Drawing them that way has exactly the law of the full batch's
            window part (a different random stream, the same distribution).
    cyclic  one seeded permutation cut into consecutive blocks of B (the last one shorter),
            visited in order; each block is stored sorted so its window is one slice.
    """

    def __init__(
        self, levels: list[np.ndarray], batch: int, schedule: str, rng: np.random.Generator
    ) -> None:
        self.batch, self.schedule, self.rng = batch, schedule, rng
        K = self.K = len(levels)
        values: list[np.ndarray] = []
        block_ids: list[np.ndarray] = []
        self.first_block = np.zeros(K, dtype=np.int64)
        self.n_blocks = np.zeros(K, dtype=np.int64)
        sizes: list[np.ndarray] = []
        block_id = 0
        for k, r in enumerate(levels):
            r = np.asarray(r, dtype=float)
            n = r.shape[0]
            if schedule == "random":
                block_sizes = np.array([n])
                values.append(np.sort(r))
            else:
                r = r[rng.permutation(n)]
                full = n // batch
                block_sizes = np.array([batch] * full + ([n - full * batch] if n % batch else []))
                values.append(np.sort(r[: full * batch].reshape(full, batch), axis=1).ravel())
                values.append(np.sort(r[full * batch :]))
            block_ids.append(
                np.repeat(np.arange(block_id, block_id + block_sizes.size), block_sizes)
            )
            sizes.append(block_sizes)
            self.first_block[k] = block_id
            self.n_blocks[k] = block_sizes.size
            block_id += block_sizes.size
        # B trailing zeros: a cyclic window read past a problem's last block stays in bounds
        # (those entries are masked out).
        self.flat = np.concatenate(values + [np.zeros(batch)])
        # Sorted (block, level) keys as complex numbers: NumPy orders complex values
        # lexicographically (real part, then imaginary part), so one searchsorted call finds
        # every problem's window in its current block.
        self.keys = np.empty(self.flat.shape[0] - batch, dtype=complex)
        self.keys.real = np.concatenate(block_ids)
        self.keys.imag = self.flat[:-batch]
        # Block sizes, padded to a (K, max blocks) table.
        self.sizes = np.ones((K, int(self.n_blocks.max())))
        for k, bs in enumerate(sizes):
            self.sizes[k, : bs.size] = bs
        self.rows = np.arange(K)
        self.cols = np.arange(batch + 1, dtype=np.int64)
        self.query = np.empty(2 * K, dtype=complex)
        self.query.real = np.concatenate([self.first_block, self.first_block])
        self.random_size = self.sizes[:, 0].copy()
        self.random_scale = np.full(K, 2.0 / batch)

    def window(
        self, t: int, low: np.ndarray, high: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Levels (K, M), a validity mask (K, M) and the gradient scale 2/|batch| (K,)."""
        K, query = self.K, self.query
        if self.schedule == "cyclic":
            j = (t - 1) % self.n_blocks
            query.real[:K] = query.real[K:] = self.first_block + j
        query.imag[:K] = low
        query.imag[K:] = high
        # side="left" for both ends: a level exactly at the (widened) upper end is outside
        # the ramp anyway.
        pos = np.searchsorted(self.keys, query)
        lo = pos[:K]
        span = pos[K:] - lo
        if self.schedule == "random":
            count = self.rng.binomial(self.batch, span / self.random_size)
            width = int(count.max())
            pick = (self.rng.random((K, width)) * span[:, None]).astype(np.int64)
            idx = lo[:, None] + pick
            scale = self.random_scale
        else:
            count = span
            width = int(count.max())
            idx = lo[:, None] + self.cols[:width]
            scale = 2.0 / self.sizes[self.rows, j]
        mask = self.cols[:width] < count[:, None]
        return self.flat[idx], mask, scale


def train_heads(
    levels: list[np.ndarray],
    rho: np.ndarray,
    *,
    steps: int,
    batch: int,
    schedule: str = "random",
    rule: StepRule | None = None,
    w0: float = 0.5,
    b0: np.ndarray | float = 0.0,
    probe_levels: np.ndarray | None = None,
    record_count: int = 160,
    track_gap: bool = False,
    seed: int = 0,
) -> HeadRun:
    """Minibatch GD on L_k(w, b) = mean_i (g(r_ki) − 1[r_ki ≤ ρ_k])² for K problems at once.

    ``levels`` holds K arrays of training levels r_ki (sizes may differ), ``rho`` the K
    levels ρ_k, ``probe_levels`` a (K, P) array of probe levels r(x) whose saturation is
    tracked at every step. ``track_gap`` also tracks, at every step, whether b lies in the
    sample's gap (r₋, r₊) around ρ and whether every training point is exact (the
    condition w(b − r₋) ≥ ½ and w(b − r₊) ≤ −½, under which every gradient is 0 forever).
    Returns a :class:`HeadRun`.
    """
    if schedule not in SCHEDULES:
        raise ValueError(f"unknown schedule {schedule!r} (known: {SCHEDULES})")
    rule = rule or StepRule()
    rng = np.random.default_rng(seed)
    K = len(levels)
    rho = np.asarray(rho, dtype=float).reshape(K)
    batches = _Batches(levels, batch, schedule, rng)
    rho_col = rho[:, None]
    probes = np.zeros((K, 0)) if probe_levels is None else np.asarray(probe_levels, dtype=float)
    probe_inside = probes <= rho_col
    last_bad = np.full(probes.shape, -1, dtype=np.int64)

    gap = np.full((K, 2), np.nan)
    if track_gap:
        gap = np.array([_gap(np.asarray(r, dtype=float), rho[k]) for k, r in enumerate(levels)])
        r_minus, r_plus = gap[:, 0], gap[:, 1]
    last_outside = np.full(K, -1, dtype=np.int64)
    first_fit = np.full(K, -1, dtype=np.int64)
    fit_w = np.full(K, np.nan)
    fit_b = np.full(K, np.nan)

    record = log_times(steps, record_count)
    rec_w = np.empty((record.shape[0], K))
    rec_b = np.empty((record.shape[0], K))
    w = np.full(K, float(w0))
    b = np.broadcast_to(np.asarray(b0, dtype=float), (K,)).copy()

    def observe(t: int) -> None:
        if probes.shape[1]:
            sp = w[:, None] * (b[:, None] - probes)
            ok = np.where(probe_inside, sp >= 0.5, sp <= -0.5)
            last_bad[~ok] = t
        if track_gap:
            last_outside[(b <= r_minus) | (b >= r_plus)] = t
            fit = (w * (b - r_minus) >= 0.5) & (w * (b - r_plus) <= -0.5) & (first_fit < 0)
            if fit.any():
                first_fit[fit] = t
                fit_w[fit] = w[fit]
                fit_b[fit] = b[fit]

    start = time.perf_counter()
    observe(0)
    rec_w[0], rec_b[0] = w, b
    next_rec = 1
    for t in range(1, steps + 1):
        # The ramp window (half-width 1/(2|w|)), widened by a relative 1e-9 so that rounding
        # never drops a point; the exact mask below decides.
        half = (0.5 + 1e-9) / np.maximum(np.abs(w), 1e-300) + 1e-12
        r, valid, scale = batches.window(t, b - half, b + half)
        u = b[:, None] - r
        s = w[:, None] * u
        # Inside the ramp (−½ ≤ s < ½) g = ½ + s and dg/ds = 1; elsewhere dg/ds = 0, so
        # c = (g − f) dg/ds.
        inside = s >= -0.5
        inside &= s < 0.5
        inside &= valid
        c = s + 0.5
        c -= r <= rho_col
        c *= inside
        grad_w = np.einsum("km,km->k", c, u) * scale
        grad_b = c.sum(axis=1) * w * scale
        eta_b = rule.b_step(w)
        w = w - rule.w_step(w) * grad_w
        b = b - eta_b * grad_b
        observe(t)
        if next_rec < record.shape[0] and t == record[next_rec]:
            rec_w[next_rec], rec_b[next_rec] = w, b
            next_rec += 1
    seconds = time.perf_counter() - start
    return HeadRun(
        times=record,
        w=rec_w,
        b=rec_b,
        last_bad=last_bad,
        first_exact_fit=first_fit,
        last_outside_gap=last_outside,
        gap=gap,
        fit_w=fit_w,
        fit_b=fit_b,
        steps=steps,
        batch=batch,
        schedule=schedule,
        rule=rule,
        seconds=seconds,
    )


def _gap(r: np.ndarray, rho: float) -> tuple[float, float]:
    below, above = r[r <= rho], r[r > rho]
    return (
        float(below.max()) if below.size else -np.inf,
        float(above.min()) if above.size else np.inf,
    )


@dataclass
class MLPRun:
    """Constant-step SGD on a dense MLP: final net, losses at log times, probe traces."""

    net: MLP
    times: np.ndarray
    loss: np.ndarray
    watch_steps: np.ndarray  # the last steps, at which probes were evaluated
    probe_values: np.ndarray  # (len(watch_steps), P)
    seconds: float


def train_mlp_sgd(
    net: MLP,
    X: np.ndarray,
    y: np.ndarray,
    *,
    steps: int,
    batch: int,
    eta: float,
    probes: np.ndarray,
    watch: int,
    seed: int,
    record_count: int = 60,
) -> MLPRun:
    """Constant-step minibatch SGD (random batches, with replacement) on every weight.

    The probe outputs are evaluated after each of the last ``watch`` steps, so oscillation
    is measured step by step, not between sparse records.
    """
    rng = np.random.default_rng(seed)
    net = net.copy()
    record = log_times(steps, record_count)
    losses = np.empty(record.shape[0])
    watch_steps = np.arange(max(1, steps - watch + 1), steps + 1)
    values = np.empty((watch_steps.shape[0], probes.shape[0]))
    start = time.perf_counter()
    losses[0] = float(np.mean((mlp_forward(net, X) - y) ** 2))
    next_rec, next_watch = 1, 0
    for t in range(1, steps + 1):
        idx = rng.integers(0, X.shape[0], size=batch)
        _, gW, gc = mlp_loss_and_gradient(net, X[idx], y[idx])
        for layer in range(len(net.weights)):
            net.weights[layer] -= eta * gW[layer]
            net.biases[layer] -= eta * gc[layer]
        if next_watch < watch_steps.shape[0] and t == watch_steps[next_watch]:
            values[next_watch] = mlp_forward(net, probes)
            next_watch += 1
        if next_rec < record.shape[0] and t == record[next_rec]:
            losses[next_rec] = float(np.mean((mlp_forward(net, X) - y) ** 2))
            next_rec += 1
    return MLPRun(
        net=net,
        times=record,
        loss=losses,
        watch_steps=watch_steps,
        probe_values=values,
        seconds=time.perf_counter() - start,
    )
