"""The Python API: a certified two-layer ReLU fit for a notebook (claims.md CE).

    >>> import numpy as np, relucheck
    >>> X = np.random.default_rng(0).standard_normal((60, 3)); y = np.maximum(X[:, 0], 0)
    >>> fit = relucheck.fit_two_layer(X, y, beta=0.1, patterns="exact")
    >>> fit.certified, fit.width                        # doctest: +SKIP
    (True, 1)
    >>> fit.predict(X[:5]).shape
    (5,)

:func:`fit_two_layer` runs the same pipeline as ``relucheck solve two-layer`` (convex
program, reconstruction, pruning, a certificate the project computes itself), and
:func:`fit_two_layer_path` the same as ``--beta-path``. A :class:`TwoLayerFit` saves to the
``.npz`` that ``--save`` writes, and :meth:`TwoLayerFit.load` reads either back.

Bad input raises :class:`relucheck.datasets.validation.BadInput` (a ``ValueError``) with the
same one-line messages the CLI prints; a solver that is not installed or licensed raises
:class:`relucheck.solvers.backends.SolverUnavailable`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from relucheck.datasets.generators import with_bias
from relucheck.datasets.validation import BadInput, validate_problem
from relucheck.models.arrangements.patterns import PatternSet, enumerate_patterns, sample_patterns

__all__ = ["TwoLayerFit", "fit_two_layer", "fit_two_layer_path"]


@dataclass
class TwoLayerFit:
    """A pruned two-layer ReLU network f(x) = σ(xᵀU) α with its certified facts.

    ``U`` has d rows, or d + 1 when ``bias`` (the last row multiplies an appended 1,
    regularized with the weights as in ``--bias``). ``facts`` holds the same fields as the
    CLI's JSON line (``value``, ``certified_lower``, ``certified_gap``, ``certifies``,
    ``width``, ``solver``, ``status``, ``accurate``, ``seconds``, ``n``, ``d``, ``beta``, ...).
    """

    U: np.ndarray
    alpha: np.ndarray
    beta: float
    bias: bool = False
    loss: str = "squared"
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def certified(self) -> bool:
        """The solve was accurate and the certified relative gap is ≤ 1e-6."""
        return bool(self.facts.get("accurate", False))

    @property
    def value(self) -> float:
        """Objective of the returned network (an upper bound on the optimum)."""
        return float(self.facts["value"])

    @property
    def certified_lower(self) -> float:
        """Dual lower bound the project computed from its own dual point."""
        return float(self.facts["certified_lower"])

    @property
    def certified_gap(self) -> float:
        """Relative gap (value − lower) / max(1, |value|)."""
        return float(self.facts["certified_gap"])

    @property
    def width(self) -> int:
        """Number of neurons of the pruned network."""
        return int(self.alpha.shape[0])

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Network output on ``X`` of shape (n, d) (or (n,) when d = 1)."""
        X = np.asarray(X, dtype=float)
        if X.ndim == 1:
            X = X[:, None]
        d = self.U.shape[0] - (1 if self.bias else 0)
        if X.ndim != 2 or X.shape[1] != d:
            raise BadInput(f"X must have shape (n, {d}), got {X.shape}")
        if not np.all(np.isfinite(X)):
            raise BadInput("X has NaN or infinite entries")
        if self.bias:
            X = with_bias(X)
        if self.width == 0:
            return np.zeros(X.shape[0])
        return np.maximum(X @ self.U, 0.0) @ self.alpha

    def save(self, path: str | Path) -> None:
        """Write the ``.npz`` that ``relucheck solve two-layer --save`` writes (atomically)."""
        from relucheck.cli.common import check_output_path, json_line, save_npz_atomic

        check_output_path(str(path))
        facts = {**self.facts, "beta": self.beta, "bias": self.bias, "loss": self.loss}
        save_npz_atomic(str(path), U=self.U, alpha=self.alpha, facts=json_line(facts))

    @classmethod
    def load(cls, path: str | Path) -> TwoLayerFit:
        """Read a ``--save`` file (or one written by :meth:`save`)."""
        try:
            with np.load(path, allow_pickle=False) as data:
                U = np.asarray(data["U"], dtype=float)
                alpha = np.asarray(data["alpha"], dtype=float)
                facts = json.loads(str(data["facts"])) if "facts" in data else {}
        except (OSError, KeyError, ValueError) as exc:
            raise BadInput(f"{path}: not a relucheck network file ({exc})") from None
        if U.ndim != 2 or alpha.ndim != 1 or U.shape[1] != alpha.shape[0]:
            raise BadInput(f"{path}: U {U.shape} and alpha {alpha.shape} do not match")
        return cls(
            U=U,
            alpha=alpha,
            beta=float(facts.get("beta", float("nan"))),
            bias=bool(facts.get("bias", False)),
            loss=str(facts.get("loss", "squared")),
            facts=facts,
        )


def _pattern_set(X: np.ndarray, patterns: str | PatternSet, seed: int) -> PatternSet:
    """'exact', 'sampled:N' or a ready :class:`PatternSet` over ``X`` (bias column included)."""
    from relucheck.cli.common import check_seed, parse_exact_or_sampled

    if isinstance(patterns, PatternSet):
        if patterns.X.shape != X.shape or not np.array_equal(patterns.X, X):
            raise BadInput(
                f"patterns were built over other data (shape {patterns.X.shape}) than X "
                f"{X.shape}; with bias=True build them over the X with its ones column"
            )
        return patterns
    if not isinstance(patterns, str):
        raise BadInput(f"patterns must be 'exact', 'sampled:N' or a PatternSet, got {patterns!r}")
    mode, count = parse_exact_or_sampled(patterns, "patterns")
    check_seed(seed)
    return enumerate_patterns(X) if mode == "exact" else sample_patterns(X, count, seed=seed)


