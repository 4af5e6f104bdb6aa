"""Spreadsheets import as the same rows in CSV do (issue 22 item 1): every preset and a saved mapping give the
same store from a CSV and from an .xlsx of typed cells; rejects name the spreadsheet row; a grouped Odoo export's
group rows are skipped and counted; ``--sheet`` picks a sheet."""

import json
import os
import subprocess
import sys
from datetime import date, datetime, time
from pathlib import Path

import pytest

from sales.ingest import IngestError, import_file
from sales.ingest.formats import PRESETS
from sales.store import Store
from tests.conftest import ADMIN, ROOT
from tests.ingest.xlsx import from_csv, write_rows

FIX = ROOT / "tests" / "fixtures"

# preset: (fixture, date layout of its non-ISO dates, decimal comma)
PRESET_FILES = {
    "hubspot-deals": ("hubspot_deals.csv", None, False),
    "hubspot-contacts": ("hubspot_contacts.csv", None, False),
    "pipedrive-deals": ("pipedrive_deals.csv", None, False),
    "salesforce-report": ("salesforce_report.csv", "%m/%d/%Y", False),
    "zoho-leads": ("zoho_leads.csv", None, False),
    "zoho-deals": ("zoho_backup_deals.csv", None, False),
    "zoho-contacts": ("zoho_backup_contacts.csv", None, False),
    "zoho-accounts": ("zoho_backup_accounts.csv", None, False),
    "odoo-crm": ("odoo_crm.csv", None, False),
    "canonical-leads": ("leads_canonical.csv", None, False),
    "tempo": ("tempo.csv", None, False),
    "jira-log-work": ("jira_log_work.csv", None, False),
    "toggl": ("toggl.csv", None, False),
    "clockify": ("clockify.csv", "%m/%d/%Y", False),
    "harvest": ("harvest_de.csv", "%d.%m.%Y", True),
    "kimai": ("kimai_en.csv", None, False),
    "freshbooks": ("freshbooks.csv", None, False),
    "canonical-time": ("time_canonical.csv", None, False),
    "canonical-budgets": ("budgets.csv", None, False),
    "canonical-people": ("team/people.csv", None, False),
    "canonical-time-off": ("team/time_off.csv", None, False),
}
MAP = {"kind": "time", "columns": {"work_date": "Worklog date", "person": "Logged by", "hours": "Time spent (h)",
                                   "issue_key": "Issue", "description": "Worklog comment"}}


def test_every_preset_has_a_file_here():
    assert sorted(PRESET_FILES) == sorted(f.name for f in PRESETS)


def contents(store: Store, since: datetime) -> dict[str, list]:
    """Every table's rows, sorted; a file's fingerprint, the moments stamped by the import and a rejected row's
    raw text (a sheet's 100 is the CSV's "100.00") left out."""
    out = {}
    with store.cursor() as cur:
        tables = cur.execute("""SELECT table_name, list(column_name ORDER BY column_index),
                                       list(data_type ORDER BY column_index) FROM duckdb_columns()
                                WHERE schema_name = 'main' AND NOT internal GROUP BY 1 ORDER BY 1""").fetchall()
        for table, columns, types in tables:
            picked = [f'CASE WHEN "{c}" >= ? THEN \'(now)\' ELSE "{c}"::VARCHAR END'
                      if t.startswith("TIMESTAMP") and c.endswith("_at") else f'"{c}"::VARCHAR'
                      for c, t in zip(columns, types) if c not in ("sha256", "raw")]
            n = sum(p.startswith("CASE") for p in picked)
            out[table] = sorted(cur.execute(f"SELECT {', '.join(picked)} FROM {table}", [since] * n).fetchall(),
                                key=repr)
    return out


def imported_store(tmp_path: Path, name: str, path: Path, before: Path | None = None, **kw) -> tuple[dict, object]:
    since = datetime.now().replace(microsecond=0)  # the store keeps whole seconds
    with Store(tmp_path / f"{name}.duckdb") as store:
        if before is not None:
            import_file(store, ADMIN, before)
        r = import_file(store, ADMIN, path, name="export", **kw)
        return contents(store, since), r


