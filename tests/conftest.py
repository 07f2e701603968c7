"""Shared fixtures: the toy claim registry swapped in for the real one."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import toy_claims  # noqa: E402


@pytest.fixture
def toy_registry(monkeypatch: pytest.MonkeyPatch) -> dict:
    """Replace relucheck.theorems.REGISTRY with every toy claim; return it."""
    import relucheck.theorems

    monkeypatch.setattr(relucheck.theorems, "REGISTRY", dict(toy_claims.ALL))
    return relucheck.theorems.REGISTRY
