"""Path-regularized three-layer parallel ReLU networks (claims.md, section PR).

The parallel network and its path regularizer, the groups of its convex program (exact and
sampled pattern tuples), the group program itself, its dual certificate and the
reconstruction of a parallel network from a convex solution.
"""
