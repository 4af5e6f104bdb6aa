"""Importing every vendor layout: exact counts, hours, rejects by line, re-import and undo."""

import json
import os
import subprocess
import sys
from datetime import date, datetime

import duckdb
import pytest

from sales.ingest import IngestError, import_file, list_batches, undo_batch
from sales.store import Store, scalar
from tests.conftest import ADMIN, ROOT

FIX = ROOT / "tests" / "fixtures"

# file, detected format, rows read, imported, rejected, hours, skipped (footer/total rows)
TIME_FILES = [
    ("tempo.csv", "tempo", 4, 4, 0, 2.5 + 1.75 + 0.5 + 3, 0),
    ("tempo_de.csv", "tempo", 2, 2, 0, 1.5 + 2.25, 0),             # BOM, ';', decimal comma, German headers
    ("jira_log_work.csv", "jira-log-work", 4, 3, 1, 1.5 + 0.5 + 2, 0),  # one entry per Log Work cell
    ("toggl.csv", "toggl", 4, 3, 1, 1.5 + 0.75 + 26, 0),           # > 24 h, across midnight, a mismatch
    ("clockify.csv", "clockify", 2, 2, 0, 2.25 + 0.5, 0),          # M/D/YYYY, 12-hour clock
    ("harvest_de.csv", "harvest", 3, 3, 0, 7.5 + 20 + 0.25, 0),    # "7,5", "2.000,0", D.M.YYYY
    ("kimai_de.csv", "kimai", 3, 3, 0, 1.5 + 1.75 + 0.5, 0),       # German, H:MM, across midnight
    ("kimai_en.csv", "kimai", 2, 2, 0, 1.5 + 0.75, 0),             # decimal durations
    ("freshbooks.csv", "freshbooks", 2, 2, 0, 1.5 + 0.75, 1),      # a Total row
    ("time_canonical.csv", "canonical-time", 3, 3, 0, 2 + 2 + 0.5, 0),  # two identical real entries
]


@pytest.mark.parametrize("name, fmt, read, imported, rejected, hours, skipped", TIME_FILES)
def test_time_exports(store, name, fmt, read, imported, rejected, hours, skipped):
    r = import_file(store, ADMIN, FIX / name)
    assert (r.kind, r.format, r.rows_read, r.imported, r.duplicates, r.rejected, r.skipped) == (
        "time", fmt, read, imported, 0, rejected, skipped)
    assert r.hours == pytest.approx(hours)
    cur = store.cursor()
    assert scalar(cur, "SELECT sum(hours) FROM time_entries") == pytest.approx(hours)
    # re-importing the same file adds nothing
    again = import_file(store, ADMIN, FIX / name)
    assert (again.imported, again.duplicates, again.hours) == (0, imported, 0)
    assert scalar(cur, "SELECT count(*) FROM time_entries") == imported


@pytest.mark.parametrize("name, expected", [
    ("tempo.csv", [(date(2026, 1, 5), "Jimmy Page", 2.5, True, "Hedera University", "HU-12", "Theme colours")]),
    ("tempo_de.csv", [(date(2026, 1, 5), "Jimmy Page", 1.5, True, "Hedera University", "HU-12", "Farben"),
                      (date(2026, 1, 13), "Jimmy Page", 2.25, False, "Hedera University", "HU-13", "SAML")]),
    ("clockify.csv", [(date(2026, 1, 13), "Jimmy Page", 2.25, True, "Hedera University", None, "Theme")]),
    ("harvest_de.csv", [(date(2026, 1, 26), "Jimmy Page", 7.5, True, "Hedera University", None, "Theme")]),
    ("kimai_de.csv", [(date(2026, 1, 5), "jpage", 1.5, None, "Hedera University", None, "Farben")]),
    # Jira has no account: the project name stands in
    ("jira_log_work.csv", [(date(2026, 1, 6), "mkaur", 0.5, None, "Hedera", "HU-12", "Fonts; more fonts")]),
])
def test_fields_land_in_the_right_columns(store, name, expected):
    import_file(store, ADMIN, FIX / name)
    rows = store.cursor().execute("""SELECT work_date, person, hours, billable, account, issue_key, description
                                     FROM time_entries ORDER BY work_date, hours""").fetchall()
    for row in expected:
        assert row in rows


def test_start_times_and_midnight(store):
    import_file(store, ADMIN, FIX / "toggl.csv")
    rows = store.cursor().execute("SELECT started_at, hours FROM time_entries ORDER BY started_at").fetchall()
    assert rows == [(datetime(2026, 1, 5, 9, 0), 1.5), (datetime(2026, 1, 5, 23, 30), 0.75),
                    (datetime(2026, 1, 6, 8, 0), 26.0)]
    import_file(store, ADMIN, FIX / "jira_log_work.csv")
    assert scalar(store.cursor(), "SELECT started_at FROM time_entries WHERE description = 'Fonts; more fonts'") == \
        datetime(2026, 1, 6, 14, 30)


