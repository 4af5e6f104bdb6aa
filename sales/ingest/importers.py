"""The importer of each file kind. Every one offers ``import_rows(cur, det, layout, src, batch, result, lines)``,
which checks and stores the rows of ``src`` (the file's records as text, with their index ``rid``), and
``undo(cur, batch)``, which removes what a batch of its kind added and returns how many rows per table. A kind
whose undo may be refused also offers ``undo_refusal(cur, batch)``: why, or None (``batches.undo_refusal`` asks
it before any undo)."""

from __future__ import annotations

from types import ModuleType


def importer(kind: str) -> ModuleType:
    """The module that imports and undoes files of ``kind`` (leads load pandas, so only when needed)."""
    if kind == "time":
        import sales.ingest.time_entries as time_entries

        return time_entries
    if kind == "budgets":
        import sales.ingest.budgets as budgets

        return budgets
    if kind == "leads":
        import sales.ingest.leads as leads

        return leads
    if kind in ("people", "time_off"):
        import sales.ingest.roster as roster

        return roster
    raise ValueError(f"no importer for {kind!r} files")
