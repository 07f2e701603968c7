"""Targets and networks of the pointwise-convergence claim (claims.md, section PC).

Polyhedral gauges and the exact ReLU max-tree that computes them, the indicator network (a
variable transformation and a clipped-ramp head), the dense MLP control, and the spherical
Fourier partial sums of a ball indicator used as a control.
"""
