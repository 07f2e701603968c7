"""Spherical Fourier partial sums of a ball indicator at the centre, in closed form (PC control).

claims.md, section PC: the seed contrasts its network with Fourier partial sums, which fail to
converge pointwise at the centre of a ball for d ≥ 3 (Pinsky–Stanton–Trapa). Derivation
(this harness's own, checked against quadrature in the tests):

With f̂(ξ) = ∫ f(x) e^{−2πi x·ξ} dx, the spherical partial sum at the centre is
S_R f(0) = ∫_{|ξ|≤R} f̂(ξ) dξ. For f = 1[‖x‖ ≤ ρ] in R^d, with ν = d/2,

    f̂(ξ) = ρ^ν |ξ|^{−ν} J_ν(2πρ|ξ|)                                       (Bessel J)

(the unit ball's transform |ξ|^{−ν} J_ν(2π|ξ|), scaled by f̂_ρ(ξ) = ρ^d f̂_1(ρξ)). Polar
coordinates (sphere area ω_{d−1} = 2π^ν/Γ(ν)) and u = 2πρs give

    S_R f(0) = ω_{d−1} ρ^ν ∫_0^R s^{ν−1} J_ν(2πρs) ds = c_d ∫_0^T u^{ν−1} J_ν(u) du,
    T = 2πρR,   c_d = ω_{d−1} (2π)^{−ν} = 2^{1−ν} / Γ(ν),

which depends on ρ and R only through T. Let I_ν(T) = ∫_0^T u^{ν−1}J_ν(u) du. Since
u^{ν−1}J_ν = −u^{2ν−2} d/du[u^{1−ν}J_{ν−1}], integrating by parts (for ν > 1 the boundary
term at 0 vanishes) gives I_ν(T) = −T^{ν−1}J_{ν−1}(T) + 2(ν−1) I_{ν−1}(T), and because
c_d · 2(ν−1) = c_{d−2},

    S_d(T) = S_{d−2}(T) − c_d T^{ν−1} J_{ν−1}(T),                            (recursion)
    S_1(T) = (2/π) Si(T)          (J_{1/2}(u) = √(2/(πu)) sin u),
    S_2(T) = 1 − J_0(T)           (J_1 = −J_0').

Since J_{ν−1}(T) ≈ √(2/(πT)) cos(T − (ν−1)π/2 − π/4), the term added at each step of the
recursion has amplitude ≈ c_d √(2/π) T^{(d−3)/2}:
  d = 1: S → 1 with oscillation O(T⁻¹);  d = 2: S → 1 with oscillation O(T^{−1/2});
  d = 3: S = (2/π)(Si T − sin T) → 1 − (2/π) sin T: bounded oscillation that never decays;
  d ≥ 4: oscillation growing like T^{(d−3)/2}.
So the partial sums converge at the centre for d ≤ 2 and do not for d ≥ 3. (claims.md says
"oscillate for d = 2"; by this closed form they do oscillate, with amplitude decaying like
T^{−1/2}, i.e. they converge.)
"""

from __future__ import annotations

import numpy as np
from scipy import integrate, special


def _c(d: int) -> float:
    nu = d / 2.0
    return float(2.0 ** (1.0 - nu) / special.gamma(nu))


def centre_partial_sum(d: int, T: np.ndarray | float) -> np.ndarray:
    """S_d(T): the spherical partial sum of 1[‖x‖ ≤ ρ] at 0, T = 2πρR (closed form)."""
    T = np.asarray(T, dtype=float)
    if d < 1:
        raise ValueError("d >= 1")
    base = 2 - d % 2
    S = (2.0 / np.pi) * special.sici(T)[0] if base == 1 else 1.0 - special.j0(T)
    for dd in range(base + 2, d + 1, 2):
        nu = dd / 2.0
        S = S - _c(dd) * T ** (nu - 1.0) * special.jv(nu - 1.0, T)
    return S


def centre_partial_sum_quadrature(d: int, T: float) -> float:
    """The same S_d(T) by adaptive quadrature of c_d ∫_0^T u^{ν−1} J_ν(u) du (cross-check).

    Integrated over [kπ, (k+1)π] pieces (one sign change of the oscillation each).
    """
    nu = d / 2.0

    def integrand(u: float) -> float:
        return u ** (nu - 1.0) * special.jv(nu, u)

    edges = np.append(np.arange(0.0, T, np.pi), T)
    total = 0.0
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        if b > a:
            total += integrate.quad(integrand, a, b, epsabs=1e-13, epsrel=1e-11, limit=200)[0]
    return _c(d) * total


def window_oscillation(d: int, T_low: float, T_high: float, samples: int = 4000) -> float:
    """max − min of S_d over [T_low, T_high] on a grid finer than the period 2π."""
    grid = np.linspace(T_low, T_high, max(samples, int(8 * (T_high - T_low) / np.pi)))
    S = centre_partial_sum(d, grid)
    return float(S.max() - S.min())
