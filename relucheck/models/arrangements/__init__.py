"""Activation patterns of a data matrix as chambers of a central hyperplane arrangement.

Exact enumeration (an angular sweep in the plane, extreme rays, incremental insertion with LP
certificates), sampling from random gates, bit-packed masks, and the shared tolerances on the
hyperplane normals (claims.md CE and PT: the pattern set of the convex program).
"""
