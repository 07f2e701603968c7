"""SR — weight decay is sparse regularization (claims.md, section SR).

Statement (Parhi & Nowak, IEEE SPM 2023, arXiv 2301.09554; JMLR 2021 representer theorem;
Savarese et al. 2019 in one dimension). Model f(x) = Σ_k v_k σ(w_kᵀx − b_k) + cᵀx + c_0 with
weight decay (λ/2)Σ_k(v_k² + ‖w_k‖²); biases and skip term free
(relucheck/models/univariate/skip_network.py). These are claims about GLOBAL minimizers, which are
often not unique: optimality is checked first (certified bounds), structure second, and
neurons are counted only after an exact reduction that never raises the penalty.

Instances (``kind``) and their checks (relation and tolerance in each row):
  rescaling      1. rescaling_identity    f invariant under (v,w,b) → (v/γ,γw,γb); min over γ of
                                          the weight decay = λ·Σ|v|‖w‖ (a γ-grid never goes
                                          below); ⟨∇F, (w,b,−v)_k⟩ = λ(‖w_k‖² − v_k²), so
                                          stationary points are balanced
                    control_penalized_bias with b penalized the minimum over γ is
                                          λΣ|v|√(‖w‖²+b²) and differs from λΣ|v|‖w‖ (detected)
  one_d          2. tv_exact_certified    trend filtering: exact method certified (gap ≤ 1e-9)
                                          and the conic program agrees (1e-6 rel)
                    nn_above_opt          EVERY run ≥ certified lower − 1e-6 rel
                    nn_close_opt          best run within 1e-2 rel (soft)
                    fitted_values_agree   ‖θ_NN − θ*‖ ≤ √(2(F_NN − lower)) (1-strong convexity)
                    balance_near_optimum  (λ/2)Σ(|v_k| − ‖w_k‖)² ≤ F_NN − lower: near-optimal
                                          nets are near-balanced
                    knot_structure        weight of neurons kinking outside [x_1, x_n] ≤
                                          (F_NN − lower)/λ; after reduction K ≤ n − 2 and the
                                          objective did not rise
                    control_lambda_tenth  a net trained at λ/10, balanced and evaluated at λ,
                                          is more than 1e-2 above the optimum (detected)
  interpolation     interpolation_costs   certified LP minima: with skip = T = ‖Dy‖₁, without
                                          skip = max(T, (T + |s_1 + s_{n−1}|)/2) (1e-6 rel)
                    control_skip_formula  on convex data the skip formula T is detected as
                                          wrong for a network without skip
  representer    3. representer_count     reduced width K ≤ n − (d + 1), objective not raised
                    certified_gap_2d      every run ≥ exact-sup dual lower bound; the network
                                          refined by conditional gradient (the certificate's
                                          own neuron oracle) within 1e-4 of it (soft)
                    control_suboptimal    the reduced net minus its heaviest neuron is
                                          certified > 1e-2 above optimal (detected)
  deep_linear    4. deep_linear_closed_form  every GD run ≥ closed form − 1e-8 rel; best within
                                          1e-6 rel with the closed-form singular values
                    factorization_identity balanced factors attain (L/2)Σσ^{2/L}; random
                                          re-factorizations of the same product never go below
                    rank_drops_with_depth closed-form ranks non-increasing in L, rank(L_max) <
                                          rank(1), GD ranks equal them wherever GD reached
                                          the closed form (INCONCLUSIVE if it did not)
                    control_lambda_zero   λ = 0: GD keeps full rank (detected)
  maurey         5. maurey_rate           K-term sub-sampling: log-log slope in [−0.6, −0.4]
                                          and RMS error ≤ 1.25·2/√K for d ∈ {2, 10, 100}
                    control_biased_sampler signs forgotten: slope > −0.4 (detected)

Layout: ``spec`` (check ids, relations, checks per kind, instance grid, row helpers), one
module per family in the order above — ``rescaling``, ``one_dimension`` (one_d and
interpolation), ``representer``, ``deep_linear``, ``maurey`` — and ``plots``. Each family
module reads statement → instance data → checks → controls.
"""

from __future__ import annotations

from relucheck.harness.claims import Claim, InstanceSpec, RunOptions
from relucheck.harness.records import CheckResult
from relucheck.theorems.common import FamilyRun, run_by_kind
from relucheck.theorems.sparse_regularization import (
    deep_linear,
    maurey,
    one_dimension,
    representer,
    rescaling,
)
from relucheck.theorems.sparse_regularization.plots import figures
from relucheck.theorems.sparse_regularization.spec import (
    CHECK_IDS,
    CHECKS_BY_KIND,
    CLAIM_ID,
    RELATIONS,
    checks_for,
    instances,
)

__all__ = [
    "CHECKS_BY_KIND",
    "CHECK_IDS",
    "CLAIM",
    "CLAIM_ID",
    "RELATIONS",
    "check",
    "checks_for",
    "figures",
    "instances",
]

#: How each instance kind is run (one family module each); the kinds of CHECKS_BY_KIND.
RUNS: dict[str, FamilyRun] = {
    "rescaling": lambda spec, options: rescaling.check_rescaling(spec),
    "one_d": one_dimension.check_one_d,
    "interpolation": one_dimension.check_interpolation,
    "representer": lambda spec, options: representer.check_representer(spec),
    "deep_linear": lambda spec, options: deep_linear.check_deep_linear(spec),
    "maurey": lambda spec, options: maurey.check_maurey(spec),
}


def check(spec: InstanceSpec, options: RunOptions) -> list[CheckResult]:
    """Dispatch on the instance kind."""
    return run_by_kind(CLAIM_ID, RUNS, spec, options)


CLAIM = Claim(
    id=CLAIM_ID,
    title="Weight decay is sparse regularization",
    citation="Parhi & Nowak, Deep Learning Meets Sparse Regularization, IEEE SPM 2023 "
    "(arXiv 2301.09554); Parhi & Nowak JMLR 2021; Savarese et al. 2019",
    statement="With free biases and skip term, weight decay equals the path norm after "
    "rescaling; in 1-D it is TV(f') and training is trend filtering; some solution has at "
    "most n-(d+1) neurons; deep linear weight decay is a Schatten-2/L penalty (low rank as "
    "L grows); a unit-path-norm network is approximated at rate K^(-1/2) in any dimension.",
    check_ids=CHECK_IDS,
    instances=instances,
    check=check,
    figures=figures,
    checks_for=checks_for,
    own_derivation=(
        "Our derivations: the exact d = 2 neuron supremum and its dual bound "
        "(models/radon/dual_2d.py), the Carathéodory reduction modulo affine functions "
        "(models/univariate/skip_reduction.py), the no-skip interpolation formula's proof sketch "
        "(models/univariate/splines.py), the per-singular-value closed form for L >= 3 via von "
        "Neumann's inequality (models/radon/deep_linear.py), the trend-filtering dual active-set "
        "method (solvers/trend_filter_1d.py), and the quantitative relations 'near-optimal => "
        "near-balanced' and 'outside-knot weight <= suboptimality / lambda'."
    ),
    budget_seconds=150.0,
)
