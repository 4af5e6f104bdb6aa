"""Exports in the shapes real accounts produce (files written from the vendors' documented layouts):
every record lands with its fields, nothing is guessed silently, and a second import adds nothing."""

import pytest

from sales.ingest import IngestError, import_file
from sales.store import scalar
from tests.conftest import ADMIN, ROOT

FIX = ROOT / "tests" / "fixtures"

TIME = {  # file: format, records, imported, skipped, hours (worked out from the rows), warning
    # 2700 s + 9000 s + 3600 s (23:30 to 00:30), and a total line of empty cells with [00]:00
    "kimai1_seconds.csv": ("kimai", 4, 3, 1, 0.75 + 2.5 + 1.0, "whole seconds"),
    "kimai_it.csv": ("kimai", 3, 3, 0, 1.5 + 0.75 + 2.25, None),  # Italian headers, H:MM
    "kimai_fr.csv": ("kimai", 2, 2, 0, 1.5 + 1.25, None),  # French headers, decimal commas, DD/MM
}


@pytest.mark.parametrize("name", list(TIME))
def test_time_exports_land_whole(store, name):
    fmt, records, imported, skipped, hours, warning = TIME[name]
    r = import_file(store, ADMIN, FIX / name)
    assert (r.format, r.records, r.imported, r.rejected, r.skipped) == (fmt, records, imported, 0, skipped)
    assert r.hours == pytest.approx(hours)
    assert any(warning in w for w in r.warnings) if warning else not any("seconds" in w for w in r.warnings)
    again = import_file(store, ADMIN, FIX / name)
    assert (again.imported, again.duplicates) == (0, imported)


def test_kimai_seconds_are_decided_by_the_whole_column_not_per_row(store, tmp_path):
    # one duration that is not the time between From and To: the column is not seconds, and the
    # rows are judged as hours (2700 h is out of range), never half one way and half the other
    lines = (FIX / "kimai1_seconds.csv").read_text().splitlines()
    f = tmp_path / "kimai.csv"
    f.write_text("\n".join([lines[0], lines[1], lines[2].replace('"9000"', '"9900"')]) + "\n")
    r = import_file(store, ADMIN, f)
    assert (r.imported, r.rejected) == (0, 2)


LEADS = {  # file: format, [(external id, name, organisation, owner, stage, status, amount)], ignored columns
    "hubspot_contacts_email_only.csv": ("hubspot-contacts", [
        ("501", "Amara Okafor", None, "Chen Wei", "generating_leads", "open", None),
        ("502", "learner@form.example", None, None, "generating_leads", "open", None),  # HubSpot shows the email
        ("503", "Brown", None, "Chen Wei", "generating_leads", "open", None),
    ], ["Favourite LMS"]),
    "hubspot_deals_chosen.csv": ("hubspot-deals", [
        ("9001", "Hedera microdegrees", None, None, None, "open", 85000.0),
        ("9002", "Affogato LMS", None, None, None, "open", 18000.0),
    ], ["Deal temperature (custom)", "Region (custom)"]),
    "zoho_backup_deals.csv": ("zoho-deals", [
        ("zcrm_4876000000123001", "Hedera microdegrees", "Hedera University", "Chen Wei", "assess_needs", "open",
         85000.0),
        ("zcrm_4876000000123002", "Affogato LMS", "Affogato International", "Chen Wei", "close", "won", 18000.0),
        ("zcrm_4876000000123003", "Brown class", None, "Bruno Costa", None, "lost", 1200.0),
    ], ["Deal Owner Id"]),
    "zoho_backup_leads.csv": ("zoho-leads", [
        ("zcrm_4876000000200001", "Lena Schmidt", "Campus Nord", "Chen Wei", "prospect_qualification", "open",
         None),
        ("zcrm_4876000000200002", "Okoro", "Lagos Learning", "Bruno Costa", "generating_leads", "open", None),
    ], ["Lead Owner Id"]),
    "zoho_backup_contacts.csv": ("zoho-contacts", [
        ("zcrm_4876000000300001", "Jimmy Page", "Hedera University", "Chen Wei", None, "open", None),
        ("zcrm_4876000000300002", "help@affogato.example", None, "Chen Wei", None, "open", None),
    ], ["Contact Owner Id"]),
    "zoho_backup_accounts.csv": ("zoho-accounts", [
        ("zcrm_4876000000400001", "Hedera University", "Hedera University", "Chen Wei", None, "open",
         120000000.0),
        ("zcrm_4876000000400002", "Affogato International", "Affogato International", "Bruno Costa", None, "open",
         45000000.0),
    ], ["Account Owner Id", "Industry"]),
    "odoo_import_compatible_v13.csv": ("odoo-crm", [  # planned_revenue, partner_name, stage external ids
        ("__export__.crm_lead_522", "Hedera microdegrees", "Hedera University", "base.user_admin",
         "prospect_qualification", "open", 85000.0),
        ("__export__.crm_lead_523", "Affogato LMS", "Affogato International", "__export__.res_users_7", "close",
         "won", 18000.0),
        ("__export__.crm_lead_524", "Brown class", None, "__export__.res_users_7", "generating_leads", "open",
         1200.0),
    ], []),
    "odoo_import_compatible_v17.csv": ("odoo-crm", [  # expected_revenue, partner_id/id
        ("__export__.crm_lead_601", "Campus Nord LMS", "__export__.res_partner_88", "base.user_admin", "proposal",
         "open", 42000.0),
        ("__export__.crm_lead_602", "Lagos Learning pilot", "__export__.res_partner_91", "base.user_admin",
         "generating_leads", "open", 9000.0),
    ], []),
}


@pytest.mark.parametrize("name", list(LEADS))
def test_crm_exports_land_with_their_fields(store, name):
    fmt, rows, ignored = LEADS[name]
    r = import_file(store, ADMIN, FIX / name)
    assert (r.format, r.records, r.imported, r.rejected) == (fmt, len(rows), len(rows), 0)
    assert r.ignored == ignored
    stored = store.cursor().execute("""SELECT external_id, name, organisation, owner, recorded_stage, status, amount
                                       FROM leads ORDER BY id""").fetchall()
    assert stored == rows
    assert import_file(store, ADMIN, FIX / name).imported == 0


def test_a_wide_file_with_only_a_name_column_is_an_unknown_layout(store):
    with pytest.raises(IngestError, match="the header matches no known export layout"):
        import_file(store, ADMIN, FIX / "wide_name_only.csv")
    assert scalar(store.cursor(), "SELECT count(*) FROM leads") == 0


def test_the_summary_names_the_columns_it_used_and_ignored(store):
    r = import_file(store, ADMIN, FIX / "hubspot_deals_chosen.csv")
    assert r.columns == {"external_id": "Record ID", "name": "Deal Name", "amount": "Amount"}
    assert r.to_json()["ignored"] == ["Deal temperature (custom)", "Region (custom)"]
