"""Before an undo, one sentence says what it will do: hand-made exports through ``import`` → ``undo``
(the CLI prints it) and the Upload page's confirm step (which asks before anything is removed)."""

from datetime import date
from pathlib import Path

from sales.store import Store
from sales.undo_text import undo_sentence
from tests.cli_runner import cli_fixture as cli  # noqa: F401 (the fixture)
from tests.pages.conftest import fresh_cache, open_page  # noqa: F401 (autouse fixture)

FIX = Path(__file__).parent / "fixtures"
HEADER = (FIX / "pipedrive_deals.csv").read_text().splitlines()[0]
# a week later: deal 17 won at a higher value (changed), 18 as before (already there), 20 new,
# 21 with an amount nobody can read
LATER = "\n".join([
    HEADER,
    '17,Hedera microdegrees,"90,000.00",USD,Negotiations Started,won,Amara Okafor,2026-01-10 09:00:00,'
    '2026-03-01 10:00:00,,Hedera University',
    (FIX / "pipedrive_deals.csv").read_text().splitlines()[2],
    "20,Edly pilot,5000,USD,Lead In,open,Chen Wei,2026-03-02 09:00:00,,,Edly",
    "21,Nameless,lots,USD,Lead In,open,Chen Wei,2026-03-03 09:00:00,,,Nameless"]) + "\n"


def _imported_on(db: Path, batch: int, when: str) -> None:
    """Pin the import's date, so the sentence's date is hand-worked."""
    with Store(db) as s, s.transaction() as cur:
        cur.execute("UPDATE import_batches SET imported_at = ?::TIMESTAMP WHERE id = ?", [when, batch])


def test_the_cli_says_what_undoing_a_crm_reexport_does(cli, tmp_path):  # noqa: F811
    db, later = tmp_path / "s.duckdb", tmp_path / "pipedrive-march.csv"
    later.write_text(LATER)
    assert cli("import", str(FIX / "pipedrive_deals.csv"), "--db", str(db)).returncode == 0
    assert cli("import", str(later), "--db", str(db)).returncode in (0, 1)
    _imported_on(db, 2, "2026-11-12 09:30")
    with Store(db) as s:
        # 4 lead rows read; 20 new, 17 changed, 18 already there, 21 rejected (amount "lots")
        assert undo_sentence(s.cursor(), 2, today=date(2026, 11, 30)) == (
            "Undo the import of pipedrive-march.csv (12 Nov, 4 leads): removes 1 new lead, restores 1 changed one "
            "and drops the list of its 1 row with problems; notes and assessments made since stay.")
        # another year names the year; a batch that is not there has no sentence
        assert undo_sentence(s.cursor(), 2, today=date(2027, 1, 4)).startswith(
            "Undo the import of pipedrive-march.csv (12 Nov 2026, 4 leads):")
        assert undo_sentence(s.cursor(), 9) is None
    ran = cli("undo", "2", "--db", str(db))
    assert ran.returncode == 0
    assert ran.stdout.splitlines()[0].startswith("Undo the import of pipedrive-march.csv (12 Nov")
    assert "removes 1 new lead, restores 1 changed one" in ran.stdout
    assert ran.stdout.splitlines()[-1] == "batch 2 undone."
    # the first import alone: three new leads, nothing changed
    _imported_on(db, 1, "2026-11-05 08:00")
    with Store(db) as s:
        assert undo_sentence(s.cursor(), 1, today=date(2026, 11, 30)) == (
            "Undo the import of pipedrive_deals.csv (5 Nov, 3 leads): removes 3 new leads; notes and assessments "
            "made since stay.")


def test_a_time_export_is_counted_in_entries_and_hours(cli, tmp_path):  # noqa: F811
    db = tmp_path / "s.duckdb"
    cli("import", str(FIX / "toggl.csv"), "--db", str(db))
    _imported_on(db, 1, "2026-02-01 17:00")
    with Store(db) as s:
        # toggl.csv: 4 records, 3 imported (28.25 h), line 5 rejected
        assert undo_sentence(s.cursor(), 1, today=date(2026, 11, 30)) == (
            "Undo the import of toggl.csv (1 Feb, 4 time entries): removes 3 time entries (28.25 h) and drops the "
            "list of its 1 row with problems.")


def test_the_upload_page_asks_before_it_undoes(monkeypatch, tmp_path):
    db = tmp_path / "s.duckdb"
    with Store(db) as s:
        from sales.ingest import import_file
        from tests.conftest import ADMIN

        import_file(s, ADMIN, FIX / "toggl.csv")
    _imported_on(db, 1, "2026-02-01 17:00")
    at = open_page(monkeypatch, db, "upload")
    at.button(key="undo").click().run()
    asked = [w.value for w in at.warning]
    assert any(w.startswith("Undo the import of toggl\\.csv \\(1 Feb") and "removes 3 time entries" in w
               for w in asked), asked
    with Store(db) as s:  # asking removed nothing
        assert s.cursor().execute("SELECT count(*) FROM time_entries").fetchall() == [(3,)]
    at.button(key="undo_no").click().run()
    assert not [w for w in at.warning if w.value.startswith("Undo the import")]
    at.button(key="undo").click().run()
    at.button(key="undo_yes").click().run()
    assert [s.value for s in at.success] == ["Batch 1 undone."]
    with Store(db) as s:
        assert s.cursor().execute("SELECT count(*) FROM time_entries").fetchall() == [(0,)]
