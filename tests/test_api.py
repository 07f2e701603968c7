"""The Python API (relucheck/api.py), used from outside the package as a notebook would."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import relucheck
from relucheck.datasets.generators import planted_teacher
from relucheck.datasets.validation import BadInput
from relucheck.models.arrangements.patterns import sample_patterns

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.fixture(scope="module")
def data():
    ds = planted_teacher(80, 3, 3, seed=5, noise=0.1)
    return ds.X, ds.y


def readme_example() -> str:
    text = README.read_text()
    section = text.split("## Python API", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 1, "the API section must hold exactly one python example"
    return blocks[0]


def test_readme_example_runs(tmp_path):
    out = subprocess.run(
        [sys.executable, "-c", readme_example()],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "net.npz").exists()
    assert "full" in out.stdout


def test_fit_is_certified_and_agrees_with_a_conic_solve(data):
    X, y = data
    fast = relucheck.fit_two_layer(X, y, 0.3, patterns="sampled:40", solver="fast", seed=2)
    cone = relucheck.fit_two_layer(X, y, 0.3, patterns="sampled:40", solver="clarabel", seed=2)
    assert fast.certified and cone.certified
    assert fast.facts["certifies"] == "restricted"
    assert fast.value == pytest.approx(cone.value, rel=1e-5)
    assert fast.certified_lower <= fast.value * (1 + 1e-9)
    # the reported value is the objective of the returned network, recomputed here
    r = fast.predict(X) - y
    penalty = 0.5 * 0.3 * (np.sum(fast.U**2) + np.sum(fast.alpha**2))
    assert fast.value == pytest.approx(0.5 * r @ r + penalty, rel=1e-9)


def test_exact_patterns_certify_the_full_problem(data):
    X, y = data
    fit = relucheck.fit_two_layer(X[:30], y[:30], 0.5)
    assert fit.certified and fit.facts["certifies"] == "full"
    assert fit.facts["patterns_exact"] is True


def test_bias_appends_a_ones_column(data):
    X, y = data
    fit = relucheck.fit_two_layer(X, y + 2.0, 0.2, patterns="sampled:30", bias=True)
    assert fit.U.shape[0] == X.shape[1] + 1
    Xb = np.hstack([X, np.ones((X.shape[0], 1))])
    assert np.allclose(fit.predict(X), np.maximum(Xb @ fit.U, 0) @ fit.alpha)
    with pytest.raises(BadInput, match="shape"):
        fit.predict(Xb)  # the ones column is the fit's business, not the caller's


def test_cli_save_loads_into_the_same_object(data, tmp_path):
    X, y = data
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    net = tmp_path / "net.npz"
    out = subprocess.run(
        [sys.executable, "-m", "relucheck", "solve", "two-layer", "--X", str(tmp_path / "X.npy"),
         "--y", str(tmp_path / "y.npy"), "--beta", "0.3", "--patterns", "sampled:40",
         "--seed", "2", "--solver", "fast", "--bias", "--save", str(net), "--json"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    cli = json.loads(out.stdout)
    loaded = relucheck.TwoLayerFit.load(net)
    assert loaded.bias and loaded.beta == 0.3 and loaded.certified
    assert loaded.value == pytest.approx(cli["value"], rel=1e-12)
    api = relucheck.fit_two_layer(X, y, 0.3, patterns="sampled:40", seed=2, solver="fast",
                                  bias=True)  # fmt: skip
    assert api.value == pytest.approx(cli["value"], rel=1e-8)
    assert np.allclose(loaded.predict(X), api.predict(X), atol=1e-6)


def test_save_then_load_round_trips(data, tmp_path):
    X, y = data
    fit = relucheck.fit_two_layer(X, y, 0.3, patterns="sampled:30")
    fit.save(tmp_path / "f.npz")
    back = relucheck.TwoLayerFit.load(tmp_path / "f.npz")
    assert np.array_equal(back.U, fit.U) and np.array_equal(back.alpha, fit.alpha)
    assert back.facts["certified_gap"] == fit.facts["certified_gap"]
    with pytest.raises(BadInput, match="directory"):
        fit.save(tmp_path)


def test_load_refuses_a_file_that_is_not_a_network(tmp_path):
    bad = tmp_path / "x.npz"
    np.savez(bad, W=np.ones(3))
    with pytest.raises(BadInput, match="not a relucheck network"):
        relucheck.TwoLayerFit.load(bad)
    np.savez(bad, U=np.ones((3, 2)), alpha=np.ones(3))
    with pytest.raises(BadInput, match="do not match"):
        relucheck.TwoLayerFit.load(bad)


def test_path_is_certified_largest_first_and_matches_single_fits(data):
    X, y = data
    fits = relucheck.fit_two_layer_path(X, y, 4, patterns="sampled:40", seed=1)
    assert len(fits) == 4 and all(f.certified for f in fits)
    betas = [f.beta for f in fits]
    assert betas == sorted(betas, reverse=True)
    assert fits[0].facts["beta_fraction"] == pytest.approx(1.0)
    assert fits[-1].facts["beta_fraction"] == pytest.approx(1e-3)
    one = relucheck.fit_two_layer(X, y, betas[2], patterns="sampled:40", seed=1)
    assert one.value == pytest.approx(fits[2].value, rel=1e-6)
    listed = relucheck.fit_two_layer_path(X, y, [0.5, 2.0], patterns="sampled:40", seed=1)
    assert [f.beta for f in listed] == [2.0, 0.5]


def test_patternset_must_be_built_over_the_same_data(data):
    X, y = data
    ps = sample_patterns(X, 30, seed=0)
    assert relucheck.fit_two_layer(X, y, 0.3, patterns=ps).certified
    with pytest.raises(BadInput, match="other data"):
        relucheck.fit_two_layer(X, y, 0.3, patterns=ps, bias=True)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"beta": -1.0}, "beta"),
        ({"patterns": "some"}, "patterns"),
        ({"patterns": "sampled:0"}, "patterns"),
        ({"loss": "l1"}, "loss"),
        ({"seed": -3, "patterns": "sampled:5"}, "seed"),
    ],
)
def test_bad_arguments_raise_bad_input(data, kwargs, message):
    X, y = data
    args = {"beta": 0.3, **kwargs}
    with pytest.raises(BadInput, match=message):
        relucheck.fit_two_layer(X, y, **args)


def test_bad_data_raises_bad_input(data):
    X, y = data
    Xn = X.copy()
    Xn[3, 1] = np.nan
    with pytest.raises(BadInput, match="NaN"):
        relucheck.fit_two_layer(Xn, y, 0.3)
    with pytest.raises(BadInput, match="rows"):
        relucheck.fit_two_layer(X, y[:-1], 0.3)
    with pytest.raises(BadInput, match="betas"):
        relucheck.fit_two_layer_path(X, y, 0)
    with pytest.raises(BadInput):
        relucheck.fit_two_layer_path(X, y, [1.0, -2.0])
