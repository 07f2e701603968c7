"""The non-convex two-layer ReLU network of claims.md, section CE.

Network (no biases; a bias is a ones column of X and is then regularized):

    f(X) = σ(X U) α = Σ_{j≤m} σ(X u_j) α_j,   U = [u_1 … u_m] ∈ R^{d×m}, α ∈ R^m,

with σ(t) = max(t, 0). Training objective (claims.md CE, "Non-convex problem"):

    p(U, α) = L(f, y) + (β/2) (‖U‖_F² + ‖α‖²)

with the losses

    "squared":  L = ½ ‖f − y‖²                 (a sum, not a mean)
    "hinge":    L = Σ_i max(0, 1 − y_i f_i)      (labels y_i ∈ {−1, +1})

The ReLU derivative follows the ≥ convention of the activation patterns,
σ'(t) = 1[t ≥ 0], i.e. D(u) = diag(1[X u ≥ 0]) (claims.md, notation). For the hinge
loss the subgradient 0 is used where 1 − y_i f_i = 0 exactly.

Every function accepts either one network, ``U`` of shape (d, m) and ``alpha`` of
shape (m,), or a batch of K networks (K restarts), ``U`` of shape (K, d, m) and
``alpha`` of shape (K, m); batched results gain a leading K axis. All functions are
pure and work in float64.

Flat parameter vectors (for optimizers) are ``theta = [vec(U), alpha]`` of length
d*m + m, where vec(U) is U in row-major (C) order; see :func:`pack` / :func:`unpack`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

LOSSES: tuple[str, ...] = ("squared", "hinge")

__all__ = [
    "LOSSES",
    "forward",
    "objective",
    "objective_and_gradient",
    "pack",
    "unpack",
    "n_params",
    "check_data",
    "flat_objective_functions",
]


# ----------------------------------------------------------------------------- checks


def _as_float_array(a: object, name: str) -> np.ndarray:
    arr = np.asarray(a, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite entries")
    return arr


def _check_params(X: np.ndarray, U: object, alpha: object) -> tuple[np.ndarray, np.ndarray]:
    """Validate U, alpha against X (already a finite 2-D float array)."""
    U = _as_float_array(U, "U")
    alpha = _as_float_array(alpha, "alpha")
    d = X.shape[1]
    if U.ndim == 2 and alpha.ndim == 1:
        if U.shape[0] != d:
            raise ValueError(f"U has shape {U.shape}; expected (d, m) with d = X.shape[1] = {d}")
        if U.shape[1] != alpha.shape[0]:
            raise ValueError(
                f"U has m = {U.shape[1]} columns but alpha has {alpha.shape[0]} entries"
            )
    elif U.ndim == 3 and alpha.ndim == 2:
        if U.shape[1] != d:
            raise ValueError(
                f"batched U has shape {U.shape}; expected (K, d, m) with d = X.shape[1] = {d}"
            )
        if U.shape[0] != alpha.shape[0] or U.shape[2] != alpha.shape[1]:
            raise ValueError(
                f"batched U has shape {U.shape} but alpha has shape {alpha.shape}; "
                "expected (K, d, m) and (K, m)"
            )
    else:
        raise ValueError(
            f"U and alpha must have shapes (d, m) and (m,) or (K, d, m) and (K, m); "
            f"got {U.shape} and {alpha.shape}"
        )
    return U, alpha


def _check_X(X: object) -> np.ndarray:
    X = _as_float_array(X, "X")
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (n, d); got shape {X.shape}")
    return X


def check_data(
    X: object, y: object, beta: float, loss: str = "squared"
) -> tuple[np.ndarray, np.ndarray, float]:
    """Validate training data of claims.md CE; return float64 (X, y, beta).

    Raises ValueError for an unknown loss, NaN/inf entries, X not (n, d), y not (n,),
    a negative or non-finite beta, or (hinge) labels outside {-1, +1}.
    """
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; expected one of {LOSSES}")
    X = _check_X(X)
    y = _as_float_array(y, "y")
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(f"y must have shape (n,) = ({X.shape[0]},); got {y.shape}")
    beta_f = float(beta)
    if not np.isfinite(beta_f):
        raise ValueError(f"beta must be finite; got {beta!r}")
    if beta_f < 0:
        raise ValueError(f"beta must be non-negative; got {beta_f}")
    if loss == "hinge" and not np.all(np.abs(y) == 1.0):
        raise ValueError("the hinge loss needs labels y_i in {-1, +1}")
    return X, y, beta_f


# ------------------------------------------------------------------------ unchecked core


def _forward(
    X: np.ndarray, U: np.ndarray, alpha: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pre-activations Z = X U, activations H = σ(Z), outputs f = H α (no validation)."""
    Z = np.matmul(X, U)  # (n, m) or (K, n, m)
    H = np.maximum(Z, 0.0)
    f = np.matmul(H, alpha[..., :, None])[..., 0]  # (n,) or (K, n)
    return Z, H, f


