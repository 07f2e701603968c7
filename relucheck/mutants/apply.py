"""Applying a mutant to a private copy of the source tree (never to the tree itself).

The copy holds only the ``relucheck`` package; a run points ``PYTHONPATH`` at it so that the
copy, not the editable install, is imported (the subset driver verifies this).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from relucheck.mutants.catalog import Mutant

PACKAGE = "relucheck"


class MutantRotted(ValueError):
    """A mutant's search text is not found exactly once: the code it targets has changed."""


def source_root() -> Path:
    """The repository root holding the imported ``relucheck`` package."""
    import relucheck

    return Path(relucheck.__file__).resolve().parent.parent


def occurrences(root: Path, mutant: Mutant) -> int:
    """How often the mutant's search text occurs in its file under ``root`` (0 if no file)."""
    path = root / mutant.path
    if not path.is_file():
        return 0
    return path.read_text(encoding="utf-8").count(mutant.search)


def validate(root: Path, mutant: Mutant) -> None:
    """Raise :class:`MutantRotted` unless the search text occurs exactly once and is changed."""
    if mutant.search == mutant.replace:
        raise MutantRotted(f"mutant {mutant.id}: replacement equals the search text")
    count = occurrences(root, mutant)
    if count != 1:
        where = "file missing" if not (root / mutant.path).is_file() else f"found {count} times"
        raise MutantRotted(
            f"mutant {mutant.id}: search text must occur exactly once in {mutant.path} ({where})"
        )


def copy_package(src_root: Path, dst_root: Path) -> Path:
    """Copy ``src_root/relucheck`` to ``dst_root/relucheck`` (no bytecode); return dst_root."""
    shutil.copytree(
        src_root / PACKAGE,
        dst_root / PACKAGE,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    return dst_root


def apply_mutant(root: Path, mutant: Mutant) -> None:
    """Replace the search text by the replacement in ``root/mutant.path`` (validated first)."""
    validate(root, mutant)
    path = root / mutant.path
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(mutant.search, mutant.replace, 1), encoding="utf-8")
