"""SR 5 — Maurey sub-sampling: a dimension-free K^(-1/2) rate (kind ``maurey``).

Statement (Parhi & Nowak, SPM 2023, via Maurey's lemma): a network of unit path norm is
approximated in L² by a K-neuron network at rate O(K^(-1/2)), with a constant that does not
depend on the input dimension d; sampling neurons with probability ∝ |v_k|‖w_k‖ and
keeping their signs gives RMS error ≤ 2/√K.

Instance: random unit-path-norm networks and points on the sphere for d ∈ {2, 10, 100}.
Checks: ``maurey_rate`` (log-log slope in [−0.6, −0.4] and RMS error ≤ 1.25·2/√K for
every d).
Control: ``control_biased_sampler`` — the sampler that forgets the signs is biased and its
slope is > −0.4 (detected).
"""

from __future__ import annotations

import numpy as np

from relucheck.harness.claims import InstanceSpec
from relucheck.harness.records import CheckResult
from relucheck.models.radon import maurey
from relucheck.theorems.fits import loglog_slope
from relucheck.theorems.sparse_regularization.spec import row

# ----------------------------------------------------------------------------- checks


def check_maurey(spec: InstanceSpec) -> list[CheckResult]:
    """SR 5: K-term sub-samples of unit-path-norm networks, d ∈ {2, 10, 100}."""
    p = spec.p
    Ks = np.array(p["Ks"])
    rng = np.random.default_rng(spec.seed)
    curves, biased_curves, slopes, biased_slopes, constants = {}, {}, {}, {}, {}
    ok, worst_ratio = True, 0.0
    for d in p["dims"]:
        net = maurey.random_network(d, p["width"], rng)
        X = maurey.sphere_points(p["points"], d, rng)
        err = maurey.subsample_errors(net, X, tuple(Ks), p["repeats"], rng)
        bad = maurey.subsample_errors(net, X, tuple(Ks), p["repeats"], rng, biased=True)
        slope = loglog_slope(Ks, err)
        ratio = float(np.max(err * np.sqrt(Ks) / 2.0))  # against the dimension-free 2/√K
        ok &= -0.6 <= slope <= -0.4 and ratio <= 1.25
        worst_ratio = max(worst_ratio, ratio)
        curves[str(d)], biased_curves[str(d)] = err.tolist(), bad.tolist()
        slopes[str(d)] = slope
        biased_slopes[str(d)] = loglog_slope(Ks, bad)
        constants[str(d)] = float(np.sqrt(maurey.expected_sq_error_constant(net, X)))
    data = {
        "Ks": Ks.tolist(),
        "dims": list(p["dims"]),
        "rms": curves,
        "slopes": slopes,
        "exact_constants": constants,
        "biased_rms": biased_curves,
        "biased_slopes": biased_slopes,
    }
    worst_slope = float(max(abs(s + 0.5) for s in slopes.values()))
    rate = row(
        "maurey_rate",
        ok,
        value=worst_slope,
        tolerance=0.1,
        margin=0.1 - worst_slope,
        data={**data, "worst_bound_ratio": worst_ratio},
    )
    return [rate, control_biased_sampler(biased_slopes)]


# ---------------------------------------------------------------------------- control


def control_biased_sampler(biased_slopes: dict[str, float]) -> CheckResult:
    """The sign-forgetting sampler (drawn beside the honest one above) loses the rate."""
    worst_biased = float(min(biased_slopes.values()))
    return row(
        "control_biased_sampler",
        worst_biased > -0.4,
        value=worst_biased,
        tolerance=0.1,
        margin=worst_biased + 0.4,
        data={"biased_slopes": biased_slopes},
    )
