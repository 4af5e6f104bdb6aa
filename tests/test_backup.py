"""Backups of the store (consistent while other programs use it) and restoring one, into a fresh clone too."""

import os
import re
import subprocess
import sys
import time

import duckdb

from sales import access
from sales.backup import read
from sales.contacts import log_contact
from sales.ingest import import_file
from sales.store import MIGRATIONS, SCHEMA_VERSION, Store, scalar
from sales.workbench import add_note, save_assessment
from tests.cli_runner import cli_fixture  # noqa: F401 (the cli fixture)
from tests.conftest import ADMIN, BIZDEV, ROOT

FIXTURES = ROOT / "tests" / "fixtures"
LEVELS = dict(people_profile=2, need=2, budget=1, contract_type=1, prestige=0, market_niche=1, internal_bias=2)


def run(*args: str, env: dict | None = None):
    """A command as another program runs it (a cron job, a shell beside the dashboard)."""
    return subprocess.run([sys.executable, "-m", "sales", *args], cwd=ROOT, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})})




def team_store(path) -> None:
    """A team's month: two CRM leads (L-1 Hedera University, L-2 Affogato International; L-3 rejected), three
    time entries (2 + 2 + 0.5 h), three budgets (one row rejected), two grants, an assessment, a note and a
    logged contact on Hedera."""
    with Store(path) as s:
        for name in ("leads_canonical.csv", "time_canonical.csv", "budgets.csv"):
            import_file(s, ADMIN, FIXTURES / name)
        access.grant(s, ADMIN, "ana@agency.example", "bizdev")
        access.set_crm_owner(s, ADMIN, "ana@agency.example", "Amara")
        access.grant(s, ADMIN, "*@agency.example", "viewer")
        hedera = scalar(s.cursor(), "SELECT id FROM leads WHERE external_id = 'L-1'")
        save_assessment(s, BIZDEV, hedera, LEVELS, {"prestige": "Not known outside its region"})
        add_note(s, BIZDEV, hedera, "meeting_prep", "Ask Jimmy about the microdegree budget")
        log_contact(s, BIZDEV, hedera, "call", "Called Jimmy")


