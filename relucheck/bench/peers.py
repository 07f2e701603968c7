"""``make bench-peers``: the CE benchmark instances against pyscnn and adelie, measured our way.

pyscnn (the authors' library, PyPI ``pyscnn``) pulls PyTorch, so it never enters the project:
it runs in its own environment (``.venv-peers``) through ``tools/peers/pyscnn_solve.py``,
which reads only ``.npz`` files. This module is the project side:

1. ``export IN_DIR``: write :data:`PEER_CASES` (data, β and the SAME gate vectors ``make
   bench`` gives every solver) as ``.npz``;
2. (peers environment) ``pyscnn_solve.py IN_DIR OUT_DIR --tol …``: pyscnn's
   augmented-Lagrangian solver, wall time of its ``optimize_model`` call;
3. ``evaluate IN_DIR OUT_DIR --out FOLDER``: for each pyscnn solution, the project's
   objective of the reconstructed network (an upper bound on the optimum whether or not
   pyscnn's cone constraints hold exactly) and the project's dual certificate from its
   residual; then our solvers on the same instances in this process (``fast`` when
   available, Clarabel as the reference), timed; accuracy of every row is
   ``gap_to_best`` of :mod:`relucheck.bench.report` over all rows of the instance.
   Writes ``peers-<UTC time>.json`` under FOLDER and prints a table and the time ratios
   pyscnn/fast and pyscnn/clarabel.

β paths (:data:`PATH_CASES`, issue 13): ``export`` also writes each path case twice, as one
file with the whole β path (``IN_DIR/path/``, read by ``tools/peers/adelie_solve.py`` in its
own environment ``.venv-adelie``) and as one single-β file per β (``IN_DIR/path-beta/``, the
format ``pyscnn_solve.py`` reads). ``evaluate`` judges adelie's solutions
(``OUT_DIR/adelie/``) and pyscnn's (``OUT_DIR/path-pyscnn/``) per β exactly as pyscnn's
single-β rows (:func:`judge_weights`: feasibility restored, our objective, our certificate),
runs our fast solver on every β, and adds ``gap_vs_ours`` (objective above our certified
lower bound) and a ``status`` per row (:func:`annotate_path`); :data:`PATH_NOTES` (in the
report) says what each peer solves and how its seconds are measured. Besides the JSON it
writes the printed tables as ``peers-<UTC time>.txt``.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from relucheck.bench.cases import build_case, case_by_id, export_case, gated_gauge
from relucheck.bench.report import annotate_accuracy
from relucheck.datasets import generators
from relucheck.harness.environment import capture_environment
from relucheck.models.arrangements.patterns import PatternSet, sample_patterns
from relucheck.models.two_layer.convex_program import cone_violation, convex_objective
from relucheck.models.two_layer.reconstruction import reconstruct_network
from relucheck.solvers.two_layer_global import certify_network, network_objective

PEER_CASES = ("gaussian-n200-d10-P200", "digits-n200-d10-P200", "gaussian-n1000-d10-P200")
"""Instances of :data:`relucheck.bench.cases.CASES` solved by pyscnn (at tol 1e-6,
one BLAS thread: 8–15 s per n = 200 instance, about 2 minutes at n = 1000)."""

OUR_SOLVERS = ("fast", "clarabel")
CLARABEL_MAX_N = 200
"""Clarabel runs here as a cross-check only where it takes seconds, not minutes."""


def export(
    folder: Path,
    case_ids: tuple[str, ...] = PEER_CASES,
    path_cases: tuple[PathCase, ...] | None = None,
) -> list[Path]:
    """Write the instances for the peers' environment: single-β cases, then the β paths.

    ``path_cases`` defaults to :data:`PATH_CASES` (see :func:`export_path` for the layout).
    """
    written = [export_case(build_case(case_by_id(cid)), folder / f"{cid}.npz") for cid in case_ids]
    for case in PATH_CASES if path_cases is None else path_cases:
        written += export_path(folder, case)
    return written


def shift_to_gates(X: np.ndarray, gates: np.ndarray, V: np.ndarray) -> np.ndarray:
    """Columns v_i moved along their gate g_i just far enough to satisfy every cone row.

    The gate g_i defines pattern i, so (2D_i − I) X g_i > 0 on every row (sampled gates keep
    a margin); v_i + t g_i with t = max(0, max_j −a_jᵀv_i / a_jᵀg_i), a_j = ±x_j, satisfies
    (2D_i − I) X (v_i + t g_i) ≥ 0 up to rounding.
    """
    XG = X @ gates  # (n, P): margins of the gates, sign (2D_i − I) on every row
    signs = np.where(XG >= 0.0, 1.0, -1.0)
    a_v = signs * (X @ V)
    a_g = signs * XG
    with np.errstate(divide="ignore", invalid="ignore"):
        need = np.where(a_v < 0.0, -a_v / a_g, 0.0)
    t = need.max(axis=0) * (1.0 + 1e-12)
    return V + gates * t


def restore_feasibility(X: np.ndarray, gates: np.ndarray, V: np.ndarray) -> np.ndarray:
    """A feasible point near V for the program restricted to the gates (d, P).

    Each violating column is projected onto its cone K_i = {v : A_i v ≥ 0},
    A_i = (2D_i − I) X, by Moreau's decomposition (P_K(v) = v + A_iᵀμ with μ ≥ 0 minimising
    ‖v + A_iᵀμ‖, an NNLS), then :func:`shift_to_gates` removes what NNLS left violated.
    Used to judge a peer's point on the SAME program as ours: the network of an infeasible
    point may use patterns outside the sampled set, so its value bounds a different program.
    """
    from scipy.optimize import nnls

    XG = X @ gates
    signs = np.where(XG >= 0.0, 1.0, -1.0)
    out = V.copy()
    violated = np.flatnonzero(np.min(signs * (X @ V), axis=0) < 0.0)
    for i in violated:
        A = signs[:, i : i + 1] * X
        mu, _ = nnls(A.T, -V[:, i], maxiter=50 * max(A.shape))
        out[:, i] = V[:, i] + A.T @ np.maximum(mu, 0.0)
    return shift_to_gates(X, gates, out)


def judge_weights(
    X: np.ndarray,
    y: np.ndarray,
    beta: float,
    patterns: PatternSet,
    V: np.ndarray,
    W: np.ndarray,
) -> dict[str, Any]:
    """Our objective and certificate for convex weights V, W (d, P) in the order of patterns.

    The point is first made feasible (:func:`restore_feasibility`); the objective is the true
    objective of the reconstructed network at that point (then equal to the convex
    objective), the lower bound the best of the certificates from the residuals before and
    after the shift. Both are about the program restricted to these patterns, the one every
    solver of the benchmark solves.
    """
    masks, gates = patterns.masks, patterns.directions.T
    raw = {
        "raw_convex_objective": convex_objective(X, y, beta, masks, V, W),
        "raw_cone_violation": cone_violation(X, masks, V, W),
    }
    lowers = []
    U, alpha = reconstruct_network(V, W)
    lowers.append(certify_network(X, y, beta, U, alpha, patterns, loss="squared"))
    V, W = restore_feasibility(X, gates, V), restore_feasibility(X, gates, W)
    U, alpha = reconstruct_network(V, W)
    upper = network_objective(X, y, U, alpha, beta, "squared")
    lowers.append(certify_network(X, y, beta, U, alpha, patterns, loss="squared"))
    lower = max(c.lower for c in lowers)
    return {
        "objective": float(upper),
        "certified_lower": float(lower),
        "certified_gap": float((upper - lower) / max(abs(upper), 1e-300)),
        "convex_objective": convex_objective(X, y, beta, masks, V, W),
        "cone_violation": cone_violation(X, masks, V, W),
        "width": int(alpha.shape[0]),
        **raw,
    }


def evaluate_weights(case_id: str, V: np.ndarray, W: np.ndarray) -> dict[str, Any]:
    """:func:`judge_weights` on the single-β case ``case_id`` of :data:`PEER_CASES`."""
    data = build_case(case_by_id(case_id))
    return judge_weights(data.X, data.y, data.beta, data.patterns, V, W)


def _case_fields(case_id: str) -> dict[str, Any]:
    case = case_by_id(case_id)
    data = build_case(case)
    return {
        "kind": "ce-solver",
        "case": case_id,
        "n": case.n,
        "d": case.d,
        "P": data.patterns.count,
        "beta": data.beta,
    }


def pyscnn_rows(out_dir: Path) -> list[dict[str, Any]]:
    """One row per pyscnn solution file, evaluated by the project."""
    rows = []
    for path in sorted(out_dir.glob("*.npz")):
        sol = np.load(path)
        case_id = str(sol["case_id"])
        row = {**_case_fields(case_id), "solver": f"pyscnn-al tol={float(sol['tol']):.0e}"}
        row.update(evaluate_weights(case_id, sol["V"], sol["W"]))
        row["seconds"] = float(sol["seconds"])
        row["versions"] = json.loads(str(sol["versions"]))
        rows.append(row)
    return rows


def our_rows(case_ids: list[str]) -> list[dict[str, Any]]:
    """Our solvers on the same instances; an unavailable solver gives a row with its reason.

    The fast solver everywhere, Clarabel on instances with n ≤ :data:`CLARABEL_MAX_N`.
    """
    from relucheck.solvers.backends import SolverUnavailable
    from relucheck.solvers.two_layer_global import solve_two_layer

    rows = []
    for case_id in case_ids:
        data = build_case(case_by_id(case_id))
        solvers = OUR_SOLVERS if data.case.n <= CLARABEL_MAX_N else ("fast",)
        for solver in solvers:
            row = {**_case_fields(case_id), "solver": solver}
            start = time.perf_counter()
            try:
                sol = solve_two_layer(data.X, data.y, data.beta, data.patterns, solver=solver)
            except (ValueError, SolverUnavailable) as exc:
                rows.append({**row, "skipped": str(exc)})
                continue
            row["seconds"] = time.perf_counter() - start
            row.update(
                {
                    "objective": float(min(sol.objective, sol.objective_pruned)),
                    "certified_lower": sol.result.certified_lower,
                    "certified_gap": sol.result.certified_gap,
                    "width": sol.width,
                }
            )
            rows.append(row)
    return rows


# ----------------------------------------------------------------------------- β path

PATH_FRACTIONS = (1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 0.5)
"""β path as fractions of the gated gauge max_i ‖Xᵀ D_i y‖₂ (from dense to sparse optima)."""

PATH_DIR = "path"
"""Subfolder of the export folder: one ``.npz`` per path case (all β, for adelie)."""
PATH_BETA_DIR = "path-beta"
"""Subfolder of the export folder: one single-β ``.npz`` per (path case, β), pyscnn's format."""
ADELIE_OUT = "adelie"
"""Subfolder of the solutions folder where ``tools/peers/adelie_solve.py`` writes."""
PYSCNN_PATH_OUT = "path-pyscnn"
"""Subfolder of the solutions folder for pyscnn's solutions of the path instances."""

