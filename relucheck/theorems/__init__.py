"""The explicit claim registry: one module per claim of claims.md.

Add a claim by importing its module here and listing its ``CLAIM`` below (one line each);
nothing registers itself at import time.
"""

from __future__ import annotations

from relucheck.harness.claims import Claim
from relucheck.theorems import (
    convex_equivalence,
    lasso_1d,
    path_regularization,
    pointwise_convergence,
    polynomial_time,
    sparse_regularization,
)

CLAIMS: list[Claim] = [
    convex_equivalence.CLAIM,
    polynomial_time.CLAIM,
    lasso_1d.CLAIM,
    sparse_regularization.CLAIM,
    path_regularization.CLAIM,
    pointwise_convergence.CLAIM,
]

REGISTRY: dict[str, Claim] = {claim.id: claim for claim in CLAIMS}
