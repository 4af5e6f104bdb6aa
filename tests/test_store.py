"""The store: schema version, migration, transactions and the locked-file message."""

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from sales.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    Store,
    StoreLockedError,
    StoreReadOnlyError,
    StoreUnusableError,
    connect,
    is_empty,
    migrate,
    scalar,
)
from tests.conftest import ADMIN, ROOT


def test_new_store_has_current_schema(store):
    cur = store.cursor()
    assert scalar(cur, "SELECT version FROM schema_info") == SCHEMA_VERSION
    tables = {r[0] for r in cur.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"leads", "assessments", "stage_events", "lead_facts", "time_entries", "budgets",
            "import_batches", "rejected_rows", "lead_activity"} <= tables
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


# ---------------------------------------------------------------- stores that are not what they should be

def _demo_store(tmp_path, name="s.duckdb"):
    from sales.demo import write_demo

    path = tmp_path / name
    with Store(path) as s:
        write_demo(s, ADMIN, leads=12, time_entries=40, seed=3)
    return path


def _read_only(tmp_path):
    path = _demo_store(tmp_path)
    path.chmod(0o444)  # nobody may write it: honoured even when the tests run as root
    return path


def _read_only_and_old(tmp_path):
    path = _demo_store(tmp_path)
    con = duckdb.connect(str(path))
    con.execute("UPDATE schema_info SET version = ?", [SCHEMA_VERSION - 1])
    con.close()
    path.chmod(0o444)
    return path


def _not_duckdb(tmp_path):
    path = tmp_path / "notes.duckdb"
    path.write_text("lead,owner\nAcme,Bo\n")
    return path


def _truncated(tmp_path):
    path = _demo_store(tmp_path)
    os.truncate(path, 4096)  # the header survives, the rest is gone
    return path


def _newer(tmp_path):
    path = _demo_store(tmp_path)
    con = duckdb.connect(str(path))
    con.execute("UPDATE schema_info SET version = 99")
    con.close()
    return path


def _fifo(tmp_path):
    path = tmp_path / "pipe.duckdb"
    os.mkfifo(path)  # opening it would wait for a writer forever
    return path


def _folder(tmp_path):
    path = tmp_path / "folder.duckdb"
    path.mkdir()
    return path


def _device(tmp_path):
    return Path(os.devnull)


def _under_a_file(tmp_path):
    (tmp_path / "plain.txt").write_text("x")
    return tmp_path / "plain.txt" / "s.duckdb"


# condition → (how to make it, what the sentence says; None: it opens read-only and reads work)
STORE_CONDITIONS = {
    "read-only": (_read_only, None),
    "read-only and older": (_read_only_and_old, "is read-only and was written by an older version of this program "
                                                f"(schema version {SCHEMA_VERSION - 1}, this code needs "
                                                f"{SCHEMA_VERSION}); upgrading it writes to it"),
    "not a DuckDB file": (_not_duckdb, "is not a DuckDB store file (it is damaged or another kind of file)"),
    "truncated": (_truncated, "is not a DuckDB store file (it is damaged or another kind of file)"),
    "newer schema": (_newer, "was written by a newer version of this program (store schema version 99 is newer "
                             f"than this code's {SCHEMA_VERSION}): update the program"),
    "FIFO": (_fifo, "is a named pipe (FIFO), not a store file"),
    "folder": (_folder, "is a folder, not a store file"),
    "device": (_device, "is a device, not a store file"),
    "inside a file": (_under_a_file, "cannot be created in"),
}


@pytest.mark.parametrize("condition", list(STORE_CONDITIONS))
def test_a_store_that_is_not_what_it_should_be_gets_a_sentence(tmp_path, condition):
    make, sentence = STORE_CONDITIONS[condition]
    path = make(tmp_path)
    if sentence is None:
        with Store(path) as s:
            assert s.read_only
            assert scalar(s.cursor(), "SELECT count(*) FROM leads") == 12  # reads work
            with pytest.raises(StoreReadOnlyError, match="is read-only, so writes are off: nothing was changed"):
                with s.transaction() as cur:
                    cur.execute("DELETE FROM leads")
            assert scalar(s.cursor(), "SELECT count(*) FROM leads") == 12
        return
    with pytest.raises(StoreUnusableError) as e:
        Store(path)
    assert str(e.value).startswith(f"The store {path} ")
    assert sentence in str(e.value)
    assert "\n" not in str(e.value)


def test_a_writable_store_is_not_read_only(store):
    assert not store.read_only


READS = [["imports"], ["imports", "--json"], ["mappings"], ["access", "list"], ["report", "priorities"],
         ["report", "budget", "--format", "csv"], ["digest"], ["demo", "--if-empty"]]
WRITES = [["import", str(ROOT / "tests" / "fixtures" / "toggl.csv")], ["undo", "1"], ["demo", "--leads", "3"],
          ["access", "grant", "ana@agency.example", "viewer"], ["access", "revoke", "ana@agency.example"]]


@pytest.mark.parametrize("condition", list(STORE_CONDITIONS))
def test_every_command_says_what_is_wrong_with_the_store_in_one_line(tmp_path, capsys, condition):
    from sales.cli import main

    make, sentence = STORE_CONDITIONS[condition]
    path = make(tmp_path)
    for args in READS + WRITES:
        code = main([*args, "--db", str(path)])
        out, err = capsys.readouterr()
        if sentence is None and args in READS:  # a read-only store: reading commands work
            assert code == 0, (args, err)
            continue
        assert code == 2, (args, out, err)
        line = ("is read-only, so writes are off: nothing was changed" if sentence is None else sentence)
        assert err.count("\n") == 1 and err.startswith("error: ") and line in err, (args, err)
    if sentence is None:
        with Store(path) as s:  # nothing was written by any of the refused commands
            assert scalar(s.cursor(), "SELECT count(*) FROM leads") == 12
            assert scalar(s.cursor(), "SELECT count(*) FROM access_grants") == 0


@pytest.mark.parametrize("condition", ["read-only", "not a DuckDB file", "newer schema", "FIFO", "folder"])
def test_the_command_line_exits_2_without_a_traceback(tmp_path, condition):
    make, sentence = STORE_CONDITIONS[condition]
    path = make(tmp_path)
    r = subprocess.run([sys.executable, "-m", "sales", "import", str(ROOT / "tests" / "fixtures" / "toggl.csv"),
                        "--db", str(path)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert (sentence or "is read-only, so writes are off") in r.stderr