PEER_CERT_TOL = 1e-6
"""A peer row is "certified" when our certificate at its (feasibility-restored) point gives a
relative gap ≤ this: the tolerance our fast solver stops at."""

PATH_NOTES = """\
β path (PATH_CASES; each row's path_case names n, d, P): planted teacher (width 8, noise 0.3), P
sampled gates (seed 0), β = fraction × max_i ‖Xᵀ D_i y‖ over the patterns. Every peer point is
judged by OUR objective and certificate on the CE program restricted to the same gates, after
its feasibility is restored (cone projection, then gate shift) as for pyscnn's single-β rows.
Seconds: adelie solves the whole path in one call, warm-started from β to β in decreasing order;
its per-β seconds are the wall time between consecutive solutions (the largest β includes its
setup); fast-path (ours, warm-started along the same path) is timed the same way. fast (ours,
tol 1e-6) and pyscnn (tol 1e-6) solve every β cold, independently; pyscnn only on the βs make
bench-peers lists (PYSCNN_PATH_CASES), since one β takes it minutes.
cert. gap: the relative gap our certificate proves from the row's own (restored) point alone;
status "certified" iff it is ≤ 1e-6. vs ours: (value − the best lower bound our solvers certified
at that β) / value, i.e. how far the row's point is from the optimum.
adelie expresses the cone constraints exactly (adelie.constraint.linear, lower 0, upper ∞, one
per group on the convex_relu matrix [D_i X, −D_i X]); its dual-based group solver meets them
only approximately, hence the restoration. Loss (1/2n)‖y − f‖² (Gaussian GLM, weights 1/n),
penalty factors 1, no intercept: λ = β/n. Rows labelled adelie-gated solve the gated
(unconstrained) group lasso instead — a relaxation whose optimum is below the CE optimum — and
are judged on CE at the better of two feasible points: the split v_i = u_i + t g_i, w_i = t g_i
(same fit) and v_i = u_i, w_i = 0 restored like any peer point."""


