"""The claim conformance suite: named properties every claim must keep (issue 15).

Like scikit-learn's ``check_estimator``, each property is one function that takes the claim
and what the suite has computed so far, and returns the problems it found (empty: it holds).
:func:`check_claim` runs them all in order and reports each failed property by name.

The properties, in order:

``metadata``
    the static contract of :func:`relucheck.plugins.claim_problems` (a :class:`Claim`, an id
    that names files, title and statement, unique check ids, callables, a positive budget).
``instances_pure``
    ``instances(profile)`` returns :class:`InstanceSpec` objects for every profile (at least
    one in ``quick``), each of this claim, with an explicit integer seed and JSON parameters,
    hashable, with distinct ids, and the same list when called again.
``declared_checks``
    what an instance reports (``expected_checks``) is a subset of the declared ``check_ids``.
``rows_contract``
    ``check`` returns :class:`CheckResult` rows, exactly one per expected check id; each
    verdict is from the vocabulary (:class:`Verdict`); each row states its relation, and a
    PASS or FAIL row its numeric tolerance; rows are strict JSON.
``has_control``
    at least one row of the checked instances is a negative control (``control=True``); when
    none of the chosen instances expects a ``control_*`` check, the first quick instance
    that does is checked too.
``deterministic``
    a second run of the same instance, after the global ``random`` and ``numpy.random``
    states were changed, gives the same rows once timings are set aside: the ``timings``
    field, keys naming time or seconds inside ``data`` and ``solver``, and the value and
    margin of checks whose id names ``time`` (they measure the wall clock by design).
``figures_from_rows``
    ``figures(frame, folder)`` (when the claim has one) draws from the stored rows alone: it
    is given the rows as ``relucheck report`` reads them back, returns existing files inside
    the folder, and neither re-runs the claim's ``check`` nor its ``instances``.
``within_budget``
    each checked instance finishes within the claim's ``budget_seconds``.
"""

from __future__ import annotations

import json
import math
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from relucheck.harness.claims import PROFILES, Claim, InstanceSpec, RunOptions
from relucheck.harness.records import CheckResult, Verdict, is_control
from relucheck.plugins import claim_problems

TIMING_KEY_PARTS = ("time", "seconds", "elapsed")


@dataclass
class Run:
    """What the suite computed: instances per profile, the checked specs and their rows."""

    instances: dict[str, list[InstanceSpec]] = field(default_factory=dict)
    checked: list[InstanceSpec] = field(default_factory=list)
    rows: dict[str, list[Any]] = field(default_factory=dict)  # instance id -> results
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class PropertyResult:
    """One property: whether it held and, if not, what broke it."""

    name: str
    ok: bool
    problems: tuple[str, ...] = ()
    skipped: str = ""


@dataclass
class ConformanceReport:
    """Every property's result for one claim."""

    claim: str
    results: list[PropertyResult]

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    @property
    def failed(self) -> list[str]:
        return [r.name for r in self.results if not r.ok]

    def lines(self) -> list[str]:
        out = []
        for r in self.results:
            mark = "ok  " if r.ok and not r.skipped else ("skip" if r.ok else "FAIL")
            out.append(f"{mark} {r.name}" + (f" ({r.skipped})" if r.skipped else ""))
            out.extend(f"       {p}" for p in r.problems)
        verdict = "conforms" if self.ok else "FAILS " + ", ".join(self.failed)
        out.append(f"{self.claim}: {verdict}")
        return out


# ----------------------------------------------------------------------------- properties


def check_metadata(claim: Any, run: Run) -> list[str]:
    return claim_problems(claim)


def check_instances_pure(claim: Claim, run: Run) -> list[str]:
    problems = []
    for profile in PROFILES:
        try:
            specs = claim.instances(profile)
            again = claim.instances(profile)
        except Exception as exc:  # noqa: BLE001
            problems.append(f"instances({profile!r}) raised {type(exc).__name__}: {exc}")
            continue
        if not isinstance(specs, list) or not all(isinstance(s, InstanceSpec) for s in specs):
            problems.append(f"instances({profile!r}) is not a list of InstanceSpec")
            continue
        run.instances[profile] = specs
        if profile == "quick" and not specs:
            problems.append("the quick profile has no instance")
        if specs != again:
            problems.append(f"instances({profile!r}) differs between two calls")
        ids = [s.id for s in specs]
        if len(set(ids)) != len(ids):
            problems.append(f"instances({profile!r}) repeats an instance id")
        for spec in specs:
            problems.extend(_spec_problems(claim, spec))
    return sorted(set(problems), key=problems.index)


def _spec_problems(claim: Claim, spec: InstanceSpec) -> list[str]:
    out = []
    if spec.claim != claim.id:
        out.append(f"instance {spec.name!r} belongs to claim {spec.claim!r}, not {claim.id!r}")
    if isinstance(spec.seed, bool) or not isinstance(spec.seed, int):
        out.append(f"instance {spec.name!r} has no explicit integer seed ({spec.seed!r})")
    try:
        hash(spec)
    except TypeError as exc:
        out.append(f"instance {spec.name!r} is not hashable ({exc})")
    try:
        json.dumps(dict(spec.params), allow_nan=False)
    except (TypeError, ValueError) as exc:
        out.append(f"instance {spec.name!r} has parameters that are not JSON ({exc})")
    return out


