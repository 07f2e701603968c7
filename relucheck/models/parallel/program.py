"""The group-sparse convex program of path-regularized parallel ReLU networks (claims.md PR).

This derivation is the harness's own statement of the setting of Ergen & Pilanci,
"Path Regularization: A Convexity and Sparsity Inducing Regularization for Parallel ReLU
Networks" (arXiv 2110.09548); it was not copied from the paper, and the claim module says
so in its ``own_derivation``.

Step 1 — the non-convex problem. K sub-networks of width m (relucheck.models.parallel.network):

    p(K) = min  ½‖Σ_k s_k σ(σ(X W_k) v_k) − y‖² + β Σ_k (Σ_j ‖w_kj‖² v_kj² s_k²)^{1/2}.

Step 2 — rescaling. σ(t a) = t σ(a) for t ≥ 0, so with z_kj = w_kj |v_kj| |s_k|,
ε_kj = sign(v_kj), σ_k = sign(s_k):

    s_k σ(Σ_j σ(X w_kj) v_kj) = σ_k σ(Σ_j ε_kj σ(X z_kj)),     R_k = ‖Z_k‖_F.

(the factor |v_kj||s_k| ≥ 0 moves inside both ReLUs). Conversely (W, v, s) = (Z, ε, σ) realizes
any (Z, ε, σ). So p(K) is the minimum over Z_k ∈ R^{d×m}, ε_k ∈ {±1}^m, σ_k ∈ {±1} of
½‖Σ_k σ_k σ(Σ_j ε_kj σ(X z_kj)) − y‖² + β Σ_k ‖Z_k‖_F: the scale ambiguity is gone.

Step 3 — fixing the patterns. For a group g = (D_2, (D_1j, ε_j)_j, σ_g) define the closed
polyhedral cone

    C_g = {Z : (2D_1j − I) X z_j ≥ 0 ∀j,   (2D_2 − I) Σ_j ε_j D_1j X z_j ≥ 0}.

On C_g, σ(X z_j) = D_1j X z_j (rows with x_iᵀz_j = 0 give 0 either way), and with
h = Σ_j ε_j D_1j X z_j also σ(h) = D_2 h. Hence on C_g the sub-network is LINEAR in Z:

    σ_g σ(Σ_j ε_j σ(X z_j)) = L_g(Z) := σ_g D_2 Σ_j ε_j D_1j X z_j.

Every Z lies in the C_g of its own patterns D_1j = diag(1[X z_j ≥ 0]),
D_2 = diag(1[h ≥ 0]) (the ≥ convention), so the cones cover all sub-networks; which D_2 are
realizable inside the first-layer cone, and why chambers suffice, is derived in
relucheck.models.parallel.groups (only "mixed" rows, where the ε_j D_1j disagree in sign,
carry a non-redundant second-layer constraint).

Step 4 — the convex program. Give every group its own variable Z_g ∈ C_g:

    p_cvx = min_{Z_g ∈ C_g}  ½‖Σ_g L_g(Z_g) − y‖² + β Σ_g ‖Z_g‖_F.

(a) p_cvx ≤ p(K) for every K: put each sub-network k into the group of its own patterns;
if two land in the same group, replace them by Z_g = Z_k + Z_k' ∈ C_g (a convex cone):
L_g is linear, so the output is unchanged, and ‖Z_k + Z_k'‖_F ≤ ‖Z_k‖_F + ‖Z_k'‖_F.
(b) p(K) ≤ p_cvx once K ≥ the number of nonzero Z_g at an optimum: the sub-network
(W, v, s) = (Z_g, ε_g, σ_g) outputs exactly L_g(Z_g) and pays exactly ‖Z_g‖_F.
(c) Group sparsity: with c_g = ‖Z_g‖_F and atoms a_g = L_g(Z_g)/c_g the fit is Σ c_g a_g;
if the atoms are dependent, moving c along a null vector with Σ η ≤ 0 keeps the fit, never
raises Σ c_g and zeroes one group (Carathéodory; Z_g is rescaled, which keeps it in C_g),
so some optimum has at most rank ≤ n active groups (≤ n + 1 in claims.md).

Step 5 — the m = 1 reduction. For m = 1 the groups with ε = −1 output 0 (h = −D_1 X z ≤ 0),
and for ε = +1, h = D_1 X z ≥ 0 on the first-layer cone, so D_2 = I (≥ convention) and the
second-layer constraint is implied: L_g(z) = σ_g D_1 X z with (2D_1 − I) X z ≥ 0 and penalty
‖z‖₂. With σ_g = +1 ↔ v_i and σ_g = −1 ↔ w_i this is CE's program term by term.

Step 6 — the dual bound. For any ν and any Z_g, ½‖y − f‖² ≥ νᵀ(y − f) − ½‖ν‖², so

    p_cvx ≥ ½‖y‖² − ½‖y − ν‖²   whenever   sup_{Z ∈ C_g, ‖Z‖_F ≤ 1} νᵀ L_g(Z) ≤ β  ∀g.

Scaling a residual r by s = min(1, β / max_g γ̄_g) with γ̄_g a certified upper bound on that
sup (relucheck.models.two_layer.certificate.cone_sup_bound) gives a lower bound on p_cvx — and on
p(K) for every K — but ONLY when the groups cover every sub-network (exact enumeration).
Over a sampled subset it bounds only the restricted program.

Layout: vec(Z) = [z_1; ...; z_m] ∈ R^{dm}; the program's variable is z ∈ R^{G·dm} with
group g's block at g·dm. Rows with x_i = 0 are left out of every constraint (they are
trivially satisfied).
"""

