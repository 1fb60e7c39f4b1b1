"""No import cycles in crawler/: the graph of which module imports which,
read from the source with `ast`, every import counted, those inside
functions and under TYPE_CHECKING too (a lazy import hides a cycle, it does
not break it)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the modules of the `crawler` package it imports."""
    files = {}
    for path in (root / "crawler").rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        files[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        imported = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], *filter(None, [base])])
                # `from crawler.extract import html` imports the module html; `from crawler.persian.text import normalize_text`, crawler.persian.text
                imported.update(f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names)
        graph[name] = {m for m in imported if m in files and m != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while not component or component[-1] != v:
                component.append(stack.pop())
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_module_of_crawler_imports_itself_through_others():
    graph = import_graph(ROOT)
    assert len(graph) > 50 and "crawler.extract.layers" in graph["crawler.extract"], "the graph reads the package"
    found = cycles(graph)
    assert not found, "import cycles: " + "; ".join(" <-> ".join(c) + " (" + ", ".join(f"{m} imports {sorted(graph[m] & set(c))}" for m in c) + ")" for c in found)


def test_nothing_outside_the_commands_imports_them():
    """The commands run spiders and read exports, not the reverse
    (docs/architecture.md): what both need lives below them."""
    graph = import_graph(ROOT)
    commands = {m for m in graph if m == "crawler.commands" or m.startswith("crawler.commands.")}
    assert "crawler.commands.crawl" in commands
    upward = {m: sorted(imported & commands) for m, imported in graph.items() if m not in commands and imported & commands}
    assert not upward, f"modules importing the commands: {upward}"


def test_the_graph_sees_imports_inside_functions_and_relative_ones(tmp_path):
    package = tmp_path / "crawler"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from crawler.sub import b\n")
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..a import f\n")
    graph = import_graph(tmp_path)
    assert graph["crawler.a"] == {"crawler.sub.b"} and graph["crawler.sub.b"] == {"crawler.a"}
    assert cycles(graph) == [["crawler.a", "crawler.sub.b"]]


def test_the_top_of_the_package_holds_scrapys_files_and_the_role_packages():
    """A module goes into the package of its role (docs/architecture.md);
    at the top stay only the files Scrapy users look for there."""
    top = {p.name for p in (ROOT / "crawler").iterdir() if p.name != "__pycache__"}
    scrapy_files = {"__init__.py", "items.py", "pipelines.py", "settings.py", "middlewares.py", "spiders", "commands"}
    roles = {"persian", "sites", "families", "extract", "schema", "export", "ops"}
    assert top == scrapy_files | roles, "placed in docs/architecture.md, or moved into a role's package"
    documented = (ROOT / "docs/architecture.md").read_text("utf-8")
    assert all(f"  {role}/" in documented for role in roles)
