"""relucheck: executable, falsifiable checks of theorems about ReLU networks.

The mathematics is specified in ``shared/claims.md``; each claim has one module in
:mod:`relucheck.theorems`.
"""

__version__ = "0.1.0"

__all__ = ["TwoLayerFit", "fit_two_layer", "fit_two_layer_path", "__version__"]


def __getattr__(name: str):
    # lazy: ``import relucheck`` stays cheap (no CVXPY) for the CLI and the harness
    if name in ("TwoLayerFit", "fit_two_layer", "fit_two_layer_path"):
        from relucheck import api

        return getattr(api, name)
    raise AttributeError(f"module 'relucheck' has no attribute {name!r}")
