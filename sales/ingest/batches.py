"""Import batches: one per imported file, with its counts, its file's sha256 and its rejected rows; the
listings people read, and undo, where each file kind's importer removes what its batch added."""

from __future__ import annotations

import duckdb

from sales import audit
from sales.access import AccessDenied, Actor, authorise
from sales.ingest.formats import Detection
from sales.ingest.importers import importer
from sales.ingest.results import ImportResult, IngestError
from sales.store import Store, scalar

COUNTS = ("rows_read", "imported", "updated", "duplicates", "rejected", "skipped", "hours")


def open_batch(cur, actor: Actor, display: str, det: Detection) -> int:
    """A new batch for this file, numbered max + 1 under the store's write lock (previews, rolled back,
    leave no gaps)."""
    authorise(cur, actor, "budgets" if det.format.kind == "budgets" else "import")
    return scalar(cur, """INSERT INTO import_batches (id, file_name, kind, format, imported_by)
                          VALUES ((SELECT coalesce(max(id), 0) + 1 FROM import_batches), ?, ?, ?, ?) RETURNING id""",
                  [display, det.format.kind, det.format.name, actor.identity])


def same_file(cur, sha256: str, fmt: str) -> int | None:
    """The latest batch that imported this very file (same bytes, same layout), if one is stored."""
    return scalar(cur, "SELECT max(id) FROM import_batches WHERE sha256 = ? AND format = ?", [sha256, fmt])


def record_batch(cur, actor: Actor, batch: int, sha256: str, result: ImportResult, label: str) -> None:
    """The batch's counts and file hash, and its line in the audit trail."""
    cur.execute("""UPDATE import_batches SET sha256 = ?, rows_read = ?, imported = ?, updated = ?, duplicates = ?,
                   rejected = ?, hours = ? WHERE id = ?""",
                [sha256, result.rows_read, result.imported, result.updated, result.duplicates, result.rejected,
                 result.hours, batch])
    audit.record(cur, actor, "import", f"{result.file} ({label})", batch_id=batch,
                 after={k: getattr(result, k) for k in COUNTS})


def list_batches(cur: duckdb.DuckDBPyConnection):
    """Every import, newest first, as a DataFrame."""
    return cur.execute("""SELECT id AS batch, file_name AS file, kind, format, rows_read, imported, updated,
                                 duplicates, rejected, hours, imported_at, imported_by, sha256
                          FROM import_batches ORDER BY id DESC""").df()


def batch_rejects(cur: duckdb.DuckDBPyConnection, batch: int):
    return cur.execute("""SELECT line, "column", reason, raw FROM rejected_rows WHERE batch_id = ?
                          ORDER BY line NULLS LAST""", [batch]).df()


def undo_refusal(cur: duckdb.DuckDBPyConnection, actor: Actor, batch: int) -> AccessDenied | IngestError | None:
    """Why undoing import ``batch`` would be refused now (the refusal ``undo_batch`` would raise), or None when it
    would go ahead: the actor's role as the store holds it, the batch still there, and its kind's own rule
    (a leads import under a later one, or whose leads people have worked on since). The Upload page asks it
    before it offers the undo; ``undo_batch`` asks it inside its transaction."""
    try:
        authorise(cur, actor, "undo")
    except AccessDenied as e:  # without its traceback: its frames hold the cursor, and the answer is kept
        return e.with_traceback(None)  # (a cached answer holding a cursor keeps the store file from the CLI)
    kind = scalar(cur, "SELECT max(kind) FROM import_batches WHERE id = ?", [batch])  # NULL: no such batch
    if kind is None:
        return IngestError(f"no import batch {batch}")
    rule = getattr(importer(kind), "undo_refusal", None)
    why = rule(cur, batch) if rule is not None else None
    return IngestError(why) if why else None


def undo_batch(store: Store, actor: Actor, batch: int) -> dict[str, int]:
    """Remove everything one import added (and the batch record); returns rows removed per table. Refused,
    with nothing changed, for the reasons ``undo_refusal`` gives (AccessDenied for the role, else IngestError).

    The audit trail keeps the import's own row and gains one for the undo."""
    actor.require("undo")
    with store.transaction() as cur:
        refused = undo_refusal(cur, actor, batch)
        if refused is not None:
            try:
                raise refused
            finally:  # no cycle (this frame → the refusal → its traceback → this frame) keeping the cursor alive:
                refused = None  # the store lets its file go only once every cursor is gone
        name, fmt, kind = cur.execute("SELECT file_name, format, kind FROM import_batches WHERE id = ?",
                                      [batch]).fetchall()[0]
        removed = importer(kind).undo(cur, batch)
        removed["rejected_rows"] = scalar(cur, "DELETE FROM rejected_rows WHERE batch_id = ?", [batch])
        cur.execute("DELETE FROM import_batches WHERE id = ?", [batch])
        audit.record(cur, actor, "undo", f"batch {batch}: {name}", batch_id=batch,
                     before={"batch": batch, "file": name, "format": fmt},
                     after={t: n for t, n in removed.items() if n})
    return removed