@dataclass(frozen=True)
class PathCase:
    """A β-path instance: planted-teacher data, sampled gates, β = fraction × gated gauge."""

    n: int = 1000
    d: int = 10
    width: int = 8
    noise: float = 0.3
    seed: int = 0
    P: int = 200
    fractions: tuple[float, ...] = PATH_FRACTIONS

    @property
    def id(self) -> str:
        """Stable name, e.g. ``planted-n1000-d10-P200-path``."""
        return f"planted-n{self.n}-d{self.d}-P{self.P}-path"

    def instance_id(self, fraction: float) -> str:
        """Name of the single-β instance at ``fraction``, e.g. ``…-path-f0.001``."""
        return f"{self.id}-f{fraction:g}"

    def params(self) -> dict[str, Any]:
        """The fields, JSON-ready (written with the export, read back by ``evaluate``)."""
        return {**asdict(self), "fractions": list(self.fractions)}


PATH_CASES: tuple[PathCase, ...] = (PathCase(),)


@dataclass(frozen=True)
class PathData:
    """Data, gates and the β path of a :class:`PathCase`."""

    case: PathCase
    X: np.ndarray
    y: np.ndarray
    gauge: float
    patterns: PatternSet

    @property
    def betas(self) -> np.ndarray:
        """β per fraction, in the order of ``case.fractions``."""
        return np.asarray(self.case.fractions, dtype=float) * self.gauge


