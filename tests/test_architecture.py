"""The package's shape, checked from its source with ``ast``: no import circles (imports at
module level and inside functions alike, the mock included), no module reaching into
another module's ``_private`` names, and nothing outside ``target.py`` writing a target's
attributes (issue 15)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "conformance"
#: receivers of attribute writes that are a target, its config or its transport
TARGET_NAMES = {"target", "t", "tc", "target_config", "own", "transport"}


@dataclass
class Module:
    name: str
    path: Path
    is_package: bool
    tree: ast.Module
    imports: list[tuple[str, int]] = field(default_factory=list)   # (module, line)
    private: list[str] = field(default_factory=list)               # violations
    target_writes: list[str] = field(default_factory=list)         # violations


def _module_name(path: Path, root: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join(parts), is_package


def _resolve(module: Module, level: int, name: str | None) -> str:
    """The absolute name of ``from <level dots><name> import ...`` inside ``module``."""
    if level == 0:
        return name or ""
    base = module.name.split(".")
    if not module.is_package:
        base = base[:-1]
    if level > 1:
        base = base[:-(level - 1)]
    return ".".join(base + ([name] if name else []))


def load(root: Path = PACKAGE) -> dict[str, Module]:
    modules: dict[str, Module] = {}
    for path in sorted(root.rglob("*.py")):
        name, is_package = _module_name(path, root)
        modules[name] = Module(name, path, is_package,
                               ast.parse(path.read_text("utf-8"), str(path)))
    top = root.name
    for mod in modules.values():
        aliases: dict[str, str] = {}  # local name -> module of this package it is bound to
        for node in ast.walk(mod.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == top:
                        mod.imports.append((alias.name, node.lineno))
                        aliases[alias.asname or alias.name] = alias.name
            elif isinstance(node, ast.ImportFrom):
                source = _resolve(mod, node.level, node.module)
                if source.split(".")[0] != top:
                    continue
                for alias in node.names:
                    sub = f"{source}.{alias.name}"
                    if sub in modules:  # `from . import runner`: the submodule itself
                        mod.imports.append((sub, node.lineno))
                        aliases[alias.asname or alias.name] = sub
                        continue
                    mod.imports.append((source, node.lineno))
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        mod.private.append(f"{mod.path.name}:{node.lineno}: from {source} "
                                           f"import {alias.name}")
        for node in ast.walk(mod.tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and \
                    node.value.id in aliases and node.attr.startswith("_") and \
                    not node.attr.startswith("__"):
                mod.private.append(f"{mod.path.name}:{node.lineno}: "
                                   f"{node.value.id}.{node.attr} ({aliases[node.value.id]})")
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    for sub in (t.elts if isinstance(t, ast.Tuple) else [t]):
                        if isinstance(sub, ast.Attribute) and _receiver(sub.value) in TARGET_NAMES:
                            mod.target_writes.append(f"{mod.path.name}:{node.lineno}: "
                                                     f"{ast.unparse(sub)} = ...")
    return modules


def _receiver(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def graph(modules: dict[str, Module]) -> dict[str, set[str]]:
    """Edges between modules. Importing ``a.b.c`` also runs the ``__init__`` of the
    packages ``a.b`` on the way, unless the importer is inside them already."""
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for mod in modules.values():
        for target, _ in mod.imports:
            parts = target.split(".")
            for n in range(1, len(parts) + 1):
                name = ".".join(parts[:n])
                if name not in modules or name == mod.name:
                    continue
                inside = mod.name.startswith(name + ".")
                if n < len(parts) and inside:
                    continue  # a parent package of the importer: it is being imported
                edges[mod.name].add(name)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), and self-loops."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
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
            if len(component) > 1 or v in edges.get(v, ()):
                out.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


@pytest.fixture(scope="module")
def modules() -> dict[str, Module]:
    return load()


def test_the_package_is_read(modules: dict[str, Module]) -> None:
    assert {"conformance", "conformance.plugin", "conformance.mock.app",
            "conformance._pytest.items", "conformance.ledger"} <= set(modules)


def test_no_import_cycles(modules: dict[str, Module]) -> None:
    found = cycles(graph(modules))
    assert found == [], "import circles: " + "; ".join(" <-> ".join(c) for c in found)


def test_no_private_names_across_modules(modules: dict[str, Module]) -> None:
    found = [v for m in modules.values() for v in m.private]
    assert found == [], "private names taken from another module:\n" + "\n".join(found)


def test_nothing_outside_target_writes_a_targets_attributes(
        modules: dict[str, Module]) -> None:
    found = [v for name, m in modules.items() if name not in {"conformance.target",
                                                              "conformance.transport"}
             for v in m.target_writes]
    assert found == [], "a target changed from outside:\n" + "\n".join(found)


def _constants(modules: dict[str, Module], keep: Any) -> list[str]:
    """``EXIT_* = <number>`` assignments and the "not found" exception ids, outside the
    module that owns them (and the mock, which answers with the ids)."""
    found = []
    for name, mod in modules.items():
        for node in ast.walk(mod.tree):
            if isinstance(node, ast.Assign) and name != "conformance.exitcodes" and \
                    isinstance(node.value, (ast.Constant, ast.Tuple)):
                names = [n.id for t in node.targets
                         for n in (t.elts if isinstance(t, ast.Tuple) else [t])
                         if isinstance(n, ast.Name)]
                found += [f"{mod.path.name}:{node.lineno}: {n}" for n in names
                          if n.startswith("EXIT_")]
            if isinstance(node, ast.Constant) and node.value in ALREADY_GONE_IDS and \
                    name != "conformance.ledger" and not keep(name):
                found.append(f"{mod.path.name}:{node.lineno}: {node.value!r}")
    return found


ALREADY_GONE_IDS = {"060001", "030001"}  # 000015 is also "no record found" of a list call


def test_exit_codes_and_already_gone_ids_are_written_once(modules: dict[str, Module]) -> None:
    found = _constants(modules, keep=lambda name: name.startswith("conformance.mock"))
    assert found == [], "written again outside exitcodes.py / ledger.py:\n" + "\n".join(found)


def test_is_worker_is_written_once(modules: dict[str, Module]) -> None:
    defs = [f"{m.name}.{node.name}" for m in modules.values() for node in ast.walk(m.tree)
            if isinstance(node, ast.FunctionDef) and node.name.lstrip("_") == "is_worker"]
    assert defs == ["conformance._pytest.state.is_worker"]


# -- the checks can fail ------------------------------------------------------------------------
def _package(tmp_path: Path, files: dict[str, str]) -> dict[str, Module]:
    root = tmp_path / "conformance"
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return load(root)


def test_a_cycle_through_a_function_level_import_is_found(tmp_path: Path) -> None:
    mods = _package(tmp_path, {"__init__.py": "", "a.py": "from . import b\n",
                               "b.py": "def f():\n    from .a import x\n"})
    assert cycles(graph(mods)) == [["conformance.a", "conformance.b"]]


def test_a_cycle_through_a_package_init_is_found(tmp_path: Path) -> None:
    mods = _package(tmp_path, {"__init__.py": "", "sub/__init__.py": "from .m import X\n",
                               "sub/m.py": "from ..user import y\n",
                               "user.py": "from .sub.m import X\n"})
    found = cycles(graph(mods))
    assert found and "conformance.sub" in found[0] and "conformance.user" in found[0]


def test_a_facade_init_is_no_cycle(tmp_path: Path) -> None:
    mods = _package(tmp_path, {"__init__.py": "from .a import A\n", "a.py": "from .b import B\n",
                               "b.py": "B = 1\n"})
    assert cycles(graph(mods)) == []


def test_private_names_are_found(tmp_path: Path) -> None:
    mods = _package(tmp_path, {"__init__.py": "", "a.py": "_x = 1\n",
                               "b.py": "from .a import _x\nfrom . import a\nprint(a._x)\n"})
    found = mods["conformance.b"].private
    assert len(found) == 2 and "from conformance.a import _x" in found[0]


def test_constants_written_twice_are_found(tmp_path: Path) -> None:
    mods = _package(tmp_path, {"__init__.py": "", "a.py": "EXIT_OK = 0\n",
                               "b.py": "GONE = ('060001', '000015')\n"})
    assert len(_constants(mods, keep=lambda name: False)) == 2


def test_target_writes_are_found(tmp_path: Path) -> None:
    mods = _package(tmp_path, {"__init__.py": "",
                               "a.py": "def f(target, self):\n    target.counter += 1\n"
                                       "    self.target.clock_offset = 2\n"
                                       "    target.transport.limiter = None\n"
                                       "    self.n = 3\n"})
    assert len(mods["conformance.a"].target_writes) == 3
