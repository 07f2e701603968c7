"""The solver names a user may give (``--solver``, ``verify --solver``, the Python API): one list.

Kept apart from :mod:`relucheck.solvers.backends` so that parsers can name the choices without
importing CVXPY.
"""

from __future__ import annotations

#: Names of the conic backends, mapped to CVXPY's solver names.
CONIC_SOLVERS = {"clarabel": "CLARABEL", "scs": "SCS", "mosek": "MOSEK"}

#: The project's own solvers (relucheck.solvers.fast_two_layer for CE, fast_path for PR).
#: Programs they do not cover are solved through CVXPY, where ``fast`` means Clarabel.
FAST_NAMES = ("fast",)

#: Every choice: ``auto`` picks per program and size.
SOLVER_CHOICES = ("auto", *FAST_NAMES, *CONIC_SOLVERS)
