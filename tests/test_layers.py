"""The package's layers: imports run only down, and no module imports itself in a circle.

model -> analysis -> views -> front ends (cli, reports, explore). Every import counts,
also those inside functions (lazy imports); type-only imports under ``TYPE_CHECKING``
do not, since they never run.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

SRC = ROOT / "src"
PACKAGE = SRC / "finmodel"

#: Each layer and the layers it may import (itself included).
ALLOWED: dict[str, set[str]] = {
    "model": {"model"},
    "analysis": {"model", "analysis"},
    "views": {"model", "analysis", "views"},
    "cli": {"model", "analysis", "views", "reports", "cli"},  # `finmodel report` runs the batch
    "reports": {"model", "analysis", "views", "reports"},
    "explore": {"model", "analysis", "views", "explore"},
}
#: Modules at the top: the public API, ``python -m finmodel``.
TOP = {"finmodel", "finmodel.__main__"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """The finmodel modules that ``module`` imports at run time (lazy ones too)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("finmodel"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = module.split(".")
                parent = parent[: len(parent) - node.level + (1 if is_package else 0)]
                base = ".".join([*parent, *([base] if base else [])])
            if base.startswith("finmodel"):
                # ``from finmodel.views import charts`` imports the module finmodel.views.charts
                for alias in node.names:
                    candidate = f"{base}.{alias.name}"
                    found.add(candidate if candidate in MODULES else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    found.discard(module)
    return found


MODULES: dict[str, Path] = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
GRAPH: dict[str, set[str]] = {
    name: _imports(ast.parse(path.read_text(encoding="utf-8")), name,
                   path.name == "__init__.py")
    for name, path in MODULES.items()}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ALLOWED else None


def test_only_the_public_api_sits_at_the_top() -> None:
    """Every module but ``__init__`` and ``__main__`` lives in a layer's package."""
    assert {m for m in MODULES if _layer(m) is None} == TOP


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _layer(m)))
def test_imports_run_down_the_layers(module: str) -> None:
    """A module imports only from its own layer and the layers below it."""
    layer = _layer(module)
    assert layer is not None
    wrong = sorted(target for target in GRAPH[module]
                   if target not in TOP and _layer(target) not in ALLOWED[layer])
    assert wrong == [], f"{module} ({layer}) imports {wrong}"


def test_no_import_cycles() -> None:
    """No module reaches itself through the run-time imports (lazy ones included)."""
    edges = {m: {t for t in targets if t in GRAPH and t not in TOP}
             for m, targets in GRAPH.items()}
    # a package's __init__ importing its own module is the usual re-export, not a cycle
    for module in edges:
        edges[module] = {t for t in edges[module] if not module.startswith(f"{t}.")}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(edges[node]):
            if state.get(target) == 1:
                cycles.append([*stack[stack.index(target):], target])
            elif target not in state:
                walk(target)
        stack.pop()
        state[node] = 2

    for module in sorted(edges):
        if module not in state:
            walk(module)
    assert cycles == []


def test_the_layer_test_sees_lazy_imports() -> None:
    """A function-level import counts; one under TYPE_CHECKING does not."""
    tree = ast.parse("from typing import TYPE_CHECKING\n"
                     "if TYPE_CHECKING:\n    from finmodel.views import charts\n"
                     "def f():\n    from finmodel.model.engine import evaluate\n")
    assert _imports(tree, "finmodel.model.x", False) == {"finmodel.model.engine"}


def test_import_finmodel_is_light() -> None:
    """``import finmodel`` loads the model only: no pandas, matplotlib, analysis or views."""
    code = ("import sys, finmodel; print(' '.join(sorted(m for m in sys.modules if m in "
            "('pandas', 'matplotlib', 'scipy', 'papermill') or m.startswith(("
            "'finmodel.analysis', 'finmodel.views', 'finmodel.cli', 'finmodel.reports', "
            "'finmodel.explore')))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == ""
