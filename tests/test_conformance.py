"""The claim conformance suite (issue 15): the built-ins pass, each broken property is caught.

Each planted claim below breaks exactly one property of relucheck.testing.conformance; the
suite must report that property, by name, and no other.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pytest

from relucheck.harness.claims import Claim, InstanceSpec, RunOptions
from relucheck.harness.records import CheckResult, Verdict, held
from relucheck.testing import PROPERTIES, check_claim
from relucheck.testing.conformance import conformance

# The instances each built-in is checked on here: the cheapest quick ones that reach a
# control row (measured: CE 7 s, PT 2 s, LASSO-1D 1 s, SR 0.1 s, PR 13 s, PC 1 s, 2 cores).
BUILTIN_INSTANCES = {
    "CE": (),
    "PT": (),
    "LASSO-1D": (),
    "SR": (),
    "PR": ("reduction-1d", "exact-m2"),
    "PC": ("control-fourier",),
}


@pytest.mark.parametrize("claim_id", sorted(BUILTIN_INSTANCES))
def test_every_builtin_claim_conforms(claim_id):
    (report,) = check_claim(claim_id, instance_names=BUILTIN_INSTANCES[claim_id])
    assert report.ok and [r.name for r in report.results] == list(PROPERTIES)


def test_every_builtin_claim_is_in_the_conformance_test():
    from relucheck.theorems import REGISTRY

    assert set(REGISTRY) == set(BUILTIN_INSTANCES)


# ----------------------------------------------------------------------------- planted claims


def _instances(profile: str) -> list[InstanceSpec]:
    return [InstanceSpec.make("TOY-C", f"i{k}", seed=k, n=5) for k in range(2)]


def _check(spec: InstanceSpec, options: RunOptions) -> list[CheckResult]:
    value = float(np.random.default_rng(spec.seed).random())
    return [
        held("bound", True, "value <= 1", value=value, tolerance=1.0, margin=1.0 - value),
        held("control_planted", True, "planted value > 1 detected", value=2.0, tolerance=1.0,
             margin=1.0, control=True),
    ]  # fmt: skip


def _figures(frame, folder):
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots()
    ax.plot(frame["value"].astype(float).to_numpy())
    path = folder / "values.png"
    fig.savefig(path)
    plt.close(fig)
    return [path]


GOOD = Claim(
    id="TOY-C",
    title="A toy claim that conforms",
    citation="",
    statement="Values are at most one.",
    check_ids=("bound", "control_planted"),
    instances=_instances,
    check=_check,
    figures=_figures,
    budget_seconds=10.0,
)


def _unstable_instances(profile):
    return [InstanceSpec.make("TOY-C", "i0", seed=int(time.perf_counter_ns() % 1000), n=5)]


def _float_seed(profile):
    return [InstanceSpec("TOY-C", "i0", seed=1.5, params=(("n", 5),))]  # type: ignore[arg-type]


def _missing_row(spec, options):
    return _check(spec, options)[1:]


def _no_tolerance(spec, options):
    rows = _check(spec, options)
    rows[0].tolerance = None
    return rows


def _string_verdict(spec, options):
    rows = _check(spec, options)
    rows[0].verdict = "OK"  # type: ignore[assignment]
    return rows


def _no_control(spec, options):
    rows = _check(spec, options)
    rows[1].control = False
    return rows


def _global_rng(spec, options):
    rows = _check(spec, options)
    rows[0].value = float(np.random.random())  # noqa: NPY002  (the planted defect)
    return rows


def _figures_rerun(frame, folder):
    GOOD_FOR_FIGURES.check(GOOD_FOR_FIGURES.instances("quick")[0], RunOptions())
    return _figures(frame, folder)


def _figures_outside(frame, folder):
    return _figures(frame, folder.parent)


def _slow(spec, options):
    time.sleep(0.05)
    return _check(spec, options)


BROKEN = {
    "metadata": replace(GOOD, title=""),
    "instances_pure": replace(GOOD, instances=_unstable_instances),
    "declared_checks": replace(GOOD, checks_for=lambda spec: ("bound", "not_declared")),
    "rows_contract": replace(GOOD, check=_missing_row),
    "has_control": replace(GOOD, check=_no_control),
    "deterministic": replace(GOOD, check=_global_rng),
    "figures_from_rows": replace(GOOD, figures=_figures_rerun),
    "within_budget": replace(GOOD, check=_slow, budget_seconds=0.01),
}
GOOD_FOR_FIGURES = BROKEN["figures_from_rows"]


def test_the_good_toy_conforms():
    (report,) = check_claim(GOOD)
    assert report.ok, report.lines()


def test_every_property_has_a_planted_break():
    assert set(BROKEN) == set(PROPERTIES)


@pytest.mark.parametrize("prop", sorted(BROKEN))
def test_each_broken_property_is_reported_by_name(prop):
    report = conformance(BROKEN[prop])
    assert prop in report.failed, report.lines()
    if prop != "declared_checks":  # an undeclared expected row also breaks rows_contract
        assert report.failed == [prop], report.lines()
    with pytest.raises(AssertionError, match=prop):
        check_claim(BROKEN[prop])


@pytest.mark.parametrize(
    ("claim", "words"),
    [
        (replace(GOOD, instances=_float_seed), "explicit integer seed"),
        (replace(GOOD, check=_no_tolerance), "no numeric tolerance"),
        (replace(GOOD, check=_string_verdict), "is not a Verdict"),
        (replace(GOOD, figures=_figures_outside), "outside the folder"),
        (replace(GOOD, instances=lambda p: [InstanceSpec.make("OTHER", "i", 0)]), "belongs to"),
    ],
)
def test_more_breaks_are_explained(claim, words):
    report = conformance(claim)
    assert not report.ok
    assert words in "\n".join(report.lines())


def test_a_raising_check_is_a_failed_property_not_a_crash():
    def boom(spec, options):
        raise RuntimeError("kaboom")

    report = conformance(replace(GOOD, check=boom))
    assert "rows_contract" in report.failed
    assert "kaboom" in "\n".join(report.lines())


def test_a_non_claim_fails_every_property():
    report = conformance(object())
    assert report.failed == list(PROPERTIES)


def test_inconclusive_and_skipped_rows_need_no_tolerance():
    def undecided(spec, options):
        rows = _check(spec, options)
        rows[0] = CheckResult("bound", Verdict.INCONCLUSIVE, "value <= 1", reason="budget")
        return rows

    assert conformance(replace(GOOD, check=undecided)).ok
