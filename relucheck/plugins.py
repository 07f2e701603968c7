"""Where claims and solvers come from: built-ins, installed packages, files named by the user.

One mechanism for every claim: each candidate object goes through :func:`register`, which
applies the same contract check (:func:`claim_problems`) and records where it came from.
The sources, in this order (earlier ones win an id):

* built-in — the explicit list in :mod:`relucheck.theorems` (``REGISTRY``);
* entry point — every entry point of the group ``relucheck.claims`` of an installed
  distribution (``NAME = "package.module:CLAIM"``; the object is a :class:`Claim` or a list
  of them). ``RELUCHECK_NO_ENTRY_POINTS=1`` turns entry-point loading off, as
  ``PYTEST_DISABLE_PLUGIN_AUTOLOAD`` does for pytest;
* path — a ``.py`` file or a folder given with ``verify --claims PATH`` (a file defines
  ``CLAIM`` or ``CLAIMS``; a folder with ``__init__.py`` is imported as a package, any other
  folder contributes each of its ``*.py`` files except ``test_*.py`` and ``_*.py``).

A plug-in that fails to import or breaks the contract becomes a *broken entry* with one line
that names it (:attr:`Entry.error`), never a traceback and never a silently missing claim.
A plug-in may not take the id of a built-in claim or of an earlier plug-in.

Solver plug-ins (:mod:`relucheck.solvers.plugin`) load the same way from the group
``relucheck.solvers`` or a file defining ``SOLVER`` (:func:`load_solvers`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

from relucheck.harness.claims import Claim

CLAIM_GROUP = "relucheck.claims"
SOLVER_GROUP = "relucheck.solvers"
NO_ENTRY_POINTS = "RELUCHECK_NO_ENTRY_POINTS"
#: Claim ids: letters, digits and ``-``/``_``/``.``, starting with a letter (they name files).
CLAIM_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")


class PluginError(Exception):
    """A plug-in the user asked for could not be used; the message is one line naming it."""


@dataclass(frozen=True)
class Entry:
    """One registered object, or one that failed: its name, origin and the reason."""

    name: str
    origin: str
    obj: Any = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error

    def line(self) -> str:
        """The one line that names a broken entry."""
        if self.origin == f"path {self.name}":
            return f"{self.origin}: {self.error}"
        return f"{self.name} ({self.origin}): {self.error}"


@dataclass
class Registry:
    """Entries in load order; :attr:`claims` maps the id of each working claim to it."""

    entries: list[Entry] = field(default_factory=list)

    @property
    def by_name(self) -> dict[str, Any]:
        """Each working entry's object by name (claims by id, solvers by name)."""
        return {e.name: e.obj for e in self.entries if e.ok}

    @property
    def claims(self) -> dict[str, Any]:
        return self.by_name

    @property
    def broken(self) -> list[Entry]:
        return [e for e in self.entries if not e.ok]

    def origin(self, name: str) -> str:
        for entry in self.entries:
            if entry.ok and entry.name == name:
                return entry.origin
        return ""

    def find_broken(self, name: str) -> Entry | None:
        for entry in self.broken:
            if entry.name.upper() == name.upper():
                return entry
        return None


# ----------------------------------------------------------------------------- the contract


def claim_problems(obj: Any) -> list[str]:
    """What is wrong with ``obj`` as a claim at registration (the static part of the contract).

    The dynamic part (instances, rows, determinism, controls, figures) is the conformance
    suite, :func:`relucheck.testing.check_claim`.
    """
    if not isinstance(obj, Claim):
        return [f"is a {type(obj).__name__}, not a relucheck.harness.claims.Claim"]
    problems = []
    if not isinstance(obj.id, str) or not CLAIM_ID.match(obj.id):
        problems.append(f"id {obj.id!r} is not a name of letters, digits, '-', '_' or '.'")
    for attr in ("title", "statement"):
        if not isinstance(getattr(obj, attr), str) or not getattr(obj, attr).strip():
            problems.append(f"{attr} is empty")
    ids = obj.check_ids
    if not isinstance(ids, tuple) or not ids or not all(isinstance(c, str) and c for c in ids):
        problems.append("check_ids must be a non-empty tuple of check names")
    elif len(set(ids)) != len(ids):
        problems.append("check_ids repeats a name")
    for attr in ("instances", "check"):
        if not callable(getattr(obj, attr)):
            problems.append(f"{attr} is not callable")
    for attr in ("figures", "checks_for"):
        if getattr(obj, attr) is not None and not callable(getattr(obj, attr)):
            problems.append(f"{attr} is neither None nor callable")
    if not isinstance(obj.budget_seconds, (int, float)) or not obj.budget_seconds > 0:
        problems.append("budget_seconds must be positive")
    return problems


