"""Touches are contacts (issue 21.6), worked by hand through the public path: import → work on the leads →
``report followups``.

tests/fixtures/contacts/leads.csv: seven High leads (every 7 days), all created on 1 October 2026, so due on
8 October unless a contact came later. Today is Wednesday 25 November 2026; the week ends on Sunday the 29th.

| lead | what happens                                      | last contact | due    | on the list          |
|------|---------------------------------------------------|--------------|--------|----------------------|
| C-1  | a call logged on the 24th                          | 24 Nov       | 1 Dec  | no                   |
| C-2  | a note written                                     | none         | 8 Oct  | overdue 48 days      |
| C-3  | a gate ticked (it moves a stage)                   | none         | 8 Oct  | overdue 48 days      |
| C-4  | assessed again                                     | none         | 8 Oct  | overdue 48 days      |
| C-5  | the CRM's last activity: 20 Nov                    | 20 Nov       | 27 Nov | due this week (−2)   |
| C-6  | the CRM's last activity: 1 Nov                     | 1 Nov        | 8 Nov  | overdue 17 days      |
| C-7  | a meeting logged on the 24th, then undone          | none         | 8 Oct  | overdue 48 days      |
"""

import json
import subprocess
import sys
from datetime import date, datetime

import pandas as pd
import pytest

from sales import audit
from sales.access import AccessDenied
from sales.attention import follow_up_sentence, next_follow_up
from sales.contacts import ContactError, last_contact, log_contact, undo_contact
from sales.ingest import import_file, undo_batch
from sales.ingest.formats import detect
from sales.store import Store, scalar
from sales.workbench import add_note, history, save_assessment, set_fact
from tests.conftest import ADMIN, BIZDEV, ROOT, VIEWER

FIX = ROOT / "tests" / "fixtures" / "contacts"
TODAY = "2026-11-25"
ON_THE_24TH = datetime(2026, 11, 24, 15, 0)


def lead(cur, ext: str) -> int:
    return scalar(cur, "SELECT id FROM leads WHERE external_id = ?", [ext])