@pytest.mark.parametrize("name, line, column, reason", [
    ("toggl.csv", 5, "Duration", "duration '02:00:00' disagrees with the start and end times (1.00 h between them)"),
    ("jira_log_work.csv", 4, "Log Work", "cannot read 'just a note' as a Jira work log"),
    ("leads_canonical.csv", 4, "Need", "invalid level '3': expected 0, 1, 2 or blank"),
    ("budgets.csv", 5, "effective_month", "cannot read '2026-xx' as a month"),
])
def test_bad_rows_by_line_and_column(store, name, line, column, reason):
    r = import_file(store, ADMIN, FIX / name)
    assert [(x.line, x.column) for x in r.rejects] == [(line, column)]
    assert reason in r.rejects[0].reason
    kept = store.cursor().execute('SELECT line, "column", reason, raw FROM rejected_rows').fetchall()
    assert kept[0][:2] == (line, column) and reason in kept[0][2]
    assert kept[0][3] == (FIX / name).read_text(encoding="utf-8").splitlines()[line - 1]


# file, format, rows, imported, {external or name: (recorded_stage, status)}, unmapped
CRM_FILES = [
    ("hubspot_deals.csv", "hubspot-deals", 4, 4,
     {"9001": ("assess_needs", "open"), "9002": ("close", "won"), "9003": (None, "lost"), "9004": (None, "open")},
     {"Custom Stage X": 1}),
    ("hubspot_contacts.csv", "hubspot-contacts", 2, 2,
     {"501": ("prospect_qualification", "open"), "502": ("prospect_qualification", "lost")}, {}),
    ("pipedrive_deals.csv", "pipedrive-deals", 3, 3,
     {"17": ("proposal", "open"), "18": ("close", "won"), "19": ("generating_leads", "lost")}, {}),
    ("salesforce_report.csv", "salesforce-report", 2, 2,
     {"Hedera microdegrees": ("assess_needs", "open"), "Affogato LMS": ("close", "won")}, {}),
    ("zoho_leads.csv", "zoho-leads", 3, 3,
     {"zcrm_1001": ("prospect_qualification", "open"), "zcrm_1002": ("prospect_qualification", "open"),
      "zcrm_1003": (None, "lost")}, {}),
    ("odoo_crm.csv", "odoo-crm", 2, 2,
     {"Hedera microdegrees": ("proposal", "open"), "Affogato LMS": ("close", "won")}, {}),
    ("leads_canonical.csv", "canonical-leads", 3, 2,
     {"L-1": ("assess_needs", "open"), "L-2": ("prospect_qualification", "open")}, {}),
]


@pytest.mark.parametrize("name, fmt, read, imported, stages, unmapped", CRM_FILES)
def test_crm_exports(store, name, fmt, read, imported, stages, unmapped):
    r = import_file(store, ADMIN, FIX / name)
    assert (r.kind, r.format, r.rows_read, r.imported, r.duplicates) == ("leads", fmt, read, imported, 0)
    assert r.unmapped_stages == unmapped
    rows = store.cursor().execute("SELECT external_id, name, recorded_stage, status FROM leads").fetchall()
    got = {(ext if not ext.startswith("content:") else nm): (st, status) for ext, nm, st, status in rows}
    assert got == stages
    again = import_file(store, ADMIN, FIX / name)
    assert (again.imported, again.duplicates) == (0, imported)


def test_crm_values(store):
    import_file(store, ADMIN, FIX / "pipedrive_deals.csv")
    import_file(store, ADMIN, FIX / "salesforce_report.csv")
    cur = store.cursor()
    assert cur.execute("SELECT amount, organisation, created_on FROM leads WHERE external_id = '17'").fetchall() == [
        (85000.0, "Hedera University", date(2026, 1, 10))]
    assert cur.execute("SELECT closed_on, lost_reason FROM leads WHERE external_id = '19'").fetchall() == [
        (None, "Budget too small")]
    # Salesforce's M/D/YYYY dates
    assert cur.execute("SELECT created_on, closed_on FROM leads WHERE name = 'Affogato LMS' "
                       "AND source_system = 'salesforce-report'").fetchall() == [(date(2026, 1, 12), date(2026, 2, 15))]


def test_canonical_leads_bring_assessments_and_gate_facts(store):
    import_file(store, ADMIN, FIX / "leads_canonical.csv")
    cur = store.cursor()
    levels = cur.execute("""SELECT l.external_id, a.people_profile, a.need, a.prestige, a.prestige_comment
                            FROM assessments a JOIN leads l ON l.id = a.lead_id ORDER BY 1""").fetchall()
    assert levels == [("L-1", 1, 1, 2, "Famous"), ("L-2", 2, 1, 1, None)]
    facts = cur.execute("""SELECT l.external_id, f.fact, f.value FROM lead_facts f JOIN leads l ON l.id = f.lead_id
                           ORDER BY 1, 2""").fetchall()
    assert facts == [("L-1", "inquiry_received", True), ("L-1", "needs_documented", False),
                     ("L-1", "responsive", True), ("L-2", "inquiry_received", True), ("L-2", "responsive", True)]