@pytest.mark.parametrize("preset", list(PRESET_FILES))
def test_a_preset_imports_the_same_store_from_csv_and_xlsx(tmp_path, preset):
    fixture, date_format, comma = PRESET_FILES[preset]
    sheet = from_csv(FIX / fixture, tmp_path / "export.xlsx", date_format, comma)
    before = FIX / "team" / "people.csv" if preset == "canonical-time-off" else None  # time off of known people
    from_text, r_csv = imported_store(tmp_path, "csv", FIX / fixture, before)
    from_sheet, r_xlsx = imported_store(tmp_path, "xlsx", sheet, before)
    assert r_csv.format == r_xlsx.format == preset
    assert r_csv.imported > 0
    counts = ("records", "imported", "duplicates", "updated", "rejected", "skipped", "hours")
    assert [getattr(r_xlsx, c) for c in counts] == [getattr(r_csv, c) for c in counts]
    assert [(x.line, x.column, x.reason) for x in r_xlsx.rejects] == [(x.line, x.column, x.reason)
                                                                      for x in r_csv.rejects]
    assert from_sheet == from_text


def test_a_saved_mapping_reads_the_same_rows_from_xlsx(tmp_path):
    sheet = from_csv(FIX / "worklog_other_app.csv", tmp_path / "export.xlsx", "%d-%b-%Y  %I:%M:%S %p")
    from_text, r_csv = imported_store(tmp_path, "csv", FIX / "worklog_other_app.csv", mapping=MAP)  # saved
    from_sheet, r_xlsx = imported_store(tmp_path, "xlsx", sheet, mapping=MAP)
    # two entries and a total line (skipped) in both
    assert (r_xlsx.imported, r_xlsx.skipped, r_xlsx.hours) == (r_csv.imported, r_csv.skipped, r_csv.hours) == (
        2, 1, 1.5 + 2)
    assert from_sheet == from_text


def test_cells_arrive_as_the_sheet_stores_them(store, tmp_path):
    # true dates, a date-time, a time of day, a number with a binary fraction (0.1 + 0.2 shows as 0.3),
    # a duration over a day; every value hand-worked below
    path = write_rows(tmp_path / "toggl.xlsx", {"Time": [
        ["User", "Email", "Client", "Project", "Description", "Billable", "Start date", "Start time", "End date",
         "End time", "Duration"],
        ["Jimmy Page", "jimmy@example.org", "Hedera University", "Microdegree", "Theme", "Yes",
         datetime(2026, 1, 5), time(9, 0), datetime(2026, 1, 5), time(10, 30), time(1, 30)],
        ["Mira Kaur", "mira@example.org", "Affogato International", "Courses", "Import", "No",
         datetime(2026, 1, 6), time(23, 30), datetime(2026, 1, 7), time(0, 15), time(0, 45)],
    ]})
    r = import_file(store, ADMIN, path)
    assert (r.format, r.imported, r.rejected) == ("toggl", 2, 0)
    with store.cursor() as cur:
        rows = cur.execute("SELECT person, work_date, started_at, hours, billable FROM time_entries "
                           "ORDER BY work_date").fetchall()
    assert rows == [("Jimmy Page", date(2026, 1, 5), datetime(2026, 1, 5, 9, 0), 1.5, True),
                    ("Mira Kaur", date(2026, 1, 6), datetime(2026, 1, 6, 23, 30), 0.75, False)]


def test_a_bad_row_is_named_by_its_spreadsheet_row(store, tmp_path):
    # two blank rows above the header (row 3); a description over three lines in row 4: the bad hours in
    # row 5 are reported as row 5, not as the text's line 3 or 5 (the line of the CSV written from it)
    path = write_rows(tmp_path / "kimai.xlsx", {"Times": [
        [], [],
        ["Date", "From", "To", "Duration", "Rate", "User", "Customer", "Project", "Activity", "Description"],
        [datetime(2026, 1, 5), time(9), time(10, 30), 1.5, 150.0, "jpage", "Hedera University", "Microdegree",
         "Development", "Colours\nfonts\nspacing"],
        [datetime(2026, 1, 6), time(14), time(14, 45), "lots", 0.0, "mkaur", "Affogato International", "Courses",
         "Support", "Call"],
        [datetime(2026, 1, 7), time(9), time(10), 1.0, 0.0, "mkaur", "Affogato International", "Courses",
         "Support", "Call"],
    ]})
    r = import_file(store, ADMIN, path)
    assert (r.imported, r.rejected) == (2, 1)
    assert [(x.line, x.column) for x in r.rejects] == [(5, "Duration")]
    with store.cursor() as cur:
        assert cur.execute("SELECT line, \"column\" FROM rejected_rows").fetchall() == [(5, "Duration")]
        assert cur.execute("SELECT description FROM time_entries WHERE hours = 1.5").fetchall() == [
            ("Colours\nfonts\nspacing",)]


ODOO = ["Opportunity", "Customer", "Salesperson", "Stage", "Expected Revenue", "Probability", "Expected Closing"]