def report(db, *args: str) -> dict:
    r = subprocess.run([sys.executable, "-m", "sales", "report", "followups", "--db", str(db), "--today", TODAY,
                        "--format", "json", *args], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def worked(path) -> dict[str, int]:
    """The fixture imported and worked on as the table above says; returns the leads' ids by external id."""
    with Store(path) as s:
        assert import_file(s, ADMIN, FIX / "leads.csv").imported == 7
        cur = s.cursor()
        ids = {ext: lead(cur, ext) for ext in ("C-1", "C-2", "C-3", "C-4", "C-5", "C-6", "C-7")}
        log_contact(s, BIZDEV, ids["C-1"], "call", "Talked about the pilot", at=ON_THE_24TH)
        add_note(s, BIZDEV, ids["C-2"], "log", "Looked at their website")
        assert set_fact(s, BIZDEV, ids["C-3"], "inquiry_received", True) == "prospect_qualification"
        save_assessment(s, BIZDEV, ids["C-4"], dict.fromkeys(("people_profile", "need", "budget", "contract_type",
                                                               "prestige", "market_niche", "internal_bias"), 2), {})
        undone = log_contact(s, BIZDEV, ids["C-7"], "meeting", at=ON_THE_24TH)
        undo_contact(s, BIZDEV, undone)
    return ids


def test_only_a_logged_contact_or_the_crms_activity_resets_the_follow_up_clock(tmp_path):
    db = tmp_path / "sales.duckdb"
    worked(db)
    due = report(db)["follow-ups due"]
    got = [(r["name"], r["due"][:10], r["state"], r["days_overdue"], (r["last_contact"] or "")[:10]) for r in due]
    assert got == [("Only a note", "2026-10-08", "overdue", 48, ""),
                   ("Only a gate tick", "2026-10-08", "overdue", 48, ""),
                   ("Only a new assessment", "2026-10-08", "overdue", 48, ""),
                   ("Contact undone", "2026-10-08", "overdue", 48, ""),
                   ("CRM activity on 1 November", "2026-11-08", "overdue", 17, "2026-11-01"),
                   ("CRM activity on the 20th", "2026-11-27", "due this week", -2, "2026-11-20")]


def test_the_workbench_reads_the_same_clock(tmp_path):
    db = tmp_path / "sales.duckdb"
    ids = worked(db)
    with Store(db) as s:
        cur = s.cursor()
        called = last_contact(cur, ids["C-1"])
        assert called.sentence() == "Last contact 24 Nov 2026, by call"
        assert last_contact(cur, ids["C-5"]).sentence() == "Last contact 20 Nov 2026 (the CRM's last activity date)"
        assert last_contact(cur, ids["C-2"]).sentence() == "Never contacted (created 01 Oct 2026)"
        today = date(2026, 11, 25)
        assert follow_up_sentence(next_follow_up(cur, ids["C-1"], today), "open") == (
            "next follow-up 01 Dec 2026 (every 7 days)")
        assert follow_up_sentence(next_follow_up(cur, ids["C-6"], today), "open") == (
            "follow-up overdue since 08 Nov 2026 (every 7 days)")


def test_an_undo_removes_only_that_contact_and_is_audited(tmp_path):
    db = tmp_path / "sales.duckdb"
    ids = worked(db)
    with Store(db) as s:
        first = log_contact(s, BIZDEV, ids["C-1"], "email", "Sent the proposal", at=datetime(2026, 11, 25, 9, 0))
        assert undo_contact(s, BIZDEV, first).sentence() == (
            "Contact by email: Sent the proposal (25 Nov 2026 09:00, bizdev@agency.example)")
        cur = s.cursor()
        # the call of the 24th stays
        assert cur.execute("SELECT lead_id, channel, note FROM lead_contacts ORDER BY id").fetchall() == [
            (ids["C-1"], "call", "Talked about the pilot")]
        with pytest.raises(ContactError, match="no longer logged"):
            undo_contact(s, BIZDEV, first)  # twice: nothing more goes
        with pytest.raises(AccessDenied):
            undo_contact(s, VIEWER, 1)
        rows = audit.trail(cur, ADMIN, audit.AuditFilter(lead_id=ids["C-1"]))
        assert rows[["kind", "what"]].values.tolist() == [
            ["touch_undone", "Called on the 24th: Contact by email: Sent the proposal"],
            ["touch", "Called on the 24th: Contact by email: Sent the proposal"],
            ["touch", "Called on the 24th: Contact by call: Talked about the pilot"]]
        assert json.loads(rows["before"][0]) == {"at": "2026-11-25 09:00:00", "by": "bizdev@agency.example",
                                                 "channel": "email", "contact": first, "note": "Sent the proposal"}
        # the lead's log: the contact still logged (with its undo), and a line for the one undone
        log = history(cur, ids["C-1"])
        assert log[["kind", "body"]].values.tolist()[:2] == [
            ["log", "Undone: Contact by email: Sent the proposal (25 Nov 2026 09:00, bizdev@agency.example)"],
            ["contact", "Contact by call: Talked about the pilot"]]
        assert pd.isna(log["contact"].iloc[0]) and log["contact"].iloc[1] == 1


def test_a_contact_needs_a_channel_a_lead_and_the_role(store):
    store.cursor().execute("INSERT INTO leads (id, source_system, name) VALUES (1, 't', 'A')")
    with pytest.raises(ContactError, match="unknown channel 'fax'"):
        log_contact(store, BIZDEV, 1, "fax")
    with pytest.raises(ContactError, match="no lead 2"):
        log_contact(store, BIZDEV, 2, "call")
    with pytest.raises(AccessDenied, match="needs the bizdev role"):
        log_contact(store, VIEWER, 1, "call")
    assert scalar(store.cursor(), "SELECT count(*) FROM lead_contacts") == 0


def test_the_crms_last_activity_date_comes_with_each_export_and_goes_with_its_undo(tmp_path):
    """HubSpot's "Last Activity Date" (a date and time): 10 Nov in the first export, 23 Nov a week later; Affogato
    has none. Created 1 October, not assessed (every 30 days): Hedera due 10 Dec then 23 Dec, Affogato the 31st
    of October, overdue 25 days."""
    db = tmp_path / "sales.duckdb"
    with Store(db) as s:
        import_file(s, ADMIN, FIX / "hubspot_week1.csv")
        week2 = import_file(s, ADMIN, FIX / "hubspot_week2.csv")
        assert week2.updated == 1  # only Hedera's activity (and modified date) changed
        assert s.cursor().execute("SELECT name, last_activity FROM leads ORDER BY id").fetchall() == [
            ("Hedera University", date(2026, 11, 23)), ("Affogato International", None)]
    assert [(r["name"], r["due"][:10]) for r in report(db)["follow-ups due"]] == [
        ("Affogato International", "2026-10-31")]
    with Store(db) as s:
        undo_batch(s, ADMIN, week2.batch)
        assert scalar(s.cursor(), "SELECT last_activity FROM leads WHERE name = 'Hedera University'") == (
            date(2026, 11, 10))


@pytest.mark.parametrize(("header", "expected"), [
    (["Record ID", "Deal Name", "Deal Stage", "Last Activity Date"], "hubspot-deals"),
    (["Record ID", "First Name", "Last Name", "Email", "Lead Status", "Last Activity Date"], "hubspot-contacts"),
    (["Deal - Title", "Deal - Stage", "Deal - Last activity date"], "pipedrive-deals"),
    (["Opportunity Name", "Stage", "Opportunity Owner", "Last Activity"], "salesforce-report"),
    (["Record Id", "Deal Name", "Stage", "Deal Owner", "Last Activity Time"], "zoho-deals"),
    (["Record Id", "Company", "Last Name", "Lead Status", "Lead Owner", "Last Activity Time"], "zoho-leads"),
    (["name", "stage", "last_activity"], "canonical-leads"),
])
def test_each_crm_names_its_last_activity_column(header, expected):
    det = detect(header, "leads")
    assert det.format.name == expected
    assert header[det.columns["last_activity"]] == header[-1]
