"""A field with a fallback field: a HubSpot contact's stage is its Lead Status when that cell is not blank, else
its Lifecycle Stage, whichever column comes first in the file. The same five contacts in both column orders,
through ``python -m sales import``; stages worked out by hand from data/stage_map.toml [hubspot-contacts]."""

from datetime import date

import pytest

from sales.store import Store
from tests.cli_runner import cli_fixture  # noqa: F401 (the cli fixture)
from tests.conftest import ROOT

FIX = ROOT / "tests" / "fixtures"
FILES = ("hubspot_contacts_lead_status_first.csv", "hubspot_contacts_lifecycle_first.csv")

# id   Lead Status   Lifecycle Stage            read from        stage_map [hubspot-contacts]
# 701  Open          Lead                       Lead Status      "open" → prospect_qualification
#                                                                (Lifecycle "lead" would be generating_leads)
# 702  (blank)       Sales Qualified Lead       Lifecycle Stage  → assess_needs
# 703  Unqualified   Marketing Qualified Lead   Lead Status      → prospect_qualification, status lost
#                                                                (Lifecycle would be prospect_qualification, open)
# 704  " " (blank)   Customer                   Lifecycle Stage  → close, status won
# 705  (blank)       (blank)                    neither          no stage, open
LEADS = [
    ("701", "Jimmy Page", "Open", "prospect_qualification", "open"),
    ("702", "Ana Silva", "Sales Qualified Lead", "assess_needs", "open"),
    ("703", "Ms. Brown", "Unqualified", "prospect_qualification", "lost"),
    ("704", "Tunde Okoro", "Customer", "close", "won"),
    ("705", "Lena Schmidt", None, None, "open"),
]
# a new lead enters its stage on its Create Date; 705 has none to enter
EVENTS = [("701", "prospect_qualification", date(2026, 3, 2)), ("702", "assess_needs", date(2026, 3, 3)),
          ("703", "prospect_qualification", date(2026, 3, 4)), ("704", "close", date(2026, 3, 5))]


def _rows(db, sql):
    with Store(db) as s, s.cursor() as cur:
        return cur.execute(sql).fetchall()


@pytest.mark.parametrize("name", FILES)
def test_lead_status_wins_and_lifecycle_stage_fills_in(cli, tmp_path, name):
    db = tmp_path / "s.duckdb"
    r = cli("import", str(FIX / name), "--db", str(db))
    assert r.returncode == 0, r.stderr
    assert _rows(db, "SELECT external_id, name, crm_stage, recorded_stage, status FROM leads "
                     "WHERE source_system = 'hubspot-contacts' ORDER BY external_id") == LEADS
    assert _rows(db, "SELECT l.external_id, e.stage, e.entered_at::DATE FROM stage_events e "
                     "JOIN leads l ON l.id = e.lead_id ORDER BY l.external_id") == EVENTS


EXPLAINED = {
    "hubspot_contacts_lead_status_first.csv":
        "  columns used: Record ID → external_id, First Name → first_name, Last Name → last_name, Email → email, "
        "Lead Status → stage, Lifecycle Stage → stage where Lead Status is blank, Create Date → created_on, "
        "Company Name → organisation",
    "hubspot_contacts_lifecycle_first.csv":
        "  columns used: Record ID → external_id, Lifecycle Stage → stage where Lead Status is blank, "
        "First Name → first_name, Last Name → last_name, Email → email, Create Date → created_on, "
        "Company Name → organisation, Lead Status → stage",
}


@pytest.mark.parametrize("name", FILES)
def test_explain_names_both_stage_columns(cli, tmp_path, name):
    r = cli("import", "--explain", str(FIX / name), "--db", str(tmp_path / "s"))
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[:3] == [
        f"{name}: read as HubSpot contacts (hubspot-contacts), a leads file", EXPLAINED[name],
        "  columns ignored: none"]
