"""Solve the exported CE β paths with adelie (Yang & Hastie's group elastic-net path solver).

Runs in its OWN environment (``.venv-adelie``, made by ``make bench-peers``): it imports
numpy and adelie and nothing from relucheck. Input: the path files that
``python -m relucheck.bench.peers export IN_DIR`` writes to ``IN_DIR/path/`` (X, y,
the gates (d × P) and their masks (P × n) that every solver uses, the β path). Output, per
path case and setting, one ``.npz`` with V, W (L × d × P, our gate order), the seconds per β,
adelie's own objective per β and what failed, if anything; the project environment judges
them with its own objective and certificate (``benchpeers evaluate``).

What adelie solves. The CE program over the P gates,

    min ½‖Σ_i D_i X (v_i − w_i) − y‖² + β Σ_i (‖v_i‖ + ‖w_i‖)
    s.t. (2D_i − I) X v_i ≥ 0, (2D_i − I) X w_i ≥ 0,

is a group lasso with one linear constraint per group, which adelie can express EXACTLY:

* features: ``adelie.matrix.convex_relu(X, masks.T)`` is [D_1 X … D_P X, −D_1 X … −D_P X]
  (n × 2Pd), coefficients [v_1 … v_P, w_1 … w_P], 2P groups of size d;
* constraints: group i gets ``adelie.constraint.linear(A_i, 0, ∞)`` with A_i = (2D_i − I) X
  (adelie's form ℓ ≤ A x ≤ u), the same A_i for v_i and w_i;
* loss and penalty: ``adelie.glm.gaussian(y)`` weighs rows by 1/n, so its loss is
  (1/2n)‖y − f‖² (up to a constant), the penalty factors are set to 1 (adelie's default is
  √(group size)) and the intercept is off: adelie's objective is ours divided by n, hence
  λ = β / n. Verified on n = 200, d = 5, P = 40 against the project's certified optima
  (relative gaps ≤ 1e-9) on the same 7-point path: adelie's raw values agree to 4e-7 at
  every β (tol 1e-12, pinball_tol 1e-12), and ``benchpeers evaluate`` re-checks it at every
  β of the n = 1000 path (≤ 2e-6 above our certified lower bound after restoration; a wrong
  λ would show a gap of order 1).

adelie's group solver handles a constraint through its dual (proximal Newton on the
multipliers, with NNLS and "pinball" least-squares inner solvers), so its points satisfy the
cone constraints only to about the inner tolerance (violations 1e-6 to 1e-4 here); the
project restores feasibility before judging, as it does for pyscnn. The path is solved in
ONE ``grpnet`` call over the exact β path (user ``lmda_path``, decreasing), warm-started
from β to β, ``early_exit=False`` (adelie's default stops the path at 90 % deviance
explained). Seconds per β are the wall time between consecutive solutions, read from the
``exit_cond`` callback adelie calls after each one (the first includes the setup).

Settings: ``--tol`` is grpnet's coordinate-descent tolerance; ``--constraint-config
KEY=VALUE`` sets a config of ``adelie.constraint.linear`` (e.g. ``pinball_tol``, default
1e-7, and ``pinball_max_iters``, default 1e5: the constraint's inner tolerance and cap). On
the n = 1000 path (one BLAS thread), tol 1e-10 with the constraint defaults solves the path
in about 55 s (points 2e-5 to 1.4e-4 above the optimum), tol 1e-12 with pinball_tol 1e-12
and pinball_max_iters 1e7 in about 155 s (4e-8 to 2e-6 above). Tighter settings stop the
path: pinball_tol 1e-12 at the default cap ("pinball: max iterations reached"), nnls_tol
1e-11 (n = 200) or pinball_tol 1e-14 with nnls_tol 1e-10 (n = 1000: "exception raised in
constraint->solve_zero()"). When the constrained solve stops early, the β it did not reach
are recorded as failed and the GATED program (no cone constraints, u_i = v_i − w_i,
``convex_relu(..., gated=True)``) is solved over the whole path as a fallback, labelled
``adelie-gated``: a different program (a relaxation of CE, its optimum is lower). The file
holds V = U, W = 0; the project judges it on CE at the better of the feasible split v_i = u_i
+ t g_i, w_i = t g_i (same fit, larger penalty) and V = U, W = 0 restored, and reports adelie's
gated objective beside it.
``--program gated`` solves only the gated program.

Usage: python tools/peers/adelie_solve.py IN_DIR OUT_DIR [--tol T] [--program ce|gated]
       [--constraint-config KEY=VALUE ...] [--label NAME]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

VERSION = "1.1.52"
"""The adelie version ``make bench-peers`` installs (checked at run time)."""


def cone_matrices(X: np.ndarray, masks: np.ndarray) -> list[np.ndarray]:
    """A_i = (2D_i − I) X per pattern: the cone of pattern i is {v : A_i v ≥ 0}."""
    return [np.where(m, 1.0, -1.0)[:, None] * X for m in masks]


def split_coefficients(
    beta: np.ndarray, d: int, P: int, program: str
) -> tuple[np.ndarray, np.ndarray]:
    """adelie's coefficient vector → V, W (d × P): groups [v_1 … v_P, w_1 … w_P] of size d.

    For the gated program the P groups are u_i, returned as V = U, W = 0.
    """
    groups = np.asarray(beta, dtype=float).reshape(-1, d)
    V = groups[:P].T.copy()
    W = groups[P:].T.copy() if program == "ce" else np.zeros_like(V)
    return V, W


def ce_objective(
    X: np.ndarray, y: np.ndarray, masks: np.ndarray, beta: float, V: np.ndarray, W: np.ndarray
) -> float:
    """½‖Σ_i D_i X (v_i − w_i) − y‖² + β Σ_i (‖v_i‖ + ‖w_i‖) (no feasibility check)."""
    f = np.sum(masks.T * (X @ (V - W)), axis=1)
    norms = np.linalg.norm(V, axis=0).sum() + np.linalg.norm(W, axis=0).sum()
    return float(0.5 * np.sum((f - y) ** 2) + beta * norms)


def solve_path(
    data: dict[str, np.ndarray],
    program: str,
    tol: float,
    constraint_configs: dict[str, Any],
) -> dict[str, Any]:
    """One ``grpnet`` call over the whole β path; V, W, seconds per β, what it reached."""
    import adelie as ad

    X = np.asarray(data["X"], dtype=np.float64)
    y = np.asarray(data["y"], dtype=np.float64)
    masks = np.asarray(data["masks"], dtype=bool)
    betas = np.asarray(data["betas"], dtype=float)
    n, d = X.shape
    P = masks.shape[0]
    order = np.argsort(-betas)  # adelie walks the path from the largest λ down
    constrained = program == "ce"
    matrix = ad.matrix.convex_relu(
        np.asfortranarray(X), np.asfortranarray(masks.T), gated=not constrained, copy=True
    )
    G = (2 if constrained else 1) * P
    constraints = None
    if constrained:
        cones = cone_matrices(X, masks)
        constraints = [
            ad.constraint.linear(
                A, np.zeros(n), np.full(n, np.inf), copy=True, configs=constraint_configs
            )
            for A in cones + cones
        ]
    stamps: list[float] = []

    def record(_state: Any) -> bool:
        stamps.append(time.perf_counter())
        return False

    start = time.perf_counter()
    state = ad.grpnet(
        matrix,
        ad.glm.gaussian(y),
        constraints=constraints,
        groups=np.arange(G) * d,
        penalty=np.ones(G),
        lmda_path=betas[order] / n,
        intercept=False,
        early_exit=False,
        tol=tol,
        n_threads=1,
        progress_bar=False,
        exit_cond=record,
    )
    total = time.perf_counter() - start
    L = len(betas)
    reached = len(state.lmdas)
    if reached and not np.allclose(state.lmdas * n, betas[order][:reached], rtol=1e-12):
        raise RuntimeError("adelie solved a λ path other than the one given")
    coefs = state.betas.toarray() if reached else np.zeros((0, G * d))
    V = np.zeros((L, d, P))
    W = np.zeros((L, d, P))
    seconds = np.full(L, np.nan)
    own = np.full(L, np.nan)
    solved = np.zeros(L, dtype=bool)
    ticks = np.diff(np.concatenate([[start], stamps[:reached]]))
    for j in range(reached):
        k = order[j]
        V[k], W[k] = split_coefficients(coefs[j], d, P, program)
        seconds[k] = ticks[j]
        own[k] = ce_objective(X, y, masks, betas[k], V[k], W[k])
        solved[k] = True
    error = str(getattr(state, "error", "") or "")
    if reached < L and not error:
        error = f"reached {reached} of {L} β"
    return {
        "V": V,
        "W": W,
        "seconds": seconds,
        "seconds_total": total,
        "own_objective": own,
        "solved": solved,
        "error": error,
        "program": program,
        "betas": betas,
        "case_id": str(data["case_id"]),
    }


def parse_configs(items: list[str]) -> dict[str, Any]:
    """``["pinball_tol=1e-12", "pinball_max_iters=10000000"]`` → {key: int or float}."""
    configs: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"constraint config {item!r} is not KEY=VALUE")
        number = float(value)
        configs[key] = int(number) if key.endswith("iters") else number
    return configs


def save_solution(
    out_dir: Path,
    label: str,
    out: dict[str, Any],
    settings: dict[str, Any],
    versions: dict[str, str],
) -> Path:
    """Write one :func:`solve_path` result as ``<case>__<label>.npz`` (what evaluate reads)."""
    safe = "".join(c if c.isalnum() or c in "-." else "_" for c in label)
    target = out_dir / f"{out['case_id']}__{safe}.npz"
    np.savez(
        target,
        **{k: np.asarray(v) for k, v in out.items()},
        label=np.str_(label),
        settings=np.str_(json.dumps(settings)),
        versions=np.str_(json.dumps(versions)),
    )
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="adelie_solve.py")
    parser.add_argument("inputs", type=Path, help="the export folder (reads inputs/path/*.npz)")
    parser.add_argument("outputs", type=Path, help="where the solutions go")
    parser.add_argument("--tol", type=float, default=1e-10)
    parser.add_argument(
        "--constraint-config",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a config of adelie.constraint.linear, e.g. pinball_tol=1e-12 (repeatable)",
    )
    parser.add_argument("--program", choices=("ce", "gated"), default="ce")
    parser.add_argument("--label", default=None, help="solver name in the report")
    args = parser.parse_args(argv)
    files = sorted((args.inputs / "path").glob("*.npz"))
    if not files:
        print(f"adelie_solve: error: no path instances in {args.inputs}/path", file=sys.stderr)
        return 2
    import adelie as ad  # fail early and clearly when adelie is missing

    if getattr(ad, "__version__", VERSION) != VERSION:
        print(f"adelie_solve: warning: adelie {ad.__version__}, tested {VERSION}", file=sys.stderr)
    configs = parse_configs(args.constraint_config)
    versions = {"adelie": getattr(ad, "__version__", VERSION), "numpy": np.__version__}
    label = args.label or f"adelie-{args.program} tol={args.tol:.0e}"
    args.outputs.mkdir(parents=True, exist_ok=True)
    for path in files:
        data = dict(np.load(path))
        settings = {"tol": args.tol, "constraint_configs": configs, "program": args.program}
        out = solve_path(data, args.program, args.tol, configs)
        save_solution(args.outputs, label, out, settings, versions)
        print(
            f"adelie {out['case_id']} {label}: {out['seconds_total']:.2f} s, "
            f"{int(out['solved'].sum())}/{len(out['solved'])} β"
            + (f" (stopped: {out['error']})" if out["error"] else ""),
            flush=True,
        )
        if args.program == "ce" and not out["solved"].all():
            gated_label = f"adelie-gated tol={args.tol:.0e}"
            gated = solve_path(data, "gated", args.tol, {})
            gated_settings = {**settings, "program": "gated"}
            save_solution(args.outputs, gated_label, gated, gated_settings, versions)
            print(
                f"adelie {out['case_id']} {gated_label} (fallback for {label}): "
                f"{gated['seconds_total']:.2f} s",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
