"""PC's shared contract: the constants of the construction, the relation of every check, the
checks of each instance kind, and the rounding of stored arrays.

Every other module of the package imports from here (and from ``runs`` for the shared
training run); ``__init__`` alone imports the sub-claim modules, so there is no import cycle.
Rows are built with :func:`relucheck.theorems.common.held_row` / ``inconclusive_row`` on
``RELATIONS``; control-ness follows the ``control_*`` names.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from relucheck.harness.claims import InstanceSpec

CLAIM_ID = "PC"
ETA = 0.5  # step on w (and the scale of the b-step); η·p̂ < 1 for every target below
W0 = 0.5
B_OFFSET = 0.2  # b_0 = ρ + 0.2
BOUNDARY_TOL = 1e-2  # |g_t(x_∂) − ½| at the end of the sweep (docstring (1), (5))
GAP_TOL = 1e-2  # |w_T G − 1| and |b_T − mid|/G on the grid samples (docstring (6))
SLOPE_BAND = (-0.37, -0.30)
W_SLOPE_BAND = (0.30, 0.37)
HIT_SLOPE_BAND = (-3.5, -2.5)
DENSE_MIN_RAMP_POINTS = 1000
ULP_TOL = 4.0  # |g − f°| in units of eps·(1 + |s|): the rounding of ½ + s and s − ½
OFFSETS = tuple(float(x) for x in np.geomspace(0.25, 0.005, 12))
TRACE_OFFSETS = (-0.2, -0.05, -0.02, -0.01, 0.0, 0.01, 0.02, 0.05, 0.2)

#: The relation each check is held to, stated once and reused by every row.
RELATIONS = {
    "exact_after_finite_time": "every probe with |r-rho| >= 1/w_T: exact for all t >= tau, "
    "tau < T, and |g_T - f| <= 4 eps (1 + |s_T|)",
    "hitting_time_slope": "-3.5 <= loglog slope of tau vs |r - rho| <= -2.5 (theory -3)",
    "boundary_half": "median over last 10% of records |g_t(x_boundary) - 1/2| <= 1e-2",
    "w_growth_rate": "0.30 <= loglog slope of w_t on [T/100, T] <= 0.37 (theory 1/3)",
    "lp_error_rate": "-0.37 <= loglog slopes of ||e_t||_1 and ||e_t||_2^2 on [T/100, T] "
    "<= -0.30 (theory -1/3)",
    "stable_step_rule": "eta_b(w_t) * 2 p_hat w_t < 2 at every record",
    "limit_in_sample_gap": "r_minus < b_t < r_plus for every step t >= tau_b, tau_b < T",
    "gap_corner_limit": "grid samples: |w_T G - 1| <= 1e-2 and |b_T - mid| <= 1e-2 G",
    "gauge_ball_limit": "|MC - closed form| <= 5 sigma, slope of mu(f_N != f) in band, "
    "E_ball(N_max) <= E_ball(N_min)/3",
    "control_fixed_step_unstable": "every target: max eta*2p w_t >= 1.8, w slope on "
    "[T/10,T] < 0.15, max |g_t(x_boundary) - 1/2| on last 10% >= 0.05",
    "control_dense_mlp_oscillates": "some off-boundary probe: range over last steps >= 1e-3 "
    "and sign-change fraction >= 0.2",
    "control_fourier_centre": "closed form == quadrature (1e-9 rel); oscillation slope "
    "d=1 in [-1.2,-0.8], d=2 in [-0.7,-0.3]; d>=3 oscillation >= 0.5, slope >= -0.1",
}
CHECK_IDS = tuple(RELATIONS)

CHECKS_BY_KIND = {
    "sweep": (
        "exact_after_finite_time",
        "hitting_time_slope",
        "boundary_half",
        "w_growth_rate",
        "lp_error_rate",
        "stable_step_rule",
    ),
    "gap": ("limit_in_sample_gap", "gap_corner_limit"),
    "ball_n": ("gauge_ball_limit",),
    "fixed_step": ("control_fixed_step_unstable",),
    "mlp": ("control_dense_mlp_oscillates",),
    "fourier": ("control_fourier_centre",),
}


def checks_for(spec: InstanceSpec) -> tuple[str, ...]:
    """The checks one PC instance reports."""
    return CHECKS_BY_KIND[spec.p["kind"]]


def short(values: Any, digits: int = 6) -> Any:
    """Round floats to ``digits`` significant digits so stored rows stay small."""
    arr = np.asarray(values, dtype=float)
    out = np.vectorize(
        lambda x: float(f"{x:.{digits}g}") if np.isfinite(x) else None, otypes=[object]
    )(arr)
    return out.tolist() if arr.ndim else out.item()
