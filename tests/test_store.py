"""The store: schema version, migration, transactions and the locked-file message."""

import os
import subprocess
import sys

import duckdb
import pytest

from sales.store import MIGRATIONS, SCHEMA_VERSION, Store, StoreLockedError, connect, is_empty, migrate, scalar
from tests.conftest import ADMIN, ROOT


def test_new_store_has_current_schema(store):
    cur = store.cursor()
    assert scalar(cur, "SELECT version FROM schema_info") == SCHEMA_VERSION
    tables = {r[0] for r in cur.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"leads", "assessments", "stage_events", "lead_facts", "time_entries", "budgets",
            "import_batches", "rejected_rows", "lead_notes"} <= tables
    assert is_empty(cur)


def test_reopening_does_not_migrate_again(tmp_path):
    path = tmp_path / "s.duckdb"
    Store(path).close()
    con = connect(path)
    assert migrate(con) == SCHEMA_VERSION
    con.close()


def test_v1_time_entries_keep_their_rows_without_the_md5_key(tmp_path):
    """Schema 1 keyed entries with a stored md5; schema 2 drops it and keeps every row in order."""
    path = tmp_path / "v1.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_info (version INTEGER NOT NULL); INSERT INTO schema_info VALUES (1)")
    for stmt in MIGRATIONS[0]():
        con.execute(stmt)
    rows = [(1, "A", "2026-01-05", 2.0, "review", 11), (1, "A", "2026-01-05", 2.0, "review", 12),
            (2, "B", "2026-01-06", 1.5, None, 13)]
    con.executemany("""INSERT INTO time_entries (batch_id, source, person, work_date, hours, description, entry_key)
                       VALUES (?, 'tempo', ?, ?, ?, ?, ?)""", rows)
    con.close()
    cur = connect(path)
    assert scalar(cur, "SELECT version FROM schema_info") == SCHEMA_VERSION
    got = cur.execute("SELECT batch_id, person, work_date::VARCHAR, hours, description FROM time_entries").fetchall()
    assert got == [r[:5] for r in rows]
    assert "entry_key" not in [r[0] for r in cur.execute("DESCRIBE time_entries").fetchall()]
    cur.close()


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "s.duckdb"
    con = connect(path)
    con.execute("UPDATE schema_info SET version = 99")
    con.close()
    with pytest.raises(RuntimeError, match="schema version 99 is newer"):
        connect(path)


def test_transaction_rolls_back_on_error(store):
    with pytest.raises(RuntimeError, match="crash"):
        with store.transaction() as cur:
            cur.execute("INSERT INTO leads (id, source_system, name) VALUES (1, 'x', 'A')")
            raise RuntimeError("crash mid-import")
    assert scalar(store.cursor(), "SELECT count(*) FROM leads") == 0


def test_level_check_constraint(store):
    with pytest.raises(Exception, match="CHECK"):
        with store.transaction() as cur:
            cur.execute("INSERT INTO assessments (lead_id, assessed_at, rubric_version, need) "
                        "VALUES (1, now(), 'v', 3)")


def test_second_process_gets_a_clear_message(tmp_path):
    path = tmp_path / "locked.duckdb"
    with Store(path):
        with pytest.raises(StoreLockedError, match="is open in another program"):
            # a second connection in this process shares the lock; a second process does not
            code = ("import sys; from sales.store import Store, StoreLockedError\n"
                    "try:\n    Store(sys.argv[1])\nexcept StoreLockedError as e:\n    print(e); sys.exit(3)")
            r = subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, capture_output=True, text=True)
            assert r.returncode == 3, r.stderr
            assert "Traceback" not in r.stderr
            raise StoreLockedError(r.stdout)


def test_cli_reports_lock_without_traceback(tmp_path):
    path = tmp_path / "locked.duckdb"
    with Store(path):
        r = subprocess.run([sys.executable, "-m", "sales", "demo", "--db", str(path)], cwd=ROOT,
                           capture_output=True, text=True, env={**os.environ, "SALES_STORE_WAIT": "1"})
    assert r.returncode == 2
    assert "is open in another program" in r.stderr and "Traceback" not in r.stderr


def test_data_version_changes_when_an_older_batch_is_undone(tmp_path):
    """Undoing a batch that only changed a lead's amount, or imported nothing, under a later batch."""
    from sales.ingest import import_file, undo_batch
    from sales.queries import data_version
    fix = ROOT / "tests" / "fixtures"
    lines = (fix / "pipedrive_deals.csv").read_text().splitlines()
    dearer = tmp_path / "deals.csv"
    dearer.write_text("\n".join([lines[0], lines[1].replace('"85,000.00"', '"95,000.00"')]) + "\n")
    with Store(tmp_path / "s.duckdb") as store:
        import_file(store, ADMIN, fix / "pipedrive_deals.csv")
        update = import_file(store, ADMIN, dearer)
        again = tmp_path / "deals-again.csv"  # the same rows in another file (the same file stores nothing)
        again.write_text(dearer.read_text() + "\n")
        nothing = import_file(store, ADMIN, again)  # every row already there
        assert (update.updated, nothing.imported, nothing.updated) == (1, 0, 0)
        import_file(store, ADMIN, fix / "tempo.csv")
        for batch in (update.batch, nothing.batch):
            before = data_version(store.cursor())
            undo_batch(store, ADMIN, batch)
            assert data_version(store.cursor()) != before


def test_a_process_whose_store_lets_go_when_idle_exits_cleanly(tmp_path):
    """The dashboard's store closes its connection from a background thread when idle. A process that ended
    while that thread was inside DuckDB's close used to abort ("FATAL: exception not rethrown", exit 134):
    with the file let go every few milliseconds this happened on every exit."""
    path = tmp_path / "idle.duckdb"
    Store(path).close()
    script = f"""
import time
from sales.store import Store
s = Store({str(path)!r}, idle_release=0.002)
for _ in range(5):
    cur = s.cursor(); cur.execute("SELECT count(*) FROM leads").fetchall(); del cur
    time.sleep(0.003)
"""
    for _ in range(3):
        done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr[-500:]