def check_declared_checks(claim: Claim, run: Run) -> list[str]:
    problems = []
    declared = set(claim.check_ids)
    for spec in run.instances.get("quick", []):
        try:
            expected = claim.expected_checks(spec)
        except Exception as exc:  # noqa: BLE001
            problems.append(f"checks_for({spec.name!r}) raised {type(exc).__name__}: {exc}")
            continue
        extra = sorted(set(expected) - declared)
        if extra:
            problems.append(f"instance {spec.name!r} expects undeclared checks {extra}")
    return problems


def check_rows_contract(claim: Claim, run: Run) -> list[str]:
    problems = []
    for spec in run.checked:
        results = run.rows.get(spec.id)
        if isinstance(results, BaseException):
            problems.append(f"check({spec.name!r}) raised {type(results).__name__}: {results}")
            continue
        problems.extend(_rows_problems(claim, spec, results))
    return problems


def _rows_problems(claim: Claim, spec: InstanceSpec, results: Any) -> list[str]:
    where = f"instance {spec.name!r}"
    if not isinstance(results, list) or not all(isinstance(r, CheckResult) for r in results):
        return [f"{where}: check did not return a list of CheckResult"]
    out = []
    names = [r.check for r in results]
    expected = list(claim.expected_checks(spec))
    missing = sorted(set(expected) - set(names))
    extra = sorted(set(names) - set(expected))
    repeated = sorted({n for n in names if names.count(n) > 1})
    for label, which in (("missing", missing), ("undeclared", extra), ("repeated", repeated)):
        if which:
            out.append(f"{where}: {label} rows {which}")
    for r in results:
        if not isinstance(r.verdict, Verdict):
            out.append(f"{where}: row {r.check!r} verdict {r.verdict!r} is not a Verdict")
        if not isinstance(r.relation, str) or not r.relation.strip():
            out.append(f"{where}: row {r.check!r} states no relation")
        decided = r.verdict in (Verdict.PASS, Verdict.FAIL)
        if decided and not _finite_number(r.tolerance):
            out.append(f"{where}: {r.verdict.value} row {r.check!r} has no numeric tolerance")
        try:
            json.dumps(r.to_dict(), allow_nan=False)
        except Exception as exc:  # noqa: BLE001  (whatever breaks serialisation is the defect)
            out.append(f"{where}: row {r.check!r} is not strict JSON ({exc})")
    return out


def _finite_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def check_has_control(claim: Claim, run: Run) -> list[str]:
    rows = [r for v in run.rows.values() if isinstance(v, list) for r in v]
    if any(isinstance(r, CheckResult) and r.control for r in rows):
        return []
    return ["no row of the checked instances is a negative control (control=True)"]


