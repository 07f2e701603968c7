"""Reading the user's data files for the CLI: one numeric array, or a one-line reason why not.

Accepted: a ``.npy`` file written by ``np.save`` (recognised by its NumPy header whatever
its name; never unpickled) or a delimited text table (``.csv`` comma-separated, ``.txt``
whitespace-separated). Booleans read as 0/1; integers, float16/32 and long doubles are
converted to float64. Everything else (empty files, folders, ``.npz`` or other zip archives,
pickles, text under a ``.npy`` name, object/string/complex/structured/datetime arrays,
values beyond the float64 range) raises :class:`BadInput` naming the flag and the file.
"""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import numpy as np

from relucheck.datasets.validation import BadInput

NPY_MAGIC = b"\x93NUMPY"
ZIP_MAGIC = b"PK\x03\x04"
TEXT_SUFFIXES = {".csv": ",", ".txt": None}


def one_line(text: object) -> str:
    """``text`` with all whitespace runs (newlines included) collapsed to single spaces."""
    return " ".join(str(text).split())


def load_array(path: str, name: str, *, matrix: bool = False) -> np.ndarray:
    """A float64 array from ``path`` for the flag ``name`` (see the module docstring).

    With ``matrix`` a text table is read as 2-D (a single line is one sample ``(1, d)``, a
    single column is ``(n, 1)``); otherwise a single line or column is a vector ``(n,)``.
    """
    p = Path(path)
    if p.is_dir():
        raise BadInput(f"{name}: {path} is a directory, not a data file")
    if not p.exists():
        raise BadInput(f"{name}: no such file {path}")
    if not p.is_file():
        raise BadInput(f"{name}: {path} is not a regular file")
    try:
        with p.open("rb") as fh:
            head = fh.read(len(NPY_MAGIC))
    except OSError as exc:
        raise BadInput(f"{name}: cannot read {path} ({one_line(exc.strerror)})") from None
    if not head:
        raise BadInput(f"{name}: {path} is an empty file")
    if head == NPY_MAGIC:
        arr = _read_npy(p, name)
    elif head.startswith(ZIP_MAGIC):
        raise BadInput(_archive_message(p, name))
    elif p.suffix.lower() in TEXT_SUFFIXES:
        arr = _read_text(p, name, matrix)
    else:
        raise BadInput(
            f"{name}: cannot read {path}: not a .npy file (no NumPy header); give an array "
            f"saved with np.save, or a .csv/.txt table"
        )
    return _as_float64(arr, name, path)


def _read_npy(p: Path, name: str) -> np.ndarray:
    try:
        arr = np.load(p, allow_pickle=False)
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise BadInput(
                f"{name}: {p} holds Python objects (dtype object); only numeric arrays are "
                f"read, never pickles"
            ) from None
        raise BadInput(f"{name}: cannot read {p} as a .npy array ({one_line(exc)})") from None
    except (OSError, EOFError) as exc:
        raise BadInput(f"{name}: cannot read {p} as a .npy array ({one_line(exc)})") from None
    return arr


def _read_text(p: Path, name: str, matrix: bool) -> np.ndarray:
    try:
        with warnings.catch_warnings():
            # loadtxt warns on a file without numbers; that case is reported below instead
            warnings.simplefilter("ignore")
            arr = np.loadtxt(p, delimiter=TEXT_SUFFIXES[p.suffix.lower()], ndmin=2 if matrix else 1)
    except (ValueError, OSError) as exc:
        raise BadInput(f"{name}: cannot read {p} as a numeric table ({one_line(exc)})") from None
    if arr.size == 0:
        raise BadInput(f"{name}: {p} holds no numbers")
    return arr


def _archive_message(p: Path, name: str) -> str:
    try:
        with zipfile.ZipFile(p) as zf:
            members = [m.removesuffix(".npy") for m in zf.namelist()]
    except (zipfile.BadZipFile, OSError):
        return f"{name}: {p} is a damaged zip archive, not a .npy array"
    listed = ", ".join(members[:5]) + (", ..." if len(members) > 5 else "")
    return (
        f"{name}: {p} is a zip/.npz archive ({len(members)} member(s): {listed}), not one "
        f"array; save the array alone with np.save"
    )


def _as_float64(arr: np.ndarray, name: str, path: str) -> np.ndarray:
    kind = arr.dtype.kind
    if kind == "c":
        raise BadInput(f"{name}: {path} holds complex numbers (dtype {arr.dtype}); give real data")
    if kind not in "biuf":
        raise BadInput(f"{name}: {path} is not numeric (dtype {arr.dtype})")
    with np.errstate(over="ignore"):
        out = arr.astype(np.float64)
    if kind == "f" and np.any(np.isinf(out) & np.isfinite(arr)):
        raise BadInput(f"{name}: {path} has values beyond the float64 range (about 1.8e308)")
    return out