@functools.lru_cache(maxsize=4)
def build_path_case(case: PathCase) -> PathData:
    """Data and gates of a path case; same case → bitwise the same arrays on every call."""
    data = generators.planted_teacher(case.n, case.d, case.width, seed=case.seed, noise=case.noise)
    patterns = sample_patterns(data.X, case.P, seed=case.seed).without_zero()
    return PathData(case, data.X, data.y, gated_gauge(data.X, data.y, patterns), patterns)


def export_path(folder: Path, case: PathCase) -> list[Path]:
    """Write the path file (for adelie) and one single-β file per β (for pyscnn).

    ``folder/path/<id>.npz``: X, y, gates (d × P), masks (P × n), betas, fractions, gauge,
    case_id, params (JSON of the case). ``folder/path-beta/<id>-f<fraction>.npz``: X, y,
    beta, gates, case_id (the instance id): the format ``pyscnn_solve.py`` reads.
    """
    data = build_path_case(case)
    gates = data.patterns.directions.T.copy()
    path = folder / PATH_DIR / f"{case.id}.npz"
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(
        path,
        X=data.X,
        y=data.y,
        gates=gates,
        masks=np.asarray(data.patterns.masks),
        betas=data.betas,
        fractions=np.asarray(case.fractions, dtype=float),
        gauge=np.float64(data.gauge),
        case_id=np.str_(case.id),
        params=np.str_(json.dumps(case.params())),
    )
    written = [path]
    for fraction, beta in zip(case.fractions, data.betas, strict=True):
        single = folder / PATH_BETA_DIR / f"{case.instance_id(fraction)}.npz"
        single.parent.mkdir(parents=True, exist_ok=True)
        np.savez(
            single,
            X=data.X,
            y=data.y,
            beta=np.float64(beta),
            gates=gates,
            case_id=np.str_(case.instance_id(fraction)),
        )
        written.append(single)
    return written


def load_path_cases(in_dir: Path) -> dict[str, PathData]:
    """The path cases exported under ``in_dir``, rebuilt here (and checked against the file)."""
    cases = {}
    for path in sorted((in_dir / PATH_DIR).glob("*.npz")):
        stored = np.load(path)
        params = json.loads(str(stored["params"]))
        case = PathCase(**{**params, "fractions": tuple(params["fractions"])})
        data = build_path_case(case)
        if not (
            np.array_equal(stored["X"], data.X)
            and np.array_equal(stored["y"], data.y)
            and np.array_equal(stored["masks"], data.patterns.masks)
            and np.array_equal(stored["betas"], data.betas)
        ):
            raise ValueError(f"{path}: exported data differ from the rebuilt case {case.id}")
        cases[case.id] = data
    return cases


