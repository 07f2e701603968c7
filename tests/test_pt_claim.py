"""The PT claim per instance kind, planted defects, and `relucheck arrangements`."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from math import comb

import numpy as np
import pytest

from relucheck.harness.claims import InstanceSpec, RunOptions
from relucheck.harness.records import Verdict
from relucheck.models.arrangements.patterns import cover_count, sample_patterns
from relucheck.theorems import polynomial_time as pt


def spec(name: str) -> InstanceSpec:
    return next(s for s in pt.instances("quick") if s.name == name)


def verdicts(rows) -> dict[str, Verdict]:
    return {r.check: r.verdict for r in rows}


@pytest.mark.parametrize(
    "name",
    [
        "counts-d2",
        "counts-d3",
        "growth-r",
        "coverage-d3",
        "scaling-r2",
        "degenerate-coplanar",
        "degenerate-repeated",
    ],
)
def test_honest_instances_pass_with_declared_checks(name):
    s = spec(name)
    rows = pt.check(s, RunOptions())
    assert [r.check for r in rows] == list(pt.checks_for(s))
    assert all(r.verdict is Verdict.PASS for r in rows), rows
    assert all(r.relation == pt.RELATIONS[r.check] for r in rows)


def test_planted_off_by_one_formula_fails(monkeypatch):
    monkeypatch.setattr(pt, "cover_count", lambda n, r: 2 * sum(comb(n, k) for k in range(r)))
    v = verdicts(pt.check(spec("counts-d3"), RunOptions()))
    assert v["count_equals_formula"] is Verdict.FAIL


def test_control_fails_when_the_wrong_formula_is_right(monkeypatch):
    """A control that cannot fail is a defect: plant the true formula among the wrong ones."""
    monkeypatch.setitem(pt.WRONG_FORMULAS, "actually right", cover_count)
    v = verdicts(pt.check(spec("counts-d2"), RunOptions()))
    assert v["control_wrong_formula"] is Verdict.FAIL


def test_planted_sampled_patterns_as_exact_fail(monkeypatch):
    def fake(X, **kwargs):
        return dataclasses.replace(sample_patterns(X, 20, seed=0), exact=True)

    monkeypatch.setattr(pt, "enumerate_patterns", fake)
    assert verdicts(pt.check(spec("counts-d3"), RunOptions()))["count_equals_formula"] is (
        Verdict.FAIL
    )
    assert verdicts(pt.check(spec("growth-r"), RunOptions()))["exponential_in_r"] is (Verdict.FAIL)


def test_planted_sample_labelled_exact_fails_coverage(monkeypatch):
    """Defect: the sampler labels its (incomplete) pattern set exact."""

    def labelled_exact(X, n_samples, seed):
        return dataclasses.replace(sample_patterns(X, n_samples, seed), exact=True)

    monkeypatch.setattr(pt, "sample_patterns", labelled_exact)
    row = pt.check(spec("coverage-d3"), RunOptions())[0]
    assert row.verdict is Verdict.FAIL
    d = row.data
    incomplete = [k for k, c in zip(d["samples"], d["coverage"], strict=True) if c < 1.0]
    assert d["incomplete_labelled_exact"] == incomplete and incomplete[0] == 10


def test_planted_fast_enumerator_missing_a_cell_fails(monkeypatch):
    real = pt.enumerate_patterns

    def lossy(X, **kwargs):
        ps = real(X, **kwargs)
        if kwargs.get("method") == "lp":
            return ps
        return dataclasses.replace(ps, masks=ps.masks[1:], directions=ps.directions[1:])

    monkeypatch.setattr(pt, "enumerate_patterns", lossy)
    v = verdicts(pt.check(spec("degenerate-antiparallel"), RunOptions()))
    assert v["degenerate_count"] is Verdict.FAIL


def test_instances_hashable_and_stable():
    a, b = pt.instances("quick"), pt.instances("quick")
    assert [s.id for s in a] == [s.id for s in b]
    assert len(set(a)) == len(a)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "relucheck", *args], capture_output=True, text=True, timeout=300
    )


def test_arrangements_cli_json_general_and_degenerate(tmp_path):
    rng = np.random.default_rng(99)
    X = rng.standard_normal((18, 3))
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "Xdup.npy", np.vstack([X[:9], X[:9]]))
    out = run_cli(
        "arrangements", "--X", str(tmp_path / "X.npy"), "--json", "--save", str(tmp_path / "p.npz")
    )
    assert out.returncode == 0, out.stderr
    facts = json.loads(out.stdout)
    for key in ("count", "rank", "formula", "bound", "general_position", "seconds"):
        assert key in facts
    assert facts["count"] == facts["formula"] == cover_count(18, 3)
    assert facts["general_position"] is True
    saved = np.load(tmp_path / "p.npz")
    masks = np.unpackbits(saved["packed_masks"], axis=1, count=18).astype(bool)
    np.testing.assert_array_equal(masks, (X @ saved["directions"].T >= 0).T)
    dup = json.loads(run_cli("arrangements", "--X", str(tmp_path / "Xdup.npy"), "--json").stdout)
    assert dup["count"] == cover_count(9, 3) and dup["general_position"] is False


@pytest.mark.parametrize("content", ["nan", "text", "empty"])
def test_arrangements_bad_input_exit_2(tmp_path, content):
    path = tmp_path / "X.npy"
    if content == "nan":
        np.save(path, np.array([[1.0, np.nan], [0.0, 1.0]]))
    elif content == "text":
        path.write_text("hello")
    else:
        np.save(path, np.zeros((0, 3)))
    out = run_cli("arrangements", "--X", str(path))
    assert out.returncode == 2
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