def _loss_and_residual(f: np.ndarray, y: np.ndarray, loss: str) -> tuple[np.ndarray, np.ndarray]:
    """Loss value(s) and dL/df (same shape as f)."""
    if loss == "squared":
        r = f - y
        return 0.5 * np.sum(r * r, axis=-1), r
    # hinge
    margin = 1.0 - y * f
    active = margin > 0.0
    return np.sum(np.where(active, margin, 0.0), axis=-1), np.where(active, -y, 0.0)


def _value(
    X: np.ndarray, y: np.ndarray, U: np.ndarray, alpha: np.ndarray, beta: float, loss: str
) -> np.ndarray:
    _, _, f = _forward(X, U, alpha)
    data, _ = _loss_and_residual(f, y, loss)
    reg = 0.5 * beta * (np.sum(U * U, axis=(-2, -1)) + np.sum(alpha * alpha, axis=-1))
    return data + reg


def _value_and_grad(
    X: np.ndarray, y: np.ndarray, U: np.ndarray, alpha: np.ndarray, beta: float, loss: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    Z, H, f = _forward(X, U, alpha)
    data, r = _loss_and_residual(f, y, loss)
    reg = 0.5 * beta * (np.sum(U * U, axis=(-2, -1)) + np.sum(alpha * alpha, axis=-1))
    # dp/dα_j = σ(X u_j)ᵀ r + β α_j
    grad_alpha = np.matmul(r[..., None, :], H)[..., 0, :] + beta * alpha
    # dp/du_j = Xᵀ (1[X u_j ≥ 0] ⊙ r) α_j + β u_j   (≥ convention, claims.md)
    G = np.where(Z >= 0.0, r[..., :, None] * alpha[..., None, :], 0.0)
    grad_U = np.matmul(X.T, G) + beta * U
    return data + reg, grad_U, grad_alpha


def _scalar_or_array(v: np.ndarray) -> float | np.ndarray:
    return float(v) if v.ndim == 0 else v


# ------------------------------------------------------------------------------ public


def forward(X: np.ndarray, U: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Network output f = σ(X U) α of claims.md CE.

    Args:
        X: data, shape (n, d).
        U: first-layer weights, shape (d, m), or (K, d, m) for K networks.
        alpha: second-layer weights, shape (m,), or (K, m).

    Returns:
        f of shape (n,), or (K, n) for a batch.
    """
    X = _check_X(X)
    U, alpha = _check_params(X, U, alpha)
    return _forward(X, U, alpha)[2]


def objective(
    X: np.ndarray,
    y: np.ndarray,
    U: np.ndarray,
    alpha: np.ndarray,
    beta: float,
    loss: str = "squared",
) -> float | np.ndarray:
    """Regularized training objective p = L(f, y) + (β/2)(‖U‖_F² + ‖α‖²) (claims.md CE).

    Evaluated with the true ReLU σ(t) = max(t, 0). Returns a float for one network
    and an array of shape (K,) for a batch.
    """
    X, y, beta = check_data(X, y, beta, loss)
    U, alpha = _check_params(X, U, alpha)
    return _scalar_or_array(_value(X, y, U, alpha, beta, loss))


def objective_and_gradient(
    X: np.ndarray,
    y: np.ndarray,
    U: np.ndarray,
    alpha: np.ndarray,
    beta: float,
    loss: str = "squared",
) -> tuple[float | np.ndarray, np.ndarray, np.ndarray]:
    """Objective of claims.md CE and its analytic (sub)gradient.

    With r = dL/df (r = f − y for "squared"; r_i = −y_i 1[1 − y_i f_i > 0] for "hinge"):

        ∂p/∂α_j = σ(X u_j)ᵀ r + β α_j
        ∂p/∂u_j = α_j Xᵀ (1[X u_j ≥ 0] ⊙ r) + β u_j

    (≥ convention for the ReLU derivative). Exact gradient wherever no pre-activation
    x_iᵀu_j and (hinge) no margin 1 − y_i f_i is zero.

    Returns:
        (value, grad_U, grad_alpha): value a float (or (K,) array), gradients with the
        shapes of U and alpha.
    """
    X, y, beta = check_data(X, y, beta, loss)
    U, alpha = _check_params(X, U, alpha)
    value, grad_U, grad_alpha = _value_and_grad(X, y, U, alpha, beta, loss)
    return _scalar_or_array(value), grad_U, grad_alpha


def n_params(d: int, m: int) -> int:
    """Length d*m + m of the flat parameter vector of a width-m network on R^d."""
    return d * m + m


def pack(U: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Flatten (U, alpha) into theta = [vec(U), alpha] (row-major vec).

    (d, m), (m,) → (d*m + m,);  (K, d, m), (K, m) → (K, d*m + m).
    """
    U = np.asarray(U, dtype=np.float64)
    alpha = np.asarray(alpha, dtype=np.float64)
    if U.ndim == 2 and alpha.ndim == 1 and U.shape[1] == alpha.shape[0]:
        return np.concatenate([U.reshape(-1), alpha])
    if (
        U.ndim == 3
        and alpha.ndim == 2
        and U.shape[0] == alpha.shape[0]
        and U.shape[2] == alpha.shape[1]
    ):
        return np.concatenate([U.reshape(U.shape[0], -1), alpha], axis=1)
    raise ValueError(
        f"pack needs U, alpha of shapes (d, m), (m,) or (K, d, m), (K, m); "
        f"got {U.shape} and {alpha.shape}"
    )


def unpack(theta: np.ndarray, d: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of :func:`pack`: theta (d*m + m,) or (K, d*m + m) → (U, alpha).

    Returns copies, so writing into them never changes theta.
    """
    theta = np.asarray(theta, dtype=np.float64)
    p = n_params(d, m)
    if theta.ndim not in (1, 2) or theta.shape[-1] != p:
        raise ValueError(
            f"theta must have shape ({p},) or (K, {p}) for d = {d}, m = {m}; got {theta.shape}"
        )
    U = theta[..., : d * m].reshape(theta.shape[:-1] + (d, m)).copy()
    alpha = theta[..., d * m :].copy()
    return U, alpha


def flat_objective_functions(
    X: np.ndarray, y: np.ndarray, beta: float, width: int, loss: str = "squared"
) -> tuple[
    Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    Callable[[np.ndarray], tuple[float, np.ndarray]],
]:
    """Objective of claims.md CE on flat parameter vectors, for generic optimizers.

    Validates the data once and returns ``(fun_batched, fun_single)``:

        fun_batched(theta (K, p)) -> (values (K,), grads (K, p))
        fun_single(theta (p,))    -> (value float, grad (p,))

    with p = d*width + width and theta laid out as in :func:`pack`. The returned
    functions skip per-call validation (they are called in optimizer inner loops).
    """
    X, y, beta = check_data(X, y, beta, loss)
    if int(width) != width or width < 1:
        raise ValueError(f"width must be a positive integer; got {width!r}")
    d, m = X.shape[1], int(width)
    p = n_params(d, m)
    dm = d * m

    def fun_batched(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        theta = np.asarray(theta, dtype=np.float64)
        if theta.ndim != 2 or theta.shape[1] != p:
            raise ValueError(f"theta must have shape (K, {p}); got {theta.shape}")
        K = theta.shape[0]
        U = theta[:, :dm].reshape(K, d, m)
        alpha = theta[:, dm:]
        value, gU, ga = _value_and_grad(X, y, U, alpha, beta, loss)
        return value, np.concatenate([gU.reshape(K, dm), ga], axis=1)

    def fun_single(theta: np.ndarray) -> tuple[float, np.ndarray]:
        theta = np.asarray(theta, dtype=np.float64)
        if theta.shape != (p,):
            raise ValueError(f"theta must have shape ({p},); got {theta.shape}")
        U = theta[:dm].reshape(d, m)
        alpha = theta[dm:]
        value, gU, ga = _value_and_grad(X, y, U, alpha, beta, loss)
        return float(value), np.concatenate([gU.reshape(dm), ga])

    return fun_batched, fun_single
