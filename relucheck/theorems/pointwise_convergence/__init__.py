"""PC — pointwise convergence of minibatch gradient descent on indicator targets (claims.md, PC).

Seed (arXiv 2304.08172): a sparse ReLU network "with certain variable transformations" for
which minibatch gradient descent converges pointwise to a non-smooth indicator target; later
versions: the indicator of a d-ball, ‖f_N(W^t) − f°_N‖ ≲ t^{−1/3}, f°_N → f° as N → ∞, and
a contrast with Fourier partial sums, which fail to converge at the centre for d ≥ 3. The
paper's network and step rule are not available to us. Everything below about the network,
its step rule and its rates is THIS HARNESS'S OWN CONSTRUCTION AND DERIVATION (the
construction is the one claims.md states), checked numerically; it is not the paper's proof.

Construction (models/indicators/: relu_max_tree.py, polyhedral_gauge.py, network.py)
    f°(x) = 1[r(x) ≤ ρ] on Ω = [−1, 1]^d, μ uniform on Ω, r(x) = max_i u_iᵀx computed exactly
    by a ReLU tree (max(a, b) = a + σ(b − a)): a half-space, box, simplex, or the N-direction
    gauge r_N of the ball (f°_N = 1[r_N ≤ ρ]). Head g = σ(½ + w(b − r)) − σ(−½ + w(b − r)),
    a clipped ramp of width 1/w centred at b. Train (w, b) by minibatch GD on
    L = mean_i (g(x_i) − f°(x_i))², batches random or cyclic, with the step rule
    η_w = η, η_b = η / max(w, 1)³ (solvers/minibatch_gd.py states why).

Derivation of the rates (ours). Let ν be the law of r(X), X ~ μ, with density p near ρ;
p_ρ = p(ρ), p' = p'(ρ). Write v = r − ρ, δ = b − ρ, s = w(b − r) = w(δ − v). On the ramp
|s| ≤ ½ the head is ½ + s and f° = 1[v ≤ 0]; off it both are equal. For δ = 0 the error is
g − f° = sign(v)(½ − w|v|) on |v| ≤ 1/(2w). With p(r) dr ≈ p_ρ ds/w, for |δ| ≤ 1/(2w):

    L(w, b) = ∫(g − f°)² dν = (p_ρ/3w)[(½ − wδ)³ + (½ + wδ)³] + O(p'/w²)
            = p_ρ/(12 w) + p_ρ w δ² + O(p'/w²),
    ∂L/∂w = −p_ρ/(12 w²) + p_ρ δ²,   ∂L/∂b = 2 p_ρ w δ + p'/(12 w)   (the p' term from
    ∫ p' v · 2w sign(v)(½ − w|v|) dv).

(1) b tracks its minimizer δ* = −p'/(24 p_ρ w²) (curvature 2p_ρw, step η/w³: relaxation time
    w²/(2p_ρη) = o(t)), so the boundary value g(ρ) − ½ = wδ* = −p'/(24 p_ρ w) → 0.
(2) With δ ≈ δ*, w_{t+1} = w_t + η p_ρ/(12 w_t²): w_t³ = w_0³ + (η p_ρ/4) t, w_t ∝ t^{1/3}.
(3) ∫|g − f°| dν = p_ρ/(4w) + O(wδ²) and ∫|g − f°|² dν = p_ρ/(12w): both ∝ t^{−1/3}. Hence
    ‖g_t − f°‖_{L^p(μ)} ∝ t^{−1/(3p)}: the t^{−1/3} rate holds for the L¹ norm and for the
    p-th power of every L^p norm; the L² NORM decays like t^{−1/6}. We check the slopes of
    ‖e_t‖₁ and ‖e_t‖₂² and report that of ‖e_t‖₂.
(4) A point with |r(x) − ρ| = Δ is exact (head saturated on the correct side, g = f°) once
    w_t(Δ − |δ_t|) ≥ ½, i.e. after the finite time τ(Δ) ≈ ((2Δ)^{−3} − w_0³)/(η p_ρ/4) ∝ Δ^{−3},
    and stays exact since w_t keeps growing and δ_t → 0.
(5) Noise: the batch gradient in b has variance ≈ p_ρw/(3B); with η_b = η/w³ the stationary
    spread of wδ is √(η/(12Bw)) → 0. On a FINITE sample of n points the empirical minimizer
    of b moves by ≈ √(w/(12 n p_ρ)), which GROWS with w: (1)–(4) describe the dense regime,
    in which the ramp holds many samples (n p_ρ / w ≫ 1); the instances keep n·p̂/w_T ≥ 1000.
(6) Gap regime (finite sample with nearest levels r₋ ≤ ρ < r₊, G = r₊ − r₋): L = 0 iff
    w(b − r₋) ≥ ½ and w(r₊ − b) ≥ ½, which needs w ≥ 1/G. While w < 1/G both nearest levels
    sit in the ramp and b balances their residuals, so (w, b) → (1/G, (r₋ + r₊)/2): b enters
    the gap in finite time and stays; w_t converges (the t^{1/3} law is a transient); the loss
    tends to 0 only asymptotically (geometrically on a grid), never exactly (the nearest
    samples are fitted in the limit only); the limit is the linear interpolation across the
    gap, with boundary value ½ + ((r₋ + r₊)/2 − ρ)/G — equal to ½ only if ρ is the gap's
    midpoint. Probes with r(x) outside [r₋, r₊] become exact in finite time, probes inside
    the gap never.

What a PASS means. The seed's statements, read on this construction: "pointwise convergence,
exact off the boundary" is (4) (finite hitting times, tracked at every step, with their Δ⁻³
law); "½ on the boundary" is (1); "‖f_N(W^t) − f°_N‖ ≲ t^{−1/3}" is (2)–(3) with the norm made
explicit (L¹, or the squared L²); "f°_N → f°" is checked on the polygonal gauge with its closed
form. These are finite-t checks of limit statements in the dense regime (5); the finite-sample
limit is (6). A PASS says this construction behaves as derived; it does not check the paper's
own network or proof, which we do not have.

Checks (relation and tolerance in every row; per-target numbers in ``data``):
  sweep-{random,cyclic}  targets in d ∈ {1,2,3} (quick) / {1,2,3,5,8} (full), n = 10⁶ samples
    exact_after_finite_time  every probe with |r − ρ| ≥ 1/w_T is exact from a finite step τ
                             on (tracked at every step), and there |g_T − f°| ≤ 4 eps (1 + |s|)
                             (float rounding of ½ + s in the ReLU formula)
    hitting_time_slope       log-log slope of τ against |r − ρ| in [−3.5, −2.5] (theory −3)
    boundary_half            median over the last 10% of records of |g_t(x_∂) − ½| ≤ 1e-2
    w_growth_rate            log-log slope of w_t on [T/100, T] in [0.30, 0.37]
    lp_error_rate            slopes of ‖e_t‖₁ and ‖e_t‖₂² (against μ, on an independent sample)
                             in [−0.37, −0.30]
    stable_step_rule         η_b(w_t)·2p̂w_t < 2 at every record (the hypothesis of the rule)
  gap                        samples with a gap around ρ (coarse grids, a margin)
    limit_in_sample_gap      b_t ∈ (r₋, r₊) for every step from a finite step on
    gap_corner_limit         grid samples: |w_T G − 1| ≤ 1e-2 and |b_T − mid| ≤ 1e-2 G
  ball-N                     d = 2, N equally spaced directions (full: also d = 3)
    gauge_ball_limit         μ(f°_N ≠ f°) = ρ²(N tan(π/N) − π)/4 within 5σ (Monte Carlo), slope
                             in N in [−2.3, −1.7] (d = 3: [−1.3, −0.7]); the trained network's
                             L¹ error to the BALL f° falls to ≤ 1/3 of its value at the smallest N
Negative controls (PASS = the harness detected what the control is meant to show):
  control_fixed_step_unstable   fixed step on b (hypothesis violated; w_t stalls at the edge of
                                stability w ≈ 1/(η p_ρ)): η·2p̂w_t reaches ≥ 1.8,
                                w_t stalls (slope < 0.15 on [T/10, T]) and the boundary value
                                oscillates (≥ 0.05) — for every target
  control_dense_mlp_oscillates  dense ReLU MLP of the same ReLU depth, constant-step SGD: some
                                off-boundary probe still moves by ≥ 1e-3 over the last steps,
                                with sign changes: "no guarantee", never a failure of the claim
  control_fourier_centre        closed form = quadrature (1e-9 rel); oscillation of S_d(T) over
                                [T/2, T]: decays for d = 1 (slope ≈ −1) and d = 2 (≈ −½), does
                                not for d ≥ 3 (≥ 0.5, slope ≥ −0.1)

Layout: ``spec`` (constants, relations, checks per kind), ``instances`` (the grid), ``runs``
(the training run the sweep and its fixed-step control share); one module per sub-claim, each
reading statement -> instances -> checks -> controls: ``sweep`` ((1)-(5)), ``gap`` ((6)),
``ball_n`` (f°_N → f°), ``controls`` (the three negative controls); ``plots`` (the figures).
Only this module imports the sub-claim modules, so there is no import cycle.
"""

