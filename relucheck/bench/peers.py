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

β paths: :mod:`relucheck.bench.peer_path` (exported and evaluated by the same two commands);
how every peer solution is judged: :mod:`relucheck.bench.peer_judging`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from relucheck.bench.cases import build_case, case_by_id, export_case
from relucheck.bench.peer_judging import judge_weights
from relucheck.bench.peer_path import (
    ADELIE_OUT,
    PATH_CASES,
    PATH_NOTES,
    PYSCNN_PATH_OUT,
    PathCase,
    adelie_rows,
    annotate_path,
    export_path,
    format_path_table,
    load_path_cases,
    our_path_rows,
    pyscnn_path_rows,
)
from relucheck.bench.report import annotate_accuracy
from relucheck.harness.environment import capture_environment

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