def dump(path) -> dict:
    with Store(path) as s:
        cur = s.cursor()
        tables = [r[0] for r in cur.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        return {t: cur.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in tables}  # noqa: S608


def written_to(stdout: str):
    return re.search(r"written to (\S+) \(", stdout).group(1)


def test_a_backup_restored_into_a_fresh_clone_holds_everything(tmp_path):
    db = tmp_path / "team" / "sales.duckdb"
    db.parent.mkdir()
    team_store(db)
    before = dump(db)
    (tmp_path / "backups").mkdir()
    made = run("backup", str(tmp_path / "backups"), "--db", str(db))
    assert made.returncode == 0, made.stderr
    # a folder gets a dated file named after the store
    assert re.fullmatch(r"sales-\d{8}-\d{6}\.duckdb", os.path.basename(written_to(made.stdout)))
    assert f"schema {SCHEMA_VERSION}: 2 leads, 3 time entries, 3 assessments, " in made.stdout

    # a fresh clone: a new empty folder, the store where SALES_DB says, never opened before
    clone = tmp_path / "clone" / "data" / "sales.duckdb"
    back = run("restore", written_to(made.stdout), env={"SALES_DB": str(clone)})
    assert back.returncode == 0, back.stderr
    assert "kept as" not in back.stdout  # nothing to keep: the new store had never held anything
    after = dump(clone)
    assert {t: rows for t, rows in after.items() if t != "audit_log"} == \
        {t: rows for t, rows in before.items() if t != "audit_log"}
    assert after["audit_log"][:-1] == before["audit_log"] and after["audit_log"][-1][3] == "restore"

    with Store(clone) as s:
        cur = s.cursor()
        assert cur.execute("SELECT who, role, crm_owner FROM access_grants ORDER BY who").fetchall() == [
            ("*@agency.example", "viewer", None), ("ana@agency.example", "bizdev", "Amara")]
        assert [r[0] for r in cur.execute("SELECT kind FROM audit_log ORDER BY id").fetchall()] == [
            "import", "import", "import", "role", "role", "role", "assessment", "note", "touch", "restore"]
        assert cur.execute("SELECT file_name, imported, rejected FROM import_batches ORDER BY id").fetchall() == [
            ("leads_canonical.csv", 2, 1), ("time_canonical.csv", 3, 0), ("budgets.csv", 3, 1)]
        assert scalar(cur, "SELECT sum(hours) FROM time_entries") == 4.5
        hedera = scalar(cur, "SELECT id FROM leads WHERE external_id = 'L-1'")
        latest = cur.execute("""SELECT people_profile, need, budget, contract_type, prestige, market_niche,
                                       internal_bias, prestige_comment FROM assessments
                                WHERE lead_id = ? ORDER BY id DESC LIMIT 1""", [hedera]).fetchall()[0]
        assert latest == (2, 2, 1, 1, 0, 1, 2, "Not known outside its region")
        notes = {r[0] for r in cur.execute("SELECT body FROM lead_activity WHERE lead_id = ?", [hedera]).fetchall()}
        assert "Ask Jimmy about the microdegree budget" in notes
        assert cur.execute("SELECT channel, note FROM lead_contacts WHERE lead_id = ?", [hedera]).fetchall() == [
            ("call", "Called Jimmy")]
        assert scalar(cur, "SELECT count(*) FROM rejected_rows") == 2  # L-3 and the budget for month 2026-xx
        newest = scalar(cur, "SELECT max(id) FROM assessments")
        # the sequences came back at their values: the next assessment follows the last one
        assert save_assessment(s, BIZDEV, hedera, LEVELS, {}) == newest + 1
        # and what the store knew of the CRM: the same export again adds nothing
        assert import_file(s, ADMIN, FIXTURES / "leads_canonical.csv").imported == 0


WRITER = """
import sys, time
from pathlib import Path
from sales.store import Store
db, started, stop = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
i = 0
while not stop.exists():
    with Store(db, wait=300) as s, s.transaction() as cur:
        cur.execute("INSERT INTO lead_activity (lead_id, kind, body, written_by) VALUES (1, 'log', ?, 'w'), "
                    "(1, 'log', ?, 'w')", [f"pair {i}", f"pair {i}"])
    i += 1
    started.touch()
    time.sleep(0.01)
print(i)
"""


def test_backups_taken_while_another_program_writes_are_consistent(tmp_path):
    """A writer adds notes two at a time in one transaction each, opening and closing the store as a
    command-line import does; every backup taken meanwhile holds whole pairs only."""
    db, started, stop = tmp_path / "s.duckdb", tmp_path / "started", tmp_path / "stop"
    Store(db).close()
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(started), str(stop)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        while not started.exists():
            assert writer.poll() is None, "the writer stopped"
            time.sleep(0.05)
        copies = []
        for n in range(3):
            made = run("backup", str(tmp_path / f"b{n}.duckdb"), "--db", str(db))
            assert made.returncode == 0, made.stderr
            copies.append(tmp_path / f"b{n}.duckdb")
    finally:
        stop.touch()
        pairs = int(writer.communicate(timeout=300)[0])
    for copy in copies:
        con = duckdb.connect(str(copy), read_only=True)
        counts = con.execute("SELECT body, count(*) FROM lead_activity GROUP BY body").fetchall()
        assert counts and all(n == 2 for _, n in counts), counts
        assert scalar(con, "SELECT version FROM schema_info") == SCHEMA_VERSION
        con.close()
    assert read(copies[-1]).counts["lead_activity"] <= 2 * pairs


def test_a_backup_waits_for_a_dashboard_to_let_the_store_go(tmp_path):
    db = tmp_path / "s.duckdb"
    team_store(db)
    with Store(db, wait=60, idle_release=0.3) as dashboard:
        assert scalar(dashboard.cursor(), "SELECT count(*) FROM leads") == 2
        made = run("backup", str(tmp_path / "b.duckdb"), "--db", str(db))
        assert made.returncode == 0, made.stderr
        assert scalar(dashboard.cursor(), "SELECT count(*) FROM leads") == 2  # and the dashboard goes on
    assert read(tmp_path / "b.duckdb").counts["leads"] == 2


def test_a_backup_never_overwrites_without_force(tmp_path, cli):
    db, target = tmp_path / "s.duckdb", tmp_path / "b.duckdb"
    team_store(db)
    target.write_text("keep me", encoding="utf-8")
    refused = cli("backup", str(target), "--db", str(db))
    assert refused.returncode == 2 and "exists: name another file, or pass --force" in refused.stderr
    assert target.read_text(encoding="utf-8") == "keep me"
    assert cli("backup", str(target), "--db", str(db), "--force").returncode == 0
    assert read(target).counts["leads"] == 2


def test_restore_asks_before_replacing_a_store_with_data_and_keeps_the_replaced_one(tmp_path, cli):
    source, db = tmp_path / "source.duckdb", tmp_path / "live" / "sales.duckdb"
    with Store(source) as s:
        import_file(s, ADMIN, FIXTURES / "time_canonical.csv")  # 3 time entries, no leads
    cli("backup", str(tmp_path / "b.duckdb"), "--db", str(source))
    db.parent.mkdir()
    with Store(db) as s:
        import_file(s, ADMIN, FIXTURES / "leads_canonical.csv")  # 2 leads, no time entries

    refused = cli("restore", str(tmp_path / "b.duckdb"), "--db", str(db))
    assert refused.returncode == 2 and "nothing restored" in refused.stderr
    assert f"holds schema {SCHEMA_VERSION}: 2 leads, 0 time entries" in refused.stdout
    assert read(db).counts["leads"] == 2

    done = cli("restore", str(tmp_path / "b.duckdb"), "--db", str(db), "--force")
    assert done.returncode == 0, done.stderr
    kept = re.search(r"kept as (\S+)", done.stdout).group(1)
    assert re.fullmatch(r"sales\.replaced-\d{8}-\d{6}\.duckdb", os.path.basename(kept))
    assert os.path.dirname(kept) == str(db.parent)
    assert (read(kept).counts["leads"], read(kept).counts["time_entries"]) == (2, 0)
    assert (read(db).counts["leads"], read(db).counts["time_entries"]) == (0, 3)


def test_restore_refuses_a_backup_from_a_newer_version_and_changes_nothing(tmp_path, cli):
    db, newer = tmp_path / "s.duckdb", tmp_path / "newer.duckdb"
    team_store(db)
    cli("backup", str(newer), "--db", str(db))
    con = duckdb.connect(str(newer))
    con.execute("UPDATE schema_info SET version = ?", [SCHEMA_VERSION + 1])
    con.close()
    before = dump(db)
    r = cli("restore", str(newer), "--db", str(db), "--force")
    assert r.returncode == 2
    assert (f"written by a newer version of this dashboard (schema {SCHEMA_VERSION + 1}; this one reads up to "
            f"{SCHEMA_VERSION}): update the code first") in r.stderr
    assert dump(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["newer.duckdb", "s.duckdb"]  # no copy kept: nothing done


def test_a_backup_from_an_older_version_is_migrated_on_restore(tmp_path, cli):
    old = tmp_path / "v8.duckdb"
    con = duckdb.connect(str(old))
    con.execute("CREATE TABLE schema_info (version INTEGER NOT NULL); INSERT INTO schema_info VALUES (8)")
    for step in MIGRATIONS[:8]:
        for stmt in step():
            con.execute(stmt)
    con.execute("INSERT INTO leads (id, source_system, external_id, name) VALUES (1, 'hubspot', '7', 'Old lead')")
    con.close()
    db = tmp_path / "s.duckdb"
    r = cli("restore", str(old), "--db", str(db))
    assert r.returncode == 0, r.stderr
    with Store(db) as s:
        cur = s.cursor()
        assert scalar(cur, "SELECT version FROM schema_info") == SCHEMA_VERSION
        assert scalar(cur, "SELECT name FROM leads") == "Old lead"
        assert scalar(cur, "SELECT count(*) FROM digest_deliveries") == 0  # schema 9's table is there


def test_restore_names_a_file_that_is_no_backup(tmp_path, cli):
    text = tmp_path / "notes.txt"
    text.write_text("not a database", encoding="utf-8")
    r = cli("restore", str(text), "--db", str(tmp_path / "s.duckdb"))
    assert r.returncode == 2 and f"{text}: not a store backup DuckDB can read" in r.stderr
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    r = cli("restore", str(other), "--db", str(tmp_path / "s.duckdb"))
    assert r.returncode == 2 and "not a store of this dashboard (no schema_info table)" in r.stderr
    r = cli("restore", str(tmp_path / "missing.duckdb"), "--db", str(tmp_path / "s.duckdb"))
    assert r.returncode == 2 and "missing.duckdb: no such file" in r.stderr
