"""PC's instance grid: the targets of every instance kind and ``instances(profile)``.

The targets are tuples ``(kind, d, N, ρ)`` (``datasets/indicators.py``); the kinds map to the
sub-claim modules: ``sweep`` and ``fixed_step`` (``sweep``, ``controls``), ``gap`` (``gap``),
``ball_n`` (``ball_n``), ``mlp`` and ``fourier`` (``controls``).
"""

from __future__ import annotations

from relucheck.harness.claims import InstanceSpec
from relucheck.theorems.pointwise_convergence.spec import CLAIM_ID

#: (kind, d, N, ρ): ρ sits where the density of r(X) is smooth (no kink of the cube) and
#: η·p̂(ρ) < 1; see datasets/indicators.py for the targets.
QUICK_TARGETS = (
    ("ball", 1, 2, 0.5),
    ("ball", 2, 64, 0.8),
    ("ball", 3, 256, 0.9),
    ("halfspace", 2, 0, 0.1),
    ("box", 2, 0, 0.6),
    ("simplex", 2, 0, 0.45),
)
FULL_TARGETS = QUICK_TARGETS + (
    ("ball", 5, 512, 1.22),
    ("ball", 8, 1024, 1.44),
    ("box", 3, 0, 0.6),
    ("simplex", 3, 0, 0.71),
)
#: (kind, d, N, ρ, sampling, n, margin): coarse grids (one with ρ off the gap's midpoint) and
#: a random sample with a margin around the boundary.
GAP_TARGETS = (
    ("ball", 1, 2, 0.5, "grid", 20, 0.0),
    ("ball", 1, 2, 0.53, "grid", 20, 0.0),
    ("box", 2, 0, 0.6, "grid", 100, 0.0),
    ("ball", 2, 64, 0.8, "random", 400, 0.05),
)


def instances(profile: str) -> list[InstanceSpec]:
    """Sweeps (random and cyclic), the gap regime, f°_N → f°, and the three controls."""
    quick = profile == "quick"
    make = InstanceSpec.make
    targets = QUICK_TARGETS if quick else FULL_TARGETS
    sweep = {
        "steps": 100_000 if quick else 1_000_000,
        "n": 1_000_000,
        "n_eval": 200_000 if quick else 500_000,
        "batch": 1024,
    }
    grid = [
        make(CLAIM_ID, f"sweep-{sch}", 10 + i, kind="sweep", schedule=sch, targets=targets, **sweep)
        for i, sch in enumerate(("random", "cyclic"))
    ]
    grid.append(
        make(
            CLAIM_ID,
            "gap",
            20,
            kind="gap",
            schedule="cyclic",
            targets=GAP_TARGETS,
            steps=60_000 if quick else 300_000,
            batch=8,
        )
    )
    grid.append(
        make(
            CLAIM_ID,
            "ball-N-d2",
            30,
            kind="ball_n",
            d=2,
            rho=0.5,
            Ns=(4, 8, 16, 32, 64, 128) if quick else (4, 8, 16, 32, 64, 128, 256),
            steps=50_000 if quick else 300_000,
            n=400_000,
            n_eval=400_000 if quick else 1_000_000,
            batch=1024,
        )
    )
    if not quick:
        grid.append(
            make(
                CLAIM_ID,
                "ball-N-d3",
                31,
                kind="ball_n",
                d=3,
                rho=0.6,
                Ns=(16, 64, 256, 1024),
                steps=300_000,
                n=400_000,
                n_eval=1_000_000,
                batch=1024,
            )
        )
    grid.append(
        make(
            CLAIM_ID,
            "control-fixed-step",
            40,
            kind="fixed_step",
            schedule="random",
            targets=QUICK_TARGETS,
            steps=20_000 if quick else 200_000,
            n=200_000,
            batch=1024,
        )
    )
    grid.append(
        make(
            CLAIM_ID,
            "control-dense-mlp",
            50,
            kind="mlp",
            target=("ball", 2, 8, 0.6),
            n=20_000,
            width=16,
            steps=4_000 if quick else 50_000,
            batch=64,
            eta=0.02,
            watch=500,
        )
    )
    grid.append(
        make(
            CLAIM_ID,
            "control-fourier",
            60,
            kind="fourier",
            dims=(1, 2, 3, 4, 5),
            T_max=2_000.0 if quick else 20_000.0,
        )
    )
    return grid
