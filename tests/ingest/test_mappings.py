"""Unknown layouts become known once: a proposal from the file, a mapping saved by its header."""

import getpass
import json
import subprocess
import sys

import pytest

from sales.access import AccessDenied, Actor
from sales.ingest import IngestError, import_file, mappings
from sales.ingest.reader import inspect
from tests.conftest import ADMIN, ROOT

FIX = ROOT / "tests" / "fixtures"
MAP = {"kind": "time", "columns": {"work_date": "Worklog date", "person": "Logged by", "hours": "Time spent (h)",
                                   "issue_key": "Issue", "description": "Worklog comment"}}


def test_the_proposal_reads_header_words_and_values():
    # "Worklog date" ends in a date word, "Logged by" names the person, "Issue" and "Worklog comment" are
    # hint words; no header says hours, but "Time spent (h)" is the column whose every value is a duration
    assert mappings.propose(inspect(FIX / "worklog_other_app.csv")) == MAP


def test_a_mapping_is_saved_on_import_and_recognises_the_next_file(store):
    with pytest.raises(IngestError, match="matches no known export layout"):
        import_file(store, ADMIN, FIX / "worklog_other_app.csv")
    preview = import_file(store, ADMIN, FIX / "worklog_other_app.csv", mapping=MAP, dry_run=True)
    assert preview.imported == 2
    assert mappings.find(store.cursor(), inspect(FIX / "worklog_other_app.csv").header) is None  # a preview saves none
    first = import_file(store, ADMIN, FIX / "worklog_other_app.csv", mapping=MAP)
    assert (first.imported, first.skipped, first.hours) == (2, 1, 3.5)  # 1.5 + 2; the Total line skipped
    july = import_file(store, ADMIN, FIX / "worklog_other_app_july.csv")  # no mapping given: the saved one
    assert (july.imported, july.hours, july.ignored) == (2, 2.0, ["Team"])
    header = ["WORKLOG DATE", "logged by", "Time spent (h)", "Issue", "Worklog comment", "Team"]
    assert mappings.find(store.cursor(), header)["saved_by"] == "admin@agency.example"  # case and spacing ignored
    assert mappings.find(store.cursor(), header[:-1]) is None  # other columns: another layout


def test_saving_a_mapping_needs_the_import_role(store):
    with pytest.raises(AccessDenied):
        mappings.save(store, Actor("v@agency.example", "viewer"), ["a", "b"], MAP)


def test_import_map_and_the_mappings_command_share_them(tmp_path):
    db = tmp_path / "s.duckdb"
    toml = tmp_path / "map.toml"
    toml.write_text('kind = "time"\n[columns]\nwork_date = "Worklog date"\nperson = "Logged by"\n'
                    'hours = "Time spent (h)"\n')

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "sales", *map(str, args), "--db", str(db)], cwd=ROOT,
                              capture_output=True, text=True)

    assert cli("mappings").stdout.startswith("no saved mappings yet")
    assert cli("import", FIX / "worklog_other_app.csv", "--map", toml).returncode == 0
    assert cli("import", FIX / "worklog_other_app_july.csv").returncode == 0
    listed = json.loads(cli("mappings", "--json").stdout)
    assert [(m["kind"], m["saved_by"]) for m in listed] == [("time", f"cli:{getpass.getuser()}")]
    assert "work_date ← Worklog date" in listed[0]["columns"]