def _prepare(X: Any, y: Any, beta: float, loss: str, bias: bool) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 1:
        X = X[:, None]
    validate_problem(X, y, beta, loss)
    X = X.astype(float)
    return (with_bias(X) if bias else X), y.astype(float)


def _facts(sol: Any, patterns: PatternSet, X: np.ndarray, beta: float, seconds: float,
           loss: str, bias: bool) -> dict[str, Any]:  # fmt: skip
    """The facts of ``relucheck solve two-layer --json`` (``d`` counts the user's columns)."""
    from relucheck.cli.common import solve_facts

    return {
        **solve_facts(sol, width_before=sol.alpha.shape[0], seconds=seconds, X=X),
        "patterns": patterns.count,
        "patterns_exact": patterns.exact,
        "d": int(X.shape[1]) - (1 if bias else 0),
        "beta": float(beta),
        "loss": loss,
        "bias": bool(bias),
    }


def fit_two_layer(
    X: np.ndarray,
    y: np.ndarray,
    beta: float,
    *,
    patterns: str | PatternSet = "exact",
    solver: str = "auto",
    loss: str = "squared",
    bias: bool = False,
    seed: int = 0,
    time_limit: float | None = None,
) -> TwoLayerFit:
    """Certified global optimum of claims.md CE over ``patterns``, as a pruned network.

    Args:
        X, y: data (n, d) and targets (n,) (labels ±1 for ``loss="hinge"``).
        beta: weight decay β > 0.
        patterns: ``"exact"`` (every chamber: certifies the ``full`` problem),
            ``"sampled:N"`` (N Gaussian gates, seeded by ``seed``: certifies the
            ``restricted`` program) or a :class:`PatternSet` built over X (with the ones
            column when ``bias``).
        solver: ``auto``, ``fast``, ``clarabel``, ``scs`` or ``mosek`` (as ``--solver``).
        loss: ``squared`` or ``hinge``.
        bias: append a ones column (a bias regularized with the weights).
        time_limit: seconds for the fast solver; past it the fit is returned uncertified.

    Returns:
        A :class:`TwoLayerFit`; check ``fit.certified`` before trusting ``fit.value``.
    """
    from relucheck.solvers.two_layer_global import solve_two_layer

    if loss not in ("squared", "hinge"):
        raise BadInput(f"loss must be 'squared' or 'hinge', got {loss!r}")
    Xb, yb = _prepare(X, y, beta, loss, bias)
    start = time.perf_counter()
    ps = _pattern_set(Xb, patterns, seed)
    sol = solve_two_layer(Xb, yb, beta, ps, loss=loss, solver=solver, time_limit=time_limit)
    facts = _facts(sol, ps, Xb, beta, time.perf_counter() - start, loss, bias)
    return TwoLayerFit(sol.U_pruned, sol.alpha_pruned, float(beta), bias, loss, facts)


def fit_two_layer_path(
    X: np.ndarray,
    y: np.ndarray,
    betas: Sequence[float] | int,
    *,
    patterns: str | PatternSet = "exact",
    solver: str = "fast",
    bias: bool = False,
    seed: int = 0,
    time_limit: float | None = None,
) -> list[TwoLayerFit]:
    """Certified fits along a β path (squared loss), largest β first, warm-started.

    ``betas`` is a list of β > 0, or an int N for N values log-spaced from the gauge
    max_i ‖Xᵀ D_i y‖ down to 1e-3·gauge (as ``--betas N``). Each fit carries its own
    certificate and ``facts["beta_fraction"]`` = β / gauge; pick β by held-out error with
    ``fit.predict``.
    """
    from relucheck.cli.beta_path import check_beta_count
    from relucheck.solvers.fast_two_layer import masks_for, scanner_for
    from relucheck.solvers.two_layer_global import solve_two_layer_path
    from relucheck.solvers.two_layer_path import log_spaced_betas, path_gauge

    if isinstance(betas, (int, np.integer)) and not isinstance(betas, bool):
        check_beta_count(int(betas))
        values = None
    else:
        values = [float(b) for b in betas]
        if not values:
            raise BadInput("betas must hold at least one β")
    Xb, yb = _prepare(X, y, min(values) if values else 1.0, "squared", bias)
    for b in values or []:
        validate_problem(Xb, yb, b)
    ps = _pattern_set(Xb, patterns, seed).without_zero()
    gauge = path_gauge(Xb, yb, scanner_for(Xb, masks_for(ps)))
    if values is None:
        values = [float(b) for b in log_spaced_betas(gauge, int(betas))]
    fits: list[TwoLayerFit] = []

    def keep(beta: float, sol: Any) -> None:
        facts = _facts(sol, ps, Xb, beta, sol.result.seconds, "squared", bias)
        facts["beta_fraction"] = beta / gauge if gauge > 0 else None
        fits.append(TwoLayerFit(sol.U_pruned, sol.alpha_pruned, beta, bias, "squared", facts))

    solve_two_layer_path(Xb, yb, values, ps, solver=solver, time_limit=time_limit, on_point=keep)
    return fits
