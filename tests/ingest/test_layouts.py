"""Exports as the tools write them today and as they wrote them before (issue 22): each through
``python -m sales import FILE`` into the store, the stored values worked out by hand from the rows."""

from datetime import date

import pytest

from sales.store import Store
from tests.cli_runner import cli_fixture  # noqa: F401 (the cli fixture)
from tests.conftest import ROOT

FIX = ROOT / "tests" / "fixtures"


def _import(cli, *args):
    return cli("import", *map(str, args))


def _rows(db, sql):
    with Store(db) as s, s.cursor() as cur:
        return cur.execute(sql).fetchall()


ENTRIES = "SELECT person, work_date, round(hours, 6), project, client FROM time_entries ORDER BY work_date, person"
TIME = {
    # Toggl Track before 2023: User, Client, End date, End time, zero-padded durations (the 02:00:00 row
    # disagrees with its start and end, and is rejected)
    "toggl.csv": [("Jimmy Page", date(2026, 1, 5), 1.5, "Microdegree", "Hedera University"),
                  ("Mira Kaur", date(2026, 1, 5), 0.75, "Courses", "Affogato International"),
                  ("Jimmy Page", date(2026, 1, 6), 26.0, "Microdegree", "Hedera University")],
    # Toggl Track today: Member, Stop date, Stop time, no Client, every field quoted, 1:57:42 without a leading
    # zero, no line end after the last row, '-' for no project; 1 h 57 min 42 s = 1 + 57/60 + 42/3600 h
    "toggl_2024.csv": [("Jimmy Page", date(2026, 1, 5), 1.5, "Microdegree", None),
                       ("Mira Kaur", date(2026, 1, 5), 0.75, "Courses", None),
                       ("Jimmy Page", date(2026, 1, 7), 1.961667, None, None)],
    # Harvest before: Hours Rounded beside Hours (the hours worked are Hours: 0.75, not the rounded 1.0), no
    # Approved?, Department instead of Roles
    "harvest_2015.csv": [("Jimmy Page", date(2015, 1, 26), 1.5, "Microdegree", "Hedera University"),
                         ("Mira Kaur", date(2015, 1, 27), 0.75, "Courses", "Affogato International")],
    # Harvest today (German account locale: 26.01.2026, "7,5"), Approved? and Roles
    "harvest_de.csv": [("Jimmy Page", date(2026, 1, 26), 7.5, "Microdegree", "Hedera University"),
                       ("Jimmy Page", date(2026, 1, 27), 20.0, "Microdegree", "Hedera University"),
                       ("Mira Kaur", date(2026, 2, 3), 0.25, "Courses", "Affogato International")],
}


@pytest.mark.parametrize("name", list(TIME))
def test_time_then_and_now(cli, tmp_path, name):
    db = tmp_path / "s.duckdb"
    r = _import(cli, FIX / name, "--db", db)
    assert f"{name}: {name.split('_')[0].removesuffix('.csv')} → batch 1" in r.stdout, r.stderr
    assert _rows(db, ENTRIES) == TIME[name]


def test_toggl_named_accepts_the_current_layout(cli, tmp_path):
    r = _import(cli, FIX / "toggl_2024.csv", "--format", "toggl", "--db", tmp_path / "s.duckdb")
    assert r.returncode == 0, r.stderr
    assert "3 imported" in r.stdout


LEADS = "SELECT external_id, name, organisation, owner, crm_stage, recorded_stage, status, amount, currency " \
        "FROM leads ORDER BY external_id"
CRM = {
    # Pipedrive before: 'Deal - Currency'
    "pipedrive_deals.csv": [
        ("17", "Hedera microdegrees", "Hedera University", "Amara Okafor", "Proposal Made", "proposal", "open",
         85000.0, "USD"),
        ("18", "Affogato LMS", "Affogato International", "Bruno Costa", "Negotiations Started", "close", "won",
         18000.0, "EUR"),
        ("19", "Ms Brown class", None, "Chen Wei", "Lead In", "generating_leads", "lost", 1200.0, "USD")],
    # Pipedrive today: 'Deal - Currency of Value' (beside the weighted value's own currency), status capitalised
    "pipedrive_deals_2025.csv": [
        ("31", "Campus Nord LMS", "Campus Nord", "Chen Wei", "Proposal Made", "proposal", "open", 42000.0, "EUR"),
        ("32", "Lagos Learning pilot", "Lagos Learning", "Bruno Costa", "Negotiations Started", "close", "won",
         9000.0, "USD")],
    # Odoo's import-compatible export with a stage (v13: planned_revenue)
    "odoo_import_compatible_v13.csv": [
        ("__export__.crm_lead_522", "Hedera microdegrees", "Hedera University", "base.user_admin", "crm.stage_lead2",
         "prospect_qualification", "open", 85000.0, None),
        ("__export__.crm_lead_523", "Affogato LMS", "Affogato International", "__export__.res_users_7",
         "crm.stage_lead4", "close", "won", 18000.0, None),
        ("__export__.crm_lead_524", "Brown class", None, "__export__.res_users_7", "crm.stage_lead1",
         "generating_leads", "open", 1200.0, None)],
    # Odoo's technical export of leads today: no stage column; each record's type says what it is
    "odoo_leads_no_stage.csv": [
        ("__export__.crm_lead_701", "LMS for nurses", "Nordic Nursing School", "Chen Wei", "lead", "generating_leads",
         "open", None, None),
        ("__export__.crm_lead_702", "Course authoring help", None, None, "lead", "generating_leads", "open", None,
         None),
        ("__export__.crm_lead_703", "Campus rollout", "Campus Nord", "Bruno Costa", "opportunity",
         "prospect_qualification", "open", None, None)],
}


@pytest.mark.parametrize("name", list(CRM))
def test_crm_then_and_now(cli, tmp_path, name):
    db = tmp_path / "s.duckdb"
    r = _import(cli, FIX / name, "--db", db)
    assert r.returncode == 0, r.stderr
    assert _rows(db, LEADS) == CRM[name]
