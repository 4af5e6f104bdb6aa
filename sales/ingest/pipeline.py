"""Import one export into the store: all valid rows in one transaction, every bad row kept with its line.

Flow: inspect → resolve the layout → then the first of these attempts that fits, each in its own transaction:

1. bulk (time files for a period the store holds nothing of from that tool): read, parse and
   insert in one statement; anything unusual rolls it back and hands the file on;
2. general, strict reader: the file's records → the kind's importer (typed rows in a temp table, bad
   rows by line, what is new inserted, matched against what is stored) → the batch and its rejects;
3. general, tolerant reader: the same, with malformed records and footers collected by line.

All three give the same result for the same file. Any exception rolls the whole file back, so the
store is exactly as it was. A file that adds and changes nothing and is stored already (same bytes, same
layout) is rolled back too, and reported as the batch that holds it: a re-import stores nothing new, not
even its rejects again.
"""

from __future__ import annotations

import heapq
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import duckdb

import sales.ingest.time_entries as time_entries
from sales.access import Actor
from sales.csvtext import ENCODING_LABELS, CsvError, FileCheck
from sales.ingest.batches import open_batch, record_batch, same_file
from sales.ingest.formats import Detection
from sales.ingest.importers import importer
from sales.ingest.mappings import save as save_mapping
from sales.ingest.progress import Progress, quiet, unprinted
from sales.ingest.progress import tracked as _tracked
from sales.ingest.reader import CsvLayout, count_newlines, read_csv_sql, repair_quotes
from sales.ingest.rejects import UNCLOSED_QUOTE, LineMap, Rejects, Structural, structural_rejects
from sales.ingest.rejects import write_rejects as _write_rejects
from sales.ingest.resolve import mapping_doc, resolve
from sales.ingest.results import ImportResult, IngestError, Reject
from sales.ingest.sheets import read_export
from sales.store import Store

FILE_RECORDS = "file_records"  # the temp table of the file's records as text (c0..cN), in the file's order
# DuckDB's memory while a command-line import runs, in MB: beyond it, its tables spill to disk beside the
# store. What the rest of the process holds grows with the file, so DuckDB gets less for a bigger file, and a
# 1 GB file imports within 600 MB (bench/import.py prints the peak); a smaller one spills less (a re-import's
# matching of a million entries is a fifth slower at 300 MB than at 450 MB).
IMPORT_MEMORY_MB, IMPORT_MEMORY_PER_FILE_MB, IMPORT_MEMORY_LEAST_MB = 480, 0.15, 320


class _DryRun(Exception):
    """Raised at the end of a preview so the transaction rolls everything back."""


class _NotClean(Exception):
    """The bulk path met something only the general path handles; its transaction rolled back."""


class _AlreadyImported(Exception):
    """The very file is stored as an earlier batch and adds nothing to it: rolled back, no new batch."""

    def __init__(self, batch: int):
        super().__init__(batch)
        self.batch = batch


class _NeedsCopy(Exception):
    """The file is not clean UTF-8 with one kind of line end past its first bytes; rolled back."""


@dataclass
class _Job:
    """One file's import as every attempt sees it: where it goes, who asked, what the file is."""

    store: Store
    actor: Actor
    layout: CsvLayout
    det: Detection
    display: str
    step: Progress
    check: FileCheck  # the whole file's sha256 and whether it is clean UTF-8, read beside the import
    dry_run: bool
    work: Path  # a folder of this import's own, removed afterwards
    skipped: int = 0  # rows the reading of a spreadsheet passed over: a grouped export's group headers


