"""What every command shares: the parser class, input checks, and the JSON/exit-status tail.

Exit statuses, for every command: 0 for success (for a solve: the solver's word *and* a
certified relative gap within :data:`GAP_TOL`), 1 for numbers that are printed but not
certified (``"accurate": false``, INCONCLUSIVE), 2 for a usage error: one line
``relucheck: error: ...`` on stderr (:func:`usage_error`), nothing written.
JSON output follows :func:`relucheck.harness.records.jsonable` (NaN → null, ±inf →
"inf"/"-inf"), the policy of the stored rows.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from relucheck.datasets.array_files import load_array
from relucheck.datasets.validation import BadInput, check_finite
from relucheck.harness.records import jsonable
from relucheck.solvers.result import CERTIFIED_GAP

LOSS_CHOICES = ("squared", "hinge")

GAP_TOL = CERTIFIED_GAP

#: Largest N in ``sampled:N``: a larger request would run for hours or exhaust memory.
MAX_SAMPLES = 1_000_000


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``relucheck: error: <message>``, exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"relucheck: error: {message} (see '{self.prog} --help')\n")


def usage_error(message: object) -> int:
    """Print the one-line usage error on stderr and return exit status 2."""
    print(f"relucheck: error: {message}", file=sys.stderr)
    return 2


def json_line(facts: dict[str, Any]) -> str:
    """One strict-JSON object (non-finite numbers as in :func:`jsonable`)."""
    return json.dumps(jsonable(facts), allow_nan=False)


# ----------------------------------------------------------------------------- inputs


def load_problem(x_path: str, y_path: str) -> tuple[np.ndarray, np.ndarray]:
    """``--X`` as an (n, d) matrix (a 1-D file is one feature) and ``--y``, not yet validated."""
    X = load_array(x_path, "--X", matrix=True)
    y = load_array(y_path, "--y")
    if X.ndim == 1:
        X = X[:, None]
    return X, y


def validate_matrix(X: np.ndarray) -> None:
    """A finite, non-empty 2-D data matrix (the part of validate_problem that needs no y)."""
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise BadInput(f"X must be a non-empty 2-D array (n, d), got shape {X.shape}")
    check_finite("X", X)


def parse_exact_or_sampled(text: str, option: str = "--patterns") -> tuple[str, int]:
    """'exact' or 'sampled:N' (N ≥ 1 random draws), as given to ``option``."""
    if text == "exact":
        return "exact", 0
    if text.startswith("sampled:"):
        try:
            count = int(text.split(":", 1)[1])
        except ValueError:
            count = 0
        if count > MAX_SAMPLES:
            raise BadInput(f"{option} sampled:N allows at most N = {MAX_SAMPLES}, got {count}")
        if count >= 1:
            return "sampled", count
    raise BadInput(f"{option} must be 'exact' or 'sampled:N' with N >= 1, got {text!r}")


def check_seed(seed: int) -> None:
    """numpy seeds are integers >= 0."""
    if seed < 0:
        raise BadInput(f"--seed must be an integer >= 0, got {seed}")


def check_output_path(path: str | None, inputs: dict[str, str] | None = None) -> None:
    """Fail before solving if --save cannot be written (a folder, a missing or read-only
    folder, or one of the input files named by ``inputs``, flag -> path)."""
    if path is None:
        return
    target = Path(path)
    if target.is_dir():
        raise BadInput(f"--save: {path} is a directory; give a file name such as net.npz")
    for flag, source in (inputs or {}).items():
        if target.exists() and Path(source).exists() and os.path.samefile(target, source):
            raise BadInput(f"--save: {path} is the input file of {flag}; refusing to overwrite it")
    folder = target.resolve().parent
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        raise BadInput(f"--save: folder {folder} does not exist or is not writable")
    try:  # os.access can say yes where creating a file fails (/proc, read-only mounts)
        fd, probe = tempfile.mkstemp(dir=folder, suffix=".probe")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise BadInput(f"--save: cannot create files in {folder} ({exc.strerror})") from None


# ----------------------------------------------------------------------------- outputs


def certified(accurate: bool, gap: float | None) -> bool:
    """The solver reported an accurate solve and the project's certificate closes the gap.

    A negative gap beyond the tolerance (a "lower bound" above the value) means rounding
    broke the certificate: not certified either.
    """
    return bool(accurate and gap is not None and np.isfinite(gap) and abs(gap) <= GAP_TOL)


def solve_facts(sol: Any, *, width_before: int, seconds: float, X: np.ndarray) -> dict[str, Any]:
    """The facts every certified network solve reports (``solve two-layer``, ``path-regularized``).

    ``sol`` has ``result`` (a :class:`~relucheck.solvers.result.SolveResult`), ``objective``,
    ``objective_pruned`` and ``width``; the certified gap is measured from the better of the
    two networks' objectives.
    """
    res = sol.result
    return {
        "value": min(sol.objective, sol.objective_pruned),
        "certified_lower": res.certified_lower,
        "certified_gap": res.certified_gap,
        "certifies": res.certifies,
        "width": sol.width,
        "width_before_pruning": int(width_before),
        "objective_pruned": sol.objective_pruned,
        "solver": res.solver,
        "status": res.status,
        "accurate": certified(res.accurate, res.certified_gap),
        "iterations": res.iterations,
        "seconds": seconds,
        "n": int(X.shape[0]),
        "d": int(X.shape[1]),
    }


def print_certificate(f: dict[str, Any], verdict: str, width_label: str = "width") -> None:
    """The human-readable lines of a network solve after its title and size lines."""
    print(f"  optimum       {f['value']:.10g}   [{verdict}]")
    print(f"  dual lower    {f['certified_lower']:.10g}   (certifies the {f['certifies']} program)")
    print(f"  relative gap  {f['certified_gap']:.3e}")
    label = f"{width_label:<13}"
    print(f"  {label} {f['width']} after pruning ({f['width_before_pruning']} before)")
    print(f"  solver        {f['solver']} ({f['status']}), {f['seconds']:.2f} s in all")
    if "saved" in f:
        print(f"  saved         {f['saved']}")


def save_npz_atomic(path: str, **arrays: Any) -> None:
    """Write arrays to an .npz atomically (temp file in the same folder, then rename).

    A failed write (disk full, folder gone) leaves nothing behind and raises BadInput.
    """
    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.resolve().parent, suffix=".npz.tmp")
    except OSError as exc:
        raise BadInput(f"--save: cannot write {path} ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise BadInput(f"--save: cannot write {path} ({exc.strerror or exc})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_with_facts(args: Any, facts: dict[str, Any], **arrays: Any) -> int | None:
    """``--save``: write the arrays and the facts' JSON atomically, note the path in facts.

    Returns None when saved or not asked for, else the exit status of the usage error.
    """
    if not args.save:
        return None
    try:
        save_npz_atomic(args.save, facts=json_line(facts), **arrays)
    except BadInput as exc:
        return usage_error(str(exc))
    facts["saved"] = str(args.save)
    return None


def emit_solve(args: Any, facts: dict[str, Any], print_human: Any, **arrays: Any) -> int:
    """Save (``--save``), print (JSON or text) and return the exit status of a solve."""
    failed = save_with_facts(args, facts, **arrays)
    if failed is not None:
        return failed
    if args.json:
        print(json_line(facts))
    else:
        print_human(facts)
    return 0 if facts["accurate"] else 1
