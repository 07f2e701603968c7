"""One-dimensional ReLU networks with free biases and a skip term (claims.md LASSO-1D, SR 2-3).

Skip networks, the ramp-dictionary Lasso with its affine part, linear splines with TV(f′) and
trend filtering on unequal spacing, and the exact Carathéodory reduction of a skip network.
"""