from __future__ import annotations

from relucheck.harness.claims import Claim, InstanceSpec, RunOptions
from relucheck.harness.records import CheckResult
from relucheck.theorems.common import FamilyRun, run_by_kind
from relucheck.theorems.pointwise_convergence.ball_n import check_ball_n
from relucheck.theorems.pointwise_convergence.controls import (
    check_fixed_step,
    check_fourier,
    check_mlp,
)
from relucheck.theorems.pointwise_convergence.gap import check_gap
from relucheck.theorems.pointwise_convergence.instances import (
    FULL_TARGETS,
    GAP_TARGETS,
    QUICK_TARGETS,
    instances,
)
from relucheck.theorems.pointwise_convergence.plots import figures
from relucheck.theorems.pointwise_convergence.spec import (
    CHECK_IDS,
    CHECKS_BY_KIND,
    CLAIM_ID,
    RELATIONS,
    checks_for,
)
from relucheck.theorems.pointwise_convergence.sweep import check_sweep

__all__ = [
    "CHECKS_BY_KIND",
    "CHECK_IDS",
    "CLAIM",
    "CLAIM_ID",
    "FULL_TARGETS",
    "GAP_TARGETS",
    "QUICK_TARGETS",
    "RELATIONS",
    "check",
    "checks_for",
    "figures",
    "instances",
]


