"""Environment capture: the facts a timing row needs so nightly runs compare like with like."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import socket
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

#: Distributions whose versions every run records (None when not installed).
PACKAGES = ("numpy", "scipy", "cvxpy", "clarabel", "scs", "mosek", "pandas", "matplotlib")

#: Environment variables that change how many threads BLAS/OpenMP use.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

_SOURCE_ROOT = Path(__file__).resolve().parents[2]


def package_versions(names: tuple[str, ...] = PACKAGES) -> dict[str, str | None]:
    """Installed versions from package metadata; nothing is imported (so no MOSEK license check)."""
    out: dict[str, str | None] = {}
    for name in names:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = None
    return out


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str | None:
    """The CPU model name from /proc/cpuinfo, else whatever :mod:`platform` knows."""
    try:
        for line in cpuinfo.read_text(errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Model", "cpu model"):
                return value.strip()
    except OSError:
        pass
    return platform.processor() or None


def core_counts() -> dict[str, int | None]:
    """Logical cores on the machine and the cores this process may run on."""
    try:
        usable: int | None = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = None
    return {"cores": os.cpu_count(), "cores_usable": usable}


def blas_info() -> list[dict[str, Any]]:
    """BLAS/OpenMP thread pools loaded in this process (library, version, thread count)."""
    try:
        import numpy  # noqa: F401  (loads the BLAS that threadpoolctl then sees)
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    keys = ("user_api", "internal_api", "version", "num_threads", "threading_layer")
    return [{k: pool.get(k) for k in keys} for pool in threadpool_info()]


def _git(*args: str, cwd: Path) -> str | None:
    try:
        proc = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout if proc.returncode == 0 else None


def git_state(cwd: Path = _SOURCE_ROOT) -> dict[str, Any]:
    """Commit of the source tree and whether it has uncommitted changes (None if no repo)."""
    commit = _git("rev-parse", "HEAD", cwd=cwd)
    if commit is None:
        return {"git_commit": None, "git_dirty": None}
    status = _git("status", "--porcelain", cwd=cwd)
    dirty = None if status is None else bool(status.strip())
    return {"git_commit": commit.strip(), "git_dirty": dirty}


def capture_environment(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything a result row should carry about where and how it was computed.

    ``extra`` (e.g. solver facts such as the MOSEK license status) is merged in last.
    """
    from relucheck import __version__

    env: dict[str, Any] = {
        "captured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "relucheck": __version__,
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "executable": sys.executable,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_model": cpu_model(),
        **core_counts(),
        "hostname": socket.gethostname(),
        "packages": package_versions(),
        "blas": blas_info(),
        "thread_env": {k: os.environ.get(k) for k in THREAD_VARIABLES},
        **git_state(),
    }
    env.update(extra or {})
    return env


_STANDARD_KEYS = {
    "captured_at", "relucheck", "python", "python_implementation", "executable", "platform",
    "machine", "cpu_model", "cores", "cores_usable", "hostname", "packages", "blas",
    "thread_env", "git_commit", "git_dirty",
}  # fmt: skip


def summarize_environment(env: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, text) lines for a report: machine, Python, BLAS, packages, git, extra facts."""
    if not env:
        return [("environment", "not recorded")]
    blas = ", ".join(
        f"{p.get('internal_api')} {p.get('version')} ({p.get('num_threads')} threads)"
        for p in env.get("blas") or []
    )
    packages = ", ".join(
        f"{name} {version}" for name, version in (env.get("packages") or {}).items() if version
    )
    missing = [name for name, version in (env.get("packages") or {}).items() if not version]
    commit = env.get("git_commit")
    git = "not a git checkout" if commit is None else commit[:12]
    if env.get("git_dirty"):
        git += " (uncommitted changes)"
    threads = {k: v for k, v in (env.get("thread_env") or {}).items() if v is not None}
    lines = [
        ("host", f"{env.get('hostname')} — {env.get('platform')}"),
        (
            "cpu",
            f"{env.get('cpu_model')}, {env.get('cores')} cores ({env.get('cores_usable')} usable)",
        ),
        ("python", f"{env.get('python')} ({env.get('python_implementation')})"),
        ("blas", blas or "not detected"),
        ("packages", packages + (f"; not installed: {', '.join(missing)}" if missing else "")),
        ("git", git),
        ("captured", str(env.get("captured_at"))),
    ]
    if threads:
        lines.append(("thread variables", ", ".join(f"{k}={v}" for k, v in threads.items())))
    for key in sorted(set(env) - _STANDARD_KEYS):
        lines.append((key, str(env[key])))
    return lines
