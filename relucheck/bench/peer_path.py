"""``make bench-peers`` on β paths (issue 13): adelie and pyscnn along a path, judged our way.

Each path case (:data:`PATH_CASES`) is exported twice by
:func:`relucheck.bench.peers.export`: as one file with the whole β path (``IN_DIR/path/``,
read by ``tools/peers/adelie_solve.py`` in its own environment ``.venv-adelie``) and as one
single-β file per β (``IN_DIR/path-beta/``, the format ``pyscnn_solve.py`` reads).
``evaluate`` judges adelie's solutions (``OUT_DIR/adelie/``) and pyscnn's (``OUT_DIR/path-
pyscnn/``) per β exactly as pyscnn's single-β rows (:func:`judge_weights`: feasibility
restored, our objective, our certificate), runs our fast solver on every β, and adds
``gap_vs_ours`` (objective above our certified lower bound) and a ``status`` per row
(:func:`annotate_path`); :data:`PATH_NOTES` (in the report) says what each peer solves and
how its seconds are measured. Besides the JSON it writes the printed tables as ``peers-<UTC
time>.txt``.
"""

from __future__ import annotations

import functools
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from relucheck.bench.cases import gated_gauge
from relucheck.bench.peer_judging import judge_weights, shift_to_gates
from relucheck.datasets import generators
from relucheck.models.arrangements.patterns import PatternSet, sample_patterns

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
