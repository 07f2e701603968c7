"""relucheck: executable, falsifiable checks of theorems about ReLU networks.

The mathematics is specified in ``shared/claims.md``; each claim has one module in
:mod:`relucheck.theorems`.
"""

__version__ = "0.1.0"