def test_crm_reexport_updates_known_leads_and_undo_restores_them(store, tmp_path):
    first = import_file(store, ADMIN, FIX / "pipedrive_deals.csv")
    lines = (FIX / "pipedrive_deals.csv").read_text().splitlines()
    later = tmp_path / "deals-march.csv"  # deal 17 won at a higher value, 18 unchanged, 19 absent, 20 new
    later.write_text("\n".join([
        lines[0],
        '17,Hedera microdegrees,"90,000.00",USD,Negotiations Started,won,Amara Okafor,2026-01-10 09:00:00,'
        '2026-03-01 10:00:00,,Hedera University',
        lines[2],
        "20,Edly pilot,5000,USD,Lead In,open,Chen Wei,2026-03-02 09:00:00,,,Edly"]) + "\n")
    r = import_file(store, ADMIN, later)
    assert (r.rows_read, r.imported, r.updated, r.duplicates) == (3, 1, 1, 1)
    cur = store.cursor()
    lead = "SELECT recorded_stage, status, amount, closed_on FROM leads WHERE external_id = '17'"
    assert cur.execute(lead).fetchall() == [("close", "won", 90000.0, date(2026, 3, 1))]
    events = "SELECT stage, e.batch_id FROM stage_events e JOIN leads l ON l.id = e.lead_id WHERE external_id='17'"
    assert sorted(cur.execute(events).fetchall()) == [("close", r.batch), ("proposal", first.batch)]
    assert scalar(cur, "SELECT count(*) FROM lead_updates") == 1
    assert list_batches(cur).set_index("batch").loc[r.batch, ["imported", "updated", "duplicates"]].tolist() == [
        1, 1, 1]
    assert import_file(store, ADMIN, later).updated == 0  # the same re-export again changes nothing
    with pytest.raises(IngestError, match=f"batch {r.batch} changed leads of batch {first.batch} afterwards"):
        undo_batch(store, ADMIN, first.batch)
    removed = undo_batch(store, ADMIN, r.batch)
    # 17's old values back; deal 20 gone; 17's move and 20's first stage removed
    assert (removed["lead_updates"], removed["leads"], removed["stage_events"]) == (1, 1, 2)
    assert cur.execute(lead).fetchall() == [("proposal", "open", 85000.0, None)]
    assert sorted(cur.execute(events).fetchall()) == [("proposal", first.batch)]
    assert scalar(cur, "SELECT count(*) FROM leads") == 3


@pytest.mark.parametrize("row, expected", [
    # reopened after it was won (15 February): the close date goes, the stage and status change
    ("18,Affogato LMS,18000,EUR,Proposal Made,open,Bruno Costa,2026-01-12 09:00:00,,,Affogato International,"
     "2026-03-01 08:00:00", ("Bruno Costa", "proposal", "open", None)),
    # a blank owner and an unknown stage label erase nothing
    ("18,Affogato LMS,18000,EUR,Mystery stage,won,,2026-01-12 09:00:00,2026-02-15 10:00:00,,Affogato International,"
     "", ("Bruno Costa", "close", "won", date(2026, 2, 15))),
])
def test_crm_reexport_blanks(store, tmp_path, row, expected):
    import_file(store, ADMIN, FIX / "pipedrive_deals.csv")
    f = tmp_path / "deals.csv"
    f.write_text((FIX / "pipedrive_deals.csv").read_text().splitlines()[0] + ",Deal - Update time\n" + row + "\n")
    assert import_file(store, ADMIN, f).updated == 1
    assert store.cursor().execute("""SELECT owner, recorded_stage, status, closed_on FROM leads
                                     WHERE external_id = '18'""").fetchall() == [expected]


STALE = [  # deal 18 was won on 15 February
    ("", "would reopen a won lead, and the file has no modified date to show it is newer"),
    ("2026-02-10 08:00:00", "would reopen a won lead with a row modified before it closed"),
]


@pytest.mark.parametrize("updated, why", STALE)
def test_an_older_export_does_not_reopen_a_closed_lead(store, tmp_path, updated, why):
    import_file(store, ADMIN, FIX / "pipedrive_deals.csv")
    f = tmp_path / "old.csv"
    f.write_text((FIX / "pipedrive_deals.csv").read_text().splitlines()[0] + ",Deal - Update time\n"
                 "18,Affogato LMS,18000,EUR,Proposal Made,open,Bruno Costa,2026-01-12 09:00:00,,,"
                 f"Affogato International,{updated}\n")
    r = import_file(store, ADMIN, f)
    assert (r.records, r.updated, r.stale, r.stale_lines) == (1, 0, 1, [(2, why)])
    assert store.cursor().execute("SELECT status, closed_on FROM leads WHERE external_id = '18'").fetchall() == [
        ("won", date(2026, 2, 15))]


def test_a_row_older_than_the_stored_one_changes_nothing(store, tmp_path):
    header = (FIX / "pipedrive_deals.csv").read_text().splitlines()[0] + ",Deal - Update time\n"
    newer, older = tmp_path / "newer.csv", tmp_path / "older.csv"
    newer.write_text(header + "17,Hedera microdegrees,90000,USD,Proposal Made,open,Amara Okafor,"
                     "2026-01-10 09:00:00,,,Hedera University,2026-04-02 10:00:00\n")
    older.write_text(header + "17,Hedera microdegrees,70000,USD,Lead In,open,Amara Okafor,"
                     "2026-01-10 09:00:00,,,Hedera University,2026-03-20 10:00:00\n")
    import_file(store, ADMIN, newer)
    r = import_file(store, ADMIN, older)
    assert (r.updated, r.stale, r.stale_lines) == (0, 1, [(2, "modified 2026-03-20, older than the stored 2026-04-02")])
    assert store.cursor().execute("SELECT amount, recorded_stage FROM leads WHERE external_id = '17'").fetchall() == [
        (90000.0, "proposal")]