from __future__ import annotations

import cvxpy as cp
import numpy as np
import scipy.sparse as sp

from relucheck.models.parallel.groups import GroupSet

__all__ = [
    "linear_maps",
    "cone_matrix",
    "group_blocks",
    "convex_prediction",
    "convex_objective",
    "cone_violation",
    "path_convex_program",
]


def _vec_index(g: np.ndarray, j: np.ndarray, a: np.ndarray, m: int, d: int) -> np.ndarray:
    return (g * m + j) * d + a


def linear_maps(groups: GroupSet) -> sp.csr_matrix:
    """L (n, G·dm) with L z = Σ_g L_g(Z_g) = Σ_g σ_g D_2 Σ_j ε_j D_1j X z_gj."""
    X = groups.X
    n, d = X.shape
    G, m = groups.count, groups.m
    C = groups.coefficients()  # (G, n, m)
    coef = groups.sigma[:, None, None] * groups.D2[:, :, None] * C  # (G, n, m)
    vals = coef[:, :, :, None] * X[None, :, None, :]  # (G, n, m, d)
    g, i, j, a = np.nonzero(vals)
    cols = _vec_index(g, j, a, m, d)
    return sp.csr_matrix((vals[g, i, j, a], (i, cols)), shape=(n, G * m * d))


def cone_matrix(
    groups: GroupSet, *, first_layer: bool = True, second_layer: bool = True
) -> sp.csr_matrix:
    """A (rows, G·dm) with A z ≥ 0 ⟺ every Z_g ∈ C_g (second layer on mixed rows only)."""
    X = groups.X
    n, d = X.shape
    G, m = groups.count, groups.m
    nz = np.any(X != 0.0, axis=1)
    blocks = []
    if first_layer:
        # row (g, j, i): (2D_1j − I)_ii x_iᵀ z_gj
        S = np.where(groups.D1, 1.0, -1.0) * nz[None, None, :]  # (G, m, n)
        vals = S[:, :, :, None] * X[None, None, :, :]  # (G, m, n, d)
        g, j, i, a = np.nonzero(vals)
        rows = (g * m + j) * n + i
        blocks.append(
            sp.csr_matrix(
                (vals[g, j, i, a], (rows, _vec_index(g, j, a, m, d))), shape=(G * m * n, G * m * d)
            )
        )
    if second_layer:
        # row (g, i), mixed i only: (2D_2 − I)_ii Σ_j c_gij x_iᵀ z_gj
        C = groups.coefficients()
        mixed = groups.mixed()
        S2 = np.where(groups.D2, 1.0, -1.0) * mixed  # (G, n)
        vals = (S2[:, :, None] * C)[:, :, :, None] * X[None, :, None, :]  # (G, n, m, d)
        g, i, j, a = np.nonzero(vals)
        blocks.append(
            sp.csr_matrix(
                (vals[g, i, j, a], (g * n + i, _vec_index(g, j, a, m, d))),
                shape=(G * n, G * m * d),
            )
        )
    if not blocks:
        return sp.csr_matrix((0, G * m * d))
    A = sp.vstack(blocks).tocsr()
    keep = np.diff(A.indptr) > 0  # drop empty rows
    return A[keep]