def import_file(store: Store, actor: Actor, path: Path | str, kind: str | None = None, fmt: str | None = None,
                mapping: Path | str | dict | None = None, name: str | None = None,
                progress: Progress | None = None, max_bytes: int | None = None,
                dry_run: bool = False, sheet: str | None = None) -> ImportResult:
    """Import one file (CSV text, or ``sheet`` of a spreadsheet, by default its first) as ``actor``; raises
    IngestError (nothing written) when it cannot be read at all.

    ``dry_run`` does everything, reports what would happen, then rolls back: the upload preview.
    """
    actor.require("import")
    path = Path(path)
    display = name or path.name
    step = progress or quiet
    with tempfile.TemporaryDirectory(prefix="sales-import-") as work:
        try:
            export = read_export(path, Path(work), sheet, **({"max_bytes": max_bytes} if max_bytes else {}))
        except CsvError as e:
            raise IngestError(str(e).replace(path.name, display, 1)) from None
        layout = export.layout
        doc = mapping_doc(mapping, display)
        det = resolve(store, layout, kind, fmt, doc)
        if det.format.kind == "budgets":
            actor.require("budgets")
        step(0.05, f"{display}: {det.format.label}")
        if layout.needs_copy:  # UTF-16, Windows-1252, Latin-1, bare "\r" or mixed line ends
            layout = layout.copy_into(Path(work))
        job = _Job(store, actor, layout, det, display, step, FileCheck(export.text), dry_run, Path(work),
                   export.skipped)
        try:
            with _bounded_memory(store, layout.size):
                result = _ladder(job)
            if doc is not None and not dry_run:  # the next file with this header is recognised
                save_mapping(store, actor, layout.header, doc)
            return result
        except (_NeedsCopy, duckdb.Error) as e:
            if job.layout.copied:
                raise IngestError(f"{display}: cannot be read: {str(e).splitlines()[0]}") from None
        # the whole file turned out not to be clean UTF-8 with one kind of line end: read a copy
        encoding = job.check.wait().encoding if layout.encoding == "utf-8" else layout.encoding
        job = replace(job, layout=replace(layout, encoding=encoding).copy_into(Path(work)))
        try:
            with _bounded_memory(store, layout.size):
                return _ladder(job)
        except duckdb.Error as e:
            raise IngestError(f"{display}: cannot be read: {str(e).splitlines()[0]}") from None


def _ladder(job: _Job) -> ImportResult:
    """The attempts in order; each either completes or raises _NotClean having rolled itself back."""
    det = job.det
    attempts = [lambda r: _run(job, r, tolerant=False), lambda r: _run(job, r, tolerant=True)]
    if time_entries.bulk_applies(job.store, det, job.layout):
        attempts.insert(0, lambda r: _run_bulk(job, r))
    for attempt in attempts:
        result = ImportResult(job.display, None, det.format.kind, det.format.name,
                              encoding=ENCODING_LABELS[job.layout.encoding],
                              columns={f: job.layout.header[i] for f, i in det.columns.items()},
                              ignored=list(det.unused))
        try:
            attempt(result)
            return result
        except _DryRun:
            result.batch = None
            return result
        except _AlreadyImported as e:  # nothing of it stored again, its rejects included
            result.batch = result.already_imported = e.batch
            result.warnings.append(f"already imported as batch {e.batch} (the same file), which holds all it adds: "
                                   "nothing was stored again")
            return result
        except _NotClean:
            continue
    raise AssertionError("the tolerant reader never raises _NotClean")


def _close_batch(cur, job: _Job, batch: int, result: ImportResult) -> None:
    check = job.check.wait()
    if not check.clean and not job.layout.copied:
        raise _NeedsCopy()  # rolls this attempt back; import_file reads a clean copy instead
    if result.imported + result.updated == 0:
        earlier = same_file(cur, check.sha256, job.det.format.name)
        if earlier is not None:
            raise _AlreadyImported(earlier)
    result.skipped += job.skipped
    record_batch(cur, job.actor, batch, check.sha256, result, job.det.format.label)
    job.step(1.0, f"{result.file}: {result.imported:,} {'would be imported' if job.dry_run else 'imported'}")
    if job.dry_run:
        raise _DryRun()


def _run_bulk(job: _Job, result: ImportResult) -> None:
    """A new period from a tool, in one pass: read, parse and insert in a single statement.

    Taken only when that gives exactly what the general path would: the file is well formed (the
    strict reader raises otherwise), no row is bad or a total (the row raises), and the store holds
    no entry from this tool within the file's dates (an entry's date is part of what matches it, so
    every row is new). Anything else rolls back and raises _NotClean, and the general path, which
    reports every problem by line and matches what is already stored, starts afresh.
    """
    layout, det, display, step = job.layout, job.det, job.display, job.step
    try:
        with _any_order(job.store), job.store.transaction() as cur:
            unprinted(cur)
            batch = result.batch = open_batch(cur, job.actor, display, det)
            reader_sql, params = read_csv_sql(layout, tolerant=False)
            insert = time_entries.bulk_insert_sql(det, layout, reader_sql, batch, result)
            step(0.1, f"{display}: reading")
            result.imported = result.rows_read = _tracked(cur, insert, [det.format.name, *params], step, 0.1,
                                                          0.95, f"{display}: importing")[0][0]
            if result.imported and time_entries.overlaps_stored(cur, batch, det.format.name):
                raise _NotClean()  # stored entries share these dates: they must be matched
            result.hours = time_entries.batch_hours(cur, batch)
            _close_batch(cur, job, batch, result)
    except duckdb.Error:
        raise _NotClean() from None