def test_canonical_reexport_adds_new_levels_and_facts_only(store, tmp_path):
    import_file(store, ADMIN, FIX / "leads_canonical.csv")
    lines = (FIX / "leads_canonical.csv").read_text().splitlines()
    later = tmp_path / "leads-later.csv"  # L-1's need rises and its needs are now documented; L-2 as before
    later.write_text("\n".join([lines[0], lines[1].replace("85000,USD,1,1,2", "85000,USD,1,2,2")
                                .replace("yes,yes,no", "yes,yes,yes"), lines[2]]) + "\n")
    r = import_file(store, ADMIN, later)
    assert (r.imported, r.updated, r.duplicates) == (0, 1, 1)
    cur = store.cursor()
    history = cur.execute("""SELECT a.need FROM assessments a JOIN leads l ON l.id = a.lead_id
                             WHERE external_id = 'L-1' ORDER BY a.id""").fetchall()
    assert history == [(1,), (2,)]
    assert cur.execute("""SELECT f.value FROM lead_facts f JOIN leads l ON l.id = f.lead_id
                          WHERE external_id = 'L-1' AND fact = 'needs_documented' ORDER BY set_at""").fetchall() == [
        (False,), (True,)]
    assert scalar(cur, "SELECT count(*) FROM lead_updates") == 0  # no CRM field changed


def test_budgets(store):
    r = import_file(store, ADMIN, FIX / "budgets.csv")
    assert (r.kind, r.rows_read, r.imported, r.rejected) == ("budgets", 4, 3, 1)
    assert store.cursor().execute("""SELECT account, effective_month, monthly_hours, fixed_total_hours, kind
                                     FROM budgets ORDER BY account, effective_month""").fetchall() == [
        ("Affogato International", date(2026, 2, 1), None, 5.0, "discovery"),
        ("Hedera University", date(2026, 1, 1), 62.0, None, "retainer"),
        ("Hedera University", date(2026, 4, 1), 80.0, None, "retainer")]
    assert import_file(store, ADMIN, FIX / "budgets.csv").imported == 0


# ---------------------------------------------------------------- day/month order

@pytest.mark.parametrize("dates, expected, ambiguous", [
    (["13/04/2026", "03/04/2026"], [date(2026, 4, 13), date(2026, 4, 3)], False),   # 13 can only be a day
    (["04/13/2026", "03/04/2026"], [date(2026, 4, 13), date(2026, 3, 4)], False),   # 13 can only be a day
    (["03/04/2026", "05/06/2026"], [date(2026, 3, 4), date(2026, 5, 6)], True),     # can't tell: M/D default
    (["2026-04-03", "2026-04-13"], [date(2026, 4, 3), date(2026, 4, 13)], False),
    (["3.4.2026", "13.4.2026"], [date(2026, 4, 3), date(2026, 4, 13)], False),
    (["03/Apr/26", "13/Apr/26"], [date(2026, 4, 3), date(2026, 4, 13)], False),
])
def test_day_month_order_per_column(store, tmp_path, dates, expected, ambiguous):
    f = tmp_path / "t.csv"
    f.write_text("date,person,hours\n" + "".join(f"{d},A,1\n" for d in dates))
    r = import_file(store, ADMIN, f)
    got = [row[0] for row in store.cursor().execute("SELECT work_date FROM time_entries").fetchall()]
    assert sorted(got) == sorted(expected)
    assert bool(r.warnings) == ambiguous
    if ambiguous:
        assert "day/month order cannot be told" in r.warnings[0] and "'date'" in r.warnings[0]


@pytest.mark.parametrize("value, hours", [
    ("1:30", 1.5), ("01:30:00", 1.5), ("12.5", 12.5), ("12,5", 12.5), ("0:05", 5 / 60), ("26:00:00", 26),
    ("1,234.5", None), ("7", 7.0), (" 2 ", 2.0),
])
def test_durations(store, tmp_path, value, hours):
    f = tmp_path / "t.csv"
    f.write_text(f'date,person,hours\n2026-01-05,A,"{value}"\n')
    r = import_file(store, ADMIN, f)
    if hours is None:  # 1,234.5 hours in one entry is out of range
        assert r.rejects[0].reason == "'1,234.5' is out of range (0 to 744 hours)"
    else:  # the summary rounds to 6 decimals; the stored value is exact
        assert r.hours == pytest.approx(hours, abs=1e-6)


def test_a_client_called_total_is_data_and_a_total_line_is_not(store, tmp_path):
    f = tmp_path / "t.csv"
    f.write_text("date,client,hours\n2026-01-05,Total,2\n2026-01-06,Sum,1.5\nTotal,,3.5\n")
    r = import_file(store, ADMIN, f)
    assert (r.rows_read, r.imported, r.skipped, r.rejected, r.hours) == (2, 2, 1, 0, 3.5)


# ---------------------------------------------------------------- refusals and structure


