"""The shape of the code: the core never imports Streamlit, no module imports itself round a cycle, and each package
of the core imports only from the packages before it (the order tracker/__init__.py describes).

Imports are read from the source (every ``import`` statement, those inside functions included), not from what
happens to be loaded, so an import that runs only on one code path still counts.
"""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: tracker's packages, each allowed to import only those before it (and ``tracker`` itself, ``tracker.i18n``,
#: ``loaders``). ``loaders`` reads files into the model, so it may import only ``tracker.model``.
LAYERS = ("model", "store", "access", "review", "intake", "progress", "outputs", "extract", "cli")
SHARED = {"tracker", "tracker.i18n"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources(*packages: str) -> dict[str, Path]:
    found = {}
    for package in packages:
        base = ROOT / package
        for path in ([base.with_suffix(".py")] if base.with_suffix(".py").exists() else sorted(base.rglob("*.py"))):
            if "migrations" not in path.parts or path.name != "env.py":
                found[_module_name(path)] = path
    return found


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of ``known`` that ``name`` imports (``from a import b`` counts as ``a.b`` when that is a module)."""
    is_package = path.name == "__init__.py"
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([module] if module else []))
            for alias in node.names:
                targets.add(f"{module}.{alias.name}" if f"{module}.{alias.name}" in known else module)
    return {t for t in targets if t in known and t != name}


def _graph(*packages: str) -> dict[str, set[str]]:
    sources = _sources(*packages)
    return {name: imports_of(name, path, set(sources)) for name, path in sources.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_cycle_finder_finds_a_planted_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_in_the_core_the_readers_or_the_glue():
    assert cycles(_graph("tracker", "loaders", "ui")) == []


@pytest.mark.parametrize("package", ["tracker", "loaders"])
def test_the_core_and_the_readers_never_import_streamlit(package):
    offenders = []
    for name, path in _sources(package).items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{name}: {n}" for n in names if n.split(".")[0] in ("streamlit", "ui", "pages")]
    assert offenders == []


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "loaders":
        return "loaders"
    return parts[1] if parts[0] == "tracker" and len(parts) > 1 and parts[1] in LAYERS else None


def layering_violations(graph: dict[str, set[str]]) -> list[str]:
    """Imports that go against LAYERS: a package importing one listed after it."""
    allowed: dict[str, set[str]] = defaultdict(set)
    for i, layer in enumerate(LAYERS):
        allowed[layer] = set(LAYERS[: i + 1]) | {"loaders"}
    allowed["loaders"] = {"model", "loaders"}
    wrong = []
    for source, targets in graph.items():
        layer = _layer(source)
        if layer is None:
            continue
        for target in targets:
            if target in SHARED:
                continue
            if _layer(target) not in allowed[layer]:
                wrong.append(f"{source} → {target}")
    return sorted(wrong)


def test_layering_check_catches_an_upward_import():
    assert layering_violations({"tracker.store.x": {"tracker.progress.engine"}}) == [
        "tracker.store.x → tracker.progress.engine"]
    assert layering_violations({"loaders.plans": {"tracker.model.plan", "tracker"}}) == []


def test_each_package_imports_only_the_ones_before_it():
    assert layering_violations(_graph("tracker", "loaders")) == []


def test_every_package_says_what_goes_in_it():
    """A newcomer reads the tree and each package's docstring to know where a new feature goes."""
    for init in [ROOT / "tracker" / "__init__.py", *(ROOT / "tracker" / layer / "__init__.py" for layer in LAYERS),
                 ROOT / "ui" / "__init__.py", ROOT / "loaders" / "__init__.py"]:
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc) > 80, f"{init.relative_to(ROOT)} has no docstring saying what it holds"
