"""The packages' import graph: no cycle anywhere, and imports flow one way.

admin → promotion → evaluation, training → org → network; evaluation and training do not
import each other; no domain package imports Flask (or any flask_* extension) or admin.
Imports inside functions count too: a deferred import hides a cycle, it does not remove it.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RANK = {"network": 0, "org": 1, "training": 2, "evaluation": 2, "promotion": 3, "admin": 4}
WEB = ("flask", "flask_admin", "flask_babel", "flask_login", "flask_limiter", "wtforms",
       "flask_wtf", "jinja2", "markupsafe")


def project_modules() -> dict[str, Path]:
    found = {}
    for package in RANK:
        for path in sorted((ROOT / package).rglob("*.py")) if (ROOT / package).is_dir() else []:
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> tuple[set[str], set[str]]:
    """(project modules, outside top-level packages) that module `name` imports."""
    is_package = path.name == "__init__.py"
    inside, outside = set(), set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[:len(base) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            targets = [f"{stem}.{a.name}" if f"{stem}.{a.name}" in modules else stem
                       for a in node.names]
        else:
            continue
        for target in targets:
            if target in modules:
                inside.add(target)
            elif target.split(".")[0] in RANK:
                # a name imported from a package resolves to the package's module
                parent = target
                while parent and parent not in modules:
                    parent = parent.rpartition(".")[0]
                if parent:
                    inside.add(parent)
            else:
                outside.add(target.split(".")[0])
    inside.discard(name)
    return inside, outside


def graph():
    modules = project_modules()
    return modules, {n: imports_of(n, p, modules) for n, p in modules.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_there_is_no_import_cycle():
    _modules, imports = graph()
    assert cycles({n: inside for n, (inside, _out) in imports.items()}) == []


def test_the_checker_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_imports_flow_one_way():
    _modules, imports = graph()
    wrong = []
    for name, (inside, _outside) in imports.items():
        mine = name.split(".")[0]
        for target in inside:
            theirs = target.split(".")[0]
            if theirs != mine and RANK[theirs] >= RANK[mine]:
                wrong.append(f"{name} -> {target}")
    assert wrong == []


def test_domain_packages_know_nothing_of_the_web():
    _modules, imports = graph()
    wrong = [f"{name} -> {pkg}" for name, (_inside, outside) in imports.items()
             if not name.startswith("admin") for pkg in outside if pkg in WEB]
    assert wrong == []
