"""The README documents what the code reads, found by reading the code (in the manner of datasette's docs
tests): every environment variable, every command and option of ``python -m sales``, every setting of the
TOML files, and the words of its Words table, which name things the code really has."""

import argparse
import ast
import re
import tomllib

import pytest

from sales.cli import build_parser
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
CODE = sorted([*(ROOT / "sales").rglob("*.py"), *(ROOT / "pages").glob("*.py"), *(ROOT / "bench").glob("*.py"),
               *(ROOT / "shell").glob("*.py"), ROOT / "app.py", ROOT / "server.py"])


# ---------------------------------------------------------------- environment variables


def _environment_variables() -> set[str]:
    """Every name the code reads from the environment: ``os.environ.get(X)``, ``os.environ[X]``, ``os.getenv(X)``
    and ``env.get(X)`` (a mapping defaulting to os.environ), X a string or a module constant holding one."""
    found = set()
    for path in CODE:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {t.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
                     and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                     for t in node.targets if isinstance(t, ast.Name)}
        for node in ast.walk(tree):
            arg = None
            if isinstance(node, ast.Call) and node.args and (
                    (isinstance(node.func, ast.Attribute) and node.func.attr == "get"
                     and ast.unparse(node.func.value) in ("os.environ", "env"))
                    or ast.unparse(node.func) == "os.getenv"):
                arg = node.args[0]
            elif (isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load)
                  and ast.unparse(node.value) == "os.environ"):
                arg = node.slice
            if isinstance(arg, ast.Constant):
                found.add(arg.value)
            elif isinstance(arg, ast.Name) and arg.id in constants:
                found.add(constants[arg.id])
    return found


def test_the_code_reads_the_environment_variables_this_test_finds():
    """The finder itself: it sees the variables read through a constant and through a mapping parameter."""
    assert {"SALES_DB", "SALES_RUBRIC", "SALES_OPEN_WITHOUT_SIGN_IN", "SALES_STORE_WAIT"} <= _environment_variables()


@pytest.mark.parametrize("name", sorted(_environment_variables()))
def test_every_environment_variable_is_documented(name):
    mentioned = f"`{name}" in README
    assert mentioned, f"README.md does not mention the environment variable {name}"


# ---------------------------------------------------------------- commands and options


def _commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """(command path, its option strings) for every command and subcommand of the parser."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                options = [o for a in sub._actions for o in a.option_strings if o not in ("-h", "--help")]
                yield (*path, name), options
                yield from _commands(sub, (*path, name))


COMMANDS = list(_commands(build_parser()))
USAGE = [line for line in README.splitlines() if "python -m sales " in line]


def test_every_command_is_found():
    assert {" ".join(p) for p, _ in COMMANDS} >= {"score", "import", "imports", "mappings", "undo", "report",
                                                   "access", "access grant", "digest", "serve", "demo"}


@pytest.mark.parametrize("path, options", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_and_option_is_in_a_usage_line(path, options):
    """Each command appears as ``python -m sales COMMAND``; each of its options on such a line of its own command."""
    lines = [line for line in USAGE if re.search(rf"python -m sales {path[0]}\b", line)]
    assert lines, f"README.md has no `python -m sales {path[0]}` line"
    if len(path) > 1:
        assert any(re.search(rf"\b{path[1]}\b", line) for line in lines), f"README.md lacks `{' '.join(path)}`"
    for option in options:
        assert any(re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", line) for line in lines), (
            f"README.md: no `python -m sales {path[0]}` line shows {option} (of {' '.join(path)})")


# ---------------------------------------------------------------- TOML settings


def _keys(value, skip: tuple[str, ...] = ()) -> set[str]:
    """Every key of a TOML document, tables and arrays of tables included; under a key in ``skip`` the
    names are data (currency codes, CRM labels) and only their own settings count."""
    out = set()
    if isinstance(value, dict):
        for key, child in value.items():
            if key in skip:
                for item in child.values():
                    out |= _keys(item)
            else:
                out |= {key} | _keys(child, skip)
    elif isinstance(value, list):
        for item in value:
            out |= _keys(item, skip)
    return out


def _settings() -> list[tuple[str, str]]:
    files = {name: tomllib.loads((ROOT / "data" / name).read_text(encoding="utf-8"))
             for name in ("rubric.toml", "lifecycle.toml", "currencies.toml")}
    found = [(name, key) for name, doc in files.items() for key in _keys(doc, skip=("rates",))]
    # stage_map.toml: its sections' names are vendors' CRM labels; a label maps to a key or a table of these
    stage_map = tomllib.loads((ROOT / "data" / "stage_map.toml").read_text(encoding="utf-8"))
    found += [("stage_map.toml", "default")]
    found += [("stage_map.toml", k) for section in stage_map.values() for v in section.values()
              if isinstance(v, dict) for k in v]
    # the [smtp] table of the secrets, as the digest reads it
    digest = ast.parse((ROOT / "sales" / "digest.py").read_text(encoding="utf-8"))
    body = next(n for n in digest.body if isinstance(n, ast.FunctionDef) and n.name == "smtp_settings")
    found += [("secrets.toml", n.value) for n in ast.walk(body) if isinstance(n, ast.Constant)
              and isinstance(n.value, str) and re.fullmatch(r"[a-z_]+", n.value)]
    return sorted(set(found))


SETTINGS = _settings()


def test_the_settings_found_include_each_files_own():
    keys = {k for _, k in SETTINGS}
    assert {"weight", "follow_up_days", "stuck_after_days", "quarter_target", "as_of", "status", "managers"} <= keys
    assert "EUR" not in keys and "new" not in keys  # data, not settings


@pytest.mark.parametrize("file, key", SETTINGS, ids=[f"{f}:{k}" for f, k in SETTINGS])
def test_every_toml_setting_is_documented(file, key):
    documented = re.search(rf"`{key}`|`{key} =|(?<![\w.]){key} = |[\[.]{key}[\].]", README) is not None
    assert documented, f"README.md does not document `{key}` of {file}"


# ---------------------------------------------------------------- words


def _words() -> list[tuple[str, list[str], list[str]]]:
    """The rows of README's Words table: the word, the names the code uses for it, the words it uses instead of."""
    section = README.split("\n## Words\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1:-1] for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    return [(word.strip(), re.findall(r"`([^`]+)`", names), re.findall(r"`([^`]+)`", instead))
            for word, names, instead, _ in rows[1:]]


WORDS = _words()
SOURCE = "\n".join(p.read_text(encoding="utf-8") for p in CODE)
SOURCE += "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "data").glob("*.toml"))
# the store's history keeps the names a schema version had: frozen text, not today's words
TODAY = "\n".join(p.read_text(encoding="utf-8") for p in CODE if p.name != "migrations.py")


def test_the_words_table_has_its_words():
    assert {"lifecycle stage", "CRM stage", "activity log", "change kind", "file kind", "deal forecast",
            "burn pace", "not assessed"} <= {w for w, _, _ in WORDS}


@pytest.mark.parametrize("word, names, instead", WORDS, ids=[w for w, _, _ in WORDS])
def test_each_word_is_what_the_code_calls_it_and_only_that(word, names, instead):
    assert names, f"the Words table gives no name in the code for {word!r}"
    for name in names:
        has = re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", SOURCE) is not None
        assert has, f"{word!r}: the code has no {name!r}"
    for other in instead:
        still = re.search(rf"(?<![\w-]){re.escape(other)}(?![\w-])", TODAY) is not None
        assert not still, f"{word!r}: the code still says {other!r}"
