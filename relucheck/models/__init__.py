"""The mathematics of claims.md as pure functions over arrays, one sub-package per subject.

``arrangements`` (activation patterns, chambers of hyperplane arrangements), ``two_layer``
(the CE network, its convex program, certificates and reconstruction), ``parallel`` (the PR
network and its group program), ``univariate`` (one-dimensional skip networks, splines, the
ramp Lasso), ``indicators`` (the PC targets and networks), ``radon`` (Radon-domain duals,
Maurey sampling, deep linear closed forms). Models never import solvers, theorems or harness.
"""