def test_structural_problems_are_rejected_by_line(store, tmp_path):
    f = tmp_path / "t.csv"
    f.write_text('date,person,hours,description\n2026-01-05,A,1,"multi\nline"\n2026-01-06,B,2,x,EXTRA\n'
                 '\n2026-01-07,C,3,ok\n2026-01-08,D,zz,bad\n')
    r = import_file(store, ADMIN, f)
    assert [(x.line, x.column) for x in r.rejects] == [(4, None), (7, "hours")]
    assert "too many fields: expected 4" in r.rejects[0].reason
    assert (r.imported, r.hours) == (2, 4.0)


def test_many_bad_rows_read_the_file_once_for_their_lines(store, tmp_path, monkeypatch):
    from sales.ingest import pipeline
    reads = []
    monkeypatch.setattr(pipeline, "count_newlines", lambda path: reads.append(path) or path.read_bytes().count(b"\n"))
    f = tmp_path / "t.csv"
    f.write_text("date,person,hours\n" + "".join(f"2026-01-05,A,{'x' if i % 2 else 1}\n" for i in range(200)))
    r = import_file(store, ADMIN, f)
    assert (r.imported, r.rejected) == (100, 100)
    assert [x.line for x in r.rejects[:2]] == [3, 5]
    assert len(reads) == 1


@pytest.mark.parametrize("content, message", [
    (b"", "the file is empty"),
    (b"PK\x03\x04 rest of a zip", "binary file"),
    (b"\x00\x01\x02\x03", "binary file"),
    (b"just one column\nvalue\n", "line 1 has a single column"),
    (b"a,b,c\n1,2,3\n", "matches no known export layout"),
    ((",".join(f"col{i}" for i in range(600)) + "\n").encode(), "line 1 has 600 columns"),
])
def test_unusable_files_write_nothing(store, tmp_path, content, message):
    f = tmp_path / "bad.csv"
    f.write_bytes(content)
    with pytest.raises(IngestError, match=message) as e:
        import_file(store, ADMIN, f)
    assert "bad.csv" in str(e.value)
    assert scalar(store.cursor(), "SELECT count(*) FROM import_batches") == 0


def test_oversized_file_refused(store):
    with pytest.raises(IngestError, match="over the 0 MB limit"):
        import_file(store, ADMIN, FIX / "tempo.csv", max_bytes=100)


def test_kind_and_format_must_fit(store):
    with pytest.raises(IngestError, match="looks like Jira Tempo worklogs, not a leads file"):
        import_file(store, ADMIN, FIX / "tempo.csv", kind="leads")
    with pytest.raises(IngestError, match="not a Toggl Track detailed header: missing column"):
        import_file(store, ADMIN, FIX / "tempo.csv", fmt="toggl")


def test_explicit_mapping(store, tmp_path):
    f = tmp_path / "odd.csv"
    f.write_text("Day;Who;Time (h);Customer\n05.01.2026;Ana;1,5;Hedera\n06.01.2026;Ana;2;Hedera\n")
    m = tmp_path / "map.toml"
    m.write_text('kind = "time"\n[columns]\nwork_date = "Day"\nperson = "Who"\nhours = "Time (h)"\n'
                 'client = "Customer"\n')
    r = import_file(store, ADMIN, f, mapping=m)
    assert (r.format, r.imported, r.hours) == ("mapped-time", 2, 3.5)
    m.write_text('kind = "time"\n[columns]\nwork_date = "Date"\nhours = "Time (h)"\n')
    with pytest.raises(IngestError, match="column\\(s\\) not in the file's header: work_date → 'Date'"):
        import_file(store, ADMIN, f, mapping=m)


# ---------------------------------------------------------------- nothing lost, nothing doubled


def test_superset_export_adds_only_new_rows(store, tmp_path):
    lines = (FIX / "tempo.csv").read_text().splitlines()
    first = tmp_path / "jan-a.csv"
    first.write_text("\n".join(lines[:3]) + "\n")
    assert import_file(store, ADMIN, first).imported == 2
    r = import_file(store, ADMIN, FIX / "tempo.csv")
    assert (r.imported, r.duplicates) == (2, 2)
    assert scalar(store.cursor(), "SELECT sum(hours) FROM time_entries") == pytest.approx(7.75)


@pytest.mark.parametrize("first, second, added", [
    (["2026-01-05,A,2,review"], ["2026-01-05,A,2,review"] * 2, 1),  # the second copy is a real repeat
    (["2026-01-05,A,2,review"] * 2, ["2026-01-05,A,2,review"] * 2, 0),
    (["2026-01-05,,2,"], ["2026-01-05,,2,"], 0),  # blank person and description still match
    (["2026-01-05,A,2,review"], ["2026-01-05,A,2,Review"], 1),  # another description: another entry
    (["2026-01-05,A,2,review"], ["2026-01-05,A,2.5,review", "2026-01-06,A,2,review"], 2),
])
def test_reimport_counts_identical_entries(store, tmp_path, first, second, added):
    """An entry matches the store by its fields and its occurrence within the file."""
    for name, rows, expected in (("a.csv", first, len(first)), ("b.csv", second, added)):
        f = tmp_path / name
        f.write_text("date,person,hours,description\n" + "".join(r + "\n" for r in rows))
        r = import_file(store, ADMIN, f)
        assert (r.imported, r.duplicates) == (expected, len(rows) - expected)
    assert scalar(store.cursor(), "SELECT count(*) FROM time_entries") == len(first) + added


