"""From the demo to a team's own data: removing every demo row and nothing else, and seeding demo data
(``make run``) only into a store nothing was ever written to."""

import json

import pytest

from sales import access, audit
from sales.access import AccessDenied, signed_in
from sales.demo import write_demo
from sales.demo_rows import demo_rows, never_used, remove_demo
from sales.ingest import import_file
from sales.queries import store_summary
from sales.store import Store, scalar
from sales.workbench import add_note, save_assessment
from tests.cli_runner import cli_fixture  # noqa: F401 (the cli fixture)
from tests.conftest import ADMIN, ANCHOR, BIZDEV, ROOT, VIEWER

FIXTURES = ROOT / "tests" / "fixtures"
LEVELS = dict(people_profile=2, need=2, budget=1, contract_type=1, prestige=0, market_niche=1, internal_bias=2)


def dump(cur) -> dict:
    """Every table but the audit trail (which only grows), row by row."""
    tables = [r[0] for r in cur.execute("SELECT table_name FROM information_schema.tables "
                                        "WHERE table_name <> 'audit_log' ORDER BY 1").fetchall()]
    return {t: cur.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in tables}  # noqa: S608


def team_store(store) -> None:
    """A team's own work: a CRM export (leads L-1 and L-2; L-3 is rejected), a time export (3 entries,
    4.5 h), a grant, and a note on the imported Hedera University."""
    import_file(store, ADMIN, FIXTURES / "leads_canonical.csv")
    import_file(store, ADMIN, FIXTURES / "time_canonical.csv")
    access.grant(store, ADMIN, "ana@agency.example", "bizdev")
    hedera = scalar(store.cursor(), "SELECT id FROM leads WHERE external_id = 'L-1'")
    add_note(store, BIZDEV, hedera, "log", "Called Jimmy about the microdegree")


def demo_lead(store, name: str) -> int:
    return scalar(store.cursor(), "SELECT id FROM leads WHERE is_demo AND name = ?", [name])


def test_removal_takes_every_demo_row_and_people_s_work_on_demo_leads_and_nothing_else(store):
    team_store(store)
    cur = store.cursor()
    before, trail_before = dump(cur), scalar(cur, "SELECT count(*) FROM audit_log")
    assert not store_summary(cur).is_demo

    write_demo(store, ADMIN, leads=30, time_entries=50, anchor=ANCHOR)
    hedera_demo = demo_lead(store, "Hedera University")  # the handbook example, not the imported one
    save_assessment(store, BIZDEV, hedera_demo, LEVELS, {})
    add_note(store, BIZDEV, hedera_demo, "log", "Demo call")
    cur = store.cursor()
    assert store_summary(cur).is_demo

    found = demo_rows(cur)
    # asked for 30 leads and 50 time entries; work: the assessment and the note above, one audit row each
    assert found.rows["leads"] == 30 and found.rows["time_entries"] == 50
    assert found.work == {"assessment": 1, "note": 1}
    text = found.sentence()
    assert text.startswith("Removes 30 demo leads with ")
    assert "50 demo time entries" in text
    assert "Work people entered on demo leads goes with them: 1 assessment, 1 note." in text
    assert text.endswith("Grants, the audit trail and imported data stay.")

    removed = remove_demo(store, ADMIN)
    cur = store.cursor()
    assert removed.rows == found.rows
    assert dump(cur) == before  # imports, grants, the note on the real lead: exactly as before the demo
    assert scalar(cur, "SELECT count(*) FROM leads") == 2
    assert not store_summary(cur).is_demo and demo_rows(cur).total == 0
    # the trail kept everything (demo load, assessment, note) and gained the removal with its counts
    assert scalar(cur, "SELECT count(*) FROM audit_log") == trail_before + 4
    kind, actor, old, new = cur.execute("SELECT kind, actor, old_value, new_value FROM audit_log "
                                        "ORDER BY id DESC LIMIT 1").fetchall()[0]
    assert (kind, actor) == ("demo_removed", "admin@agency.example")
    assert json.loads(old)["leads"] == 30 and json.loads(old)["time_entries"] == 50
    assert json.loads(new) == {"people's work on demo leads": {"assessment": 1, "note": 1}}


def test_nobody_s_work_is_said_when_there_is_none(store):
    write_demo(store, ADMIN, leads=5, time_entries=0, anchor=ANCHOR)
    text = demo_rows(store.cursor()).sentence()
    assert "Nobody has entered anything on the demo leads." in text and "time entr" not in text


