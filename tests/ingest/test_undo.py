"""An undo is refused for the reasons ``undo_refusal`` gives, and only for those: the Upload page asks the same
function before it offers the undo, so what it warns of is what the undo would say."""

from pathlib import Path

import pytest

from sales.access import AccessDenied
from sales.ingest import IngestError, import_file, undo_batch
from sales.ingest.batches import undo_refusal
from sales.store import Store, scalar
from tests.conftest import ADMIN, BIZDEV, VIEWER

FIX = Path(__file__).resolve().parent.parent / "fixtures"
HEADER = (FIX / "pipedrive_deals.csv").read_text().splitlines()[0]
# a later Pipedrive export: deal 17 (batch 1's) won at 90,000, and a new deal 20
LATER = "\n".join([
    HEADER,
    '17,Hedera microdegrees,"90,000.00",USD,Negotiations Started,won,Amara Okafor,2026-01-10 09:00:00,'
    '2026-03-01 10:00:00,,Hedera University',
    "20,Edly pilot,5000,USD,Lead In,open,Chen Wei,2026-03-02 09:00:00,,,Edly"]) + "\n"


def two_imports(store: Store, tmp_path: Path) -> None:
    """Batch 1: deals 17, 18, 19 (pipedrive_deals.csv). Batch 2: deal 17 changed, deal 20 new."""
    later = tmp_path / "pipedrive-march.csv"
    later.write_text(LATER)
    assert import_file(store, ADMIN, FIX / "pipedrive_deals.csv").batch == 1
    r = import_file(store, ADMIN, later)
    assert (r.batch, r.imported, r.updated) == (2, 1, 1)


def counts(store: Store) -> tuple:
    with store.cursor() as cur:
        return cur.execute("""SELECT (SELECT count(*) FROM leads), (SELECT count(*) FROM lead_updates),
                                     (SELECT count(*) FROM import_batches)""").fetchone()


def test_an_import_under_a_later_one_is_refused_and_the_later_one_is_not(store, tmp_path):
    two_imports(store, tmp_path)
    cur = store.cursor()
    # batch 2 changed deal 17, which batch 1 created: batch 1 waits for batch 2's undo; nothing is on top of 2
    said = undo_refusal(cur, ADMIN, 1)
    assert isinstance(said, IngestError)
    assert str(said) == "batch 2 changed leads of batch 1 afterwards; undo batch 2 first"
    assert undo_refusal(cur, ADMIN, 2) is None
    before = counts(store)  # 4 leads (17, 18, 19, 20), 1 update (17's), 2 batches
    assert before == (4, 1, 2)
    with pytest.raises(IngestError) as e:
        undo_batch(store, ADMIN, 1)
    assert str(e.value) == str(said)  # the undo says what the question said
    assert counts(store) == before
    # once batch 2 is undone, nothing stands on batch 1 any more
    undo_batch(store, ADMIN, 2)
    assert counts(store) == (3, 0, 1)
    assert undo_refusal(cur, ADMIN, 1) is None


def test_leads_people_worked_on_a_role_that_may_not_and_a_batch_gone_are_refused(store, tmp_path):
    from sales.workbench import add_note

    two_imports(store, tmp_path)
    cur = store.cursor()
    edly = scalar(cur, "SELECT id FROM leads WHERE external_id = '20'")  # created by batch 2
    add_note(store, BIZDEV, edly, "problem", "Wants a pilot first")
    # a note is the note and its line in the lead's log: 2 notes on Edly pilot
    worked = ("batch 2 created leads that people have worked on since: Edly pilot (2 notes). "
              "Undo would remove their work, so nothing was changed.")
    assert str(undo_refusal(cur, ADMIN, 2)) == worked
    before = counts(store)
    with pytest.raises(IngestError, match=r"Edly pilot \(2 notes\)"):
        undo_batch(store, ADMIN, 2)
    assert counts(store) == before
    # the role comes first: a viewer is told so whatever the batch
    said = undo_refusal(cur, VIEWER, 2)
    assert isinstance(said, AccessDenied)
    assert str(said) == ("viewer@agency.example has the viewer role and may not undo an import: that needs the admin "
                         "role")
    assert str(undo_refusal(cur, ADMIN, 9)) == "no import batch 9"
    with pytest.raises(IngestError, match="no import batch 9"):
        undo_batch(store, ADMIN, 9)


def test_a_time_import_is_never_refused_for_what_came_after(store, tmp_path):
    # toggl.csv: 3 entries (its line 5 rejected); a time import has no rule of its own against its undo
    assert import_file(store, ADMIN, FIX / "toggl.csv").batch == 1
    assert undo_refusal(store.cursor(), ADMIN, 1) is None
    assert undo_batch(store, ADMIN, 1)["time_entries"] == 3


def test_a_refusal_keeps_no_cursor_so_the_dashboard_lets_the_file_go(tmp_path):
    """A refused undo, and a refusal the page keeps, hold no cursor: the dashboard's store lets the file go when
    idle, so the command line can take its turn (without this, a revoked admin's click held the file forever)."""
    import gc
    import time

    from sales.access import Actor, grant

    db = tmp_path / "s.duckdb"
    with Store(db) as s:
        import_file(s, ADMIN, FIX / "pipedrive_deals.csv")
        grant(s, ADMIN, "gone@agency.example", "admin")
        with s.transaction() as cur:  # revoked after their page opened
            cur.execute("DELETE FROM access_grants WHERE who = 'gone@agency.example'")
    gone = Actor("gone@agency.example", "admin", granted=True)  # the page still holds them as admin
    store = Store(db, idle_release=0.2)
    gc.disable()  # what keeps the file must go by reference counting, not whenever the collector runs
    try:
        kept = undo_refusal(store.cursor(), gone, 1)  # the page's answer, kept in its cache
        assert isinstance(kept, AccessDenied)
        with pytest.raises(AccessDenied):
            undo_batch(store, gone, 1)
        deadline = time.monotonic() + 10
        while store.is_open and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not store.is_open
    finally:
        gc.enable()
        store.close()
