"""The package has no import cycles and keeps its layers (issue 14; design review, "Keep").

The graph is read statically from every ``import`` in ``relucheck/`` (module level and inside
functions alike: a lazy import that closes a cycle is still a cycle in the design). An edge
goes to the module imported, ``from a.b import c`` to ``a.b.c`` when that is a module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "relucheck"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Module -> the relucheck modules it imports."""
    files = {module_name(p, root): p for p in root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = name.split(".")
                    anchor = anchor if is_package else anchor[:-1]
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [
                    f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names
                ]
            else:
                continue
            edges.update(t for t in targets if t in files and t != name)
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a list of modules (first = last), or None."""
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_no_import_cycle_in_the_package():
    graph = import_graph()
    assert len(graph) > 50  # the walk found the package
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_sees_a_planted_cycle(tmp_path):
    pkg = tmp_path / "relucheck"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "a.py").write_text("def f():\n    from relucheck.sub import b\n")
    (pkg / "sub" / "b.py").write_text("from .a import f\n")
    graph = import_graph(pkg)
    assert graph["relucheck.sub.b"] == {"relucheck.sub.a"}
    assert find_cycle(graph) == ["relucheck.sub.a", "relucheck.sub.b", "relucheck.sub.a"]


LAYERS = {
    # a package may not import the ones listed (design review: models never import solvers,
    # theorems or harness; harness knows nothing about ReLU)
    "relucheck.models": ("relucheck.solvers", "relucheck.theorems", "relucheck.harness",
                         "relucheck.cli", "relucheck.bench"),
    "relucheck.harness": ("relucheck.models", "relucheck.solvers", "relucheck.theorems",
                          "relucheck.datasets", "relucheck.cli", "relucheck.bench"),
}  # fmt: skip


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_layers_import_only_downwards(layer):
    bad = [
        f"{mod} imports {dep}"
        for mod, deps in import_graph().items()
        if mod == layer or mod.startswith(layer + ".")
        for dep in deps
        if any(dep == f or dep.startswith(f + ".") for f in LAYERS[layer])
    ]
    assert not bad, bad
