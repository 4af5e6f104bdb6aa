"""The shell package: one concern per module, none over 400 lines, no import cycle, and every name a page,
app.py or a bench script uses as ``shell.X`` still there."""

import ast
import re
from graphlib import CycleError, TopologicalSorter

import shell
from tests.conftest import ROOT

MODULES = sorted((ROOT / "shell").glob("*.py"))


def _imports(path) -> set[str]:
    """The shell modules ``path`` imports."""
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("shell."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("shell.")}
    return found


def test_no_module_is_over_400_lines():
    assert {p.name: len(p.read_text().splitlines()) for p in MODULES if len(p.read_text().splitlines()) > 400} == {}


def test_no_import_cycle():
    graph = {p.stem: _imports(p) for p in MODULES if p.stem != "__init__"}
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as e:
        raise AssertionError(f"import cycle: {e.args[1]}") from None
    assert set(order) == set(graph)
    assert "__init__" not in {m for deps in graph.values() for m in deps}  # modules never import the package


def test_every_name_used_as_shell_x_is_exported():
    users = [*(ROOT / "pages").glob("*.py"), ROOT / "app.py", *(ROOT / "bench").glob("*.py")]
    # shell.x, a name used from the package (``from shell.contacts import …`` names a module, not an export)
    used = {m for p in users for m in re.findall(r"(?<!from )\bshell\.([A-Za-z_]\w*)", p.read_text())}
    used |= {n.strip() for p in users for line in re.findall(r"^from shell import (.+)$", p.read_text(), re.M)
             for n in line.split(",")}
    assert used, "no page uses the shell?"
    assert sorted(n for n in used if not hasattr(shell, n)) == []
    assert sorted(set(shell.__all__) - set(dir(shell))) == []
