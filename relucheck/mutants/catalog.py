"""Planted defects ("mutants"): deliberate bugs in the mathematics that the harness must catch.

Each :class:`Mutant` is data: the file, the exact text to replace (it must occur exactly once
in the current tree, so a mutant cannot silently rot when the code changes: the runner and a
default-suite test refuse it otherwise), the replacement, and the claim whose quick profile
must turn to FAIL (or ERROR) because of it. ``instances`` narrows the run to the named
quick-profile instances of that claim where the whole profile would be slow (empty: all).

A mutant plants a bug in the models, solvers or a claim's experimental set-up, never in the
code of a check itself: a check weakened to always pass is not a defect the harness can be
asked to see. ``make mutants`` (``python -m relucheck.mutants``) applies them one at a time
in a private copy of the tree.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mutant:
    """One planted defect: replace ``search`` (exactly once) by ``replace`` in ``path``."""

    id: str
    claim: str
    path: str  # relative to the repository root
    search: str
    replace: str
    description: str
    instances: tuple[str, ...] = ()  # quick-profile instance names to run; () = all
    solver: str | None = None  # ``verify --solver``; None: the default (auto)


MUTANTS: tuple[Mutant, ...] = (
    # ----------------------------------------------------------------------------- CE
    Mutant(
        id="ce-cone-sign-flipped",
        claim="CE",
        path="relucheck/models/two_layer/convex_program.py",
        search="        S = 2.0 * M - 1.0\n",
        replace="        S = 1.0 - 2.0 * M\n",
        description="cone constraints (2D_i - I) X v_i >= 0 with the sign flipped",
    ),
    Mutant(
        id="ce-cone-missing",
        claim="CE",
        path="relucheck/models/two_layer/convex_program.py",
        search="constraints += [cp.multiply(S, X @ V) >= 0, cp.multiply(S, X @ W) >= 0]",
        replace="constraints += [cp.multiply(S, X @ V) >= 0]",
        description="the cone constraint on the negative groups w_i is missing",
    ),
    Mutant(
        id="ce-reconstruction-scale",
        claim="CE",
        path="relucheck/models/two_layer/reconstruction.py",
        search="    scale_v = np.sqrt(norms_v[keep_v])\n    scale_w = np.sqrt(norms_w[keep_w])\n",
        replace="    scale_v = norms_v[keep_v]\n    scale_w = norms_w[keep_w]\n",
        description="reconstruction u = v/||v||, alpha = ||v|| instead of the sqrt(||v||) split",
    ),
    Mutant(
        id="ce-dual-unscaled",
        claim="CE",
        path="relucheck/models/two_layer/certificate.py",
        search="    scale = 1.0 if gauge <= beta else beta / gauge\n    point = scale * residual\n",
        replace="    scale = 1.0\n    point = scale * residual\n",
        description="squared-loss dual bound without the scaling s = min(1, beta/gauge)",
    ),
    # The same claim through the project's own solver (``verify --solver fast``).
    Mutant(
        id="ce-fast-dual-unscaled",
        claim="CE",
        path="relucheck/solvers/fast_two_layer.py",
        search="        s = 1.0 if gauge <= beta else beta / gauge\n",
        replace="        s = 1.0\n",
        description="fast solver's stopping bound without the scaling s = min(1, beta/gauge)",
        solver="fast",
    ),
    Mutant(
        id="ce-fast-scan-unprojected",
        claim="CE",
        path="relucheck/models/two_layer/gauge_scan.py",
        search="nxt = np.maximum(z - grad / self._lipschitz, 0.0)",
        replace="nxt = z - grad / self._lipschitz",
        description="gauge-scan multipliers not kept >= 0 (bounds no longer certified)",
        solver="fast",
    ),
    # ----------------------------------------------------------------------------- PT
    Mutant(
        id="pt-count-off-by-one",
        claim="PT",
        path="relucheck/models/arrangements/patterns.py",
        search="    return 2 * sum(math.comb(n - 1, k) for k in range(r))\n",
        replace="    return 2 * sum(math.comb(n - 1, k) for k in range(r + 1))\n",
        description="Cover's count summed over k <= r instead of k < r",
    ),
    Mutant(
        id="pt-sampled-declared-exact",
        claim="PT",
        path="relucheck/models/arrangements/patterns.py",
        search='exact=False, rank=numerical_rank(X), method="sampled")',
        replace='exact=True, rank=numerical_rank(X), method="sampled")',
        description="Gaussian-gate sampled patterns declared an exact enumeration",
    ),
    # ----------------------------------------------------------------------- LASSO-1D
    Mutant(
        id="lasso-knots-at-midpoints",
        claim="LASSO-1D",
        path="relucheck/solvers/lasso_1d.py",
        search="t = np.unique(x) if breakpoints is None else np.asarray(",
        replace="t = np.convolve(np.unique(x), [0.5, 0.5], 'valid') if breakpoints is None "
        "else np.asarray(",
        description="wrong knot rule: default ramp breakpoints at data midpoints, not the data",
    ),
    Mutant(
        id="lasso-dual-unscaled",
        claim="LASSO-1D",
        path="relucheck/models/univariate/ramp_lasso.py",
        search="    scale = 1.0 if gauge <= beta else beta / gauge\n",
        replace="    scale = 1.0\n",
        description="Lasso dual bound without the scaling s = min(1, beta/||A^T P r||_inf)",
    ),
    # ----------------------------------------------------------------------------- SR
    Mutant(
        id="sr-deep-linear-closed-form",
        claim="SR",
        path="relucheck/models/radon/deep_linear.py",
        search="        return max(sigma - lam, 0.0)\n",
        replace="        return max(sigma - lam / 2, 0.0)\n",
        description="deep linear L = 2 closed form: soft threshold at lam/2 instead of lam",
    ),
    Mutant(
        id="sr-interpolation-formula",
        claim="SR",
        path="relucheck/models/univariate/splines.py",
        search="    return max(T, 0.5 * (T + abs(s[0] + s[-1])))\n",
        replace="    return max(T, 0.5 * (T + abs(s[0] - s[-1])))\n",
        description="no-skip interpolation cost with |s_1 - s_(n-1)| for |s_1 + s_(n-1)|",
    ),
    Mutant(
        id="sr-balancing-exponent",
        claim="SR",
        path="relucheck/models/univariate/skip_network.py",
        search="    gamma[ok] = np.sqrt(np.abs(net.v[ok]) / norm[ok])\n",
        replace="    gamma[ok] = np.abs(net.v[ok]) / norm[ok]\n",
        description="balancing rescaling gamma = |v|/||w|| instead of sqrt(|v|/||w||)",
    ),
    # ----------------------------------------------------------------------------- PR
    Mutant(
        id="pr-second-layer-cone-sign",
        claim="PR",
        path="relucheck/models/parallel/program.py",
        search="        S2 = np.where(groups.D2, 1.0, -1.0) * mixed  # (G, n)\n",
        replace="        S2 = np.where(groups.D2, -1.0, 1.0) * mixed  # (G, n)\n",
        description="second-layer cone (2D_2 - I) h >= 0 with the sign flipped",
        instances=("exact-m2",),
    ),
    Mutant(
        id="pr-dual-unscaled",
        claim="PR",
        path="relucheck/models/parallel/certificate.py",
        search="    scale = 1.0 if gauge <= beta else beta / gauge\n",
        replace="    scale = 1.0\n",
        description="path dual bound without the scaling s = min(1, beta/max_g gauge_g)",
        instances=("exact-m2",),
    ),
    # ----------------------------------------------------------------------------- PC
    Mutant(
        id="pc-fixed-step-declared-convergent",
        claim="PC",
        path="relucheck/solvers/minibatch_gd.py",
        search="        return self.eta / np.maximum(w, 1.0) ** self.power\n",
        replace="        return self.eta * np.ones_like(w)\n",
        description="the b-step ignores the eta/w^3 rule: fixed-step GD run as the convergent rule",
        instances=("sweep-random",),
    ),
    Mutant(
        id="pc-polygon-closed-form",
        claim="PC",
        path="relucheck/models/indicators/polyhedral_gauge.py",
        search="    return float(rho**2 * (N * np.tan(np.pi / N) - np.pi))\n",
        replace="    return float(rho**2 * (0.5 * N * np.sin(2 * np.pi / N) - np.pi))\n",
        description="N-gon excess area with rho as circumradius instead of inradius",
        instances=("ball-N-d2",),
    ),
)


def by_id(mutant_id: str) -> Mutant:
    """The mutant with this id; KeyError naming the known ids otherwise."""
    for mutant in MUTANTS:
        if mutant.id == mutant_id:
            return mutant
    raise KeyError(f"unknown mutant {mutant_id!r} (known: {', '.join(m.id for m in MUTANTS)})")