#: How each instance kind is run (no PC family needs the run options).
RUNS: dict[str, FamilyRun] = {
    "sweep": lambda spec, options: check_sweep(spec),
    "gap": lambda spec, options: check_gap(spec),
    "ball_n": lambda spec, options: [check_ball_n(spec)],
    "fixed_step": lambda spec, options: [check_fixed_step(spec)],
    "mlp": lambda spec, options: [check_mlp(spec)],
    "fourier": lambda spec, options: [check_fourier(spec)],
}


def check(spec: InstanceSpec, options: RunOptions) -> list[CheckResult]:
    """Dispatch on the instance kind."""
    return run_by_kind(CLAIM_ID, RUNS, spec, options)


CLAIM = Claim(
    id=CLAIM_ID,
    title="Pointwise convergence of minibatch GD on indicator targets",
    citation="arXiv 2304.08172 (seed); construction, step rule and rates: this harness "
    "(claims.md PC); Fourier contrast: Pinsky-Stanton-Trapa",
    statement="For the sparse ReLU network g = clip-ramp(w(b - r(x))) with r a ReLU max tree "
    "(half-space, box, simplex, N-direction ball gauge), minibatch GD with eta_b = eta/w^3 "
    "makes g_t(x) = f(x) exactly after a finite time tau ~ |r(x)-rho|^-3 off the boundary, "
    "g_t -> 1/2 on it, w_t ~ t^(1/3), ||g_t - f||_1 ~ t^(-1/3) (L^2 norm: t^(-1/6)); on a "
    "sample with a gap b_t enters the gap; f_N -> f as N grows; Fourier partial sums at the "
    "centre converge for d <= 2 and not for d >= 3.",
    check_ids=CHECK_IDS,
    instances=instances,
    check=check,
    figures=figures,
    checks_for=checks_for,
    own_derivation="The paper's network is not available: the construction (ReLU max-tree "
    "transformation + clipped-ramp head), the step rule eta_b = eta/max(w,1)^3, the rates "
    "w^3 = w0^3 + (eta p/4) t, L1 error p/(4w), hitting time ((2D)^-3 - w0^3)/(eta p/4), the "
    "boundary bias -p'/(24 p w), the gap-regime corner limit (w, b) -> (1/G, midpoint), the "
    "reading 't^(-1/3) = L1 norm (L2 norm decays like t^(-1/6))', and the Bessel recursion "
    "for the Fourier partial sums are this harness's own derivations (docstrings of "
    "theorems/pointwise_convergence/ and models/indicators/fourier_ball.py), not the seed's text.",
    budget_seconds=300.0,
)
