"""SR end to end on small instances of every kind; planted defects must turn a check to FAIL."""

from __future__ import annotations

import numpy as np
import pytest

from relucheck.harness.claims import InstanceSpec, RunOptions
from relucheck.harness.records import Verdict
from relucheck.models.radon import deep_linear as dl
from relucheck.models.radon import maurey
from relucheck.models.univariate import skip_network as sn
from relucheck.models.univariate import splines as sp
from relucheck.models.univariate.skip_reduction import Reduction
from relucheck.solvers import trend_filter_1d
from relucheck.theorems import sparse_regularization as S
from relucheck.theorems.sparse_regularization import one_dimension, representer

make = InstanceSpec.make
SPECS = {
    "rescaling": make("SR", "rescaling", 1, kind="rescaling", n=8, width=5),
    "one_d": make("SR", "1d", 2, kind="one_d", n=10, lam_frac=0.05, restarts=3, adam_steps=800),
    "interpolation": make("SR", "interp", 3, kind="interpolation", n=9),
    "representer": make("SR", "repr", 4, kind="representer", n=9, lam=0.1, restarts=2),
    "deep_linear": make("SR", "deep", 5, kind="deep_linear", k=4, lam=0.3, depths=(1, 2, 3)),
    "maurey": make(
        "SR",
        "maurey",
        6,
        kind="maurey",
        dims=(2, 50),
        width=500,
        points=200,
        Ks=(4, 16, 64, 256),
        repeats=60,
    ),  # fmt: skip
}


def verdicts(rows) -> dict[str, Verdict]:
    return {r.check: r.verdict for r in rows}


@pytest.fixture(scope="module")
def honest():
    return {kind: S.check(spec, RunOptions()) for kind, spec in SPECS.items()}


@pytest.mark.parametrize("kind", list(SPECS))
def test_each_kind_reports_its_checks_and_passes(honest, kind):
    rows = honest[kind]
    assert [r.check for r in rows] == list(S.checks_for(SPECS[kind]))
    for row in rows:
        if row.check in ("nn_close_opt", "certified_gap_2d"):  # soft checks
            assert row.verdict in (Verdict.PASS, Verdict.INCONCLUSIVE), row
        else:
            assert row.verdict is Verdict.PASS, row
        assert row.relation and row.tolerance is not None
        assert row.control == row.check.startswith("control_")


def test_every_check_id_belongs_to_exactly_one_kind():
    listed = [c for checks in S.CHECKS_BY_KIND.values() for c in checks]
    assert sorted(listed) == sorted(S.CHECK_IDS)
    kinds = {s.p["kind"] for s in S.instances("quick")}
    assert kinds == set(S.CHECKS_BY_KIND)


def test_quick_profile_is_small():
    for spec in S.instances("quick"):
        if "n" in spec.p:
            assert spec.p["n"] <= 15


# ------------------------------------------------------------------ planted defects


def test_planted_path_norm_with_bias_fails(monkeypatch):
    """Defect: the path norm computed with the biases (the penalized-bias identity)."""
    real = sn.path_norm
    monkeypatch.setattr(sn, "path_norm", lambda net, with_bias=False: real(net, True))
    v = verdicts(S.check(SPECS["rescaling"], RunOptions()))
    assert v["rescaling_identity"] is Verdict.FAIL


def test_planted_equal_spacing_trend_filter_fails(monkeypatch):
    """Defect: the difference operator of EQUAL spacing (ignoring the x gaps)."""

    def equal_spacing(x):
        n = len(x)
        D = np.zeros((n - 2, n))
        for i in range(n - 2):
            D[i, i : i + 3] = (1.0, -2.0, 1.0)
        return D

    monkeypatch.setattr(trend_filter_1d.sp, "difference_operator", equal_spacing)
    rows = S.check(SPECS["one_d"], RunOptions())
    assert Verdict.FAIL in verdicts(rows).values()


def test_planted_no_skip_formula_fails(monkeypatch):
    """Defect: the no-skip interpolation cost claimed to be T, as with a skip connection."""
    monkeypatch.setattr(sp, "no_skip_interpolation_cost", sp.total_slope_change)
    v = verdicts(S.check(SPECS["interpolation"], RunOptions()))
    assert v["interpolation_costs"] is Verdict.FAIL


def test_planted_reduction_that_does_not_reduce_fails(monkeypatch):
    """Defect: 'reduction' that returns the trained network unchanged."""

    def identity(X, net, *, skip=True, rank_tol=1e-10):
        path = sn.path_norm(net)
        return Reduction(net, net.width, net.width, path, path, 0)

    monkeypatch.setattr(representer, "reduce_network", identity)
    v = verdicts(S.check(SPECS["representer"], RunOptions()))
    assert v["representer_count"] is Verdict.FAIL


def test_planted_ridge_closed_form_fails(monkeypatch):
    """Defect: the L = 1 (ridge) formula used for every depth: GD goes below it."""
    monkeypatch.setattr(dl, "scalar_optimum", lambda sigma, lam, L: sigma / (1.0 + lam))
    v = verdicts(S.check(SPECS["deep_linear"], RunOptions()))
    assert v["deep_linear_closed_form"] is Verdict.FAIL


def test_planted_biased_sampler_fails(monkeypatch):
    """Defect: Maurey's sampler without the signs (biased): no K^(-1/2) rate."""
    real = maurey.subsample_errors

    def biased(net, X, widths, repeats, rng, *, biased=False):
        return real(net, X, widths, repeats, rng, biased=True)

    monkeypatch.setattr(maurey, "subsample_errors", biased)
    v = verdicts(S.check(SPECS["maurey"], RunOptions()))
    assert v["maurey_rate"] is Verdict.FAIL


def test_planted_control_at_the_same_lambda_is_not_detected(monkeypatch):
    """Defect in the λ/10 control: training at λ itself leaves nothing to detect → FAIL."""
    real = one_dimension.train_skip_network

    def same_lambda(X, y, lam, *args, **kwargs):
        return real(X, y, lam * 10 if kwargs.get("restarts") == 2 else lam, *args, **kwargs)

    monkeypatch.setattr(one_dimension, "train_skip_network", same_lambda)
    v = verdicts(S.check(SPECS["one_d"], RunOptions()))
    assert v["control_lambda_tenth"] is Verdict.FAIL


def test_figures_from_stored_rows(honest, tmp_path):
    import pandas as pd

    rows = []
    for kind, result in honest.items():
        for r in result:
            rows.append({"claim": "SR", "name": kind, **r.to_dict()})
    paths = S.figures(pd.DataFrame(rows), tmp_path)
    names = {p.stem for p in paths}
    assert {"sr_fits_1d", "sr_neuron_counts", "sr_deep_linear_spectra", "sr_maurey_rate"} <= names
