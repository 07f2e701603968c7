"""Algorithms: conic backends through CVXPY, non-convex trainers."""
