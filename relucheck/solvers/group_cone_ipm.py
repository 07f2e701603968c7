"""A structured primal-dual interior-point method for group-sparse cone-constrained least squares.

The restricted programs of the CE solver (claims.md CE, squared loss, over a working set of
groups) and of the PR group program (claims.md PR) share one form: k groups, group g with a
variable u_g ∈ R^p, a linear map F_g (n × p) into the fit, a matrix C_g (r × p) whose rows
must stay nonnegative, and a Euclidean norm in the objective:

    min_{u, t}  ½‖Σ_g F_g u_g − y‖² + β Σ_g t_g
    s.t.        C_g u_g ≥ 0,   ‖u_g‖₂ ≤ t_g          (g = 1 … k)

Why our own interior-point method and not Clarabel on the same program: the Newton system
of a primal-dual method on this program is, after eliminating slacks and duals,

    H = FᵀF + blockdiag_g( C_gᵀ diag(z_g / s_g) C_g + [scaled second-order-cone block]_g ),

a DENSE (k·p) × (k·p) matrix: FᵀF is fixed for the whole solve (computed once, one GEMM) and
each iteration only adds k Gram matrices of size p × p (k·r·p² flops; for CE C_g = (2D_g −
I)X, so C_gᵀ diag(w) C_g = Xᵀ diag(w) X). One LAPACK Cholesky of size k·p then solves it,
or, when n is the smaller side, one of size n through Woodbury (I + F B⁻¹ Fᵀ); predictor
and corrector share the factorization. A general sparse solver sees k·r cone rows and a
dense block and factors them with a scalar sparse LDL; measured on a CE working set
(n = 1000, d = 10, 45 groups) Clarabel spent ~50 ms per iteration, this method ~10 ms.

The interior point alone stalls between 1e-5 and 1e-8 relative accuracy (the Nesterov-Todd
scaling of cones near their boundary loses digits), and the callers' certificates need the
restricted optimum to ~1e-12. So its iterate is finished by :func:`polish_on_active_manifold`:
Newton's method on the smooth manifold of the groups and rows it identifies as active, run
as a primal active-set method that corrects misread rows.

The method is the standard infeasible-start Mehrotra predictor-corrector with
Nesterov-Todd scaling on the product of the nonnegative orthant and k second-order cones
(as in Vandenberghe, "The CVXOPT linear and quadratic cone program solvers", 2010,
sections 4-5; the cone formulas are re-derived in :mod:`relucheck.solvers.soc_algebra`,
each one tested in tests/test_group_cone_ipm.py). It is a point PROPOSER: callers certify
what it returns (the CE solver restores feasibility exactly and bounds the optimum by its own dual).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import scipy.linalg as sla

from relucheck.solvers.group_cones import GroupCones
from relucheck.solvers.manifold_polish import polish_on_active_manifold
from relucheck.solvers.soc_algebra import (
    _lin_max_step,
    soc_det,
    soc_divide,
    soc_max_step,
    soc_product,
    soc_scaling,
)

#: Relative stopping tolerance on the primal and dual residuals and the duality gap.
TOLERANCE = 1e-10

#: Iteration cap (the method usually stops in 15–40 iterations).
MAX_ITERATIONS = 80

#: Fraction of the distance to the cone boundary that a step may cover.
STEP_FRACTION = 0.99

#: Identification thresholds on the dimensionless slack/multiplier ratios of the final
#: iterate: a row binds below ROW_SPLIT, a group is nonzero above GROUP_SPLIT. Measured on
#: CE working sets (n = 1000, d = 10): binding rows at 1e-9 … 1e-5, free rows at 1e-3 and
#: above; nonzero groups at 1e6 and above, zero ones near 1.
ROW_SPLIT = 1e-4
GROUP_SPLIT = 1e3

#: Polishing is first tried once the relative residuals are below 1e-6 and the relative
#: gap below POLISH_FROM, then again every POLISH_EVERY iterations until it converges.
POLISH_FROM = 1e-3
POLISH_EVERY = 2

#: A step shorter than this ends the method: the scaling has lost the digits to go on.
STALL_STEP = 1e-3


@dataclass
class IPMResult:
    """The returned point U (k, p) (t_g = ‖u_g‖ there) and how the method ended."""

    U: np.ndarray
    status: str
    iterations: int
    primal_residual: float
    dual_residual: float
    gap: float
    polish: str = "not run"
    polished: bool = False


# ---------------------------------------------------------------- Newton systems


def _cholesky(H: np.ndarray) -> tuple:
    try:
        return sla.cho_factor(H, lower=True, check_finite=False)
    except np.linalg.LinAlgError:
        reg = 1e-12 * float(np.abs(np.diag(H)).max())
        return sla.cho_factor(H + reg * np.eye(H.shape[0]), lower=True, check_finite=False)


def _dense_factor(Q: np.ndarray, blocks: np.ndarray):
    """Solver for (Q + blockdiag(blocks)) x = rhs: one Cholesky of size k·p, reused."""
    k, p, _ = blocks.shape
    H = Q.copy()
    diag = np.arange(k)
    H.reshape(k, p, k, p)[diag, :, diag, :] += blocks
    factor = _cholesky(H)

    def solve(rhs: np.ndarray) -> np.ndarray:
        return sla.cho_solve(factor, rhs.reshape(k * p), check_finite=False).reshape(k, p)

    return solve


def _woodbury_factor(F: np.ndarray, blocks: np.ndarray):
    """Solver for (FᵀF + B) x = rhs, B = blockdiag(blocks), through the n × n matrix
    S = I + F B⁻¹ Fᵀ:  x = w − B⁻¹Fᵀ S⁻¹ F w  with  w = B⁻¹ rhs."""
    k, p, _ = blocks.shape
    n = F.shape[0]
    inverse = np.linalg.inv(blocks)  # (k, p, p): p is small, and B⁻¹ is applied n + 1 times

    def block_solve(R: np.ndarray) -> np.ndarray:  # B⁻¹ applied to (k, p, m)
        return inverse @ R

    BinvFt = block_solve(F.reshape(n, k, p).transpose(1, 2, 0)).reshape(k * p, n)
    factor = _cholesky(np.eye(n) + F @ BinvFt)

    def solve(rhs: np.ndarray) -> np.ndarray:
        w = block_solve(rhs[:, :, None])[:, :, 0]
        corr = sla.cho_solve(factor, F @ w.reshape(k * p), check_finite=False)
        return w - (BinvFt @ corr).reshape(k, p)

    return solve


def _dense_solve(Q: np.ndarray, blocks: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """(Q + blockdiag(blocks)) x = rhs."""
    return _dense_factor(Q, blocks)(rhs)


def _woodbury_solve(F: np.ndarray, blocks: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """(FᵀF + blockdiag(blocks)) x = rhs, by Woodbury."""
    return _woodbury_factor(F, blocks)(rhs)


# ---------------------------------------------------------------- one Newton step


class _Scaling(NamedTuple):
    """Nesterov-Todd scaling of one iterate: λ, W and W⁻² per cone."""

    lin_lambda: np.ndarray
    lin_w: np.ndarray  # W⁻² on the orthant, z/s
    lin_wsqrt: np.ndarray  # W on the orthant, √(s/z)
    W: np.ndarray
    Winv: np.ndarray
    soc_lambda: np.ndarray
    soc_winv2: np.ndarray

    @classmethod
    def at(cls, s_lin, z_lin, s_soc, z_soc) -> _Scaling:
        W, Winv = soc_scaling(s_soc, z_soc)
        return cls(
            np.sqrt(s_lin * z_lin),
            z_lin / s_lin,
            np.sqrt(s_lin / z_lin),
            W,
            Winv,
            np.einsum("kij,kj->ki", W, z_soc),
            np.einsum("kij,kjl->kil", Winv, Winv),
        )

    def soc_square(self) -> np.ndarray:
        return soc_product(self.soc_lambda, self.soc_lambda)


def _direction(solve_kkt, sc: _Scaling, residuals: tuple, ds_lin, ds_soc) -> tuple:
    """Newton direction whose complementarity rows are λ∘(W dz + W⁻¹ ds) = −ds.

    ds = −W(λ⁻¹∘d) − W² dz, so dz = W⁻²(G dx − (bz + W(λ⁻¹∘d))) with bz = −r_z.
    """
    grad_u, grad_t, rz_lin, rz_soc = residuals
    corr_lin = sc.lin_wsqrt * (ds_lin / sc.lin_lambda)
    corr_soc = np.einsum("kij,kj->ki", sc.W, soc_divide(sc.soc_lambda, ds_soc))
    du, dt, dz_lin, dz_soc, gl, gs = solve_kkt(
        -grad_u, -grad_t, -rz_lin + corr_lin, -rz_soc + corr_soc
    )
    return du, dt, -rz_lin - gl, -rz_soc - gs, dz_lin, dz_soc


def _step_length(cones: tuple, directions: tuple) -> float:
    s_lin, z_lin, s_soc, z_soc = cones
    dsl, dss, dzl, dzs = directions
    return min(
        _lin_max_step(s_lin, dsl),
        _lin_max_step(z_lin, dzl),
        soc_max_step(s_soc, dss),
        soc_max_step(z_soc, dzs),
    )


# ---------------------------------------------------------------- the method


def solve_group_cone_qp(
    groups: GroupCones,
    y: np.ndarray,
    beta: float,
    *,
    tol: float = TOLERANCE,
    max_iterations: int = MAX_ITERATIONS,
    polish: bool = True,
    polish_early: bool = True,
    trace: list | None = None,
) -> IPMResult:
    """Solve the program of the module docstring; returns the last iterate and its status.

    ``status`` is ``"solved"`` when the relative primal/dual residuals and the relative
    duality gap are all ≤ ``tol``; ``"max_iterations"`` or ``"numerical"`` (a step too small
    to make progress, or a factorization failure) otherwise — the iterate is still returned,
    since callers certify it themselves.
    """
    y = np.asarray(y, dtype=float)
    k, p, r = groups.k, groups.p, groups.r
    kp = k * p
    n = y.size
    F = groups.fit_columns(np.arange(k))  # fixed for the solve
    # Newton systems are (FᵀF + B) du = rhs with B block diagonal: factor the k·p system
    # directly, or, when n is the smaller side, through Woodbury on I + F B⁻¹ Fᵀ (n × n)
    woodbury = kp**3 / 3 > n * n * kp + n**3 / 3
    Q = None if woodbury else F.T @ F
    qu = -groups.fit_adjoint(y)  # linear term on u, (k, p)
    scale_q = 1.0 + max(float(np.abs(qu).max(initial=0.0)), beta)
    degree = k * r + k

    def kkt_solver(lin_w, soc_winv2):
        """Factor Q + GᵀW⁻²G once; the solver it returns takes (bx, bz) and gives
        dx = (du, dt) solving (Q + GᵀW⁻²G) dx = bx + GᵀW⁻² bz, with dz and G dx."""
        blocks = groups.rows_gram(lin_w) + soc_winv2[:, 1:, 1:]
        h_ut = soc_winv2[:, 1:, 0]
        h_tt = soc_winv2[:, 0, 0]
        # t_g enters only its own cone: eliminate it (a rank-one change of block g)
        blocks -= np.einsum("ki,kj->kij", h_ut, h_ut) / h_tt[:, None, None]
        solve_u = _woodbury_factor(F, blocks) if woodbury else _dense_factor(Q, blocks)

        def solve(bx_u, bx_t, bz_lin, bz_soc):
            # Gᵀ v for v = (v_lin, v_soc): u-part −C_gᵀ v_lin − v_soc[1:], t-part −v_soc[0]
            ws = np.einsum("kij,kj->ki", soc_winv2, bz_soc)
            rhs_u = bx_u - groups.rows_adjoint(lin_w * bz_lin) - ws[:, 1:]
            rhs_t = bx_t - ws[:, 0]
            du = solve_u(rhs_u - h_ut * (rhs_t / h_tt)[:, None])
            dt = (rhs_t - np.einsum("ki,ki->k", h_ut, du)) / h_tt
            # dz = W⁻²(G dx − bz), G dx = (−C du, −(dt, du))
            gl = -groups.rows(du)
            gs = -np.concatenate([dt[:, None], du], axis=1)
            dz_lin = lin_w * (gl - bz_lin)
            dz_soc = np.einsum("kij,kj->ki", soc_winv2, gs - bz_soc)
            return du, dt, dz_lin, dz_soc, gl, gs

        return solve

    # ---- initial point: u = 0 and every complementarity product equal (s∘z = t₀β), with
    # t₀ a tenth of the ‖u_g‖ that would spend the whole of ½‖y‖² on the penalty. Measured
    # against CVXOPT's rule (least squares with W = I, shifted into the cones) on CE working
    # sets (n = 200…1000, d = 10…50): 14–19 instead of 19–26 iterations to a 1e-3 gap.
    norms = np.broadcast_to(groups.row_norms, (k, r))
    norms = np.where(norms > 0, norms, max(float(norms.max(initial=0.0)), 1.0))
    t0 = max(float(y @ y), 1e-300) / (2.0 * beta * k) * 0.1
    U = np.zeros((k, p))
    t = np.full(k, t0)
    s_lin = t0 * norms
    s_soc = np.zeros((k, p + 1))
    s_soc[:, 0] = t0
    z_lin = beta / norms
    z_soc = np.zeros((k, p + 1))
    z_soc[:, 0] = beta

    status = "max_iterations"
    it = 0
    pres = dres = gap = np.inf
    best: tuple = (np.inf, None, None)
    next_polish = 0
    for it in range(1, max_iterations + 1):
        fit = groups.fit(U)
        # residuals: r_x = Qx + q + Gᵀz, r_z = Gx + s
        grad_u = groups.fit_adjoint(fit) + qu - groups.rows_adjoint(z_lin) - z_soc[:, 1:]
        grad_t = beta - z_soc[:, 0]
        rz_lin = s_lin - groups.rows(U)
        rz_soc = s_soc - np.concatenate([t[:, None], U], axis=1)
        mu = (float(np.sum(s_lin * z_lin)) + float(np.sum(s_soc * z_soc))) / degree
        pobj = 0.5 * float(np.sum((fit - y) ** 2)) + beta * float(t.sum())
        dres = float(np.sqrt(np.sum(grad_u**2) + np.sum(grad_t**2))) / scale_q
        pres = float(np.sqrt(np.sum(rz_lin**2) + np.sum(rz_soc**2))) / (
            1.0 + float(np.abs(U).max(initial=0.0)) + float(np.abs(t).max(initial=0.0))
        )
        gap = mu * degree / max(1.0, abs(pobj))
        merit = max(pres, dres, gap)
        if trace is not None:
            trace.append({"iteration": it, "pobj": pobj, "pres": pres, "dres": dres, "gap": gap})
        ready = max(pres, dres) <= 1e-6 and gap <= POLISH_FROM and it >= next_polish
        if polish and polish_early and ready:
            # the active set is usually readable long before the method converges
            trial = IPMResult(U, "polished early", it, pres, dres, gap)
            _polish_into(trial, groups, qu, y, beta, (U, t, s_lin, s_soc, z_lin, z_soc))
            if trial.polished:
                return trial
            next_polish = it + POLISH_EVERY
        if merit < best[0]:
            best = (merit, (U, t, s_lin, s_soc, z_lin, z_soc), (pres, dres, gap))
        if pres <= tol and dres <= tol and gap <= tol:
            status = "solved"
            break
        if merit > 1e3 * best[0]:
            status = "diverging"  # past the accuracy the scaling can deliver
            break

        sc = _Scaling.at(s_lin, z_lin, s_soc, z_soc)
        residuals = (grad_u, grad_t, rz_lin, rz_soc)
        cones = (s_lin, z_lin, s_soc, z_soc)
        try:
            # predictor (affine scaling): target λ∘λ → 0
            solve_kkt = kkt_solver(sc.lin_w, sc.soc_winv2)  # one factorization per step
            aff = _direction(solve_kkt, sc, residuals, sc.lin_lambda**2, sc.soc_square())
            alpha = min(1.0, _step_length(cones, aff[2:]))
            s_aff = float(
                np.sum((s_lin + alpha * aff[2]) * (z_lin + alpha * aff[4]))
                + np.sum((s_soc + alpha * aff[3]) * (z_soc + alpha * aff[5]))
            )
            sigma = min(1.0, max(0.0, s_aff / (mu * degree))) ** 3
            # corrector: second-order term (W⁻¹ds_aff)∘(W dz_aff) and centring σμe
            wds_lin = aff[2] / sc.lin_wsqrt
            wdz_lin = sc.lin_wsqrt * aff[4]
            wds_soc = np.einsum("kij,kj->ki", sc.Winv, aff[3])
            wdz_soc = np.einsum("kij,kj->ki", sc.W, aff[5])
            d_lin = sc.lin_lambda**2 + wds_lin * wdz_lin - sigma * mu
            d_soc = sc.soc_square() + soc_product(wds_soc, wdz_soc)
            d_soc[:, 0] -= sigma * mu
            du, dt, dsl, dss, dzl, dzs = _direction(solve_kkt, sc, residuals, d_lin, d_soc)
        except (np.linalg.LinAlgError, FloatingPointError, ValueError):
            status = "numerical"
            break
        alpha = min(1.0, STEP_FRACTION * _step_length(cones, (dsl, dss, dzl, dzs)))
        if not np.isfinite(alpha) or alpha < STALL_STEP:
            status = "stalled"
            break
        U = U + alpha * du
        t = t + alpha * dt
        s_lin = s_lin + alpha * dsl
        s_soc = s_soc + alpha * dss
        z_lin = z_lin + alpha * dzl
        z_soc = z_soc + alpha * dzs
        if (
            np.any(s_lin <= 0)
            or np.any(z_lin <= 0)
            or np.any(soc_det(s_soc) <= 0)
            or np.any(soc_det(z_soc) <= 0)
        ):
            status = "numerical"
            break
    if best[1] is not None:
        U, t, s_lin, s_soc, z_lin, z_soc = best[1]
        pres, dres, gap = best[2]
    result = IPMResult(U, status, it, pres, dres, gap)
    if polish:
        _polish_into(result, groups, qu, y, beta, (U, t, s_lin, s_soc, z_lin, z_soc))
    return result


def _identify(groups: GroupCones, beta: float, state: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Active groups and rows of an interior-point iterate, by complementarity."""
    U, t, s_lin, _, z_lin, z_soc = state
    u_scale = float(np.linalg.norm(U, axis=1).max(initial=0.0))
    # slack against multiplier, both made dimensionless
    free_dual = z_soc[:, 0] - np.linalg.norm(z_soc[:, 1:], axis=1)
    active_groups = (t * beta > GROUP_SPLIT * u_scale * free_dual) & (np.linalg.norm(U, axis=1) > 0)
    with np.errstate(divide="ignore", invalid="ignore"):  # zero rows bind nothing
        ratio = (s_lin * beta) / (u_scale * z_lin * groups.row_norms**2)
    ratio = np.where(np.isfinite(ratio), ratio, np.inf)
    active_rows = ratio < ROW_SPLIT
    # a nonzero group keeps a free direction: at most p − 1 binding rows (rows in general
    # position), the most clearly binding ones; the polish's rounds correct the rest
    for g in np.flatnonzero(active_groups & (active_rows.sum(axis=1) >= groups.p)):
        keep = np.argsort(ratio[g])[: groups.p - 1]
        active_rows[g] = False
        active_rows[g, keep] = True
    return active_groups, active_rows


def _polish_into(
    result: IPMResult, groups: GroupCones, qu: np.ndarray, y: np.ndarray, beta: float, state
) -> None:
    active_groups, active_rows = _identify(groups, beta, state)
    polished, how = polish_on_active_manifold(
        groups, qu, y, beta, state[0], active_groups, active_rows
    )
    result.polish = how
    if polished is not None:
        result.polished = how == "converged"
        result.U = polished
