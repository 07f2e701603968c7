"""Run folders on disk: ids, crash-safe JSON-lines rows, atomic files and the ``latest`` link.

A run lives in ``<base>/<run-id>/``; ``results.jsonl`` receives one JSON object per line,
appended and fsync'ed as each unit finishes, so a crash loses at most the rows in flight.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from relucheck.harness.errors import HarnessError

RESULTS = "results.jsonl"
LATEST = "latest"


def check_writable(base: Path) -> None:
    """Raise :class:`HarnessError` unless ``base`` exists as a writable folder or can be made.

    Nothing is created: the nearest existing ancestor must be a writable folder.
    """
    base = Path(base)
    probe = base.absolute()
    while not probe.exists():
        if probe.is_symlink():
            raise HarnessError(f"output folder {str(base)!r}: {str(probe)!r} is a broken link")
        probe = probe.parent
    if not probe.is_dir():
        raise HarnessError(
            f"output folder {str(base)!r} cannot be created: {str(probe)!r} is not a folder"
        )
    if not os.access(probe, os.W_OK | os.X_OK):
        what = "is not writable" if probe == base.absolute() else "cannot be created"
        raise HarnessError(
            f"output folder {str(base)!r} {what} (no write access to {str(probe)!r})"
        )


def new_run_id() -> str:
    """A run id such as ``20261122-031500-ab12``: local time, then 4 random hex digits."""
    return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(2)


def new_run_dir(base: Path) -> Path:
    """Create ``base/<new run id>`` atomically (``mkdir`` fails rather than reusing a folder)."""
    base = Path(base)
    base.mkdir(parents=True, exist_ok=True)
    for _ in range(100):
        path = base / new_run_id()
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path
    raise HarnessError(f"could not create a fresh run folder under {str(base)!r}")


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, payload: bytes) -> Path:
    """Write ``payload`` to a temporary sibling, fsync it, then ``os.replace`` it onto ``path``."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(3)}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    _fsync_dir(path.parent)
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    """:func:`atomic_write_bytes` for UTF-8 text."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def _encode(rows: Iterable[dict[str, Any]]) -> bytes:
    # default=str: an odd value in a row is stored as text rather than losing the run.
    lines = (json.dumps(row, allow_nan=False, default=str) + "\n" for row in rows)
    return "".join(lines).encode("utf-8")


def _drop_partial_tail(fh: Any) -> None:
    """Cut an unterminated last line (a write interrupted by a crash) before appending."""
    size = fh.seek(0, os.SEEK_END)
    if size == 0:
        return
    fh.seek(size - 1)
    if fh.read(1) == b"\n":
        return
    pos = size
    while pos > 0:
        step = min(4096, pos)
        fh.seek(pos - step)
        chunk = fh.read(step)
        cut = chunk.rfind(b"\n")
        if cut >= 0:
            fh.truncate(pos - step + cut + 1)
            return
        pos -= step
    fh.truncate(0)


def append_rows(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    """Append rows as JSON lines in one write, then flush and fsync.

    An unterminated last line left by an earlier crash is removed first, so the file stays
    one valid object per line.
    """
    payload = _encode(rows)
    if not payload:
        return
    with open(path, "ab+") as fh:
        _drop_partial_tail(fh)
        fh.seek(0, os.SEEK_END)
        fh.write(payload)
        fh.flush()
        os.fsync(fh.fileno())


def write_rows(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    """Replace the whole file with ``rows``, atomically."""
    atomic_write_bytes(path, _encode(rows))


def read_rows(path: Path) -> list[dict[str, Any]]:
    """All rows of a JSON-lines file; a truncated last line (crash mid-write) is ignored.

    A malformed line anywhere else is corruption and raises :class:`HarnessError`.
    """
    path = Path(path)
    if not path.exists():
        return []
    lines = path.read_bytes().split(b"\n")
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            if number == len(lines):  # last line, no newline after it: interrupted write
                break
            raise HarnessError(f"{path}: line {number} is not valid JSON ({exc})") from exc
        if not isinstance(row, dict):
            raise HarnessError(f"{path}: line {number} is not a JSON object")
        rows.append(row)
    return rows


def update_latest(base: Path, run_dir: Path) -> Path:
    """Point ``base/latest`` at ``run_dir`` with a relative symlink, replaced atomically."""
    base = Path(base)
    link = base / LATEST
    if link.exists() and not link.is_symlink():
        raise HarnessError(f"{str(link)!r} exists and is not a symlink; not replacing it")
    target = os.path.relpath(Path(run_dir).absolute(), base.absolute())
    tmp = base / f".{LATEST}.tmp-{os.getpid()}-{secrets.token_hex(3)}"
    os.symlink(target, tmp)
    try:
        os.replace(tmp, link)
    except OSError:
        tmp.unlink()
        raise
    return link


def resolve_run(base: Path, name_or_path: str | Path) -> Path:
    """A run folder from a run id (under ``base``), a path to it, or ``"latest"``.

    Raises :class:`HarnessError` when no such run folder exists.
    """
    base = Path(base)
    text = str(name_or_path)
    candidates = [base / LATEST] if text == LATEST else [Path(text), base / text]
    for candidate in candidates:
        if candidate.is_dir():
            resolved = candidate.resolve()
            if (resolved / RESULTS).exists() or (resolved / "environment.json").exists():
                return resolved
    raise HarnessError(f"unknown run {text!r} (no run folder with {RESULTS} under {str(base)!r})")
