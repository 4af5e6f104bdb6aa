"""The importer's rooms: no import cycle through any of its modules, none over 400 lines, the public API
where callers find it."""

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

SALES = ROOT / "sales"


def module_names() -> dict[str, Path]:
    out = {}
    for path in SALES.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of ours a file imports, anywhere in it (a function's own imports count too).
    ``from a.b import c`` imports ``a.b`` itself, and ``a.b.c`` as well when that is a module."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found |= {node.module} & modules.keys()
            found |= {f"{node.module}.{a.name}" for a in node.names} & modules.keys()
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names} & modules.keys()
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import cycle, as the modules of one strongly connected part of the graph (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                part.append(w)
                if w == v:
                    break
            if len(part) > 1 or v in graph[v]:
                out.append(sorted(part))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_the_cycle_finder_finds_a_package_and_its_module_importing_each_other():
    graph = {"p": {"p.a"}, "p.a": {"p", "q"}, "q": set()}
    assert cycles(graph) == [["p", "p.a"]]


def test_no_import_cycle_runs_through_the_importer():
    modules = module_names()
    graph = {m: imports(p, modules) for m, p in modules.items()}
    assert graph["sales.ingest"] >= {"sales.ingest.pipeline", "sales.ingest.batches"}  # the walker sees imports
    assert [c for c in cycles(graph) if any(m.startswith("sales.ingest") or m == "sales.csvtext" for m in c)] == []


@pytest.mark.parametrize("path", sorted((SALES / "ingest").glob("*.py")), ids=lambda p: p.name)
def test_no_importer_module_is_over_400_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 400


def test_the_public_api():
    import sales.ingest as ingest

    assert sorted(ingest.__all__) == ["ImportResult", "IngestError", "Reject", "batch_rejects", "import_file",
                                      "list_batches", "undo_batch"]
    assert all(callable(getattr(ingest, name)) for name in ingest.__all__)
