"""Valid but degenerate input: the answer printed must be the right one.

One sample, duplicated points, zero or constant data, 1-D X, tiny (subnormal) and huge
magnitudes are legal input. For each command the property tests state a fact the answer
must satisfy, from closed forms and exact identities rather than from the solver's word:

* one sample x, target y (squared loss): both networks fit t at cost β|t|/(√m‖x‖) (m = 1
  for two-layer; path-regularized spreads t over m neurons), so the optimum is the soft
  threshold ½y² if |y| ≤ τ else τ|y| − ½τ² with τ = β/(√m‖x‖); hinge loss: min(1, τ);
* duplicating every sample doubles the loss: value(X⊕X, y⊕y, 2β) = 2·value(X, y, β);
* X = 0 (or X so small that no weight can use it) leaves the zero network: ½‖y‖²;
* lasso-1d: constant x or tiny x leave the free bias: ½‖y − ȳ‖²; constant y costs 0;
* tv1d: y affine in x costs 0; value(c·x, y, λ) = value(x, y, λ/c);
* arrangements: counts do not change under positive row scalings (1e300 and subnormal
  rows included), under duplication of rows; one nonzero sample has 2 patterns.

Every answer must also be consistent on its own (``assert_answer``): strict JSON, exit 0
only with an accurate solve and |gap| ≤ 1e-6, no stderr, no warnings.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
import pytest
from cli_bad_input import (
    assert_answer,
    assert_refused,
    hypothesis_profiles,
    invoke,
    solve_argv,
    write,
)
from hypothesis import given
from hypothesis import strategies as st

from relucheck.models.arrangements.patterns import (
    enumerate_patterns,
    is_general_position,
    numerical_rank,
)

FAST, SLOW = hypothesis_profiles(12, 150)
REL = 1e-5  # two certified values (gap ≤ 1e-6 each) agree to this
#: Optima at least this large must be certified (exit 0). Below it the interior-point
#: solvers' absolute tolerances (~1e-8) can exceed 1e-6 of the value, and an optimum of
#: exactly 0 has no relative gap at all: exit 1 (flagged) is then the honest answer.
CERTIFIABLE = 1e-2


def close(a: float, b: float, rel: float = REL, abs_: float = 1e-12) -> bool:
    return abs(a - b) <= rel * max(abs(a), abs(b)) + abs_


def expect_value(o, facts: dict, expected: float) -> None:
    """Exit 0 with the expected value. Only for a small optimum may the answer be flagged
    instead (exit 1, ``accurate`` false: checked by ``assert_answer``)."""
    if o.rc == 0 or expected >= CERTIFIABLE:
        assert o.rc == 0, (facts, expected)
        assert close(facts["value"], expected, abs_=1e-9), (facts["value"], expected)


def folder_in(tmp_path: Path) -> Path:
    return Path(tempfile.mkdtemp(dir=tmp_path))


def solve(capsys, folder: Path, kind: str, data: dict, weight: float, width: int = 1, *extra):
    files = {slot: write(folder, f"{slot}.npy", arr) for slot, arr in data.items()}
    o = invoke(capsys, [*solve_argv(kind, files, weight=weight, width=width), *extra])
    return o, assert_answer(o)


# ------------------------------------------------------------------------ one sample

exponents = st.integers(-1070, 300)  # ‖x‖ from subnormal to 1e90 (within the 1e100 cap)


@st.composite
def one_sample(draw):
    d = draw(st.integers(1, 3))
    x = np.array(draw(st.lists(st.floats(-4, 4), min_size=d, max_size=d)))
    scale = draw(exponents)
    x = np.ldexp(x, scale)
    if not np.any(x) or np.max(np.abs(x)) > 1e90:
        x = np.ldexp(np.ones(d), min(scale, 290))
    y = draw(st.floats(-5, 5))
    beta = draw(st.sampled_from([0.01, 0.1, 0.5, 2.0]))
    return x[None, :], np.array([y]), beta


def soft_threshold_value(y: float, tau: float) -> float:
    return 0.5 * y * y if abs(y) <= tau else tau * abs(y) - 0.5 * tau * tau


def row_norm(x: np.ndarray) -> float:
    top = float(np.max(np.abs(x)))
    return top * float(np.linalg.norm(x / top))  # no underflow for subnormal x


def check_one_sample(capsys, tmp_path, case, kind: str, width: int) -> None:
    X, y, beta = case
    o, facts = solve(capsys, folder_in(tmp_path), kind, {"X": X, "y": y}, beta, width)
    tau = beta / (math.sqrt(width) * row_norm(X[0]))
    expect_value(o, facts, soft_threshold_value(float(y[0]), tau))
    assert facts["n"] == 1 and facts["width"] <= 2


@FAST
@given(case=one_sample())
def test_two_layer_one_sample_is_the_soft_threshold(capsys, tmp_path, case):
    check_one_sample(capsys, tmp_path, case, "two-layer", 1)


@FAST
@given(case=one_sample(), width=st.sampled_from([1, 2, 3]))
def test_path_regularized_one_sample_spreads_over_sqrt_m(capsys, tmp_path, case, width):
    check_one_sample(capsys, tmp_path, case, "path-regularized", width)


@pytest.mark.slow
@SLOW
@given(case=one_sample(), kind_width=st.sampled_from([("two-layer", 1), ("path-regularized", 2)]))
def test_one_sample_closed_forms_many(capsys, tmp_path, case, kind_width):
    check_one_sample(capsys, tmp_path, case, *kind_width)


@FAST
@given(case=one_sample(), label=st.sampled_from([-1.0, 1.0]))
def test_two_layer_hinge_one_sample(capsys, tmp_path, case, label):
    X, _, beta = case
    o, facts = solve(
        capsys, folder_in(tmp_path), "two-layer", {"X": X, "y": np.array([label])}, beta, 1,
        "--loss", "hinge",
    )  # fmt: skip
    expect_value(o, facts, min(1.0, beta / row_norm(X[0])))


# ------------------------------------------------------------- duplicates, zeros, 1-D X


@st.composite
def small_problem(draw, max_n: int = 4, max_d: int = 2):
    """Small data with integer-ish entries: repeated rows and zero rows are common."""
    n = draw(st.integers(2, max_n))
    d = draw(st.integers(1, max_d))
    X = np.array(draw(st.lists(st.integers(-2, 2), min_size=n * d, max_size=n * d)), float)
    X = X.reshape(n, d) + draw(st.sampled_from([0.0, 0.25]))
    y = np.array(draw(st.lists(st.floats(-2, 2), min_size=n, max_size=n)))
    beta = draw(st.sampled_from([0.05, 0.2, 1.0]))
    return X, y, beta


def check_duplication(capsys, tmp_path, case, kind: str, width: int) -> None:
    X, y, beta = case
    folder = folder_in(tmp_path)
    o1, single = solve(capsys, folder, kind, {"X": X, "y": y}, beta, width)
    o2, double = solve(
        capsys, folder, kind, {"X": np.vstack([X, X]), "y": np.r_[y, y]}, 2 * beta, width
    )
    if single["value"] >= CERTIFIABLE:
        assert o1.rc == 0 and o2.rc == 0, (single, double)
    if o1.rc == 0 and o2.rc == 0:
        assert close(double["value"], 2 * single["value"], abs_=1e-8), (double, single)
    assert double["patterns"] == single["patterns"]
    if o1.rc == 0:
        assert single["value"] <= 0.5 * float(y @ y) * (1 + REL) + 1e-12  # the zero network


@FAST
@given(case=small_problem())
def test_two_layer_duplicated_samples(capsys, tmp_path, case):
    check_duplication(capsys, tmp_path, case, "two-layer", 1)


@FAST
@given(case=small_problem(max_n=3, max_d=1), width=st.sampled_from([1, 2]))
def test_path_regularized_duplicated_samples(capsys, tmp_path, case, width):
    check_duplication(capsys, tmp_path, case, "path-regularized", width)


@pytest.mark.slow
@SLOW
@given(case=small_problem(max_n=5, max_d=3))
def test_two_layer_duplicated_samples_many(capsys, tmp_path, case):
    check_duplication(capsys, tmp_path, case, "two-layer", 1)


@FAST
@given(
    kind=st.sampled_from(["two-layer", "path-regularized"]),
    shrink=st.sampled_from([None, -1040, -1070, -1074]),
    sampled=st.booleans(),
    y=st.lists(st.floats(-3, 3), min_size=3, max_size=3),
)
def test_zero_or_subnormal_X_leaves_the_zero_network(capsys, tmp_path, kind, shrink, sampled, y):
    """With X = 0, or |X| ≤ 2^-1040 ≈ 1e-313 (no weight of finite cost can use it),
    the optimum is the zero network, ½‖y‖² (exact or sampled patterns/groups)."""
    y = np.array(y)
    X = np.array([[1, 2], [-3, 1], [2, -1.0]])
    X = np.zeros_like(X) if shrink is None else np.ldexp(X, shrink)
    flag = "--patterns" if kind == "two-layer" else "--groups"
    extra = [flag, "sampled:40"] if sampled else []
    o, facts = solve(capsys, folder_in(tmp_path), kind, {"X": X, "y": y}, 0.1, 2, *extra)
    expect_value(o, facts, 0.5 * float(y @ y))
    if o.rc == 0:
        assert facts["width"] == 0


def test_one_line_csv_is_one_sample(capsys, tmp_path):
    """A one-line table is one sample of d features (it was read as d samples)."""
    (tmp_path / "X.csv").write_text("1.5,-2,0.5\n")
    o = invoke(capsys, ["arrangements", "--X", str(tmp_path / "X.csv"), "--json"])
    facts = assert_answer(o, value_key="count")
    assert (facts["n"], facts["d"], facts["count"], facts["bound"]) == (1, 3, 2, None)
    (tmp_path / "y.csv").write_text("0.7\n")
    argv = solve_argv("two-layer", {"X": str(tmp_path / "X.csv"), "y": str(tmp_path / "y.csv")})
    facts = assert_answer(invoke(capsys, argv))
    assert (facts["n"], facts["d"]) == (1, 3)


def test_one_dimensional_X_is_one_feature(capsys, tmp_path):
    x = np.array([-1.0, 0.5, 2.0, 3.0])
    y = np.array([1.0, -1.0, 0.5, 2.0])
    _, flat = solve(capsys, folder_in(tmp_path), "two-layer", {"X": x, "y": y}, 0.1)
    _, column = solve(capsys, folder_in(tmp_path), "two-layer", {"X": x[:, None], "y": y}, 0.1)
    assert flat["d"] == column["d"] == 1 and flat["n"] == 4
    assert close(flat["value"], column["value"])


# ------------------------------------------------------------------------- lasso-1d


@st.composite
def scalar_problem(draw, min_n: int = 2, max_n: int = 6):
    n = draw(st.integers(min_n, max_n))
    x = np.array(draw(st.lists(st.integers(-3, 3), min_size=n, max_size=n)), float)
    y = np.array(draw(st.lists(st.floats(-2, 2), min_size=n, max_size=n)))
    return x, y, draw(st.sampled_from([0.05, 0.3, 1.0]))


@FAST
@given(case=scalar_problem())
def test_lasso_1d_duplicated_samples(capsys, tmp_path, case):
    x, y, beta = case
    folder = folder_in(tmp_path)
    o1, single = solve(capsys, folder, "lasso-1d", {"x": x, "y": y}, beta)
    o2, double = solve(capsys, folder, "lasso-1d", {"x": np.r_[x, x], "y": np.r_[y, y]}, 2 * beta)
    if single["value"] >= CERTIFIABLE:
        assert o1.rc == 0 and o2.rc == 0, (single, double)
    if o1.rc == 0 and o2.rc == 0:
        assert close(double["value"], 2 * single["value"], abs_=1e-8)


@FAST
@given(
    case=scalar_problem(),
    variant=st.sampled_from(["constant-x", "tiny-x", "constant-y"]),
)
def test_lasso_1d_degenerate_data(capsys, tmp_path, case, variant):
    x, y, beta = case
    if variant == "constant-x":
        x = np.full_like(x, 1.5)
    elif variant == "tiny-x":
        x = np.ldexp(x + 0.5, -1060)  # subnormal: ramps of finite cost cannot move
    else:
        y = np.full_like(y, y[0])
    o, facts = solve(capsys, folder_in(tmp_path), "lasso-1d", {"x": x, "y": y}, beta)
    expect_value(o, facts, float(np.sum((y - y.mean()) ** 2) / 2))


# ---------------------------------------------------------------------------- tv1d


@st.composite
def distinct_scalar_problem(draw, min_n: int = 3, max_n: int = 7):
    n = draw(st.integers(min_n, max_n))
    x = np.array(draw(st.lists(st.integers(-20, 20), min_size=n, max_size=n, unique=True)), float)
    y = np.array(draw(st.lists(st.floats(-2, 2), min_size=n, max_size=n)))
    return x / 4.0, y, draw(st.sampled_from([0.05, 0.3, 1.0]))


@FAST
@given(case=distinct_scalar_problem(), power=st.integers(-20, 20))
def test_tv1d_rescaling_x_rescales_lambda(capsys, tmp_path, case, power):
    x, y, lam = case
    c = 2.0**power
    folder = folder_in(tmp_path)
    o1, scaled = solve(capsys, folder, "tv1d", {"x": c * x, "y": y}, lam)
    o2, plain = solve(capsys, folder, "tv1d", {"x": x, "y": y}, lam / c)
    if abs(power) <= 4 and plain["value"] >= CERTIFIABLE:
        assert o1.rc == 0 and o2.rc == 0, (scaled, plain)
    if o1.rc == 0 and o2.rc == 0:
        assert close(scaled["value"], plain["value"], abs_=1e-9), (scaled, plain)


@FAST
@given(
    case=distinct_scalar_problem(),
    slope=st.floats(-3, 3),
    power=st.integers(-400, 320),
)
def test_tv1d_affine_targets_cost_nothing_at_any_scale(capsys, tmp_path, case, slope, power):
    """x·2^power from 1e-121 to 1e97: refused by name where the spacings drop below 1e-100;
    otherwise an answer (exit 0 only with value ~0) that fits the affine y exactly at
    moderate scales."""
    x, _, lam = case
    x = np.ldexp(x, power)
    y = slope * np.ldexp(x, -power) + 1.0
    folder = folder_in(tmp_path)
    if np.min(np.diff(np.sort(x))) < 1e-100:
        files = {"x": write(folder, "x.npy", x), "y": write(folder, "y.npy", y)}
        assert_refused(invoke(capsys, solve_argv("tv1d", files, weight=lam)), r"apart")
        return
    o, facts = solve(capsys, folder, "tv1d", {"x": x, "y": y}, lam)
    if o.rc == 0:  # an optimum of 0 has no relative gap: exit 1 is allowed too
        assert facts["value"] <= 1e-9 * (1 + float(y @ y)), facts
    if abs(power) <= 40:  # the fit itself must be y (the exact method degrades beyond 2^±48)
        fitted = np.array(facts["fitted"])
        assert np.max(np.abs(fitted - y)) <= 1e-8 * (1 + np.max(np.abs(y))), facts


def test_tv1d_minimum_size_and_repeats_are_refused(capsys, tmp_path):
    folder = folder_in(tmp_path)
    files = {
        "x": write(folder, "x.npy", np.array([0.0, 1.0])),
        "y": write(folder, "y.npy", np.ones(2)),
    }
    assert_refused(invoke(capsys, solve_argv("tv1d", files)), r"at least 3 data points")
    files = {
        "x": write(folder, "x.npy", np.array([0.0, 1.0, 1.0])),
        "y": write(folder, "y.npy", np.ones(3)),
    }
    assert_refused(invoke(capsys, solve_argv("tv1d", files)), r"distinct")


# ------------------------------------------------------------------------ arrangements


@st.composite
def row_scaled(draw):
    n = draw(st.integers(1, 6))
    d = draw(st.integers(1, 3))
    X = np.array(draw(st.lists(st.integers(-3, 3), min_size=n * d, max_size=n * d)), float)
    X = X.reshape(n, d)
    powers = np.array(draw(st.lists(st.integers(-1070, 1020), min_size=n, max_size=n)))
    return X, powers


def arrangement_facts(capsys, folder: Path, X: np.ndarray, *extra: str) -> dict:
    o = invoke(capsys, ["arrangements", "--X", write(folder, "X.npy", X), "--json", *extra])
    assert o.rc == 0 and o.err == "" and not o.warned, (o.err, o.warned)
    return o.facts()


def check_row_scale(capsys, tmp_path, case) -> None:
    """Rows scaled by 2^k from subnormal to 1e307: the same count, rank and general
    position as the (exactly) rescaled-back data, which is X up to subnormal rounding."""
    X, powers = case
    Xs = np.ldexp(X, powers[:, None])
    back = np.ldexp(Xs, -powers[:, None])  # exact: powers of two
    facts = arrangement_facts(capsys, folder_in(tmp_path), Xs)
    assert facts["count"] == enumerate_patterns(back).count
    assert facts["rank"] == numerical_rank(back)
    assert facts["general_position"] == is_general_position(back)
    n = X.shape[0]
    assert (facts["bound"] is None) == (n < 2 or facts["rank"] == 0)
    if facts["bound"] is not None:
        assert facts["count"] <= facts["bound"] and facts["count"] <= facts["formula"]


@FAST
@given(case=row_scaled())
def test_arrangements_do_not_depend_on_row_scale(capsys, tmp_path, case):
    check_row_scale(capsys, tmp_path, case)


@pytest.mark.slow
@SLOW
@given(case=row_scaled())
def test_arrangements_do_not_depend_on_row_scale_many(capsys, tmp_path, case):
    check_row_scale(capsys, tmp_path, case)


@FAST
@given(case=row_scaled())
def test_arrangements_duplicates_one_sample_and_zeros(capsys, tmp_path, case):
    X, _ = case
    folder = folder_in(tmp_path)
    facts = arrangement_facts(capsys, folder, X)
    dup = arrangement_facts(capsys, folder, np.vstack([X, X]))
    assert dup["count"] == facts["count"] and dup["rank"] == facts["rank"]
    assert dup["n"] == 2 * facts["n"]
    one = arrangement_facts(capsys, folder, X[:1])
    assert one["count"] == (2 if np.any(X[0]) else 1) and one["bound"] is None
    zero = arrangement_facts(capsys, folder, np.zeros_like(X))
    assert zero["count"] == 1 and zero["rank"] == 0 and zero["bound"] is None
