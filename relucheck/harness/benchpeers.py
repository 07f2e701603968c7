"""``make bench-peers``: the CE benchmark instances against pyscnn, measured our way.

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
   ``gap_to_best`` of :mod:`relucheck.harness.benchreport` over all rows of the instance.
   Writes ``peers-<UTC time>.json`` under FOLDER and prints a table and the time ratios
   pyscnn/fast and pyscnn/clarabel.
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

from relucheck.harness.benchcases import build_case, case_by_id, export_case
from relucheck.harness.benchreport import annotate_accuracy
from relucheck.harness.environment import capture_environment
from relucheck.models.convex_program import cone_violation, convex_objective
from relucheck.models.reconstruction import reconstruct_network
from relucheck.solvers.two_layer_global import certify_network, network_objective

PEER_CASES = ("gaussian-n200-d10-P200", "digits-n200-d10-P200", "gaussian-n1000-d10-P200")
"""Instances of :data:`relucheck.harness.benchcases.CASES` solved by pyscnn (at tol 1e-6,
one BLAS thread: 8–15 s per n = 200 instance, about 2 minutes at n = 1000)."""

OUR_SOLVERS = ("fast", "clarabel")
CLARABEL_MAX_N = 200
"""Clarabel runs here as a cross-check only where it takes seconds, not minutes."""


def export(folder: Path, case_ids: tuple[str, ...] = PEER_CASES) -> list[Path]:
    """Write the instances for the peers' environment."""
    return [export_case(build_case(case_by_id(cid)), folder / f"{cid}.npz") for cid in case_ids]


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


def evaluate_weights(case_id: str, V: np.ndarray, W: np.ndarray) -> dict[str, Any]:
    """Our objective and certificate for convex weights V, W (d, P) in the case's gate order.

    The point is first made feasible (:func:`restore_feasibility`); the objective is the true
    objective of the reconstructed network at that point (then equal to the convex
    objective), the lower bound the best of the certificates from the residuals before and
    after the shift. Both are about the program restricted to the case's gates, the one
    every solver of the benchmark solves.
    """
    data = build_case(case_by_id(case_id))
    masks, gates = data.patterns.masks, data.gates.T
    raw = {
        "raw_convex_objective": convex_objective(data.X, data.y, data.beta, masks, V, W),
        "raw_cone_violation": cone_violation(data.X, masks, V, W),
    }
    lowers = []
    U, alpha = reconstruct_network(V, W)
    lowers.append(
        certify_network(data.X, data.y, data.beta, U, alpha, data.patterns, loss="squared")
    )
    V, W = restore_feasibility(data.X, gates, V), restore_feasibility(data.X, gates, W)
    U, alpha = reconstruct_network(V, W)
    upper = network_objective(data.X, data.y, U, alpha, data.beta, "squared")
    lowers.append(
        certify_network(data.X, data.y, data.beta, U, alpha, data.patterns, loss="squared")
    )
    lower = max(c.lower for c in lowers)
    return {
        "objective": float(upper),
        "certified_lower": float(lower),
        "certified_gap": float((upper - lower) / max(abs(upper), 1e-300)),
        "convex_objective": convex_objective(data.X, data.y, data.beta, masks, V, W),
        "cone_violation": cone_violation(data.X, masks, V, W),
        "width": int(alpha.shape[0]),
        **raw,
    }


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
    parser = argparse.ArgumentParser(prog="python -m relucheck.harness.benchpeers")
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
    if not any(args.solutions.glob("*.npz")):
        print(f"benchpeers: error: no pyscnn solutions in {args.solutions}", file=sys.stderr)
        return 2
    rows = pyscnn_rows(args.solutions)
    rows += our_rows(sorted({r["case"] for r in rows}))
    annotate_accuracy([{"extra_info": r} for r in rows if "skipped" not in r])
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / f"peers-{stamp}.json"
    payload = {"datetime": stamp, "environment": capture_environment(), "rows": rows}
    target.write_text(json.dumps(payload, indent=1, default=str), encoding="utf-8")
    print(format_table(rows))
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