def register(
    registry: Registry, obj: Any, origin: str, name: str, taken: Mapping[str, str]
) -> None:
    """Append ``obj`` to ``registry`` as a claim from ``origin``, or as a broken entry."""
    problems = claim_problems(obj)
    if problems:
        registry.entries.append(
            Entry(name, origin, error="breaks the contract: " + "; ".join(problems))
        )
        return
    if obj.id.upper() in taken:
        registry.entries.append(
            Entry(obj.id, origin, error=f"id {obj.id!r} is already taken ({taken[obj.id.upper()]})")
        )
        return
    registry.entries.append(Entry(obj.id, origin, obj))


def _objects(loaded: Any) -> list[Any]:
    return list(loaded) if isinstance(loaded, (list, tuple)) else [loaded]


def _why(exc: BaseException) -> str:
    if isinstance(exc, SyntaxError):
        return f"SyntaxError: {exc.msg} (line {exc.lineno})"
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


# ----------------------------------------------------------------------------- sources


def entry_points_enabled() -> bool:
    return os.environ.get(NO_ENTRY_POINTS, "").strip() not in ("1", "true", "yes")


def _entry_points(group: str) -> list[metadata.EntryPoint]:
    if not entry_points_enabled():
        return []
    seen, out = set(), []
    for ep in metadata.entry_points(group=group):
        key = (ep.name, ep.value)
        if key not in seen:  # a distribution found twice on sys.path lists its points twice
            seen.add(key)
            out.append(ep)
    return sorted(out, key=lambda ep: ep.name)


def _entry_origin(ep: metadata.EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    where = f"{dist.name} {dist.version}" if dist is not None else "unknown distribution"
    return f"entry point {ep.value} of {where}"


def import_path(path: Path) -> ModuleType:
    """Import a file, or a folder holding ``__init__.py``, under a private module name."""
    path = path.resolve()
    init = path / "__init__.py" if path.is_dir() else path
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:8]
    name = f"relucheck_plugin_{re.sub(r'[^0-9A-Za-z_]', '_', path.stem)}_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    locations = [str(path)] if path.is_dir() else None
    spec = importlib.util.spec_from_file_location(name, init, submodule_search_locations=locations)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    _pickle_by_value(module)
    return module


def _pickle_by_value(module: ModuleType) -> None:
    """Let Dask workers receive a path-loaded claim by value: they cannot import it by name."""
    try:
        import cloudpickle
    except ImportError:  # cloudpickle comes with distributed; without it runs stay local
        return
    try:
        cloudpickle.register_pickle_by_value(module)
    except (ValueError, AttributeError):
        pass


def path_modules(path: Path) -> list[Path]:
    """The files or package a claim path stands for; PluginError saying why there are none."""
    if not path.exists():
        raise PluginError("no such file or folder")
    if path.is_file() or (path / "__init__.py").exists():
        return [path]
    files = sorted(p for p in path.glob("*.py") if not p.name.startswith(("test_", "_")))
    if not files:
        raise PluginError("the folder holds no .py claim module")
    return files


def _load_path_claims(registry: Registry, path: Path, taken: dict[str, str]) -> None:
    try:
        modules = path_modules(path)
    except PluginError as exc:
        registry.entries.append(Entry(str(path), f"path {path.resolve()}", error=str(exc)))
        return
    for module_path in modules:
        module_path = module_path.resolve()
        origin = f"path {module_path}"
        try:
            module = import_path(module_path)
        except BaseException as exc:  # noqa: BLE001  (any failure of user code is one line)
            if isinstance(exc, KeyboardInterrupt):
                raise
            registry.entries.append(Entry(str(module_path), origin, error=_why(exc)))
            continue
        found = getattr(module, "CLAIMS", None) or getattr(module, "CLAIM", None)
        if found is None:
            registry.entries.append(
                Entry(str(module_path), origin, error="defines neither CLAIM nor CLAIMS")
            )
            continue
        for obj in _objects(found):
            register(registry, obj, origin, str(getattr(obj, "id", module_path)), taken)
            _take(registry, taken)


def _take(registry: Registry, taken: dict[str, str]) -> None:
    last = registry.entries[-1]
    if last.ok:
        taken[last.name.upper()] = last.origin