def _path_fields(data: PathData, k: int) -> dict[str, Any]:
    case = data.case
    fraction = case.fractions[k]
    return {
        "kind": "ce-solver",
        "case": case.instance_id(fraction),
        "path_case": case.id,
        "n": case.n,
        "d": case.d,
        "P": data.patterns.count,
        "beta_fraction": float(fraction),
        "beta": float(data.betas[k]),
    }


def _judged(data: PathData, k: int, V: np.ndarray, W: np.ndarray) -> dict[str, Any]:
    return judge_weights(data.X, data.y, float(data.betas[k]), data.patterns, V, W)


def gated_to_ce(X: np.ndarray, gates: np.ndarray, U: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A CE-feasible point with the same fit as the gated weights U (d, P): u_i = v_i − w_i.

    v_i = u_i + t_i g_i and w_i = t_i g_i with t_i the shift of :func:`shift_to_gates`: both
    lie in the cone of pattern i, the prediction is unchanged and the penalty grows by the
    shift, so the CE objective there bounds how good the gated point is as a CE point.
    """
    V = shift_to_gates(X, gates, U)
    return V, V - U


def _judged_gated(data: PathData, k: int, U: np.ndarray) -> dict[str, Any]:
    """The better CE judgement of gated weights U: the exact split or U itself restored.

    Both are feasible CE points after :func:`judge_weights`'s restoration, so the lower
    objective is still an honest upper bound; ``gated_judged_as`` says which one it is.
    """
    split = _judged(data, k, *gated_to_ce(data.X, data.patterns.directions.T, U))
    restored = _judged(data, k, U, np.zeros_like(U))
    if split["objective"] <= restored["objective"]:
        return {**split, "gated_judged_as": "split v = u + t g, w = t g"}
    return {**restored, "gated_judged_as": "v = u, w = 0, restored"}


def adelie_rows(out_dir: Path, cases: dict[str, PathData]) -> list[dict[str, Any]]:
    """One row per (adelie solution file, β), judged by the project.

    A β that adelie did not reach (its solver stopped with an error) gives a row with
    ``skipped`` and the error; a gated-program file's rows carry ``program = "gated"`` and
    adelie's value of the gated objective.
    """
    rows = []
    for path in sorted((out_dir / ADELIE_OUT).glob("*.npz")):
        sol = np.load(path)
        data = cases[str(sol["case_id"])]
        if not np.allclose(sol["betas"], data.betas, rtol=1e-12, atol=0.0):
            raise ValueError(f"{path}: β path differs from the exported one")
        program = str(sol["program"])
        versions = json.loads(str(sol["versions"]))
        for k in range(len(data.case.fractions)):
            row = {
                **_path_fields(data, k),
                "solver": str(sol["label"]),
                "program": program,
                "path_seconds": float(sol["seconds_total"]),
                "settings": json.loads(str(sol["settings"])),
                "versions": versions,
            }
            if not bool(sol["solved"][k]):
                rows.append({**row, "skipped": f"adelie stopped before this β: {sol['error']}"})
                continue
            V, W = sol["V"][k], sol["W"][k]
            if program == "gated":
                row.update(_judged_gated(data, k, V))
                row["gated_objective"] = float(sol["own_objective"][k])
            else:
                row.update(_judged(data, k, V, W))
            row["seconds"] = float(sol["seconds"][k])
            rows.append(row)
    return rows


def pyscnn_path_rows(out_dir: Path, cases: dict[str, PathData]) -> list[dict[str, Any]]:
    """One row per pyscnn solution of a single-β path instance, judged by the project."""
    where = {
        data.case.instance_id(f): (data, k)
        for data in cases.values()
        for k, f in enumerate(data.case.fractions)
    }
    rows = []
    for path in sorted((out_dir / PYSCNN_PATH_OUT).glob("*.npz")):
        sol = np.load(path)
        data, k = where[str(sol["case_id"])]
        row = {
            **_path_fields(data, k),
            "solver": f"pyscnn-al tol={float(sol['tol']):.0e}",
            "program": "ce",
        }
        row.update(_judged(data, k, sol["V"], sol["W"]))
        row["seconds"] = float(sol["seconds"])
        row["versions"] = json.loads(str(sol["versions"]))
        rows.append(row)
    return rows


OUR_PATH_SOLVERS = ("fast", "fast-path")
"""Our rows on a β path: every β cold (``solve_two_layer``) and the warm-started path
(``solve_two_layer_path``, seconds between consecutive points as for adelie)."""


def _our_fields(sol: Any) -> dict[str, Any]:
    return {
        "objective": float(min(sol.objective, sol.objective_pruned)),
        "certified_lower": sol.result.certified_lower,
        "certified_gap": sol.result.certified_gap,
        "width": sol.width,
        "status": sol.result.status,
    }


def _warm_path_rows(data: PathData) -> list[dict[str, Any]]:
    """``fast-path`` rows: the warm-started path, seconds between consecutive points."""
    from relucheck.solvers.two_layer_global import solve_two_layer_path

    index = {float(b): k for k, b in enumerate(data.betas)}
    rows: list[dict[str, Any]] = []
    start = time.perf_counter()
    last = [start]

    def point(beta: float, sol: Any) -> None:
        now = time.perf_counter()
        row = {**_path_fields(data, index[float(beta)]), "solver": "fast-path", "program": "ce"}
        rows.append({**row, "seconds": now - last[0], **_our_fields(sol)})
        last[0] = now

    solve_two_layer_path(data.X, data.y, data.betas, data.patterns, on_point=point)
    return [{**r, "path_seconds": last[0] - start} for r in rows]


def our_path_rows(cases: dict[str, PathData]) -> list[dict[str, Any]]:
    """Our fast solver on every β of every path case: cold per β, then warm along the path."""
    from relucheck.solvers.two_layer_global import solve_two_layer

    rows = []
    for data in cases.values():
        for k in range(len(data.case.fractions)):
            row = {**_path_fields(data, k), "solver": "fast", "program": "ce"}
            start = time.perf_counter()
            sol = solve_two_layer(data.X, data.y, row["beta"], data.patterns, solver="fast")
            row["seconds"] = time.perf_counter() - start
            rows.append({**row, **_our_fields(sol)})
        rows += _warm_path_rows(data)
    return rows


def annotate_path(rows: list[dict[str, Any]]) -> None:
    """Add ``gap_vs_ours`` and ``status`` to the path rows, in place.

    ``gap_vs_ours`` = (objective − our best certified lower bound) / |objective| at the same β:
    how far above our certified optimum the row's (feasible) point is. A peer's ``status``
    is "certified" when our certificate at its point gives a gap ≤ :data:`PEER_CERT_TOL`,
    else "not certified"; gated-program rows say so; skipped rows are "failed".
    """
    ours: dict[str, float] = {}
    for r in rows:
        if r.get("solver") in OUR_PATH_SOLVERS and "skipped" not in r:
            ours[r["case"]] = max(ours.get(r["case"], -np.inf), r["certified_lower"])
    for r in rows:
        if "skipped" in r:
            r["status"] = "failed"
            continue
        if r["case"] in ours:
            lower = ours[r["case"]]
            r["gap_vs_ours"] = float((r["objective"] - lower) / max(abs(r["objective"]), 1e-300))
        if r.get("solver") in OUR_PATH_SOLVERS:
            continue
        certified = r["certified_gap"] <= PEER_CERT_TOL
        status = "certified" if certified else "not certified"
        if r.get("program") == "gated":
            status = f"gated program (its value {r['gated_objective']:.8g}); {status} on CE"
        r["status"] = status


def format_path_table(rows: list[dict[str, Any]]) -> str:
    """The path rows, one per (β, solver), and each solver's seconds summed over the path."""
    head = (
        f"{'path case':<27} {'β frac':>6} {'β':>8} {'solver':<30} {'time s':>8} "
        f"{'value':>14} {'cert. gap':>9} {'vs ours':>9}  status"
    )
    lines = [head]
    order = sorted(rows, key=lambda r: (r["path_case"], -r["beta_fraction"], r["solver"]))
    for r in order:
        lead = f"{r['path_case']:<27} {r['beta_fraction']:6g} {r['beta']:8.4g} {r['solver']:<30}"
        if "skipped" in r:
            lines.append(f"{lead} skipped: {r['skipped']}")
            continue
        vs = r.get("gap_vs_ours")
        lines.append(
            f"{lead} {r['seconds']:8.2f} {r['objective']:14.8g} {r['certified_gap']:9.1e} "
            f"{'-' if vs is None else format(vs, '9.1e')}  {r.get('status', '')}"
        )
    totals: dict[tuple[str, str], list[float]] = {}
    for r in rows:
        if "seconds" in r:
            totals.setdefault((r["path_case"], r["solver"]), []).append(r["seconds"])
    for (case_id, solver), secs in sorted(totals.items()):
        lines.append(f"  {case_id} {solver}: {sum(secs):.2f} s over {len(secs)} β")
    return "\n".join(lines)


def format_table(rows: list[dict[str, Any]]) -> str:
    """Rows and the median time ratios pyscnn/ours per our solver."""
    lines = [
        f"{'case':<26} {'solver':<20} {'time s':>9} {'cert. gap':>10} {'gap to best':>11}",
    ]
    for r in rows:
        if "skipped" in r:
            lines.append(f"{r['case']:<26} {r['solver']:<20} skipped: {r['skipped']}")
            continue
        best = r.get("gap_to_best")
        lines.append(
            f"{r['case']:<26} {r['solver']:<20} {r['seconds']:9.2f} "
            f"{r['certified_gap']:10.2e} {best if best is None else format(best, '11.2e')}"
        )
    by_case: dict[str, dict[str, dict]] = {}
    for r in rows:
        if "seconds" in r:
            by_case.setdefault(r["case"], {})[r["solver"]] = r
    for ours in OUR_SOLVERS:
        for tol_name in sorted({s for c in by_case.values() for s in c if s.startswith("pyscnn")}):
            ratios = [
                c[tol_name]["seconds"] / c[ours]["seconds"]
                for c in by_case.values()
                if tol_name in c and ours in c and c[ours]["seconds"] > 0
            ]
            if ratios:
                lines.append(
                    f"  {tol_name} / {ours}: median {float(np.median(ratios)):.3g}x "
                    f"over {len(ratios)} instances"
                )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m relucheck.bench.peers")
    sub = parser.add_subparsers(dest="command", required=True)
    p_export = sub.add_parser("export", help="write the instances as .npz")
    p_export.add_argument("folder", type=Path)
    p_eval = sub.add_parser("evaluate", help="evaluate pyscnn's solutions, run ours, report")
    p_eval.add_argument("inputs", type=Path)
    p_eval.add_argument("solutions", type=Path)
    p_eval.add_argument("--out", type=Path, default=Path("reports/bench-peers"))
    args = parser.parse_args(argv)
    if args.command == "export":
        for path in export(args.folder):
            print(f"exported {path}")
        return 0
    single_dir = args.solutions
    adelie_dir, pyscnn_path_dir = single_dir / ADELIE_OUT, single_dir / PYSCNN_PATH_OUT
    if not any(any(p.glob("*.npz")) for p in (single_dir, adelie_dir, pyscnn_path_dir)):
        print(f"benchpeers: error: no peer solutions in {args.solutions}", file=sys.stderr)
        return 2
    rows = pyscnn_rows(single_dir)
    rows += our_rows(sorted({r["case"] for r in rows}))
    cases = load_path_cases(args.inputs)
    path_rows = adelie_rows(single_dir, cases) + pyscnn_path_rows(single_dir, cases)
    if path_rows:
        path_rows += our_path_rows({r["path_case"]: cases[r["path_case"]] for r in path_rows})
        annotate_path(path_rows)
    rows += path_rows
    annotate_accuracy([{"extra_info": r} for r in rows if "skipped" not in r])
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / f"peers-{stamp}.json"
    payload = {"datetime": stamp, "environment": capture_environment(), "rows": rows}
    if path_rows:
        payload["path_notes"] = PATH_NOTES
    target.write_text(json.dumps(payload, indent=1, default=str), encoding="utf-8")
    parts = []
    single = [r for r in rows if "path_case" not in r]
    if single:
        parts.append(format_table(single))
    if path_rows:
        parts += [format_path_table(path_rows), PATH_NOTES]
    text = "\n\n".join(parts)
    (args.out / f"peers-{stamp}.txt").write_text(text + "\n", encoding="utf-8")
    print(text)
    print(f"wrote {target} and {target.with_suffix('.txt').name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
