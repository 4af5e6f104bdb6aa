"""Detection as people meet it (issue 22): reports we recognise but cannot import are named with the export to
download instead; Kimai in every language it ships; ``import --explain`` says why a layout was chosen."""

import csv
import json
import tomllib
from datetime import date

import pytest

from sales.store import Store
from tests.cli_runner import cli_fixture  # noqa: F401 (the cli fixture)
from tests.conftest import ROOT

FIX = ROOT / "tests" / "fixtures"


def _cli(cli, *args):
    return cli(*map(str, args))


def _counts(db):
    with Store(db) as s, s.cursor() as cur:
        return cur.execute("""SELECT (SELECT count(*) FROM import_batches), (SELECT count(*) FROM time_entries),
                                     (SELECT count(*) FROM leads)""").fetchall()[0]


REPORTS = {  # file: what it is named as, the export named instead
    "clockify_summary.csv": ("a Clockify summary report", "download the Detailed report instead"),
    "clockify_weekly.csv": ("a Clockify weekly report", "download the Detailed report instead"),
    "toggl_summary.csv": ("a Toggl Track summary report", "download the Detailed report instead"),
    "toggl_weekly.csv": ("a Toggl Track weekly report", "download the Detailed report instead"),
    "harvest_summary.csv": ("a Harvest time report summary", "download the Detailed time report instead"),
    "harvest_weekly.csv": ("a Harvest weekly report", "download the Detailed time report instead"),
    "jira_issues.csv": ("a Jira issue export without Log Work columns", "Export Excel CSV (all fields)"),
}


@pytest.mark.parametrize("name", list(REPORTS))
def test_reports_are_named_and_nothing_is_written(cli, tmp_path, name):
    db = tmp_path / "s.duckdb"
    assert _cli(cli, "import", FIX / "toggl.csv", "--db", db).returncode == 0
    before = _counts(db)
    r = _cli(cli, "import", FIX / "reports" / name, "--db", db)
    what, instead = REPORTS[name]
    assert r.returncode == 2
    assert f"error: {name}: line 1: this is {what}, which holds totals, not time entries; " in r.stderr
    assert instead in r.stderr
    assert _counts(db) == before  # no batch, no entry


@pytest.mark.parametrize("preset", ["toggl", "clockify"])
def test_a_summary_named_as_a_preset_is_still_called_a_summary(cli, tmp_path, preset):
    r = _cli(cli, "import", FIX / "reports" / f"{preset}_summary.csv", "--format", preset, "--db", tmp_path / "s")
    assert r.returncode == 2 and "summary report" in r.stderr and "Detailed report" in r.stderr


# ---------------------------------------------------------------- Kimai in every language

KIMAI = tomllib.loads((ROOT / "data" / "kimai_headers.toml").read_text(encoding="utf-8"))["languages"]
# Kimai 2.x's column order: the display name comes before the login
ORDER = ("work_date", "start_time", "end_time", "duration", "user", "username", "customer", "project", "activity",
         "description", "billable")
ROW = ("2026-03-12", "09:00", "10:30", "1:30", "Ana Lima", "alima", "Hedera University", "Microdegree",
       "Development", "Theme", "1")


@pytest.mark.parametrize("lang", list(KIMAI))
def test_kimai_in_every_language(cli, tmp_path, lang):
    # the header as that language's Kimai writes it today (each field's latest text)
    header = [KIMAI[lang][field][-1] for field in ORDER]
    path = tmp_path / f"kimai_{lang}.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, quoting=csv.QUOTE_ALL).writerows([header, ROW])
    db = tmp_path / "s.duckdb"
    r = _cli(cli, "import", path, "--db", db, "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["format"] == "kimai"
    with Store(db) as s, s.cursor() as cur:
        stored = cur.execute("SELECT person, work_date, hours, client, project, description "
                             "FROM time_entries").fetchall()
    assert stored == [("Ana Lima", date(2026, 3, 12), 1.5, "Hedera University", "Microdegree", "Theme")]


def test_every_language_kimai_ships_is_in_the_table():
    assert len(KIMAI) == 44
    assert {"de", "it", "fr", "es", "nl", "pt", "pt_BR", "ja", "zh_CN", "ar", "uk"} <= set(KIMAI)


# ---------------------------------------------------------------- --explain


def test_explain_names_layout_columns_and_runner_up(cli, tmp_path):
    db = tmp_path / "s.duckdb"
    r = _cli(cli, "import", "--explain", FIX / "toggl_2024.csv", "--db", db)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "toggl_2024.csv: read as Toggl Track detailed (toggl), a time file",
        "  columns used: Description → description, Duration → hours, Member → person, Email → email, "
        "Project → project, Tags → tags, Start date → work_date, Stop date → end_date, Start time → start_time, "
        "Stop time → end_time",
        "  columns ignored: none",
        # Clockify reads five of its columns (Project, Description, Email, Start date, Start time), Kimai three
        "  runner-up: Clockify detailed (clockify), which lacked column 'User', column 'Duration (decimal)'",
    ]
    assert not db.exists()  # nothing written, not even a store


def test_explain_says_what_a_stage_comes_from_and_what_is_ignored(cli, tmp_path):
    r = _cli(cli, "import", "--explain", FIX / "odoo_leads_no_stage.csv", "--db", tmp_path / "s")
    lines = r.stdout.splitlines()
    assert lines[0] == "odoo_leads_no_stage.csv: read as Odoo CRM (odoo-crm), a leads file"
    assert "type → type, type → stage, " in lines[1]  # the stage is read from the type
    assert lines[2] == "  columns ignored: none"


def test_explain_of_a_report_says_what_it_is(cli, tmp_path):
    r = _cli(cli, "import", "--explain", FIX / "reports" / "clockify_summary.csv", "--db", tmp_path / "s")
    assert r.returncode == 0
    assert r.stdout.splitlines()[:2] == [
        "clockify_summary.csv: no known layout fits",
        "  this is a Clockify summary report, which holds totals, not time entries; download the Detailed report "
        "instead (Reports → Detailed → Export → Save as CSV)"]


def test_describe_answers_again_when_the_file_changes(tmp_path):
    """The Upload page's description is kept between reruns, but a file written anew under the same name is
    described anew: a Toggl export replaced by a file of unknown columns asks for a mapping."""
    import os

    from sales.ingest.describe import describe

    path = tmp_path / "upload.csv"
    path.write_bytes((FIX / "toggl.csv").read_bytes())
    first = describe(path)
    assert (first.kind, first.format, first.needs_mapping) == ("time", "toggl", False)
    assert describe(path) == first
    path.write_text("Colour,Shape\nred,round\n", encoding="utf-8")
    os.utime(path, ns=(1, 1))  # a new modification time even where the clock is coarse
    second = describe(path)
    assert second.header == ["Colour", "Shape"] and second.format is None and second.needs_mapping
