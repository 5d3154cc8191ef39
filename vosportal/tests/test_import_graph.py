"""The layering of docs/architecture.md, checked on the import graph of our own modules.

The graph is built with ``ast`` from the source files (nothing is imported), over every
production module: tests, migrations, benchmarks and scripts are left out. It fails on

- an import that goes up a layer (the switch gate importing a feature area, ...);
- any import of ``vosportal`` from an app (vosportal is the top: nothing imports it);
- a cycle between areas (``billing.money`` and ``telephony.live`` are areas; a module
  directly in an app, such as ``billing.models``, belongs to the app's own area);
- more than ``MAX_INNER_IMPORTS`` imports inside functions, or one without a comment
  saying why it cannot be at the top;
- ``vos3000`` importing Django or the portal.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Lowest first. A module may import its own layer and the layers below it.
LAYERS: list[tuple[str, ...]] = [
    ("vos3000",),
    ("web",),
    ("accounts",),
    ("switch",),
    ("customers", "billing", "telephony", "alerts", "webhooks", "dashboard", "api"),
    ("vosportal",),
]
OURS = {package for layer in LAYERS for package in layer}
LAYER_OF = {package: index for index, layer in enumerate(LAYERS) for package in layer}
SKIPPED_DIRS = {"tests", "migrations"}
MAX_INNER_IMPORTS = 10
AREA_APPS = {"accounts", *LAYERS[4]}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module (or package)
    line: int
    inner: bool  # inside a function
    commented: bool  # a comment on its line or the line above says why


def production_modules(root: Path = ROOT) -> dict[str, Path]:
    modules = {}
    for package in OURS:
        for path in (root / package).rglob("*.py"):
            parts = path.relative_to(root).with_suffix("").parts
            if SKIPPED_DIRS.intersection(parts) or parts[-1] == "conftest":
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
    return ".".join([*base, node.module] if node.module else base)


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> list[Import]:
    text = path.read_text()
    lines = text.splitlines()
    tree = ast.parse(text)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            name = _resolve(module, node, path.name == "__init__.py") if node.level else node.module
            # "from billing.money import services" imports the module billing.money.services
            targets = [
                f"{name}.{alias.name}" if f"{name}.{alias.name}" in modules else name
                for alias in node.names
            ]
        else:
            continue
        inner, typing_only, parent = False, False, parents.get(node)
        while parent is not None:
            if isinstance(parent, ast.If) and "TYPE_CHECKING" in ast.unparse(parent.test):
                typing_only = True  # never executed
            if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inner = True
            parent = parents.get(parent)
        if typing_only:
            continue
        line = lines[node.lineno - 1]
        above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
        commented = "#" in line or above.startswith("#")
        for target in targets:
            if target.split(".")[0] in OURS:
                found.append(Import(module, target, node.lineno, inner, commented))
    return found


def all_imports(root: Path = ROOT) -> list[Import]:
    modules = production_modules(root)
    return [imp for mod, path in modules.items() for imp in imports_of(mod, path, modules)]


def area_of(module: str, root: Path = ROOT) -> str:
    """``billing.money.services`` -> ``billing.money``; ``billing.models`` -> ``billing``.

    The apps with areas are the kernel and the feature apps; the library, the web helpers,
    the switch gate and vosportal are one area each. An app's ``apps`` module is its
    wiring (AppConfig.ready connects the areas' handlers): nothing imports it, so it is an
    area of its own and never closes a cycle."""
    parts = module.split(".")
    if parts[0] not in AREA_APPS:
        return parts[0]
    if len(parts) >= 2 and parts[1] == "apps":
        return module
    if len(parts) >= 2 and (root / parts[0] / parts[1] / "__init__.py").exists():
        return ".".join(parts[:2])
    return parts[0]


def area_cycles(imports: list[Import], root: Path = ROOT) -> list[list[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for imp in imports:
        source, target = area_of(imp.source, root), area_of(imp.target, root)
        if source != target:
            graph[source].add(target)
    return cycles_of(graph)


def cycles_of(graph: dict[str, set[str]]) -> list[list[str]]:
    graph = defaultdict(set, graph)
    cycles, state, stack = [], {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def test_it_finds_a_cycle_and_an_upward_import_in_a_made_up_tree(tmp_path):
    """The checks themselves can fail: a tiny tree with a cycle between two areas."""
    for package in OURS:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "billing" / "money").mkdir()
    (tmp_path / "billing" / "money" / "__init__.py").write_text("")
    (tmp_path / "billing" / "money" / "services.py").write_text("from telephony import live\n")
    (tmp_path / "telephony" / "live.py").write_text(
        "def f():\n    from billing.money import services\n"
    )
    (tmp_path / "switch" / "vos.py").write_text("from billing.money import services\n")
    imports = all_imports(tmp_path)
    cycles = area_cycles(imports, tmp_path)
    assert any({"billing.money", "telephony"} <= set(cycle) for cycle in cycles)
    assert [i for i in imports if i.inner and not i.commented]
    assert any(LAYER_OF[i.source.split(".")[0]] < LAYER_OF[i.target.split(".")[0]] for i in imports)


def test_it_has_no_cycle_between_areas():
    cycles = area_cycles(all_imports())
    assert not cycles, "import cycles between areas:\n" + "\n".join(
        " -> ".join(cycle) for cycle in cycles
    )


def test_it_has_no_cycle_between_apps_either():
    """Whole apps stand in an order too (an app's ``apps`` module, its wiring, aside)."""
    apps_only = [
        Import(i.source.split(".")[0], i.target.split(".")[0], i.line, i.inner, i.commented)
        for i in all_imports()
        if not i.source.endswith(".apps")
    ]
    cycles = area_cycles(apps_only)
    assert not cycles, "\n".join(" -> ".join(cycle) for cycle in cycles)


def test_it_imports_only_downward():
    upward = [
        f"{imp.source}:{imp.line} imports {imp.target}"
        for imp in all_imports()
        if LAYER_OF[imp.source.split(".")[0]] < LAYER_OF[imp.target.split(".")[0]]
    ]
    assert not upward, "imports that go up a layer:\n" + "\n".join(upward)


def test_no_app_imports_vosportal():
    offenders = [
        f"{imp.source}:{imp.line} imports {imp.target}"
        for imp in all_imports()
        if imp.target.split(".")[0] == "vosportal" and imp.source.split(".")[0] != "vosportal"
    ]
    assert not offenders, "\n".join(offenders)


def test_it_keeps_imports_inside_functions_few_and_explained():
    """In the portal's own apps (vos3000, the library, keeps its simulator's lazy imports
    between handler modules to itself)."""
    inner = [imp for imp in all_imports() if imp.inner and not imp.source.startswith("vos3000")]
    unexplained = [f"{i.source}:{i.line} imports {i.target}" for i in inner if not i.commented]
    assert not unexplained, "imports inside functions need a comment saying why:\n" + "\n".join(
        unexplained
    )
    assert len({(i.source, i.line) for i in inner}) <= MAX_INNER_IMPORTS, "\n".join(
        f"{i.source}:{i.line} imports {i.target}" for i in inner
    )


def test_vos3000_stays_free_of_django():
    offenders = []
    for path in (ROOT / "vos3000").rglob("*.py"):
        if "tests" in path.relative_to(ROOT).parts:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            offenders += [
                f"{path}:{node.lineno} {name}"
                for name in names
                if name.split(".")[0] in (OURS - {"vos3000"}) | {"django"}
            ]
    assert not offenders, "\n".join(offenders)


def module_cycles() -> list[list[str]]:
    """Modules that import each other at the top (inside one area: a services module and
    its tasks, say). Fine with ``from area import tasks``; an ImportError with
    ``from area.tasks import name`` when the other one is imported first."""
    modules = production_modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for imp in all_imports():
        target = imp.target
        while target not in modules and "." in target:
            target = target.rsplit(".", 1)[0]
        if not imp.inner and target in modules and target != imp.source:
            graph[imp.source].add(target)
    return cycles_of(graph)


IMPORT_FIRST = """
import importlib, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vosportal.settings")
import django
django.setup()
for name in sys.argv[1:]:
    importlib.import_module(name)
"""


IMPORT_ALL = """
import importlib, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vosportal.settings")
import django
django.setup()
sys.path.insert(0, "vosportal/tests")
from test_import_graph import production_modules
names = sorted(
    m for m in production_modules()
    if not m.startswith("vos3000.simulator") and m not in ("vosportal.wsgi", "vosportal.asgi")
)
for name in reversed(names) if sys.argv[1] == "reversed" else names:
    importlib.import_module(name)
"""


def test_every_module_imports_in_either_order():
    """A cycle of ``from x import name`` inside one area only shows when the modules are
    imported in a certain order: import them all, both ways, in fresh interpreters, and
    each module of a cycle first in an interpreter of its own (as ``manage.py seed_demo``
    imports ``billing.cdrs.tasks`` first)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "DEBUG": "1"}
    runs = [[IMPORT_ALL, "sorted"], [IMPORT_ALL, "reversed"]]
    runs += [[IMPORT_FIRST, name] for cycle in module_cycles() for name in set(cycle)]
    for code, argument in runs:
        done = subprocess.run(
            [sys.executable, "-c", code, argument],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, f"{argument}: {done.stderr[-3000:]}"
