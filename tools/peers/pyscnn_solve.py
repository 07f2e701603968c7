"""Solve exported CE benchmark instances with pyscnn's augmented-Lagrangian solver.

Runs in the SEPARATE peers environment (.venv-peers, made by ``make bench-peers``): it
imports numpy and pyscnn (which pulls PyTorch) and nothing from relucheck, so the project
never depends on either. Input: the ``.npz`` files written by
``python -m relucheck.bench.peers export`` (X, y, β, the gate vectors (d × P) that
every solver of ``make bench`` uses, case id). Output, per instance and tolerance, an
``.npz`` with the convex weights V, W (d × P) in OUR gate order, the wall time of
``optimize_model`` and pyscnn's final metrics; the project environment then evaluates
them with its own objective and certificate (``benchpeers evaluate``).

Objective mapping: pyscnn minimises ‖y − f‖²/(2n) + λ Σ_i (‖v_i‖ + ‖w_i‖) (squared error
scaled by n, NeuronGL1), ours ½‖y − f‖² + β Σ_i (‖v_i‖ + ‖w_i‖): the same program scaled by
1/n, so λ = β / n. Data are passed as given (``unitize_data=False``: pyscnn's column
normalisation would change the regulariser) in float64, without bias.

Usage: python tools/peers/pyscnn_solve.py IN_DIR OUT_DIR [--tol T ...] [--cases ID ...]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np


def _match_gates(ours: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    """Column j of ``theirs`` is column index[j] of ``ours`` (pyscnn sorts and filters)."""
    sims = theirs.T @ ours  # unit gates: the same gate has similarity 1
    index = np.argmax(sims, axis=1)
    if not np.allclose(sims[np.arange(len(index)), index], 1.0, atol=1e-9):
        raise RuntimeError("pyscnn returned gates that are not among the exported ones")
    return index


def solve(path: Path, tol: float, max_dual_iters: int) -> dict:
    from scnn.metrics import Metrics
    from scnn.models import ConvexReLU
    from scnn.optimize import optimize_model
    from scnn.regularizers import NeuronGL1
    from scnn.solvers import AL

    data = np.load(path)
    X, y, beta, gates = data["X"], data["y"], float(data["beta"]), data["gates"]
    n = X.shape[0]
    model = ConvexReLU(gates.copy())
    solver = AL(model, tol=tol, constraint_tol=tol, max_dual_iters=max_dual_iters)
    start = time.perf_counter()
    fitted, metrics = optimize_model(
        model,
        solver,
        Metrics(),
        X,
        y,
        regularizer=NeuronGL1(beta / n),
        return_convex=True,
        unitize_data=False,
        verbose=False,
        dtype="float64",
    )
    seconds = time.perf_counter() - start
    V_theirs, W_theirs = (np.asarray(p)[0] for p in fitted.parameters)  # (p, d) each
    index = _match_gates(gates, np.asarray(fitted.G))
    P, d = gates.shape[1], gates.shape[0]
    V = np.zeros((d, P))
    W = np.zeros((d, P))
    V[:, index] = V_theirs.T
    W[:, index] = W_theirs.T
    trace = np.asarray(getattr(metrics, "objective", []), dtype=float)
    return {
        "V": V,
        "W": W,
        "seconds": seconds,
        "tol": tol,
        "patterns_used": int(len(index)),
        "pyscnn_objective_scaled": float(trace[-1]) if trace.size else float("nan"),
        "case_id": str(data["case_id"]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pyscnn_solve.py")
    parser.add_argument("inputs", type=Path)
    parser.add_argument("outputs", type=Path)
    parser.add_argument("--tol", type=float, action="append", default=None)
    parser.add_argument("--max-dual-iters", type=int, default=10_000)
    parser.add_argument("--cases", nargs="*", help="case ids to solve (default: every file)")
    args = parser.parse_args(argv)
    tols = args.tol or [1e-6]
    args.outputs.mkdir(parents=True, exist_ok=True)
    files = sorted(args.inputs.glob("*.npz"))
    if args.cases:
        files = [f for f in files if f.stem in args.cases]
    if not files:
        print(f"pyscnn_solve: error: no .npz instances in {args.inputs}", file=sys.stderr)
        return 2
    import scnn  # noqa: F401  (fail early and clearly when pyscnn is missing)
    import torch

    versions = {"pyscnn": "0.0.10", "torch": torch.__version__}
    for path in files:
        for tol in tols:
            out = solve(path, tol, args.max_dual_iters)
            name = f"{path.stem}__tol{tol:.0e}.npz"
            np.savez(
                args.outputs / name,
                **{k: np.asarray(v) for k, v in out.items()},
                versions=np.str_(json.dumps(versions)),
            )
            print(f"pyscnn {out['case_id']} tol={tol:.0e}: {out['seconds']:.2f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