def test_a_grouped_odoo_export_skips_and_counts_its_group_rows(store, tmp_path):
    # Odoo's list export grouped by stage, then salesperson: a header row per group with its record count and
    # the subtotal of Expected Revenue (and of Probability, an integer column, written as text), a blank row
    # between stages. 2 stage groups + 2 salesperson groups = 4 group rows, skipped; the blank row is no
    # record at all. A deal called "Pilot (2)" is data (it has a customer), and so is a row shaped like a group
    # whose count is wrong ("Stray (4)" with no rows after it): 6 deals, 10 records.
    rows = [
        ODOO,
        ["Won (3)", None, None, None, 121000.0, "300", None],
        ["    Amara Okafor (2)", None, None, None, 103000.0, "200", None],
        ["Hedera microdegrees", "Hedera University", "Amara Okafor", "Won", 85000.0, 100.0, datetime(2026, 3, 31)],
        ["Affogato LMS", "Affogato International", "Amara Okafor", "Won", 18000.0, 100.0, datetime(2026, 2, 15)],
        ["    Bruno Costa (1)", None, None, None, 18000.0, "100", None],
        ["Pilot (2)", "Lagos Learning", "Bruno Costa", "Won", 18000.0, 100.0, datetime(2026, 4, 1)],
        [],
        ["Proposition (2)", None, None, None, 7500.0, "120", None],
        ["Campus Nord", "Campus Nord", "Chen Wei", "Proposition", 5000.0, 60.0, datetime(2026, 5, 1)],
        ["Brown class", None, "Chen Wei", "Proposition", 2500.0, 60.0, datetime(2026, 6, 1)],
        ["Stray (4)", None, None, None, 1.0, None, None],
    ]
    r = import_file(store, ADMIN, write_rows(tmp_path / "crm.lead.xlsx", {"Sheet1": rows}))
    assert (r.format, r.imported, r.skipped, r.rejected, r.records) == ("odoo-crm", 6, 4, 0, 10)
    with store.cursor() as cur:
        leads = cur.execute("SELECT name, status, amount FROM leads ORDER BY amount DESC, name").fetchall()
        skipped = cur.execute("SELECT rows_read, imported, rejected FROM import_batches").fetchall()
    assert leads == [("Hedera microdegrees", "won", 85000.0), ("Affogato LMS", "won", 18000.0),
                     ("Pilot (2)", "won", 18000.0), ("Campus Nord", "open", 5000.0), ("Brown class", "open", 2500.0),
                     ("Stray (4)", "open", 1.0)]
    assert skipped == [(6, 6, 0)]


def test_a_sheet_is_chosen_by_name_and_a_missing_one_names_the_sheets(store, tmp_path):
    odoo = [ODOO, ["Hedera microdegrees", "Hedera University", "Amara Okafor", "Won", 85000.0, 100.0,
                   datetime(2026, 3, 31)]]
    notes = [["Notes"], ["exported by hand"]]
    path = write_rows(tmp_path / "pipeline.xlsx", {"Notes": notes, "Deals": odoo})
    with pytest.raises(IngestError, match=r"pipeline\.xlsx: sheet 'Notes' holds no export: its first row, row 1, "
                                          r"has a single value where the header should be; its sheets: 'Notes', "):
        import_file(store, ADMIN, path)  # the first sheet is read unless another is named
    with pytest.raises(IngestError, match=r"pipeline\.xlsx: has no sheet named 'Leads'; its sheets: 'Notes', "
                                          r"'Deals'"):
        import_file(store, ADMIN, path, sheet="Leads")
    r = import_file(store, ADMIN, path, sheet="Deals")
    assert (r.format, r.imported) == ("odoo-crm", 1)


