"""Backups of the store, and putting one back.

A backup is a DuckDB file of its own, written with DuckDB's ``COPY FROM DATABASE`` into a newly attached
file: tables with their constraints, sequences at their current values, every row. It is taken in one
transaction while this process holds the store file, and DuckDB lets one program at a time hold it, so
no other program writes during the copy: a dashboard lets the file go when idle and waits for its next
query, a command-line import waits its turn. The file appears under its name only once complete.

Restoring copies a backup into the store in one transaction (a failure leaves the store as it was),
after keeping the store it replaces as a backup file beside it; a backup from a newer schema version
is refused, an older one is migrated as any store is on open.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from sales import audit
from sales.access import Actor, authorise
from sales.sqltext import identifier
from sales.store import SCHEMA_VERSION, Store, migrate, scalar, stored_version
from sales.storefile import first_line

ALIAS = "sales_backup_file"  # the other file while it is attached
# what a summary of a store counts, in words
COUNTED = {"leads": "leads", "time_entries": "time entries", "assessments": "assessments", "lead_activity": "notes",
           "access_grants": "grants", "import_batches": "imports", "audit_log": "audit rows"}


class BackupError(ValueError):
    """A backup cannot be written or restored; the message names the file and the reason."""


@dataclass(frozen=True)
class StoreFile:
    """A store file's schema version and what it holds."""

    path: Path
    version: int
    counts: dict[str, int]

    def describe(self) -> str:
        held = ", ".join(f"{self.counts[t]:,} {words}" for t, words in COUNTED.items() if t in self.counts)
        return f"schema {self.version}: {held or 'nothing'}"


def _counts(cur: duckdb.DuckDBPyConnection, database: str) -> dict[str, int]:
    present = {r[0] for r in cur.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = ?",
                                         [database]).fetchall()}
    return {t: scalar(cur, f"SELECT count(*) FROM {identifier(database)}.main.{identifier(t)}")  # noqa: S608 (catalog)
            for t in COUNTED if t in present}


def summary(store: Store) -> StoreFile:
    cur = store.cursor()
    db = scalar(cur, "SELECT current_database()")
    return StoreFile(store.path, scalar(cur, "SELECT version FROM schema_info"), _counts(cur, db))


def read(path: Path | str) -> StoreFile:
    """What a backup file holds, read without changing it; BackupError when it is no usable store."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file" if not path.exists() else f"{path}: not a regular file")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as e:
        raise BackupError(f"{path}: not a store backup DuckDB can read ({first_line(e)})") from None
    try:
        db = scalar(con, "SELECT current_database()")
        version = stored_version(con)
        if version is None:
            raise BackupError(f"{path}: a DuckDB file, but not a store of this dashboard (no schema_info table)")
        return StoreFile(path, version, _counts(con, db))
    finally:
        con.close()


def restorable(path: Path | str) -> StoreFile:
    """``read``, refusing a backup written by a newer version of the code than this one."""
    found = read(path)
    if found.version > SCHEMA_VERSION:
        raise BackupError(f"{found.path}: written by a newer version of this dashboard (schema {found.version}; "
                          f"this one reads up to {SCHEMA_VERSION}): update the code first, then restore")
    return found


def _dated(store: Store, folder: Path, what: str = "") -> Path:
    return folder / f"{store.path.stem}{what}-{datetime.now():%Y%m%d-%H%M%S}.duckdb"


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)


def backup(store: Store, target: Path | str, replace: bool = False) -> StoreFile:
    """Write a consistent copy of ``store`` to ``target`` (a file, or a folder for a dated file in it)."""
    target = Path(target)
    if target.is_dir():
        target = _dated(store, target)
    if target.exists() and not replace:
        raise BackupError(f"{target} exists: name another file, or pass --force to replace it")
    if target.exists() and target.resolve() == store.path.resolve():
        raise BackupError(f"{target} is the store itself: name another file")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent}: no such folder")
    partial = target.with_name(f".{target.name}.partial")
    _remove(partial)
    cur = store.cursor()
    try:
        cur.execute(f"ATTACH ? AS {ALIAS}", [str(partial)])
        try:
            cur.execute("BEGIN")
            cur.execute(f"COPY FROM DATABASE {identifier(scalar(cur, 'SELECT current_database()'))} TO {ALIAS}")
            cur.execute("COMMIT")
        finally:
            cur.execute(f"DETACH {ALIAS}")
        os.replace(partial, target)
    except duckdb.Error as e:
        raise BackupError(f"{target}: the backup could not be written ({first_line(e)})") from None
    finally:
        _remove(partial)
        cur.close()
    return read(target)


def restore(store: Store, actor: Actor, source: Path | str) -> tuple[StoreFile, Path | None]:
    """Replace everything in ``store`` with the backup ``source``; returns what it now holds and where the
    replaced store was kept (None when it had never been written to)."""
    from sales.demo_rows import never_used

    actor.require("restore")
    found = restorable(source)
    if found.path.resolve() == store.path.resolve():
        raise BackupError(f"{found.path} is the store itself")
    cur = store.cursor()
    authorise(cur, actor, "restore")  # before anything is written, the kept copy included; again below
    kept = None
    if not never_used(cur):
        kept = backup(store, _dated(store, store.path.parent, ".replaced")).path
    cur.execute(f"ATTACH ? AS {ALIAS} (READ_ONLY)", [str(found.path)])
    try:
        with store.transaction() as tx:
            authorise(tx, actor, "restore")
            db = identifier(scalar(tx, "SELECT current_database()"))
            for kind, catalog in (("VIEW", "duckdb_views() WHERE NOT internal AND"),
                                  ("TABLE", "duckdb_tables() WHERE"), ("SEQUENCE", "duckdb_sequences() WHERE")):
                names = [r[0] for r in tx.execute(
                    f"SELECT {kind.lower()}_name FROM {catalog} database_name = current_database() "  # noqa: S608
                    "AND schema_name = 'main'").fetchall()]
                for name in names:
                    tx.execute(f"DROP {kind} {db}.main.{identifier(name)}")
            tx.execute(f"COPY FROM DATABASE {ALIAS} TO {db}")
    except duckdb.Error as e:
        raise BackupError(f"{found.path}: could not be restored, the store is as it was "
                          f"({first_line(e)})") from None
    finally:
        cur.execute(f"DETACH {ALIAS}")
    migrate(cur)  # an older backup: brought up to this version, as any store is on open
    with store.transaction() as tx:
        audit.record(tx, actor, "restore", f"store restored from {found.path.name}",
                     before={"kept as": str(kept)} if kept else None, after=found.counts)
    cur.execute("CHECKPOINT")
    cur.close()
    return summary(store), kept
