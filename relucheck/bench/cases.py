"""The CE solver benchmark instances: one definition shared by ``make bench`` and the peers.

Every solver (ours, Clarabel, SCS, MOSEK, and pyscnn in its own environment) sees the SAME
data, β and gate vectors: the gates come from
:func:`relucheck.models.arrangements.patterns.sample_patterns` with a fixed seed, and
:func:`export_case` writes them with the data to an ``.npz`` that the peers' environment
reads without importing this package.

Data (n ∈ {200, 1000, 4000}, d ∈ {10, 20, 50}, P ∈ {200, 1000} sampled gates):

* ``gaussian``: X with i.i.d. N(0, 1) entries and a planted width-5 ReLU teacher plus noise
  0.1 (:func:`relucheck.datasets.generators.planted_teacher`), target standardized;
* ``digits``: scikit-learn's bundled digits, standardized pixels projected on their top d
  principal components, label target standardized (:mod:`relucheck.datasets.digits`;
  1797 rows, so n ≤ 1000 here).

β rule: ``β = BETA_FRACTION · max_i ‖Xᵀ D_i y‖₂`` over the sampled patterns. The max is the
dual gauge of y in the gated-ReLU relaxation (the exact ReLU gauge of the CE certificate,
which is at most this, would cost ~150 s per instance at n = 4000, d = 50, P = 1000); it
is the β above which the gated program's optimum is zero. A fraction of 0.15 leaves a
dense-ish optimum (hundreds of active groups at n = 200), the regime the solvers must handle.

Cells: solving a cell with Clarabel costs ~5 s at n = 200, d = 10, P = 200 and minutes at
n = 1000; SCS at the tolerances of :mod:`relucheck.solvers.backends` (1e-9) costs minutes
already at n = 200. ``make bench`` must finish within 30 minutes on 2 cores, so each cell
lists the solvers it runs: the reference solvers only where affordable (Clarabel on two
n = 1000 cells, so the fast-vs-Clarabel ratio at n ≥ 1000 is a median over two instances
of the same run), the fast solver everywhere.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from relucheck.datasets import generators
from relucheck.datasets.digits import digits_pca
from relucheck.models.arrangements.patterns import PatternSet, sample_patterns

BETA_FRACTION = 0.15
"""β as a fraction of the gated-ReLU dual gauge of y (see the module docstring)."""

SOURCES = ("gaussian", "digits")

ALL_SOLVERS = ("fast", "clarabel", "scs", "mosek")
"""Solver names of :func:`relucheck.solvers.two_layer_global.solve_two_layer` benchmarked."""

REFERENCE = ("fast", "clarabel", "mosek")
FAST_ONLY = ("fast",)


@dataclass(frozen=True)
class BenchCase:
    """One benchmark instance and the solvers that run on it in ``make bench``."""

    source: str
    n: int
    d: int
    P: int
    solvers: tuple[str, ...]
    seed: int = 0

    @property
    def id(self) -> str:
        """Stable name, e.g. ``gaussian-n1000-d10-P200``."""
        return f"{self.source}-n{self.n}-d{self.d}-P{self.P}"

    @property
    def gate_seed(self) -> int:
        """Seed of the gate draw: fixed per case so every solver gets the same gates."""
        return 1000 + self.seed


CASES: tuple[BenchCase, ...] = (
    # Small cells: every solver, SCS only on the smallest (it takes minutes at 1e-9).
    BenchCase("gaussian", 200, 10, 200, ALL_SOLVERS),
    BenchCase("digits", 200, 10, 200, REFERENCE),
    BenchCase("gaussian", 200, 20, 1000, REFERENCE),
    # n = 1000 with Clarabel on both data sets: the ≥10× target is a median over these.
    BenchCase("gaussian", 1000, 10, 200, REFERENCE),
    BenchCase("digits", 1000, 10, 200, REFERENCE),
    # Larger cells: the fast solver only (Clarabel would take many minutes each).
    BenchCase("gaussian", 1000, 20, 1000, FAST_ONLY),
    BenchCase("digits", 1000, 50, 1000, FAST_ONLY),
    BenchCase("gaussian", 4000, 20, 200, FAST_ONLY),
    BenchCase("gaussian", 4000, 50, 1000, FAST_ONLY),
)


@dataclass(frozen=True)
class CaseData:
    """Data, β and the sampled pattern set of one case (zero pattern removed)."""

    case: BenchCase
    X: np.ndarray
    y: np.ndarray
    beta: float
    gauge: float
    patterns: PatternSet
    description: str

    @property
    def gates(self) -> np.ndarray:
        """The gate vectors, one unit row per pattern (P', d), in pattern order."""
        return self.patterns.directions


def case_by_id(case_id: str) -> BenchCase:
    """The case of :data:`CASES` with this id (KeyError naming the known ids otherwise)."""
    for case in CASES:
        if case.id == case_id:
            return case
    raise KeyError(f"unknown benchmark case {case_id!r} (known: {', '.join(c.id for c in CASES)})")


def _dataset(case: BenchCase) -> generators.Dataset:
    if case.source == "gaussian":
        data = generators.planted_teacher(case.n, case.d, 5, seed=case.seed)
        y = (data.y - data.y.mean()) / data.y.std()
        return generators.Dataset(data.X, y, data.description + ", target standardized")
    if case.source == "digits":
        return digits_pca(case.n, case.d, seed=case.seed)
    raise ValueError(f"unknown source {case.source!r} (choose one of {SOURCES})")


def gated_gauge(X: np.ndarray, y: np.ndarray, patterns: PatternSet) -> float:
    """max_i ‖Xᵀ D_i y‖₂ over the patterns."""
    return float(np.max(np.linalg.norm((patterns.masks * y) @ X, axis=1)))


@functools.lru_cache(maxsize=4)
def build_case(case: BenchCase) -> CaseData:
    """Data, gates and β of a case; same case → bitwise the same arrays on every call."""
    data = _dataset(case)
    patterns = sample_patterns(data.X, case.P, seed=case.gate_seed).without_zero()
    gauge = gated_gauge(data.X, data.y, patterns)
    return CaseData(case, data.X, data.y, BETA_FRACTION * gauge, gauge, patterns, data.description)


def export_case(data: CaseData, path: Path) -> Path:
    """Write X, y, β and the gates (d × P, pyscnn's layout) to ``path`` (.npz)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(
        path,
        X=data.X,
        y=data.y,
        beta=np.float64(data.beta),
        gates=data.gates.T.copy(),
        case_id=np.str_(data.case.id),
    )
    return path
