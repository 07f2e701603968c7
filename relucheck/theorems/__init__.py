"""The explicit claim registry: one module per claim of claims.md."""

from __future__ import annotations

from relucheck.harness.claims import Claim

REGISTRY: dict[str, Claim] = {}