@contextmanager
def _bounded_memory(store: Store, size: int) -> Iterator[None]:
    """Hold DuckDB to what a file of ``size`` bytes leaves (``IMPORT_MEMORY_MB``) while the import runs: its temp
    tables and the rows it writes spill to disk instead. Process-wide, so only when nothing else in the process
    uses the store."""
    if not store.exclusive:
        yield
        return
    mb = max(IMPORT_MEMORY_LEAST_MB, IMPORT_MEMORY_MB - IMPORT_MEMORY_PER_FILE_MB * size / 1e6)
    with store.cursor() as cur:
        cur.execute(f"SET memory_limit = '{int(mb)}MB'")
    try:
        yield
    finally:
        with store.cursor() as cur:
            cur.execute("RESET memory_limit")


@contextmanager
def _any_order(store: Store) -> Iterator[None]:
    """Let the bulk insert write rows in any order (no line number is read back from them), so DuckDB
    fills whole row groups instead of leaving part-filled ones that closing the store would rewrite.

    The setting is process-wide: only taken when nothing else in the process uses the store, and put back
    outside the transaction (inside a failed one it could not be, and the general path after it would read
    the file's rows out of order)."""
    if not store.exclusive:
        yield
        return
    with store.cursor() as cur:
        cur.execute("SET preserve_insertion_order = false")
    try:
        yield
    finally:
        with store.cursor() as cur:
            cur.execute("RESET preserve_insertion_order")


def _run(job: _Job, result: ImportResult, tolerant: bool) -> None:
    """The general path. Not ``tolerant``: raises _NotClean (rolled back) on the first malformed record."""
    layout, det, display, step = job.layout, job.det, job.display, job.step
    unclosed: list[Reject] = []
    if tolerant:  # a stray quote must not swallow the rows after it: those lines are read blank
        repaired = job.work / "repaired"
        repaired.mkdir(exist_ok=True)
        found = repair_quotes(layout.path, layout.delimiter, len(layout.header), repaired / layout.path.name)
        if found:
            layout = replace(layout, path=repaired / layout.path.name)
            unclosed = [Reject(line, None, UNCLOSED_QUOTE, text) for line, text in found]
    newlines: Callable[[], int] = cache(lambda: count_newlines(layout.path))  # read once, when first needed
    with job.store.transaction() as cur:
        unprinted(cur)
        batch = result.batch = open_batch(cur, job.actor, display, det)
        reader_sql, params = read_csv_sql(layout, tolerant=tolerant)
        step(0.1, f"{display}: reading")
        direct = time_entries.direct(det)
        if direct:  # the big case: parse while reading, one pass, no copy of the raw text
            table, sql = time_entries.STAGED, time_entries.stage_file_sql(det, layout, reader_sql, result)
        else:
            table, sql = FILE_RECORDS, f"CREATE OR REPLACE TEMP TABLE {FILE_RECORDS} AS SELECT * FROM {reader_sql}"
        try:
            _tracked(cur, sql, params, step, 0.1, 0.5, f"{display}: reading")
        except duckdb.Error:
            if tolerant:
                raise
            raise _NotClean() from None
        # rows written inside a transaction are numbered from a large offset: index from the first
        records, first, last = cur.execute(f"SELECT count(*), min(rowid), max(rowid) FROM {table}").fetchall()[0]
        if records and last - first + 1 != records:
            raise IngestError(f"{display}: the reader did not keep the file's row order; nothing was imported")
        structural = structural_rejects(cur, layout, newlines) if tolerant else Structural(iter(()), 0)
        lines = LineMap(layout, records, structural.lines, newlines)
        rejects = Rejects(cur, batch, result, lines, _write_rejects)
        try:
            for reject in heapq.merge(unclosed, structural.rejects, key=lambda r: r.line):
                rejects.add(replace(reject, line=layout.row(reject.line)))
            malformed = rejects.count
            step(0.5, f"{display}: checking {records:,} rows")
            if direct:
                time_entries.number_staged(cur, first or 0)
                time_entries.import_staged(cur, det, layout, batch, result, rejects)
            else:
                src = f"(SELECT rowid - {int(first or 0)} AS rid, * FROM {FILE_RECORDS})"
                importer(det.format.kind).import_rows(cur, det, layout, src, batch, result, rejects)
            rejects.close()
        finally:
            lines.close()
        cur.execute(f"DROP TABLE IF EXISTS {FILE_RECORDS}")
        result.rejected = rejects.count
        result.rows_read += malformed
        result.skipped += structural.footer
        _close_batch(cur, job, batch, result)