def group_blocks(
    groups: GroupSet, g: int, *, second_layer: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Dense (L_g (n, dm), A_g (rows, dm)) of one group, for certificates and single solves."""
    X = groups.X
    n, d = X.shape
    m = groups.m
    nz = np.any(X != 0.0, axis=1)
    c = groups.eps[g][None, :] * groups.D1[g].T  # (n, m)
    L = (groups.sigma[g] * groups.D2[g])[:, None, None] * c[:, :, None] * X[:, None, :]
    first = np.zeros((m, int(nz.sum()), m, d))
    for j in range(m):
        first[j, :, j, :] = np.where(groups.D1[g, j, nz], 1.0, -1.0)[:, None] * X[nz]
    blocks = [first.reshape(-1, m * d)]
    if second_layer:
        mixed = _mixed_row(groups, g)
        s2 = np.where(groups.D2[g, mixed], 1.0, -1.0)
        blocks.append(
            (s2[:, None, None] * c[mixed][:, :, None] * X[mixed][:, None, :]).reshape(-1, m * d)
        )
    return L.reshape(n, m * d), np.concatenate(blocks)


def _mixed_row(groups: GroupSet, g: int) -> np.ndarray:
    c = groups.eps[g][None, :] * groups.D1[g].T
    nz = np.any(groups.X != 0.0, axis=1)
    return np.any(c > 0, axis=1) & np.any(c < 0, axis=1) & nz


def convex_prediction(groups: GroupSet, z: np.ndarray) -> np.ndarray:
    """Σ_g L_g(Z_g) for a flat z (G·dm,)."""
    return linear_maps(groups) @ np.asarray(z, dtype=np.float64)


def _group_norms(groups: GroupSet, z: np.ndarray) -> np.ndarray:
    dm = groups.X.shape[1] * groups.m
    return np.linalg.norm(np.asarray(z, dtype=np.float64).reshape(groups.count, dm), axis=1)


def convex_objective(X: np.ndarray, y: np.ndarray, beta: float, groups: GroupSet, z) -> float:
    """½‖Σ_g L_g(Z_g) − y‖² + β Σ_g ‖Z_g‖_F (constraints not checked)."""
    f = convex_prediction(groups, z)
    return 0.5 * float(np.sum((f - y) ** 2)) + beta * float(_group_norms(groups, z).sum())


def cone_violation(groups: GroupSet, z: np.ndarray) -> float:
    """Largest violation of A z ≥ 0 (0 when every Z_g lies in its cone)."""
    A = cone_matrix(groups)
    if A.shape[0] == 0:
        return 0.0
    return max(0.0, -float(np.min(A @ z)))


def path_convex_program(
    X: np.ndarray,
    y: np.ndarray,
    beta: float,
    groups: GroupSet,
    *,
    second_layer_cone: bool = True,
) -> tuple[cp.Problem, dict[str, cp.Variable]]:
    """The PR convex program (step 4) as a CVXPY problem; handle ``z`` (G·dm,).

    ``second_layer_cone=False`` drops the (2D_2 − I) constraints: a relaxation whose
    value is ≤ p_cvx and whose naive reconstruction need not attain it (a negative control
    and the planted defect of the tests).
    """
    if not np.array_equal(np.asarray(X), groups.X):
        raise ValueError("groups were built for a different X")
    dm = X.shape[1] * groups.m
    G = groups.count
    z = cp.Variable(G * dm, name="z")
    L = linear_maps(groups)
    A = cone_matrix(groups, second_layer=second_layer_cone)
    reg = cp.sum(cp.norm(cp.reshape(z, (dm, G), order="F"), 2, axis=0))
    constraints = [A @ z >= 0] if A.shape[0] else []
    problem = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(L @ z - y) + beta * reg), constraints)
    return problem, {"z": z}
