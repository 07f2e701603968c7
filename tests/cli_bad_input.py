"""Shared helpers for the bad-input property tests of ``relucheck solve`` / ``arrangements``.

``invoke`` runs the CLI's ``main`` in-process and returns what a user would see; the two
``assert_*`` helpers state the contract: a refusal is exit 2, nothing on stdout and exactly
one ``relucheck: error:`` line naming the problem; an answer is strict JSON whose exit
status agrees with its certificate (0 only with an accurate solve and |gap| ≤ 1e-6).
"""

from __future__ import annotations

import json
import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, settings

from relucheck.cli import main

GAP_TOL = 1e-6


def hypothesis_profiles(fast_examples: int, slow_examples: int):
    """(FAST, SLOW) hypothesis settings: the default suite's deterministic few examples and
    the slow suite's exploring many (fixtures are function-scoped on purpose)."""
    quiet = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
    fast = settings(
        max_examples=fast_examples, deadline=None, derandomize=True, suppress_health_check=quiet
    )
    slow = settings(max_examples=slow_examples, deadline=None, suppress_health_check=quiet)
    return fast, slow


@dataclass
class Outcome:
    rc: int
    out: str
    err: str
    warned: list[str]

    def facts(self) -> dict[str, Any]:
        def no_constants(name: str) -> None:
            raise AssertionError(f"stdout is not strict JSON: it contains {name}")

        return json.loads(self.out, parse_constant=no_constants)


def invoke(capsys, argv: list[str]) -> Outcome:
    """``relucheck <argv>`` in-process: exit status, stdout, stderr and any warnings."""
    capsys.readouterr()  # drop what earlier examples left
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            rc = main([str(a) for a in argv])
        except SystemExit as exc:  # argparse's own errors
            rc = exc.code
    captured = capsys.readouterr()
    warned = [f"{w.category.__name__}: {w.message}" for w in caught]
    return Outcome(int(rc), captured.out, captured.err, warned)


def assert_refused(o: Outcome, needle: str) -> None:
    """Exit 2, no stdout, one ``relucheck: error:`` line matching ``needle`` (a regex)."""
    assert o.rc == 2, (o.rc, o.out[:300], o.err[:300])
    assert o.out == "", o.out[:300]
    lines = o.err.splitlines()
    assert len(lines) == 1, o.err
    assert lines[0].startswith("relucheck: error: "), o.err
    assert "Traceback" not in o.err
    assert re.search(needle, lines[0]), (needle, lines[0])
    assert not o.warned, o.warned


def assert_answer(o: Outcome, value_key: str = "value") -> dict[str, Any]:
    """A printed answer: exit 0 or 1, strict JSON, exit status consistent with the facts,
    nothing on stderr and no warnings. Returns the facts."""
    assert o.rc in (0, 1), (o.rc, o.err[:500])
    assert o.err == "", o.err[:500]
    assert not o.warned, o.warned
    facts = o.facts()
    if value_key == "value":
        assert facts["accurate"] is (o.rc == 0)
        if o.rc == 0:
            value, lower, gap = facts["value"], facts["certified_lower"], facts["certified_gap"]
            assert math.isfinite(value) and math.isfinite(lower)
            assert abs(gap) <= GAP_TOL
            assert value >= 0.0
            assert lower <= value + GAP_TOL * max(abs(value), 1e-300)
    return facts


def write(folder: Path, name: str, arr: np.ndarray) -> str:
    path = folder / name
    np.save(path, arr)
    return str(path)


def solve_argv(kind: str, files: dict[str, str], weight: float = 0.1, width: int = 1) -> list:
    """The argv of one command kind on the files {slot: path} (slots X, y or x, y)."""
    w = f"{weight!r}"
    if kind == "two-layer":
        return ["solve", kind, "--X", files["X"], "--y", files["y"], f"--beta={w}", "--json"]
    if kind == "path-regularized":
        return [
            "solve", kind, "--X", files["X"], "--y", files["y"], f"--beta={w}",
            "--width", str(width), "--json",
        ]  # fmt: skip
    if kind == "lasso-1d":
        return ["solve", kind, "--x", files["x"], "--y", files["y"], f"--beta={w}", "--json"]
    if kind == "tv1d":
        return ["solve", kind, "--x", files["x"], "--y", files["y"], f"--lam={w}", "--json"]
    if kind == "arrangements":
        return ["arrangements", "--X", files["X"], "--json"]
    raise ValueError(kind)


#: Each command with its data slots.
SLOTS = {
    "two-layer": ("X", "y"),
    "path-regularized": ("X", "y"),
    "lasso-1d": ("x", "y"),
    "tv1d": ("x", "y"),
    "arrangements": ("X",),
}


def good_data(n: int = 5, seed: int = 0) -> dict[str, np.ndarray]:
    """Well-posed data for every slot (x distinct)."""
    rng = np.random.default_rng(seed)
    return {
        "X": rng.standard_normal((n, 2)),
        "y": rng.standard_normal(n),
        "x": np.sort(rng.uniform(-1.0, 1.0, n)) + np.arange(n) * 1e-3,
    }
