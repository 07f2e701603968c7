"""Two-layer ReLU networks and their convex program (claims.md, section CE).

The non-convex network and its objective, the group-lasso program with cone constraints, the
dual certificate and certified gauge scans over all patterns (dense or streamed), and the
reconstruction of a pruned network from a convex solution.
"""