def test_identical_entries_match_by_count_after_an_undo(store, tmp_path):
    """One copy in the first file, two in the second; undoing the first leaves one, which matches."""
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    one.write_text("date,person,hours\n2026-01-05,A,2\n")
    two.write_text("date,person,hours\n2026-01-05,A,2\n2026-01-05,A,2\n")
    first = import_file(store, ADMIN, one)
    assert import_file(store, ADMIN, two).imported == 1
    undo_batch(store, ADMIN, first.batch)
    assert import_file(store, ADMIN, one).imported == 0
    assert import_file(store, ADMIN, two).imported == 1
    assert scalar(store.cursor(), "SELECT count(*) FROM time_entries") == 2


CLEAN_TIME = """date,person,hours,billable,client,project,account,issue_key,description,start,end
2026-01-05,Ann,1.5,yes,Hedera,Theme,Hedera,HU-1,Colours,09:00,10:30
2026-01-05,Ann,1.5,no,Hedera,Theme,Hedera,HU-1,Colours,09:00,10:30
2026-01-05,,2,,,,Affogato,,,,
2026-01-06,Bob,0.25,yes,Hedera,Theme,Hedera,HU-2,Review,23:50,00:05
2026-01-05,Ann,1.5,yes,Hedera,Theme,Hedera,HU-1,Colours,09:00,10:30
2026-01-05,,2,,,,Affogato,,,,
"""
STORED = """SELECT tool, person, work_date, started_at, hours, billable, client, project, account, issue_key,
                   description FROM time_entries WHERE batch_id = ? ORDER BY ALL"""


def test_bulk_path_stores_what_the_general_path_stores(tmp_path, monkeypatch):
    """A tool's first export goes in with one statement; the rows must be exactly the general path's."""
    from sales.ingest import pipeline
    f = tmp_path / "t.csv"
    f.write_text(CLEAN_TIME)
    bulk_store, general_store = Store(tmp_path / "a.duckdb"), Store(tmp_path / "b.duckdb")
    with monkeypatch.context() as m:  # the general path must not run for a clean first export
        m.setattr(pipeline, "_run", lambda *a: pytest.fail("general path used"))
        bulk = import_file(bulk_store, ADMIN, f)
    other = tmp_path / "other.csv"
    other.write_text(CLEAN_TIME.splitlines()[0] + "\n2026-01-06,Zed,1,yes,,,X,,,,\n")
    import_file(general_store, ADMIN, other)  # a stored entry within the file's dates: the general path runs
    with monkeypatch.context() as m:
        m.setattr(pipeline, "_run_bulk", lambda *a: pytest.fail("bulk path used"))
        general = import_file(general_store, ADMIN, f)
    for r in (bulk, general):
        assert (r.rows_read, r.imported, r.duplicates, r.rejected, r.skipped) == (6, 6, 0, 0, 0)
        assert r.hours == pytest.approx(1.5 * 3 + 2 * 2 + 0.25)
    rows = bulk_store.cursor().execute(STORED, [bulk.batch]).fetchall()
    assert rows == general_store.cursor().execute(STORED, [general.batch]).fetchall()
    assert sorted(r[1] or "" for r in rows) == ["", "", "Ann", "Ann", "Ann", "Bob"]  # repeats are kept
    assert import_file(bulk_store, ADMIN, f).imported == 0  # and a re-import matches them


@pytest.mark.parametrize("stored, sample_rows, tried, bulk", [
    ("2025-12-31,Ann,1.5,yes,Hedera,Theme,Hedera,HU-1,Colours,09:00,10:30", 2000, True, True),  # an earlier period
    ("2026-01-06,Bob,0.25,yes,Hedera,Theme,Hedera,HU-2,Review,23:50,00:05", 2000, False, False),  # the same days
    # the first rows' dates say "new period", a later row says otherwise: the bulk attempt rolls back
    ("2026-01-06,Bob,0.25,yes,Hedera,Theme,Hedera,HU-2,Review,23:50,00:05", 2, True, False),
])
def test_next_period_goes_in_by_bulk_and_overlaps_are_matched(store, tmp_path, monkeypatch, stored, sample_rows,
                                                               tried, bulk):
    from sales.ingest import pipeline, reader
    head = CLEAN_TIME.splitlines()[0]
    earlier, f = tmp_path / "earlier.csv", tmp_path / "t.csv"
    earlier.write_text(f"{head}\n{stored}\n")
    import_file(store, ADMIN, earlier)
    f.write_text(CLEAN_TIME)
    monkeypatch.setattr(reader, "SAMPLE_ROWS", sample_rows)
    general, attempt, attempts = pipeline._run, pipeline._run_bulk, []
    monkeypatch.setattr(pipeline, "_run", lambda *a, **k: pytest.fail("general path") if bulk else general(*a, **k))
    monkeypatch.setattr(pipeline, "_run_bulk", lambda *a: attempts.append(1) or attempt(*a))
    r = import_file(store, ADMIN, f)
    assert bool(attempts) == tried
    assert (r.imported, r.duplicates) == ((6, 0) if bulk else (5, 1))
    assert scalar(store.cursor(), "SELECT count(*) FROM import_batches") == 2


