"""The hand-worked team store (tests/fixtures/team, worked out in tests/team/test_fixture.py's docstring): people in
two countries, their time off, budgets, time entries and leads, imported through the public importer."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sales.ingest import import_file
from sales.store import Store
from tests.conftest import ADMIN, ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "team"
FILES = ("people.csv", "time_off.csv", "budgets.csv", "time_entries.csv", "leads.csv", "leads_later.csv")


def build_team_store(path: Path) -> Path:
    with Store(path) as s:
        for name in FILES:
            r = import_file(s, ADMIN, FIXTURES / name)
            assert r.rejected == 0 and r.problem is None, (name, r.rejects)
    return path


@pytest.fixture(scope="module")
def team_db(tmp_path_factory) -> Path:
    """The fixture store, built once per module (tests that change it take ``fresh_team_db``)."""
    return build_team_store(tmp_path_factory.mktemp("team") / "team.duckdb")


@pytest.fixture
def fresh_team_db(tmp_path) -> Path:
    return build_team_store(tmp_path / "team.duckdb")


def report(db: Path, name: str, *args: str) -> dict:
    """``python -m sales report NAME --format json`` on ``db``."""
    r = subprocess.run([sys.executable, "-m", "sales", "report", name, "--db", str(db), "--format", "json", *args],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)
