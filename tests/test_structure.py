"""Rooms that say what they hold: no module of the core, the shell or the pages over 400 lines, and no import
cycle among the core's and the shell's modules, counting the imports a function makes when it runs."""

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

from tests.conftest import ROOT

LIMIT = 400
PACKAGES = ("sales", "shell")
# split on lane-ingest (issue 23.3); this list must shrink, never grow: a file listed here that fits is an error
def modules(root: Path, packages=PACKAGES) -> dict[str, Path]:
    """Dotted module name → file, for every module of ``packages`` below ``root``."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The modules of ``known`` that ``name`` imports anywhere in its text (at the top or inside a function).
    ``from package import module`` is an import of that module; a package's own ``__init__`` run before its
    modules is not counted (Python initialises it first, whichever module is asked for)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    named = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            named |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            named |= {f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names}
    return {m for m in named if m in known and m != name}


def cycle(root: Path, packages=PACKAGES) -> list[str] | None:
    """One import cycle among the modules, or None."""
    known = modules(root, packages)
    try:
        list(TopologicalSorter({n: imports(n, p, known) for n, p in known.items()}).static_order())
    except CycleError as e:
        return e.args[1]
    return None


def test_no_import_cycle_in_the_core_or_the_shell():
    assert cycle(ROOT) is None


def test_a_cycle_through_a_function_s_import_is_found(tmp_path):
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "sub" / "__init__.py").write_text("from pkg.sub import b\n")
    (tmp_path / "pkg" / "a.py").write_text("import os\n\n\ndef f():\n    from pkg.sub import b\n")
    (tmp_path / "pkg" / "sub" / "b.py").write_text("from .. import a\n")
    assert sorted(set(cycle(tmp_path, ("pkg",)))) == ["pkg.a", "pkg.sub.b"]
    (tmp_path / "pkg" / "sub" / "b.py").write_text("import os\n")
    assert cycle(tmp_path, ("pkg",)) is None


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_module_is_over_400_lines():
    files = [*modules(ROOT, (*PACKAGES, "pages")).values(), ROOT / "app.py", ROOT / "server.py"]
    over = {str(p.relative_to(ROOT)): _lines(p) for p in files if p.exists() and _lines(p) > LIMIT}
    assert over == {}