def builtin_claims() -> Mapping[str, Claim]:
    """The built-in claims, looked up at call time (tests and mutants replace the mapping)."""
    import relucheck.theorems

    return relucheck.theorems.REGISTRY


def load_claims(
    paths: Sequence[str | Path] = (),
    *,
    builtins: Mapping[str, Claim] | None = None,
    entry_points: bool = True,
) -> Registry:
    """Every claim with its origin: built-ins, then entry points, then ``paths`` in order."""
    registry = Registry()
    taken: dict[str, str] = {}
    for claim in (builtin_claims() if builtins is None else builtins).values():
        register(registry, claim, "built-in", str(getattr(claim, "id", "?")), taken)
        _take(registry, taken)
    if entry_points:
        for ep in _entry_points(CLAIM_GROUP):
            origin = _entry_origin(ep)
            try:
                loaded = ep.load()
            except BaseException as exc:  # noqa: BLE001
                if isinstance(exc, KeyboardInterrupt):
                    raise
                registry.entries.append(Entry(ep.name, origin, error=_why(exc)))
                continue
            for obj in _objects(loaded):
                register(registry, obj, origin, str(getattr(obj, "id", ep.name)), taken)
                _take(registry, taken)
    for path in paths:
        _load_path_claims(registry, Path(path), taken)
    return registry


def _from_paths(entry: Entry, paths: Iterable[str | Path]) -> bool:
    if not entry.origin.startswith("path "):
        return False
    where = Path(entry.origin.removeprefix("path "))
    return any(where == (w := Path(p).resolve()) or w in where.parents for p in paths)


def require_paths(registry: Registry, paths: Iterable[str | Path]) -> None:
    """PluginError naming the first broken entry that came from one of ``paths``."""
    paths = list(paths)
    for entry in registry.broken:
        if _from_paths(entry, paths):
            raise PluginError(f"claim plug-in {entry.line()}")


def claims_from_paths(registry: Registry, paths: Iterable[str | Path]) -> list[Claim]:
    """The working claims that came from ``paths`` (what ``verify --claims P`` runs)."""
    paths = list(paths)
    return [e.obj for e in registry.entries if e.ok and _from_paths(e, paths)]


# ----------------------------------------------------------------------------- solvers


def load_solvers(
    paths: Sequence[str | Path] = (),
    *,
    entry_points: bool = True,
    reserved: Iterable[str] = (),
    validate: Callable[[Any], list[str]] | None = None,
) -> Registry:
    """Solver plug-ins: the ``relucheck.solvers`` group, then files defining ``SOLVER``.

    ``reserved`` names (the built-in solvers) cannot be taken; ``validate`` returns the
    contract problems of an object (default: :func:`relucheck.solvers.plugin.solver_problems`).
    """
    if validate is None:
        from relucheck.solvers.plugin import solver_problems as validate
    registry = Registry()
    taken = {name.upper(): "built-in solver" for name in reserved}

    def add(obj: Any, origin: str, fallback: str) -> None:
        problems = validate(obj)
        name = str(getattr(obj, "name", fallback))
        if problems:
            error = "breaks the solver contract: " + "; ".join(problems)
            registry.entries.append(Entry(name, origin, error=error))
        elif name.upper() in taken:
            error = f"name {name!r} is already taken ({taken[name.upper()]})"
            registry.entries.append(Entry(name, origin, error=error))
        else:
            registry.entries.append(Entry(name, origin, obj))
            taken[name.upper()] = origin

    sources: list[tuple[str, str, Callable[[], Any]]] = []
    if entry_points:
        for ep in _entry_points(SOLVER_GROUP):
            sources.append((ep.name, _entry_origin(ep), ep.load))
    for path in paths:
        p = Path(path)
        if not p.is_file():
            raise PluginError(f"solver plug-in {str(p)!r}: no such file")
        sources.append((str(p), f"path {p.resolve()}", lambda p=p: _solver_of(p)))
    for name, origin, load in sources:
        try:
            loaded = load()
        except BaseException as exc:  # noqa: BLE001
            if isinstance(exc, KeyboardInterrupt):
                raise
            registry.entries.append(Entry(name, origin, error=_why(exc)))
            continue
        for obj in _objects(loaded):
            add(obj, origin, name)
    return registry


def _solver_of(path: Path) -> Any:
    module = import_path(path)
    if not hasattr(module, "SOLVER"):
        raise AttributeError("defines no SOLVER")
    return module.SOLVER