def comparable(row: CheckResult) -> dict[str, Any]:
    """A row without what measures the wall clock (see ``deterministic`` above)."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: strip(v)
                for k, v in value.items()
                if not any(part in str(k).lower() for part in TIMING_KEY_PARTS)
            }
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    try:
        out = row.to_dict()
    except Exception:  # noqa: BLE001  (rows_contract reports why; compare the raw fields)
        out = dict(vars(row))
    out.pop("timings", None)
    for key in ("data", "solver"):
        out[key] = strip(out.get(key) or {})
    if "time" in row.check.lower():
        out.pop("value", None)
        out.pop("margin", None)
        out.pop("verdict", None)
        out.pop("reason", None)
    return out


def check_deterministic(claim: Claim, run: Run) -> list[str]:
    problems = []
    for spec in run.checked:
        first = run.rows.get(spec.id)
        if not isinstance(first, list):
            continue
        _perturb_global_rngs(2)  # a state other than the first run's
        try:
            second = claim.check(spec, RunOptions())
        except Exception as exc:  # noqa: BLE001
            problems.append(f"instance {spec.name!r}: the second run raised {exc!r}")
            continue
        a = [comparable(r) for r in first if isinstance(r, CheckResult)]
        b = [comparable(r) for r in second if isinstance(r, CheckResult)]
        if a != b:
            problems.append(f"instance {spec.name!r}: rows differ between two runs: {_diff(a, b)}")
    return problems


def _perturb_global_rngs(seed: int) -> None:
    """Put the global ``random`` and legacy ``numpy.random`` states somewhere known and
    different per run, so that a check drawing from them gives different rows."""
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002  (the legacy global state, on purpose)


def _diff(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> str:
    if len(a) != len(b):
        return f"{len(a)} rows, then {len(b)}"
    for ra, rb in zip(a, b, strict=True):
        for key in sorted(set(ra) | set(rb)):
            if ra.get(key) != rb.get(key):
                return f"row {ra.get('check')!r} field {key!r}: {ra.get(key)!r} != {rb.get(key)!r}"
    return "order differs"


def check_figures_from_rows(claim: Claim, run: Run) -> list[str]:
    if claim.figures is None:
        return []
    from relucheck.harness.executors import Outcome, Unit
    from relucheck.harness.figstyle import paper_style
    from relucheck.harness.runner import rows_for
    from relucheck.harness.tables import rows_frame

    stored = []
    for spec in run.checked:
        results = run.rows.get(spec.id)
        if not isinstance(results, list):
            continue
        try:
            dicts = [r.to_dict() for r in results]
        except Exception:  # noqa: BLE001  (rows_contract reports rows that do not serialise)
            continue
        unit = Unit(claim, spec, RunOptions(), claim.budget_seconds)
        outcome = Outcome(unit, "ok", 0.0, results=dicts)
        stored.extend(rows_for(outcome, run_id="conformance", env={}, jobs=1))
    stored = json.loads(json.dumps(stored))  # as `relucheck report` reads them back
    forbidden = {_code(claim.check), _code(claim.instances)} - {None}
    called: list[str] = []

    def watch(frame: Any, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code in forbidden:
            called.append(frame.f_code.co_name)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "figures"
        previous = sys.getprofile()
        sys.setprofile(watch)
        try:
            with paper_style():
                paths = claim.figures(rows_frame(stored, keep_data=True), folder)
        except Exception as exc:  # noqa: BLE001
            return [f"figures raised {type(exc).__name__}: {exc}"]
        finally:
            sys.setprofile(previous)
            import matplotlib.pyplot as plt

            plt.close("all")
        problems = []
        if called:
            problems.append(f"figures called the claim's {sorted(set(called))}: not rows only")
        for p in paths or []:
            path = Path(p).resolve()
            if not path.is_file():
                problems.append(f"figures returned {p}, which does not exist")
            elif folder.resolve() not in path.parents:
                problems.append(f"figures wrote {p} outside the folder it was given")
    return problems


def _code(fn: Callable[..., Any]) -> Any:
    return getattr(fn, "__code__", None)


def check_within_budget(claim: Claim, run: Run) -> list[str]:
    return [
        f"instance {name!r} took {secs:.1f} s, over the budget of {claim.budget_seconds:g} s"
        for name, secs in run.seconds.items()
        if secs > claim.budget_seconds
    ]


PROPERTIES: dict[str, Callable[[Any, Run], list[str]]] = {
    "metadata": check_metadata,
    "instances_pure": check_instances_pure,
    "declared_checks": check_declared_checks,
    "rows_contract": check_rows_contract,
    "has_control": check_has_control,
    "deterministic": check_deterministic,
    "figures_from_rows": check_figures_from_rows,
    "within_budget": check_within_budget,
}
#: Properties that need the rows of at least one checked instance.
NEEDS_ROWS = ("rows_contract", "has_control", "deterministic", "figures_from_rows")


def choose_instances(
    claim: Claim, specs: list[InstanceSpec], instances: int, names: tuple[str, ...]
) -> list[InstanceSpec]:
    """The named instances, or the first ``instances``, plus the first instance expecting a
    ``control_*`` check when none of those does (so ``has_control`` sees a control row)."""
    if names:
        return [s for s in specs if s.name in names]
    chosen = specs[: max(1, instances)]
    if not any(is_control(c) for s in chosen for c in claim.expected_checks(s)):
        extra = [s for s in specs if any(is_control(c) for c in claim.expected_checks(s))]
        chosen += extra[:1]
    return chosen


def _run_checks(claim: Claim, run: Run, instances: int, names: tuple[str, ...]) -> None:
    try:
        chosen = choose_instances(claim, run.instances.get("quick", []), instances, names)
    except Exception:  # noqa: BLE001  (declared_checks reports a raising checks_for)
        chosen = run.instances.get("quick", [])[:1]
    for spec in chosen:
        _perturb_global_rngs(1)
        start = time.perf_counter()
        try:
            run.rows[spec.id] = claim.check(spec, RunOptions())
        except Exception as exc:  # noqa: BLE001
            run.rows[spec.id] = exc  # type: ignore[assignment]
        run.seconds[spec.name] = time.perf_counter() - start
        run.checked.append(spec)


def conformance(
    claim: Any, *, instances: int = 1, instance_names: tuple[str, ...] = ()
) -> ConformanceReport:
    """Run every property on ``claim`` and return the report; never raises because of it.

    The rows come from the first ``instances`` quick instances, or from those named.
    """
    run = Run()
    results = []
    for name, prop in PROPERTIES.items():
        if name != "metadata" and not isinstance(claim, Claim):
            results.append(PropertyResult(name, False, ("not a Claim",)))
            continue
        if name in NEEDS_ROWS and not run.checked:
            _run_checks(claim, run, instances, instance_names)
            if not run.checked:
                results.append(PropertyResult(name, False, ("no quick instance to check",)))
                continue
        problems = prop(claim, run)
        no_figures = name == "figures_from_rows" and claim.figures is None
        skipped = "the claim draws no figures" if no_figures else ""
        results.append(PropertyResult(name, not problems, tuple(problems), skipped))
    return ConformanceReport(str(getattr(claim, "id", claim)), results)
