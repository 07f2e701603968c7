"""SR 1 — rescaling and balance (kind ``rescaling``).

Statement: f(x) = Σ_k v_k σ(w_kᵀx − b_k) + cᵀx + c_0 is invariant under the per-neuron
rescaling (v, w, b) → (v/γ, γw, γb); the minimum over γ of the weight decay
(λ/2)Σ_k(v_k² + ‖w_k‖²) is the path norm λ·Σ|v|‖w‖ (a γ-grid never goes below it); and
⟨∇F, (w, b, −v)_k⟩ = λ(‖w_k‖² − v_k²), so stationary points are balanced.

Instance: a random network with nonzero biases on Gaussian data in d = 2.
Checks: ``rescaling_identity`` (all three identities to 1e-10 rel).
Control: ``control_penalized_bias`` — with b penalized the minimum over γ is
λΣ|v|√(‖w‖² + b²), which differs from λΣ|v|‖w‖ (detected).
"""

from __future__ import annotations

import numpy as np

from relucheck.harness.claims import InstanceSpec
from relucheck.harness.records import CheckResult
from relucheck.models.univariate import skip_network as sn
from relucheck.theorems.common import REL_TOL
from relucheck.theorems.sparse_regularization.spec import IDENTITY_TOL, row

LAM = 0.3  # the weight-decay strength of the identities (any λ > 0 would do)

# --------------------------------------------------------------------------- instance


def random_skip_net(d: int, width: int, rng: np.random.Generator) -> sn.SkipNet:
    """A random network with nonzero biases (so the penalized-bias control can see them)."""
    return sn.SkipNet(
        W=rng.standard_normal((d, width)),
        b=rng.uniform(0.5, 1.5, width) * rng.choice([-1.0, 1.0], width),
        v=rng.standard_normal(width),
        c=rng.standard_normal(d),
        c0=float(rng.standard_normal()),
    )


# ----------------------------------------------------------------------------- checks


def rescaling_defects(
    X: np.ndarray, y: np.ndarray, net: sn.SkipNet, lam: float, rng: np.random.Generator
) -> dict[str, float]:
    """Relative defects of the three identities of SR 1 at ``net`` (all ≈ 0 when they hold)."""
    f = sn.forward(X, net)
    gamma = rng.uniform(0.2, 5.0, net.width)
    invariance = float(np.max(np.abs(sn.forward(X, sn.rescale(net, gamma)) - f)))
    invariance /= max(float(np.max(np.abs(f))), 1e-300)
    path = lam * sn.path_norm(net)
    balanced = sn.rescale(net, sn.balancing_factors(net))
    min_penalty = sn.penalty(balanced, lam)
    identity = abs(min_penalty - path) / path
    # a γ grid per neuron never beats the closed form (the minimum really is the path norm)
    grid = np.geomspace(1e-2, 1e2, 2001)[:, None]
    per_neuron = 0.5 * lam * (net.v**2 / grid**2 + grid**2 * np.sum(net.W**2, axis=0))
    grid_gap = float(np.sum(per_neuron.min(axis=0)) - path) / path  # ≥ 0 up to grid resolution
    # ⟨∇F, (w, b, −v)_k⟩ = λ(‖w_k‖² − v_k²): the rescaling derivative
    _, fun_single, layout = sn.flat_objective_functions(X, y, lam, net.width)
    _, grad = fun_single(layout.pack(net.W, net.b, net.v, net.c, net.c0))
    gW, gb, gv, _, _ = layout.unpack(grad)
    deriv = np.sum(gW * net.W, axis=0) + gb * net.b - gv * net.v
    expected = lam * (np.sum(net.W**2, axis=0) - net.v**2)
    scale = lam * float(np.max(np.sum(net.W**2, axis=0) + net.v**2))
    derivative = float(np.max(np.abs(deriv - expected))) / scale
    return {
        "invariance": invariance,
        "min_penalty_identity": identity,
        "grid_minus_path": grid_gap,
        "derivative_identity": derivative,
    }


def check_rescaling(spec: InstanceSpec) -> list[CheckResult]:
    """SR 1 on a random network with nonzero biases (d = 2)."""
    rng = np.random.default_rng(spec.seed)
    n, width = spec.p["n"], spec.p["width"]
    X = rng.standard_normal((n, 2))
    y = rng.standard_normal(n)
    net = random_skip_net(2, width, rng)
    defects = rescaling_defects(X, y, net, LAM, rng)
    worst = max(defects["invariance"], defects["min_penalty_identity"])
    worst = max(worst, defects["derivative_identity"])
    ok = worst <= IDENTITY_TOL and defects["grid_minus_path"] >= -IDENTITY_TOL
    identity = row(
        "rescaling_identity",
        ok,
        value=worst,
        tolerance=IDENTITY_TOL,
        margin=IDENTITY_TOL - worst,
        data={**defects, "n": n, "width": width, "lam": LAM},
    )
    return [identity, control_penalized_bias(net, LAM)]


# ---------------------------------------------------------------------------- control


def control_penalized_bias(net: sn.SkipNet, lam: float) -> CheckResult:
    """Biases penalized: minimizing over γ now gives λΣ|v|√(‖w‖² + b²), not the path norm."""
    balanced_b = sn.rescale(net, sn.balancing_factors(net, bias_penalty=True))
    min_pen_b = sn.penalty(balanced_b, lam, bias_penalty=True)
    path = lam * sn.path_norm(net)
    path_b = lam * sn.path_norm(net, with_bias=True)
    differs = abs(min_pen_b - path) / path
    matches_b = abs(min_pen_b - path_b) / path_b
    return row(
        "control_penalized_bias",
        differs > REL_TOL and matches_b <= IDENTITY_TOL,
        value=differs,
        tolerance=REL_TOL,
        margin=differs - REL_TOL,
        data={
            "min_penalty_with_bias": min_pen_b,
            "lam_path_norm": path,
            "lam_path_norm_with_bias": path_b,
            "relative_difference": differs,
            "with_bias_identity_defect": matches_b,
        },
    )