def test_the_command_line_imports_a_sheet(tmp_path):
    odoo = [ODOO, ["Hedera microdegrees", "Hedera University", "Amara Okafor", "Won", 85000.0, 100.0,
                   datetime(2026, 3, 31)]]
    path = write_rows(tmp_path / "pipeline.xlsx", {"Notes": [["Notes"]], "Deals": odoo})
    db = tmp_path / "cli.duckdb"

    def run(*args):
        return subprocess.run([sys.executable, "-m", "sales", "import", str(path), "--db", str(db), *args],
                              cwd=ROOT, capture_output=True, text=True)

    missing = run("--sheet", "Leads")
    assert missing.returncode == 2
    assert "pipeline.xlsx: has no sheet named 'Leads'; its sheets: 'Notes', 'Deals'" in missing.stderr
    done = run("--sheet", "Deals", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["imported"] == 1


def test_a_damaged_spreadsheet_is_refused_by_name(store, tmp_path):
    path = tmp_path / "deals.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    with pytest.raises(IngestError, match=r"deals\.xlsx: this is a binary file that no spreadsheet reader"):
        import_file(store, ADMIN, path)


def test_a_workbook_is_converted_once_for_its_preview_and_its_import(store, tmp_path, monkeypatch):
    """The Upload page previews a file (a dry run) and then imports it: the workbook is read once for both, and
    the import stores what the preview promised. A changed file (new size, or only a new modification time) is
    read again."""
    from sales.ingest import sheets

    opened = []
    real = sheets._open
    monkeypatch.setattr(sheets, "_open", lambda path, display: opened.append(path.name) or real(path, display))
    deals = [ODOO,
             ["Hedera microdegrees", "Hedera University", "Amara Okafor", "Won", 85000.0, 100.0, datetime(2026, 3, 31)],
             ["Affogato LMS", "Affogato International", "Amara Okafor", "Won", 18000.0, 100.0, datetime(2026, 2, 15)],
             ["Campus Nord", "Campus Nord", "Chen Wei", "Proposition", "lots", 60.0, datetime(2026, 5, 1)]]
    book = write_rows(tmp_path / "deals.xlsx", {"Deals": deals})
    # rows 2 and 3 new; row 4's revenue "lots" unreadable: 3 records, 2 new, 1 with a problem, in row 4
    expected = (3, 2, 0, 1, [(4, "Expected Revenue")])

    def seen(r):
        return r.records, r.imported, r.duplicates, r.rejected, [(x.line, x.column) for x in r.rejects]

    preview = import_file(store, ADMIN, book, dry_run=True)  # the page's preview: the first sheet, unnamed
    assert (preview.batch, seen(preview)) == (None, expected)
    with store.cursor() as cur:
        assert cur.execute("SELECT count(*) FROM leads").fetchall() == [(0,)]  # a preview stores nothing
    done = import_file(store, ADMIN, book, sheet="Deals")  # the page's import names the sheet it described
    assert (done.batch, seen(done)) == (1, expected)
    assert opened == ["deals.xlsx"]  # one conversion for both
    with store.cursor() as cur:
        assert cur.execute("SELECT name, status, amount FROM leads ORDER BY name").fetchall() == [
            ("Affogato LMS", "won", 18000.0), ("Hedera microdegrees", "won", 85000.0)]
        assert cur.execute('SELECT batch_id, line, "column" FROM rejected_rows').fetchall() == [
            (1, 4, "Expected Revenue")]

    # the same file with one more deal (a new size): read again; the two stored deals are already there
    write_rows(book, {"Deals": deals + [["Brown class", None, "Chen Wei", "Proposition", 2500.0, 60.0,
                                         datetime(2026, 6, 1)]]})
    again = import_file(store, ADMIN, book, dry_run=True)
    assert seen(again) == (4, 1, 2, 1, [(4, "Expected Revenue")])
    assert opened == ["deals.xlsx"] * 2
    assert seen(import_file(store, ADMIN, book, dry_run=True)) == (4, 1, 2, 1, [(4, "Expected Revenue")])
    assert len(opened) == 2  # unchanged since: not read again
    # the very same bytes with a later modification time: read again too
    st = book.stat()
    os.utime(book, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
    assert seen(import_file(store, ADMIN, book, dry_run=True)) == (4, 1, 2, 1, [(4, "Expected Revenue")])
    assert len(opened) == 3


def test_converted_sheets_are_few_and_deleted_when_dropped(tmp_path):
    """At most ``KEPT_SHEETS`` converted sheets stay on disk; the oldest one's text is deleted when a newer one
    comes, while a reader's own link to it stays whole."""
    from sales.ingest import sheets

    books = [write_rows(tmp_path / f"book{n}.xlsx", {"S": [["a", "b"], [float(n), "x"]]})
             for n in range(sheets.KEPT_SHEETS + 1)]
    work = tmp_path / "work"
    work.mkdir()
    first = sheets.converted(books[0], None, work / "first.csv")
    kept = sheets._kept.sheets[next(reversed(sheets._kept.sheets))].path  # the text kept for books[0]
    assert kept.read_text() == first.path.read_text() == "a,b\n0,x\n"
    for n, book in enumerate(books[1:], start=1):
        sheets.converted(book, None, work / f"{n}.csv")
    assert not kept.exists()  # pushed out by the fifth: deleted
    assert first.path.read_text() == "a,b\n0,x\n"  # the reader's link still reads
    assert len(sheets._kept.sheets) == sheets.KEPT_SHEETS
    # a kept text removed from under the process (a temp folder swept) is converted again, not a failure
    for kept in list(sheets._kept.sheets.values()):
        kept.path.unlink()
    again = sheets.converted(books[-1], None, work / "again.csv")
    assert again.path.read_text() == f"a,b\n{sheets.KEPT_SHEETS},x\n"