@pytest.mark.parametrize("extra, line, skipped", [
    ("2026-01-07,Cy,lots,yes,,,Hedera,,,,\n", 8, 0),  # a bad value
    ("2026-01-07,Cy,1,yes,,,Hedera,,,,,EXTRA\n", 8, 0),  # a malformed record
    ("Total,,12.25,,,,,,,,\n", None, 1),  # a total row
])
def test_bulk_path_hands_problem_files_to_the_general_path(store, tmp_path, extra, line, skipped):
    f = tmp_path / "t.csv"
    f.write_text(CLEAN_TIME + extra)
    r = import_file(store, ADMIN, f)
    assert [x.line for x in r.rejects] == ([line] if line else [])
    assert (r.batch, r.imported, r.skipped) == (1, 6, skipped)  # the abandoned attempt left no trace
    cur = store.cursor()
    assert (scalar(cur, "SELECT count(*) FROM import_batches"), scalar(cur, "SELECT count(*) FROM time_entries")) == (
        1, 6)


def test_undo_removes_one_batch(store):
    a = import_file(store, ADMIN, FIX / "tempo.csv")
    b = import_file(store, ADMIN, FIX / "leads_canonical.csv")
    removed = undo_batch(store, ADMIN, b.batch)
    assert removed["leads"] == 2 and removed["assessments"] == 2 and removed["lead_facts"] == 5
    assert removed["rejected_rows"] == 1
    cur = store.cursor()
    assert scalar(cur, "SELECT count(*) FROM leads") == 0
    assert scalar(cur, "SELECT count(*) FROM time_entries") == a.imported
    assert list_batches(cur)["batch"].tolist() == [a.batch]
    assert import_file(store, ADMIN, FIX / "leads_canonical.csv").imported == 2  # undone rows can come back
    with pytest.raises(IngestError, match="no import batch 999"):
        undo_batch(store, ADMIN, 999)


def test_aborted_import_leaves_store_unchanged(store, monkeypatch):
    import_file(store, ADMIN, FIX / "tempo.csv")
    cur = store.cursor()
    before = cur.execute("SELECT (SELECT count(*) FROM time_entries), (SELECT count(*) FROM import_batches), "
                         "(SELECT count(*) FROM rejected_rows)").fetchall()
    from sales.ingest import pipeline

    def crash(*a, **k):
        raise RuntimeError("disk full")
    monkeypatch.setattr(pipeline, "_write_rejects", crash)
    with pytest.raises(RuntimeError, match="disk full"):
        import_file(store, ADMIN, FIX / "toggl.csv")
    after = cur.execute("SELECT (SELECT count(*) FROM time_entries), (SELECT count(*) FROM import_batches), "
                        "(SELECT count(*) FROM rejected_rows)").fetchall()
    assert after == before


def test_batch_records_hash_and_counts(store):
    r = import_file(store, ADMIN, FIX / "toggl.csv")
    row = list_batches(store.cursor()).iloc[0]
    import hashlib
    assert row["sha256"] == hashlib.sha256((FIX / "toggl.csv").read_bytes()).hexdigest()
    assert (row["rows_read"], row["imported"], row["rejected"], row["hours"]) == (4, 3, 1, r.hours)


# ---------------------------------------------------------------- command line


def cli(*args):
    return subprocess.run([sys.executable, "-m", "sales", *map(str, args)], cwd=ROOT, capture_output=True, text=True)


