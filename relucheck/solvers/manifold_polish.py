"""Newton's method on the active manifold of an interior-point iterate, with active-set corrections.

The interior point of :mod:`relucheck.solvers.group_cone_ipm` stalls between 1e-5 and 1e-8
relative accuracy, and the callers' certificates need the restricted optimum to ~1e-12;
:func:`polish_on_active_manifold` finishes its iterate (the derivation is in its docstring).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg as sla
from scipy.optimize import nnls

from relucheck.solvers.group_cones import GroupCones


def objective(groups: GroupCones, y: np.ndarray, beta: float, U: np.ndarray) -> float:
    """½‖Σ_g F_g u_g − y‖² + β Σ_g ‖u_g‖, the objective of the group-cone program."""
    fit = groups.fit(U)
    return 0.5 * float(np.sum((fit - y) ** 2)) + beta * float(np.linalg.norm(U, axis=1).sum())


def polish_on_active_manifold(
    groups: GroupCones,
    qu: np.ndarray,
    y: np.ndarray,
    beta: float,
    U: np.ndarray,
    active_groups: np.ndarray,
    active_rows: np.ndarray,
    *,
    rounds: int = 500,
    max_steps: int = 2000,
) -> tuple[np.ndarray | None, str]:
    """Newton's method on the active manifold read off an interior-point iterate, with
    primal active-set corrections.

    Why: an interior-point method stalls around 1e-8 relative accuracy (its scaling of
    near-boundary cones loses digits), while the outer certificate needs the restricted
    optimum to ~1e-12 (it is first-order in the residual, which the objective pins only to
    the square root). Fixing the nonzero groups A and, in each, the binding rows R_g
    (C_g u_g = 0 there), the program is smooth in u_g = N_g v_g (N_g an orthonormal basis
    of the null space of C_g[R_g]):

        min_v  ½‖Σ_{g∈A} F_g N_g v_g − y‖² + β Σ_{g∈A} ‖v_g‖,

    and Newton's method with backtracking solves it to machine precision in a few steps.
    The iterate's reading of R_g can be wrong near the boundary, so the steps are those of
    a primal active-set method: a step stops at the first free row it would make negative
    (that row joins R_g); a group it would carry through zero leaves A; at the manifold's
    optimum the KKT multipliers of C_gᵀλ = ∇_g (smooth part) + βû_g are checked and the
    row with the most negative one leaves R_g. ``rounds`` bounds those changes.

    Returns (U, "converged") at a point that satisfies every row (to 1e-10 relative) with
    nonnegative multipliers and an objective no higher than at ``U``; otherwise (None, why).
    Zero groups are not checked here: the caller's certificate covers them.
    """
    k, p = U.shape
    start_value = objective(groups, y, beta, U)
    rows = active_rows.copy()
    members = [int(g) for g in np.flatnonzero(active_groups)]
    bases: dict[int, np.ndarray] = {}
    point = np.zeros((k, p))

    def basis_of(g: int) -> np.ndarray:
        R = np.flatnonzero(rows[g])
        if not R.size:
            return np.eye(p)
        _, sing, vt = np.linalg.svd(groups.row_matrix(g, R), full_matrices=True)
        return vt[int(np.sum(sing > 1e-10 * sing.max())) :].T

    stack = np.zeros((k, p, p))  # bases padded with zero columns: u_g = stack[g] v_g

    def set_basis(g: int) -> None:
        bases[g] = basis_of(g)
        stack[g] = 0.0
        stack[g, :, : bases[g].shape[1]] = bases[g]

    for g in list(members):
        set_basis(g)
        point[g] = bases[g] @ (bases[g].T @ U[g])
        if bases[g].shape[1] == 0 or not np.any(point[g]):
            members.remove(g)
            point[g] = 0.0
    if not members:
        return None, "no active group with a free direction"

    changes, how = 0, "max_steps"
    f = objective(groups, y, beta, point)
    # The data Gram is kept in fixed slots of p columns per group (unused columns zero) and
    # updated one group at a time: an active-set change touches one group, so it costs
    # O(n·k·p²) instead of the O(n·(k·p)²) of rebuilding FᵀF (measured: at k ≈ 185, d = 10,
    # n = 1000 the rebuilds were most of a dense-optimum solve).
    slot = {g: a for a, g in enumerate(members)}  # members only leave, never join
    slots = np.zeros((y.shape[0], len(slot) * p))  # fit rows (not the cone rows r)
    gram = np.zeros((len(slot) * p, len(slot) * p))
    stale = set(members)
    batch, just_released, blocked_by_released = True, set(), False
    FN = None
    for _ in range(max_steps):
        if FN is None:
            if stale:
                fresh = sorted(stale)
                F = groups.fit_columns(np.asarray(fresh))
                cols = []
                for a, g in enumerate(fresh):
                    at = slot[g] * p
                    slots[:, at : at + p] = 0.0
                    if g in members:
                        slots[:, at : at + bases[g].shape[1]] = F[:, a * p : (a + 1) * p] @ bases[g]
                    cols.append(np.arange(at, at + p))
                cols = np.concatenate(cols)
                block = slots.T @ slots[:, cols]
                gram[:, cols] = block
                gram[cols, :] = block.T
                stale.clear()
            # index maps of the reduced coordinates, rebuilt only when the manifold changes
            # (the per-step work below is then vectorised over all member groups)
            dims = np.array([bases[g].shape[1] for g in members])
            offsets = np.r_[0, np.cumsum(dims)]
            seg = np.repeat(np.arange(len(members)), dims)
            local = np.arange(offsets[-1]) - offsets[seg]
            live = np.asarray([slot[g] for g in members])[seg] * p + local
            where = np.asarray(members)[seg] * p + local  # position in the flat (k, p) layout
            # every (row, column) inside a member's diagonal block, block by block
            block_of = np.repeat(np.arange(len(members)), dims * dims)
            inside = np.arange(block_of.size) - np.r_[0, np.cumsum(dims * dims)][block_of]
            pair_r = offsets[block_of] + inside // dims[block_of]
            pair_c = offsets[block_of] + inside % dims[block_of]
            outside = np.ones(k, dtype=bool)
            outside[members] = False
            FN = slots[:, live]
            H_data = gram[np.ix_(live, live)]
            lin = np.einsum("gij,gi->gj", stack, qu).reshape(-1)[where]
        v = np.einsum("gij,gi->gj", stack, point).reshape(-1)[where]
        grad = FN.T @ (FN @ v) + lin
        norms = np.sqrt(np.add.reduceat(v * v, offsets[:-1]))
        unit = v / norms[seg]
        grad += beta * unit
        H = H_data.copy()
        H[pair_r, pair_c] -= beta * unit[pair_r] * unit[pair_c] / norms[seg[pair_r]]
        H.flat[:: H.shape[0] + 1] += beta / norms[seg]
        step = _newton_step(H, grad, ridge=getattr(groups, "newton_ridge", False))
        if not np.all(np.isfinite(step)):
            return None, "non-finite Newton step"
        decrement = -float(grad @ step)
        stationary = decrement <= 1e-15 * max(abs(f), 1.0)
        if not stationary:
            padded = np.zeros(k * p)
            padded[where] = step
            direction = np.einsum("gij,gj->gi", stack, padded.reshape(k, p))
            # ratio test on the free rows of the member groups, and on group reversals
            now, rate = groups.rows(point), groups.rows(direction)
            free = ~rows & (rate < 0)
            free[outside] = False
            limit, blocking = 1.0, None
            if np.any(free):
                ratios = np.full(now.shape, np.inf)
                ratios[free] = np.maximum(now[free], 0.0) / -rate[free]
                flat = int(np.argmin(ratios))
                if ratios.flat[flat] < limit:
                    limit, blocking = float(ratios.flat[flat]), np.unravel_index(flat, now.shape)
            reversing = None
            # ‖u + αd‖ is least at α = −⟨u,d⟩/‖d‖²: past it, a group that reaches 0 reverses
            along = np.einsum("gi,gi->g", point, direction)
            length = np.einsum("gi,gi->g", direction, direction)
            stop = np.where(along < 0, -along / np.maximum(length, 1e-300), np.inf)
            reach = np.where(along < 0, stop, 0.0)
            turned = np.linalg.norm(point + reach[:, None] * direction, axis=1)
            turns = (along < 0) & ~outside & (stop < limit)
            turns &= turned <= 1e-9 * np.linalg.norm(point, axis=1)
            if np.any(turns):
                g = int(np.flatnonzero(turns)[np.argmin(stop[turns])])
                limit, blocking, reversing = float(stop[g]), None, g
            alpha = limit
            if limit <= 1e-14 and (blocking is not None or reversing is not None):
                trial, f_trial = point, f  # blocked where it stands: change the set only
            while 1e-14 < alpha and alpha > 1e-14 * limit:
                trial = point + alpha * direction
                f_trial = objective(groups, y, beta, trial)
                if f_trial <= f - 1e-4 * alpha * decrement:
                    break
                alpha *= 0.5
            else:
                if limit <= 1e-14 and (blocking is not None or reversing is not None):
                    alpha = limit
                else:
                    stationary = decrement <= 1e-12 * max(abs(f), 1.0)
                    if not stationary:
                        return None, "line search failed"
            if not stationary:
                point, f = trial, f_trial
                if alpha == limit and blocking is not None:
                    g, r = int(blocking[0]), int(blocking[1])
                    blocked_by_released |= (g, r) in just_released
                    rows[g, r] = True
                    set_basis(g)
                    point[g] = bases[g] @ (bases[g].T @ point[g])
                    if bases[g].shape[1] == 0:
                        members.remove(g)
                        point[g] = 0.0
                    changes += 1
                    stale.add(g)
                    FN = None
                elif alpha == limit and reversing is not None:
                    members.remove(reversing)
                    point[reversing] = 0.0
                    changes += 1
                    FN = None
                if not members:
                    return None, "every group left"
                if changes > rounds:
                    return None, f"active set still changing after {rounds} changes"
                f = objective(groups, y, beta, point)
                continue
        # stationary on the manifold: release the most negative multiplier, if any
        # One row per group may leave at once: with many groups entering together (dense
        # optima) one release per stationary point made hundreds of Newton solves. If a
        # released row blocks the very next step, the rest of the polish releases one at a
        # time (the classical rule, which cannot cycle on a strictly convex manifold).
        negative = _negative_multipliers(groups, qu, beta, point, members, rows)
        if not negative:
            how = "converged"
            break
        if not batch or (just_released and blocked_by_released):
            batch = False
            negative = negative[:1]
        for g, r in negative:
            rows[g, r] = False
            set_basis(g)
            stale.add(g)
        just_released = set(negative)
        changes += len(negative)
        FN = None
        if changes > rounds:
            return None, f"active set still changing after {rounds} changes"
    if how != "converged":
        return None, how
    values = groups.rows(point)
    if np.any(values < -1e-10 * groups.row_norms * np.linalg.norm(point, axis=1)[:, None]):
        return None, "a row went negative"
    if f > start_value + 1e-12 * abs(start_value):
        return None, "objective rose"
    return point, how


def _newton_step(H: np.ndarray, grad: np.ndarray, ridge: bool) -> np.ndarray:
    """−H⁻¹ grad; on a singular H (more reduced variables than data rows, e.g. the dense
    optima of exact patterns at small n) a ridge of growing size when the groups allow it
    (``groups.newton_ridge``), then least squares.

    Any positive definite H gives a descent direction, and the caller's line search and
    KKT test decide where the polish stops, so the ridge changes the path, not the answer
    (an SVD-based lstsq on every step was most of the time at n = 80, d = 3, exact patterns).
    The path-regularized groups of :mod:`relucheck.solvers.fast_path` do not opt in: there
    the long ridge steps left binding rows at −1e-9 relative and the polish failed.
    """
    try:
        return -sla.cho_solve(sla.cho_factor(H, check_finite=False), grad)
    except np.linalg.LinAlgError:
        if not ridge:
            return -np.linalg.lstsq(H, grad, rcond=None)[0]
    scale = max(float(np.max(np.abs(np.diag(H)))), 1e-300)
    for ridge in (1e-12, 1e-10, 1e-8):
        try:
            factor = sla.cho_factor(H + ridge * scale * np.eye(H.shape[0]), check_finite=False)
            return -sla.cho_solve(factor, grad)
        except np.linalg.LinAlgError:
            continue
    return -np.linalg.lstsq(H, grad, rcond=None)[0]


def _negative_multipliers(
    groups: GroupCones, qu: np.ndarray, beta: float, point: np.ndarray, members, rows
) -> list[tuple[int, int]]:
    """(group, row) of each group's most negative KKT multiplier on a binding row, most
    negative first (empty when every multiplier is nonnegative)."""
    smooth = groups.fit_adjoint(groups.fit(point)) + qu
    found: list[tuple[float, int, int]] = []
    for g in members:
        R = np.flatnonzero(rows[g])
        if not R.size:
            continue
        u = point[g]
        target = smooth[g] + beta * u / np.linalg.norm(u)
        C = groups.row_matrix(g, R)
        scale = np.linalg.norm(target) + beta
        if nnls(C.T, target)[1] <= 1e-8 * scale:
            continue  # nonnegative multipliers exist (degenerate rows make λ non-unique)
        lam = np.linalg.lstsq(C.T, target, rcond=None)[0] * np.linalg.norm(C, axis=1) / scale
        if lam.min() < 0.0:
            found.append((float(lam.min()), g, int(R[int(np.argmin(lam))])))
    return [(g, r) for _, g, r in sorted(found)]
