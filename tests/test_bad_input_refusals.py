"""Bad input to every ``relucheck solve`` kind and to ``arrangements`` is refused cleanly.

Property tests (hypothesis) put one bad thing at a time into an otherwise good command:
NaN/inf, empty arrays, wrong ndim, y of the wrong length or 2-D, complex/string/object/
structured/datetime arrays, files that are no arrays at all (text or random bytes under a
.npy name, empty files, folders, missing files, .npz archives, truncated .npy, garbage
.csv), data beyond 1e100, bad β/λ, bad --patterns/--groups, --seed, --width and --save.
Each must give exit 2, no stdout and exactly one ``relucheck: error:`` line naming the
problem — never a traceback, never an answer. The CLI runs in-process (fast); a few true
subprocess runs at the end prove the same end to end.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from cli_bad_input import (
    SLOTS,
    assert_refused,
    good_data,
    hypothesis_profiles,
    invoke,
    solve_argv,
    write,
)
from hypothesis import given
from hypothesis import strategies as st

FAST, SLOW = hypothesis_profiles(25, 300)

KINDS = st.sampled_from(sorted(SLOTS))
SOLVE_KINDS = st.sampled_from(sorted(k for k in SLOTS if k != "arrangements"))


# ------------------------------------------------------------------------- bad payloads
#
# A payload writes one bad file at ``path`` for a slot and returns the regex its error
# line must match. Good files are written for the other slots.


def slot_shape(slot: str, n: int) -> tuple[int, ...]:
    return (n, 2) if slot == "X" else (n,)


@st.composite
def non_finite(draw, slot: str):
    n = 5
    arr = good_data(n)[slot].copy()
    flat = arr.reshape(-1)
    idx = draw(st.integers(0, flat.size - 1))
    flat[idx] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    return arr, rf"{slot} contains NaN or inf"


@st.composite
def empty_array(draw, slot: str):
    if slot == "X":
        shape = draw(st.sampled_from([(0, 2), (5, 0), (0, 0), (0,)]))
    else:
        shape = draw(st.sampled_from([(0,)]))
    return np.zeros(shape), r"empty|has 0 |0 entries|but y has|at least|non-empty"


@st.composite
def wrong_ndim(draw, slot: str):
    shape = draw(st.sampled_from([(), (2, 3, 2), (5, 1, 1)] + ([(5, 2)] if slot != "X" else [])))
    return np.ones(shape), r"2-D|1-D|scalar inputs|shape"


@st.composite
def wrong_dtype(draw, slot: str):
    base = good_data(5)[slot]
    kind = draw(st.sampled_from(["complex", "str", "bytes", "object", "struct", "datetime"]))
    if kind == "complex":
        return base.astype(complex) * (1 + 1j), r"complex"
    if kind == "str":
        return base.astype(str), r"not numeric"
    if kind == "bytes":
        return base.astype("S8"), r"not numeric"
    if kind == "object":
        arr = np.empty(base.shape, dtype=object)
        arr.reshape(-1)[:] = [draw(st.sampled_from([1, "a", None, 2.5]))] * base.size
        return arr, r"Python objects"
    if kind == "struct":
        return np.zeros(5, dtype=[("a", "f8"), ("b", "i4")]), r"not numeric"
    return np.arange(5).astype("datetime64[D]"), r"not numeric"


def huge(slot: str, exponent: int, sign: float) -> tuple[np.ndarray, str]:
    arr = good_data(5)[slot] * sign * 10.0**exponent
    return arr, rf"{slot} has entries as large as .* rescale {slot}"


@st.composite
def bad_file(draw) -> tuple[str, bytes | None, str]:
    """(what, raw bytes or None, regex): files that hold no array at all."""
    what = draw(
        st.sampled_from(
            ["text", "bytes", "empty", "dir", "missing", "npz", "truncated", "pickle", "csv"]
        )
    )
    if what == "text":
        text = draw(
            st.text(min_size=1, max_size=40).filter(
                lambda t: t.strip() and not t.startswith("PK\x03\x04")
            )
        )
        return what, text.encode("utf-8"), r"not a \.npy file"
    if what == "bytes":
        raw = draw(
            st.binary(min_size=1, max_size=64).filter(
                lambda b: not b.startswith(b"\x93NUMPY") and not b.startswith(b"PK\x03\x04")
            )
        )
        return what, raw, r"not a \.npy file"
    if what == "empty":
        return what, b"", r"empty file"
    if what == "dir":
        return what, None, r"is a directory"
    if what == "missing":
        return what, None, r"no such file"
    if what == "npz":
        return what, None, r"zip/\.npz archive"
    if what == "truncated":
        cut = draw(st.integers(1, 120))
        return what, bytes([cut]), r"cannot read .* as a \.npy array"
    if what == "pickle":
        return what, pickle.dumps({"X": [1, 2, 3]}), r"not a \.npy file"
    # a .csv without numbers (no digit anywhere: letters, punctuation, blanks)
    text = draw(st.text(alphabet="abcxyz ,;#\t\n-_", min_size=1, max_size=30))
    return what, text.encode(), r"cannot read .* numeric table|holds no numbers|NaN or inf|empty"


def place_bad_file(folder: Path, slot: str, spec: tuple[str, bytes | None, str]) -> str:
    what, raw, _ = spec
    path = folder / (f"bad_{slot}.csv" if what == "csv" else f"bad_{slot}.npy")
    if what == "dir":
        path.mkdir()
    elif what == "missing":
        pass
    elif what == "npz":
        path = folder / f"bad_{slot}.npz"
        np.savez(path, a=good_data(5)[slot], b=np.ones(3))
    elif what == "truncated":
        np.save(path, good_data(5)[slot])
        full = path.read_bytes()
        keep = max(len(full) - raw[0], 7)  # NumPy magic kept, header or data cut
        path.write_bytes(full[:keep])
    else:
        path.write_bytes(raw)
    return str(path)


def good_files(folder: Path, n: int = 5) -> dict[str, str]:
    return {slot: write(folder, f"{slot}.npy", arr) for slot, arr in good_data(n).items()}


def listing(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def check_array_payload(capsys, tmp_path, kind, slot, payload) -> None:
    arr, needle = payload
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    files = good_files(folder)
    files[slot] = write(folder, f"bad_{slot}.npy", arr)
    before = listing(folder)
    assert_refused(invoke(capsys, solve_argv(kind, files)), needle)
    assert listing(folder) == before  # nothing written


# ---------------------------------------------------------------------- array payloads


@st.composite
def kind_slot(draw, kinds=KINDS):
    kind = draw(kinds)
    return kind, draw(st.sampled_from(SLOTS[kind]))


@st.composite
def array_case(draw):
    kind, slot = draw(kind_slot())
    family = draw(st.sampled_from(["nonfinite", "empty", "ndim", "dtype"]))
    strategy = {
        "nonfinite": non_finite,
        "empty": empty_array,
        "ndim": wrong_ndim,
        "dtype": wrong_dtype,
    }[family](slot)
    return kind, slot, draw(strategy)


@FAST
@given(case=array_case())
def test_bad_arrays_are_refused(capsys, tmp_path, case):
    check_array_payload(capsys, tmp_path, *case)


@pytest.mark.slow
@SLOW
@given(case=array_case())
def test_bad_arrays_are_refused_many(capsys, tmp_path, case):
    check_array_payload(capsys, tmp_path, *case)


@FAST
@given(
    kind_slot=kind_slot(SOLVE_KINDS),
    exponent=st.integers(101, 307),
    sign=st.sampled_from([1.0, -1.0]),
)
def test_data_beyond_1e100_is_refused_by_the_solvers(capsys, tmp_path, kind_slot, exponent, sign):
    """Squares of 1e154 overflow; the solve commands refuse data beyond 1e100 by name
    (arrangements accepts any finite scale: see test_bad_input_degenerate)."""
    kind, slot = kind_slot
    check_array_payload(capsys, tmp_path, kind, slot, huge(slot, exponent, sign))


@FAST
@given(
    kind=SOLVE_KINDS, shape=st.sampled_from([(0,), (1,), (4,), (6,), (9,), (5, 1), (5, 2), (1, 5)])
)
def test_y_of_the_wrong_length_or_2d_is_refused(capsys, tmp_path, kind, shape):
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    files = good_files(folder)  # five samples
    files["y"] = write(folder, "bad_y.npy", np.ones(shape))
    assert_refused(invoke(capsys, solve_argv(kind, files)), r"1-D|rows but y has|entries but y has")


# ------------------------------------------------------------------------ non-arrays


def check_file_payload(capsys, tmp_path, kind, slot, spec) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    files = good_files(folder)
    files[slot] = place_bad_file(folder, slot, spec)
    before = listing(folder)
    o = invoke(capsys, solve_argv(kind, files))
    assert_refused(o, spec[2])
    assert f"--{slot}" in o.err  # the flag is named
    assert listing(folder) == before


@FAST
@given(kind_slot=kind_slot(), spec=bad_file())
def test_files_that_hold_no_array_are_refused(capsys, tmp_path, kind_slot, spec):
    check_file_payload(capsys, tmp_path, *kind_slot, spec)


@pytest.mark.slow
@SLOW
@given(kind_slot=kind_slot(), spec=bad_file())
def test_files_that_hold_no_array_are_refused_many(capsys, tmp_path, kind_slot, spec):
    check_file_payload(capsys, tmp_path, *kind_slot, spec)


def test_longdouble_beyond_float64_and_one_member_npz(capsys, tmp_path):
    big = np.full((5, 2), np.longdouble(10) ** 400)
    if not np.isfinite(big).all():  # platforms whose long double is a double
        pytest.skip("long double has no range beyond float64 here")
    files = good_files(tmp_path)
    files["X"] = write(tmp_path, "ld.npy", big)
    assert_refused(invoke(capsys, solve_argv("arrangements", files)), r"beyond the float64 range")
    np.savez(tmp_path / "one.npz", good_data()["X"])
    files["X"] = str(tmp_path / "one.npz")
    assert_refused(invoke(capsys, solve_argv("two-layer", files)), r"1 member\(s\): arr_0")


# ---------------------------------------------------------------------------- flags

BAD_WEIGHTS = st.one_of(
    st.sampled_from([float("nan"), float("inf"), float("-inf"), 0.0, -0.0]),
    st.floats(max_value=0.0, allow_nan=False),
    st.floats(min_value=0.0, max_value=1e-100, exclude_min=True, exclude_max=True),
    st.floats(min_value=1e100, exclude_min=True),
)


@FAST
@given(kind=SOLVE_KINDS, weight=BAD_WEIGHTS)
def test_bad_beta_or_lambda_is_refused(capsys, tmp_path, kind, weight):
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    flag = "lam" if kind == "tv1d" else "beta"
    assert_refused(
        invoke(capsys, solve_argv(kind, good_files(folder), weight=weight)),
        rf"{flag} must (be a finite number > 0|lie in \[1e-100, 1e\+100\])",
    )


def bad_sampling_specs():
    positive_ok = st.integers(1, 1_000_000)
    return st.one_of(
        st.integers(max_value=0).map(lambda k: f"sampled:{k}"),
        st.integers(min_value=1_000_001).map(lambda k: f"sampled:{k}"),
        st.floats(allow_nan=False).map(lambda f: f"sampled:{f!r}"),
        positive_ok.map(lambda k: f"sampled:{k}:{k}"),
        positive_ok.map(lambda k: f"SAMPLED:{k}"),
        positive_ok.map(lambda k: f"sampled={k}"),
        st.sampled_from(["", "exact ", "Exact", "sampled", "sampled:", "sampled:abc", "all"]),
        st.text(max_size=12).filter(lambda t: t != "exact" and not t.startswith("sampled:")),
    )


@FAST
@given(kind=st.sampled_from(["two-layer", "path-regularized"]), spec=bad_sampling_specs())
def test_bad_patterns_or_groups_spec_is_refused(capsys, tmp_path, kind, spec):
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    argv = solve_argv(kind, good_files(folder))
    flag = "--patterns" if kind == "two-layer" else "--groups"
    o = invoke(capsys, [*argv, f"{flag}={spec}"])
    assert_refused(o, rf"{flag} (must be 'exact' or 'sampled:N'|sampled:N allows at most)")


@FAST
@given(
    kind=st.sampled_from(["two-layer", "path-regularized"]),
    seed=st.integers(max_value=-1),
)
def test_negative_seed_is_refused(capsys, tmp_path, kind, seed):
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    argv = solve_argv(kind, good_files(folder))
    flag = "--patterns" if kind == "two-layer" else "--groups"
    o = invoke(capsys, [*argv, f"{flag}=sampled:5", f"--seed={seed}"])
    assert_refused(o, r"--seed must be an integer >= 0")


@FAST
@given(width=st.one_of(st.integers(max_value=0), st.integers(min_value=101)))
def test_width_out_of_range_is_refused(capsys, tmp_path, width):
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    argv = solve_argv("path-regularized", good_files(folder), width=1)
    argv[argv.index("--width") + 1] = str(width)
    assert_refused(invoke(capsys, argv), r"--width must be between 1 and 100")


def test_too_many_group_draws_are_refused(capsys, tmp_path):
    argv = solve_argv("path-regularized", good_files(tmp_path), width=100)
    assert_refused(invoke(capsys, [*argv, "--groups", "sampled:1000000"]), r"Gaussian entries")


@pytest.mark.parametrize("kind", ["two-layer", "path-regularized", "arrangements"])
@pytest.mark.parametrize("target", ["dir", "missing-folder", "input", "proc"])
def test_bad_save_target_is_refused_before_solving(capsys, tmp_path, kind, target):
    files = good_files(tmp_path)
    save = {
        "dir": tmp_path,
        "missing-folder": tmp_path / "nope" / "net.npz",
        "input": files["X"],
        "proc": "/proc/net.npz",  # os.access may say yes; creating a file there fails
    }[target]
    if target == "proc" and not Path("/proc").is_dir():
        pytest.skip("no /proc")
    before = {p: p.read_bytes() for p in tmp_path.glob("*.npy")}
    o = invoke(capsys, [*solve_argv(kind, files), "--save", str(save)])
    assert_refused(o, r"--save: ")
    assert {p: p.read_bytes() for p in tmp_path.glob("*.npy")} == before  # inputs untouched
    assert not list(tmp_path.glob("*.npz*")) and not list(tmp_path.glob("*.probe"))


# ---------------------------------------------------------------- true subprocess runs


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "default"}
    return subprocess.run(
        [sys.executable, "-m", "relucheck", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def test_end_to_end_refusals_have_no_traceback(tmp_path):
    """One process per command kind, each with a different bad input."""
    files = good_files(tmp_path)
    (tmp_path / "text.npy").write_text("this is not an array\n")
    np.save(tmp_path / "nan.npy", np.array([0.0, np.nan, 1.0, 2.0, 3.0]))
    np.save(tmp_path / "huge.npy", good_data()["X"] * 1e300)
    np.save(tmp_path / "obj.npy", np.array([1, "a", None], dtype=object), allow_pickle=True)
    cases = [
        (["solve", "two-layer", "--X", str(tmp_path / "text.npy"), "--y", files["y"],
          "--beta", "0.1"], "not a .npy file"),
        (["solve", "lasso-1d", "--x", files["x"], "--y", str(tmp_path / "nan.npy"),
          "--beta", "0.1"], "NaN or inf"),
        (["solve", "path-regularized", "--X", str(tmp_path / "huge.npy"), "--y", files["y"],
          "--beta", "0.1", "--width", "1"], "rescale X"),
        (["solve", "tv1d", "--x", files["x"], "--y", files["y"], "--lam=-inf"],
         "--lam must be"),
        (["arrangements", "--X", str(tmp_path / "obj.npy")], "Python objects"),
    ]  # fmt: skip
    for args, needle in cases:
        out = run_cli(*args)
        assert out.returncode == 2, (args, out.stderr)
        assert out.stdout == ""
        assert out.stderr.count("\n") == 1 and out.stderr.startswith("relucheck: error: ")
        assert needle in out.stderr and "Traceback" not in out.stderr
