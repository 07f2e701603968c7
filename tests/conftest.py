"""Shared fixtures: the toy claim registry swapped in for the real one."""

from __future__ import annotations

import os
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


# Installed plug-ins (e.g. `pip install -e examples/relucheck-gated` into .venv) must not
# change what the suite sees; tests of entry points re-enable them explicitly. The marker
# tells tests/benchmarks/test_bench_plugins.py that the switch is ours, not the user's.
if "RELUCHECK_NO_ENTRY_POINTS" not in os.environ:
    os.environ["RELUCHECK_NO_ENTRY_POINTS"] = "1"
    os.environ["RELUCHECK_SUITE_DISABLED_ENTRY_POINTS"] = "1"