def test_a_new_lead_never_takes_the_id_of_a_removed_demo_lead_named_in_the_audit_trail(store):
    write_demo(store, ADMIN, leads=5, time_entries=0, anchor=ANCHOR)
    worked = demo_lead(store, "Ms. Brown's 5th Grade Class")  # the last of the five: the highest id
    add_note(store, BIZDEV, worked, "log", "Demo note")
    remove_demo(store, ADMIN)
    import_file(store, ADMIN, FIXTURES / "leads_canonical.csv")
    cur = store.cursor()
    assert scalar(cur, "SELECT min(id) FROM leads") == worked + 1
    # the demo-era note's audit row still names no real lead
    rows = audit.trail(cur, ADMIN, audit.AuditFilter(lead_id=worked))
    assert len(rows) == 1 and rows["lead"].isna().all()


def test_removal_needs_the_admin_role_read_inside_its_transaction(store):
    write_demo(store, ADMIN, leads=5, time_entries=10, anchor=ANCHOR)
    with pytest.raises(AccessDenied, match="may not load or remove demo data: that needs the admin role"):
        remove_demo(store, VIEWER)
    # a signed-in admin whose grant has gone since their page opened
    access.grant(store, ADMIN, "boss@agency.example", "admin")
    access.grant(store, ADMIN, "gone@agency.example", "admin")
    access.revoke(store, ADMIN, "gone@agency.example")
    with pytest.raises(AccessDenied):
        remove_demo(store, signed_in("gone@agency.example", "admin"))
    assert demo_rows(store.cursor()).rows["leads"] == 5


def test_cli_remove_asks_before_taking_people_s_work(tmp_path, cli):
    db = tmp_path / "d.duckdb"
    with Store(db) as s:
        write_demo(s, ADMIN, leads=30, time_entries=20, anchor=ANCHOR)
        add_note(s, BIZDEV, demo_lead(s, "Hedera University"), "log", "Demo call")
    refused = cli("demo", "--remove", "--db", str(db))
    assert refused.returncode == 2
    assert "Work people entered on demo leads goes with them: 1 note." in refused.stdout
    assert "nothing removed" in refused.stderr
    with Store(db) as s:
        assert demo_rows(s.cursor()).rows["leads"] == 30

    done = cli("demo", "--remove", "--yes", "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert "demo data removed, " in done.stdout
    assert "leads 30" in done.stdout and "time_entries 20" in done.stdout and "lead_activity 1" in done.stdout
    again = cli("demo", "--remove", "--db", str(db))
    assert again.returncode == 0 and "no demo data; nothing removed" in again.stdout


def test_cli_remove_without_people_s_work_needs_no_yes(tmp_path, cli):
    db = tmp_path / "d.duckdb"
    with Store(db) as s:
        write_demo(s, ADMIN, leads=5, time_entries=0, anchor=ANCHOR)
    r = cli("demo", "--remove", "--db", str(db))
    assert r.returncode == 0, r.stderr
    with Store(db) as s:
        assert scalar(s.cursor(), "SELECT count(*) FROM leads") == 0


@pytest.mark.parametrize("history, seeded", [
    ("nothing", True),
    ("a grant only", False),
    ("a demo that was removed", False),
    ("demo data already", False),
    ("an import that was undone", False),
])
def test_make_run_seeds_only_a_store_nothing_was_ever_written_to(tmp_path, cli, history, seeded):
    db = tmp_path / "s.duckdb"
    with Store(db) as s:
        if history == "a grant only":
            access.grant(s, ADMIN, "boss@agency.example", "admin")
        elif history == "a demo that was removed":
            write_demo(s, ADMIN, leads=5, time_entries=0, anchor=ANCHOR)
            remove_demo(s, ADMIN)
        elif history == "demo data already":
            write_demo(s, ADMIN, leads=5, time_entries=0, anchor=ANCHOR)
        elif history == "an import that was undone":
            from sales.ingest import undo_batch

            undo_batch(s, ADMIN, import_file(s, ADMIN, FIXTURES / "leads_canonical.csv").batch)
        assert never_used(s.cursor()) is seeded
        leads_before = scalar(s.cursor(), "SELECT count(*) FROM leads")
    r = cli("demo", "--if-new", "--leads", "20", "--time-entries", "30", "--db", str(db))
    assert r.returncode == 0, r.stderr
    with Store(db) as s:
        assert scalar(s.cursor(), "SELECT count(*) FROM leads") == (20 if seeded else leads_before)
    if not seeded:
        assert "demo not written" in r.stderr


def test_make_run_uses_the_seeding_rule():
    assert "-m sales demo --if-new" in (ROOT / "Makefile").read_text(encoding="utf-8")
