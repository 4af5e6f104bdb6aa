"""Re-exports: a CRM's modified time keeps its time of day, so the later of two exports of one day wins; and a
file imported again that adds nothing stores nothing new, its rejects included."""

import json
import subprocess
import sys
from datetime import datetime

import pytest

from sales.ingest import import_file, undo_batch
from sales.store import scalar
from tests.conftest import ADMIN, ROOT

DEALS = '"Record ID","Deal Name","Deal Stage","Close Date","Deal owner","Amount","Last Modified Date"\n'


def deals(tmp_path, name: str, stage: str, amount: int, modified: str):
    f = tmp_path / name
    f.write_text(DEALS + f'"9001","Hedera microdegrees","{stage}","2026-06-30 00:00","Amara Okafor","{amount}",'
                 f'"{modified}"\n')
    return f


def test_of_two_exports_of_one_day_the_later_wins_whichever_comes_first(store, tmp_path):
    morning = deals(tmp_path, "morning.csv", "Qualified To Buy", 80000, "2026-03-05 09:15")
    afternoon = deals(tmp_path, "afternoon.csv", "Contract Sent", 85000, "2026-03-05 16:40")
    held = "SELECT crm_stage, amount, crm_modified_at FROM leads"

    assert import_file(store, ADMIN, morning).imported == 1
    r = import_file(store, ADMIN, afternoon)
    assert (r.updated, r.stale) == (1, 0)
    assert store.cursor().execute(held).fetchall() == [("Contract Sent", 85000.0, datetime(2026, 3, 5, 16, 40))]

    r = import_file(store, ADMIN, morning)  # the morning's export again, after the afternoon's
    assert (r.updated, r.stale, r.stale_lines) == (
        0, 1, [(2, "modified 2026-03-05 09:15, older than the stored 2026-03-05 16:40")])
    assert store.cursor().execute(held).fetchall() == [("Contract Sent", 85000.0, datetime(2026, 3, 5, 16, 40))]


@pytest.mark.parametrize("written, kept", [
    ("2026-03-05 16:40", datetime(2026, 3, 5, 16, 40)),
    ("2026-03-05 16:40:12", datetime(2026, 3, 5, 16, 40, 12)),
    ("2026-03-05T16:40:12", datetime(2026, 3, 5, 16, 40, 12)),
    ("2026-03-05T16:40:12Z", datetime(2026, 3, 5, 16, 40, 12)),
    ("2026-03-05T17:40:12+01:00", datetime(2026, 3, 5, 16, 40, 12)),  # the same moment, written in Paris
    ("2026-03-05T11:40:12-0500", datetime(2026, 3, 5, 16, 40, 12)),
    ("03/05/2026 4:40 PM", datetime(2026, 3, 5, 16, 40)),  # HubSpot's month/day order
    ("2026-03-05", datetime(2026, 3, 5)),  # a date alone is its midnight
    ("2026-03-05 25:99", None),  # no time of day: rejected, not midnight
])
def test_modified_times_as_crms_write_them(store, tmp_path, written, kept):
    r = import_file(store, ADMIN, deals(tmp_path, "d.csv", "Contract Sent", 1, written))
    if kept is None:
        assert [(x.line, x.column, x.reason) for x in r.rejects] == [
            (2, "Last Modified Date", f"cannot read {written!r} as a date")]
    else:
        assert scalar(store.cursor(), "SELECT crm_modified_at FROM leads") == kept


def counts(store):
    cur = store.cursor()
    return [scalar(cur, f"SELECT count(*) FROM {t}") for t in ("import_batches", "rejected_rows", "time_entries")]


def test_the_same_file_again_stores_nothing_new_rejects_included(store, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("date,person,hours\n2026-03-02,Ana,lots\n2026-03-03,Bo,soon\n")
    first = import_file(store, ADMIN, bad)
    assert (first.batch, first.rejected, first.already_imported) == (1, 2, None)
    assert counts(store) == [1, 2, 0]
    again = import_file(store, ADMIN, bad)
    assert (again.batch, again.already_imported, again.rejected, [x.line for x in again.rejects]) == (1, 1, 2, [2, 3])
    assert "already imported as batch 1" in again.warnings[-1]
    assert counts(store) == [1, 2, 0]  # no second batch, no second copy of the rejects

    good = tmp_path / "good.csv"
    good.write_text("date,person,hours\n2026-03-02,Ana,1.5\n2026-03-03,Bo,2\n")
    assert (import_file(store, ADMIN, good).batch, counts(store)) == (2, [2, 2, 2])
    again = import_file(store, ADMIN, good)
    assert (again.batch, again.already_imported, again.imported, again.duplicates) == (2, 2, 0, 2)
    assert counts(store) == [2, 2, 2]
    preview = import_file(store, ADMIN, good, dry_run=True)
    assert (preview.already_imported, preview.imported) == (2, 0)

    # the same rows in other bytes are another file: recorded, as a batch that added nothing
    other = tmp_path / "good-again.csv"
    other.write_text(good.read_text() + "\n")
    r = import_file(store, ADMIN, other)
    assert (r.batch, r.already_imported, r.duplicates) == (3, None, 2)
    # and once the file's batch is undone, the file is new again
    undo_batch(store, ADMIN, 1)
    r = import_file(store, ADMIN, bad)
    assert (r.batch, r.already_imported, r.rejected) == (4, None, 2)
    assert counts(store) == [3, 2, 2]


def test_a_file_that_changes_leads_is_imported_again_after_an_undo_of_the_change(store, tmp_path):
    """Only a file that adds and changes nothing is turned away: one whose rows update leads is a new batch."""
    morning = deals(tmp_path, "morning.csv", "Qualified To Buy", 80000, "2026-03-05 09:15")
    afternoon = deals(tmp_path, "afternoon.csv", "Contract Sent", 85000, "2026-03-05 16:40")
    import_file(store, ADMIN, morning)
    change = import_file(store, ADMIN, afternoon)
    undo_batch(store, ADMIN, change.batch)
    r = import_file(store, ADMIN, afternoon)
    assert (r.updated, r.already_imported, r.batch) == (1, None, 2)


def cli(*args):
    return subprocess.run([sys.executable, "-m", "sales", *map(str, args)], cwd=ROOT, capture_output=True, text=True)


def test_the_command_line_says_the_file_is_already_imported(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("date,person,hours\n2026-03-02,Ana,lots\n")
    db = tmp_path / "s.duckdb"
    first = json.loads(cli("import", bad, "--json", "--db", db).stdout)
    r = cli("import", bad, "--json", "--db", db)
    again = json.loads(r.stdout)
    assert (first["batch"], first["already_imported"]) == (1, None)
    assert (again["batch"], again["already_imported"], again["rejected"], r.returncode) == (1, 1, 1, 2)
    text = cli("import", bad, "--db", db)
    assert "bad.csv: canonical-time → batch 1:" in text.stdout
    assert "warning: already imported as batch 1 (the same file)" in text.stdout
    listed = json.loads(cli("imports", "--json", "--db", db).stdout)
    assert [(b["batch"], b["rejected"]) for b in listed] == [(1, 1)]
    assert len(json.loads(cli("imports", "--rejects", "1", "--json", "--db", db).stdout)) == 1
