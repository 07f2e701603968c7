"""Solver plug-ins in ``make bench`` (issue 15): judged by OUR objective and certificate.

Every solver plug-in installed under the ``relucheck.solvers`` entry points, and every file
named in ``RELUCHECK_SOLVER_PLUGINS`` (paths separated by ``os.pathsep``), runs on the cases
of :mod:`relucheck.bench.cases` that Clarabel runs on, through
:func:`relucheck.solvers.plugin.solve_with_plugin`: the plug-in returns its primal point, the
project restores feasibility, reconstructs the network and certifies it, as pyscnn is
judged in ``make bench-peers``. Rows use the CE kind, so ``gap_to_best`` compares a plug-in
with the built-in solvers on the same case. A plug-in is never asserted accurate: its row
records how far it got. No plug-in installed: one SKIPPED row saying so.
"""

from __future__ import annotations

import os

import pytest

from relucheck.bench.cases import CASES, build_case
from relucheck.plugins import NO_ENTRY_POINTS, load_solvers
from relucheck.solvers.choices import SOLVER_CHOICES
from relucheck.solvers.plugin import availability, solve_with_plugin

PLUGIN_ROUNDS = 3
PLUGIN_TIME_LIMIT = 120.0


def _plugins():
    paths = [p for p in os.environ.get("RELUCHECK_SOLVER_PLUGINS", "").split(os.pathsep) if p]
    switch = None
    if os.environ.get("RELUCHECK_SUITE_DISABLED_ENTRY_POINTS"):  # tests/conftest.py's, not
        switch = os.environ.pop(NO_ENTRY_POINTS, None)  # the user's: see installed plug-ins
    try:
        return load_solvers(paths, reserved=SOLVER_CHOICES).entries
    finally:
        if switch is not None:
            os.environ[NO_ENTRY_POINTS] = switch


def _params():
    entries = _plugins()
    if not entries:
        yield pytest.param(None, None, id="no-plugin")
        return
    for entry in entries:
        for case in CASES:
            if "clarabel" in case.solvers:
                yield pytest.param(case, entry, id=f"{case.id}-plugin-{entry.name}")


@pytest.mark.parametrize(("case", "entry"), list(_params()))
def test_bench_solver_plugin(benchmark, case, entry):
    if entry is None:
        pytest.skip("no solver plug-in installed (relucheck.solvers entry points) or named in "
                    "RELUCHECK_SOLVER_PLUGINS")  # fmt: skip
    if not entry.ok:
        pytest.fail(f"solver plug-in {entry.line()}")
    ok, reason = availability(entry.obj)
    if not ok:
        pytest.skip(f"solver plug-in {entry.name} unavailable: {reason}")
    data = build_case(case)
    sol = benchmark.pedantic(
        solve_with_plugin,
        args=(data.X, data.y, data.beta, data.patterns, entry.obj),
        kwargs={"time_limit": PLUGIN_TIME_LIMIT},
        rounds=PLUGIN_ROUNDS,
        iterations=1,
    )
    result = sol.result
    benchmark.extra_info.update(
        {
            "kind": "ce-solver",
            "case": case.id,
            "solver": f"plugin:{entry.name}",
            "origin": entry.origin,
            "source": case.source,
            "n": case.n,
            "d": case.d,
            "P": data.patterns.count,
            "beta": data.beta,
            "objective": float(min(sol.objective, sol.objective_pruned)),
            "certified_lower": result.certified_lower,
            "certified_gap": result.certified_gap,
            "certified": bool(result.accurate),
            "status": result.status,
            "width": sol.width,
            "convex_solve_s": result.seconds,
        }
    )