def test_cli_import_json_imports_and_undo(tmp_path):
    db = tmp_path / "s.duckdb"
    r = cli("import", FIX / "toggl.csv", FIX / "hubspot_deals.csv", "--db", db, "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert [o["format"] for o in out] == ["toggl", "hubspot-deals"]
    t = out[0]
    assert {k: t[k] for k in ("file", "batch", "kind", "rows_read", "imported", "duplicates", "rejected")} == {
        "file": "toggl.csv", "batch": 1, "kind": "time", "rows_read": 4, "imported": 3, "duplicates": 0,
        "rejected": 1}
    assert t["hours"] == pytest.approx(28.25)
    assert t["rejects"] == [{"line": 5, "column": "Duration", "reason":
                             "duration '02:00:00' disagrees with the start and end times (1.00 h between them)"}]
    single = json.loads(cli("import", FIX / "toggl.csv", "--db", db, "--json").stdout)
    assert (single["imported"], single["duplicates"], single["already_imported"]) == (0, 3, 1)
    listing = json.loads(cli("imports", "--db", db, "--json").stdout)
    assert [b["batch"] for b in listing] == [2, 1]  # the same file again stores nothing new
    assert cli("undo", "1", "--db", db).returncode == 0
    with Store(db) as s:
        assert scalar(s.cursor(), "SELECT count(*) FROM time_entries") == 0


def test_cli_bad_file_exits_2_and_continues(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    r = cli("import", bad, FIX / "tempo.csv", "--db", tmp_path / "s.duckdb")
    assert r.returncode == 2
    assert "bad.csv: line 1: the header matches no known export layout" in r.stderr
    assert "tempo.csv: tempo → batch 1: 4 records = 4 imported, 0 duplicates, 0 rejected, 0 skipped" in r.stdout


def test_cli_waits_its_turn_then_says_the_store_is_busy(tmp_path):
    db = tmp_path / "s.duckdb"
    with Store(db):  # held for good, unlike a dashboard, which lets the file go when idle
        r = subprocess.run([sys.executable, "-m", "sales", "import", str(FIX / "tempo.csv"), "--db", str(db)],
                           cwd=ROOT, capture_output=True, text=True, env={**os.environ, "SALES_STORE_WAIT": "1"})
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "waiting for the store" in r.stderr and "is open in another program" in r.stderr


def test_cli_import_and_report_beside_a_store_that_lets_go_when_idle(tmp_path):
    db = tmp_path / "s.duckdb"
    with Store(db, idle_release=0.5) as dashboard:
        assert scalar(dashboard.cursor(), "SELECT count(*) FROM time_entries") == 0  # in use now
        imported = cli("import", FIX / "tempo.csv", "--db", db)
        report = cli("report", "budget", "--db", db, "--format", "json")
        assert imported.returncode == 0 and report.returncode == 0, imported.stderr + report.stderr
        assert scalar(dashboard.cursor(), "SELECT count(*) FROM time_entries") == 4  # and back in use


def test_dry_run_reports_without_writing(store):
    preview = import_file(store, ADMIN, FIX / "toggl.csv", dry_run=True)
    assert (preview.batch, preview.imported, preview.rejected, preview.hours) == (None, 3, 1, 28.25)
    cur = store.cursor()
    assert cur.execute("SELECT (SELECT count(*) FROM time_entries), (SELECT count(*) FROM import_batches), "
                       "(SELECT count(*) FROM rejected_rows)").fetchall() == [(0, 0, 0)]
    real = import_file(store, ADMIN, FIX / "toggl.csv")
    assert (real.batch, real.imported, real.rejected, real.hours) == (1, 3, 1, 28.25)  # no gap left by the preview


def test_mapping_as_a_dict(store, tmp_path):
    f = tmp_path / "odd.csv"
    f.write_text("Day;Who;Time (h)\n05.01.2026;Ana;1,5\n")
    r = import_file(store, ADMIN, f, mapping={"kind": "time", "columns": {"work_date": "Day", "person": "Who",
                                                                   "hours": "Time (h)"}})
    assert (r.format, r.imported, r.hours) == ("mapped-time", 1, 1.5)
    with pytest.raises(IngestError, match="'kind' must be one of"):
        import_file(store, ADMIN, f, mapping={"kind": "nope", "columns": {}})


# ---------------------------------------------------------------- progress


def test_long_statements_report_duckdb_progress_within_their_share():
    """A statement of a second or so reports rising fractions between its bounds while it runs."""
    import time

    from sales.ingest.pipeline import _tracked
    cur, rows = duckdb.connect().cursor(), 300_000_000
    for _ in range(4):  # a faster machine gets a longer statement, so that there is progress to see
        seen, started = [], time.perf_counter()
        got = _tracked(cur, "SELECT count(*), sum(hash(range) % 2) FROM range(?)", [rows],
                       lambda f, m, seen=seen: seen.append((f, m)), 0.2, 0.8, "importing")
        if seen or time.perf_counter() - started > 1.0:
            break
        rows *= 4
    assert got[0][0] == rows and 0 < got[0][1] < rows
    assert seen and all(0.2 <= f <= 0.8 and m == "importing" for f, m in seen)
    assert [f for f, _ in seen] == sorted(f for f, _ in seen)


def test_a_watcher_that_goes_away_stops_the_statement():
    from sales.ingest.pipeline import _tracked

    class Gone(Exception):
        pass

    def leave(_f, _m):
        raise Gone()

    cur = duckdb.connect().cursor()
    with pytest.raises(Gone):
        _tracked(cur, "SELECT sum(hash(range) % 2) FROM range(?)", [30_000_000_000], leave, 0, 1, "")
    assert cur.execute("SELECT 42").fetchall() == [(42,)]  # interrupted, and the cursor is usable again


def test_undo_refuses_to_remove_what_people_added_to_imported_leads(store):
    from sales.workbench import add_note, save_assessment, set_fact
    from tests.conftest import BIZDEV

    batch = import_file(store, ADMIN, FIX / "pipedrive_deals.csv").batch
    cur = store.cursor()
    hedera = scalar(cur, "SELECT id FROM leads WHERE external_id = '17'")
    affogato = scalar(cur, "SELECT id FROM leads WHERE external_id = '18'")
    add_note(store, BIZDEV, hedera, "problem", "Their site cannot scale")
    save_assessment(store, BIZDEV, hedera, {"need": 2}, {})
    set_fact(store, BIZDEV, affogato, "responsive", True)
    counts = ("SELECT (SELECT count(*) FROM leads), (SELECT count(*) FROM lead_activity), "
              "(SELECT count(*) FROM assessments)")
    before = cur.execute(counts).fetchall()
    with pytest.raises(IngestError) as e:
        undo_batch(store, ADMIN, batch)
    # a note writes the note and its log line; an assessment and a tick (no stage move: Affogato was never
    # scored) each write a log line
    assert str(e.value) == (f"batch {batch} created leads that people have worked on since: "
                            "Affogato LMS (1 gate tick, 1 note); Hedera microdegrees (1 assessment, 3 notes). "
                            "Undo would remove their work, so nothing was changed.")
    assert cur.execute(counts).fetchall() == before
