"""Import one export into the store: all valid rows in one transaction, every bad row kept with its line.

Flow: inspect → detect layout → then the first of these that fits, each in its own transaction:

1. bulk (time files for a period the store holds nothing of from that tool): read, parse and
   insert in one statement; anything unusual rolls it back and hands the file on;
2. general, strict reader: stage typed rows in a temp table → classify total / bad rows → insert
   what is new, matched against what is stored → record the batch and its rejects;
3. general, tolerant reader: the same, with malformed records and footers collected by line.

All three give the same result for the same file. Any exception rolls the whole file back, so the
store is exactly as it was.
"""

from __future__ import annotations

import csv
import tempfile
import threading
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import duckdb

from sales import audit
from sales.access import Actor, authorise
from sales.csvtext import ENCODING, ENCODING_LABELS, CsvError, FileCheck, record_start_lines
from sales.ingest import mappings as saved_mappings
from sales.ingest import roster
from sales.ingest.budgets import BUDGET_ERRORS, budget_stage_sql
from sales.ingest.formats import Detection, Format, FormatError, detect, mapping_from_doc
from sales.ingest.reader import CsvLayout, count_newlines, inspect, raw_lines, read_csv_sql, repair_quotes
from sales.ingest.results import ImportResult, IngestError, Reject
from sales.ingest.timesql import ENTRY_FIELDS, ERRORS, jira_worklog_sql, time_stage_sql
from sales.ingest.values import date_sql, sniff_date
from sales.store import Store, scalar

Progress = Callable[[float, str], None]
# what a time entry stores besides its batch and tool, as the stage names it
ENTRY_COLUMNS = ("person", "work_date", "started_at", "hours", "billable", "client", "project", "account",
                 "issue_key", "description")


UNCLOSED_QUOTE = "a quote is not closed or stands in the middle of a value"


def _QUIET(_fraction: float, _message: str) -> None:
    """No one watches: statements run directly, without progress tracking."""


def _tracked(cur, sql: str, params: list, step: Progress, lo: float, hi: float, message: str) -> list:
    """Run one long statement and fetch its result; while it runs, report DuckDB's own progress.

    The statement runs on a helper thread so this one can poll the cursor (which is what DuckDB's
    ``query_progress`` is for) and call ``step`` from the caller's thread, as Streamlit requires.
    """
    if step is _QUIET:
        return cur.execute(sql, params).fetchall()
    cur.execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false")
    out: list = []

    def work() -> None:
        try:
            out.append(cur.execute(sql, params).fetchall())
        except BaseException as e:  # handed to the caller below
            out.append(e)

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.2)
            done = cur.query_progress()
            if worker.is_alive() and done >= 0:
                step(lo + (hi - lo) * min(done, 100.0) / 100.0, message)
    finally:  # the watcher went away (a rerun, a closed tab): stop the statement before rolling back
        if worker.is_alive():
            cur.interrupt()
            worker.join()
    if isinstance(out[0], BaseException):
        raise out[0]
    return out[0]


def _structural_rejects(cur: duckdb.DuckDBPyConnection, layout: CsvLayout) -> tuple[list[Reject], int, set[int]]:
    """DuckDB's reader rejects (wrong field count, broken quotes) → rejects, footer lines skipped.

    A trailing block of single-field lines is a report footer (Salesforce), not bad data.
    Returns rejects, the number of footer lines, and every rejected line number.
    """
    rows = cur.execute("""SELECT line_byte_position, any_value(error_type)::VARCHAR, any_value(csv_line),
                                 any_value(error_message)
                          FROM reject_errors GROUP BY line_byte_position ORDER BY line_byte_position""").fetchall()
    if not rows:
        return [], 0, set()
    data_lines = _lines_at(layout.path, [r[0] for r in rows])
    found = [(line, kind, text.strip("\r\n"), message) for (_, kind, text, message), line in zip(rows, data_lines)]
    total_lines = count_newlines(layout.path) + 1
    footer_from = total_lines + 1
    for line, kind, text, _ in reversed(found):
        fields = next(csv.reader([text], delimiter=layout.delimiter), [])
        single = kind == "MISSING COLUMNS" and len(fields) <= 1
        if single and line >= footer_from - 3:  # allow blank lines between footer lines
            footer_from = line
        else:
            break
    rejects = [Reject(line, None, _structural_reason(kind, message, len(layout.header)), text[:300])
               for line, kind, text, message in found if line < footer_from]
    footer = sum(1 for line, *_ in found if line >= footer_from)
    return rejects, footer, {line for line, *_ in found}


def _structural_reason(kind: str, message: str, width: int) -> str:
    if kind == "MISSING COLUMNS":
        return f"too few fields: expected {width}"
    if kind == "TOO MANY COLUMNS":
        return f"too many fields: expected {width} (an unquoted delimiter inside a value?)"
    if kind == "UNQUOTED VALUE":
        return UNCLOSED_QUOTE
    return message.splitlines()[0]


def _lines_at(path: Path, positions: list[int]) -> list[int]:
    """1-based line numbers of byte positions (sorted), in one read."""
    out, line, done = [], 1, 0
    with open(path, "rb") as fh:
        for pos in positions:
            fh.seek(done)
            line += fh.read(pos - done).count(b"\n")
            done = pos
            out.append(line)
    return out


class LineMap:
    """Record index (DuckDB's row order) → file line; cheap when the file is regular.

    The file is read at most once (to count its lines, or to map them), on the first bad row.
    """

    def __init__(self, layout: CsvLayout, records: int, rejected_lines: set[int]):
        self.layout, self.records, self.rejected = layout, records, rejected_lines

    @cached_property
    def _lines(self) -> list[int] | None:
        """Each record's first line; None when every record is one line after the header."""
        if not self.rejected and count_newlines(self.layout.path) in (self.records + 1, self.records):
            return None
        return record_start_lines(self.layout.path, self.layout.delimiter, ENCODING, skip_lines=self.rejected)

    def __call__(self, rid: int) -> int:
        lines = self._lines
        return lines[rid] if lines is not None and rid < len(lines) else rid + 2


def _resolve(store: Store, layout: CsvLayout, kind: str | None, fmt: str | None,
             mapping: dict | None) -> Detection:
    """The preset named or detected; else the mapping given; else one saved for this header."""
    try:
        if mapping is not None:
            det = mapping_from_doc(mapping, layout.header, "column mapping")
        else:
            try:
                det = detect(layout.header, kind, fmt)
            except FormatError:
                with store.cursor() as cur:
                    saved = None if fmt else saved_mappings.find(cur, layout.header)
                if saved is None:
                    raise
                det = mapping_from_doc(saved, layout.header, f"saved mapping by {saved['saved_by']}")
    except FormatError as e:
        if kind and not fmt and not mapping:  # say what it is, when it is something else
            try:
                other = detect(layout.header)
            except FormatError:
                other = None
            if other is not None:
                raise IngestError(f"{layout.path.name}: looks like {other.format.label}, not a {kind} file") from None
        raise IngestError(f"{layout.path.name}: {e}") from None
    if kind and det.format.kind != kind:
        raise IngestError(f"{layout.path.name}: looks like {det.format.label}, not a {kind} file")
    return det


def _mapping_doc(mapping: Path | str | dict | None, display: str) -> dict | None:
    """A mapping given as a dict (the Upload page's form) or a TOML file (``--map``), as a dict."""
    if mapping is None or isinstance(mapping, dict):
        return mapping
    path = Path(mapping)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise IngestError(f"{display}: cannot read the mapping {path.name} ({e})") from None


class _DryRun(Exception):
    """Raised at the end of a preview so the transaction rolls everything back."""


class _NotClean(Exception):
    """The bulk path met something only the general path handles; its transaction rolled back."""


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


class _NeedsCopy(Exception):
    """The file is not clean UTF-8 with one kind of line end past its first bytes; rolled back."""


def import_file(store: Store, actor: Actor, path: Path | str, kind: str | None = None, fmt: str | None = None,
                mapping: Path | str | dict | None = None, name: str | None = None,
                progress: Progress | None = None, max_bytes: int | None = None,
                dry_run: bool = False) -> ImportResult:
    """Import one file as ``actor``; raises IngestError (nothing written) when it cannot be read at all.

    ``dry_run`` does everything, reports what would happen, then rolls back: the upload preview.
    """
    actor.require("import")
    path = Path(path)
    display = name or path.name
    step = progress or _QUIET
    try:
        layout = inspect(path, **({"max_bytes": max_bytes} if max_bytes else {}))
    except CsvError as e:
        raise IngestError(str(e).replace(path.name, display, 1)) from None
    doc = _mapping_doc(mapping, display)
    det = _resolve(store, layout, kind, fmt, doc)
    if det.format.kind == "budgets":
        actor.require("budgets")
    step(0.05, f"{display}: {det.format.label}")
    with tempfile.TemporaryDirectory(prefix="sales-import-") as work:
        if layout.needs_copy:  # UTF-16, Windows-1252, Latin-1, bare "\r" or mixed line ends
            layout = layout.copy_into(Path(work))
        job = _Job(store, actor, layout, det, display, step, FileCheck(path), dry_run, Path(work))
        try:
            result = _ladder(job)
            if doc is not None and not dry_run:  # the next file with this header is recognised
                saved_mappings.save(store, actor, layout.header, doc)
            return result
        except (_NeedsCopy, duckdb.Error) as e:
            if job.layout.copied:
                raise IngestError(f"{display}: cannot be read: {str(e).splitlines()[0]}") from None
        # the whole file turned out not to be clean UTF-8 with one kind of line end: read a copy
        encoding = job.check.wait().encoding if layout.encoding == "utf-8" else layout.encoding
        job = replace(job, layout=replace(layout, encoding=encoding).copy_into(Path(work)))
        try:
            return _ladder(job)
        except duckdb.Error as e:
            raise IngestError(f"{display}: cannot be read: {str(e).splitlines()[0]}") from None


def _ladder(job: _Job) -> ImportResult:
    """The attempts in order; each either completes or raises _NotClean having rolled itself back."""
    det = job.det
    attempts = [lambda r: _run(job, r, tolerant=False), lambda r: _run(job, r, tolerant=True)]
    if _bulk_applies(job.store, det, job.layout):
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
        except _NotClean:
            continue
    raise AssertionError("the tolerant reader never raises _NotClean")


def _open_batch(cur, job: _Job) -> int:
    authorise(cur, job.actor, "budgets" if job.det.format.kind == "budgets" else "import")
    # max + 1 under the store's write lock: previews (rolled back) leave no gaps in batch numbers
    return scalar(cur, """INSERT INTO import_batches (id, file_name, kind, format, imported_by)
                          VALUES ((SELECT coalesce(max(id), 0) + 1 FROM import_batches), ?, ?, ?, ?) RETURNING id""",
                  [job.display, job.det.format.kind, job.det.format.name, job.actor.identity])


def _close_batch(cur, job: _Job, batch: int, result: ImportResult) -> None:
    check = job.check.wait()
    if not check.clean and not job.layout.copied:
        raise _NeedsCopy()  # rolls this attempt back; import_file reads a clean copy instead
    cur.execute("""UPDATE import_batches SET sha256 = ?, rows_read = ?, imported = ?, updated = ?, duplicates = ?,
                   rejected = ?, hours = ? WHERE id = ?""",
                [check.sha256, result.rows_read, result.imported, result.updated, result.duplicates, result.rejected,
                 result.hours, batch])
    audit.record(cur, job.actor, "import", f"{result.file} ({job.det.format.label})", batch_id=batch,
                 after={k: getattr(result, k) for k in ("rows_read", "imported", "updated", "duplicates", "rejected",
                                                        "skipped", "hours")})
    job.step(1.0, f"{result.file}: {result.imported:,} {'would be imported' if job.dry_run else 'imported'}")
    if job.dry_run:
        raise _DryRun()


# ---------------------------------------------------------------- bulk path


def _bulk_applies(store: Store, det: Detection, layout: CsvLayout) -> bool:
    """Worth trying the bulk path: a time file whose first dates the store holds nothing from.

    Only a guess to spare a doomed attempt (a re-import); ``_run_bulk`` checks the whole file.
    """
    if det.format.kind != "time" or det.format.repeated is not None:
        return False
    sample = [v for v in layout.column(det.columns["work_date"]) if v.strip()]
    lay = sniff_date(sample, prefer=det.format.date_order)
    if lay.fmt is None:
        return False
    with store.cursor() as cur:
        first, last = cur.execute(f"SELECT min(d), max(d) FROM (SELECT {date_sql('v', lay)} AS d FROM "
                                  "(SELECT unnest(?::VARCHAR[]) AS v))", [sample]).fetchall()[0]
        return first is not None and not scalar(cur, """SELECT count(*) FROM (SELECT 1 FROM time_entries
                                                       WHERE tool = ? AND work_date BETWEEN ? AND ? LIMIT 1)""",
                                                [det.format.name, first, last])


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
        with job.store.transaction() as cur:
            batch = result.batch = _open_batch(cur, job)
            reader_sql, params = read_csv_sql(layout, tolerant=False)
            stage_sql, warnings = time_stage_sql(det, layout, reader_sql, rid="NULL::BIGINT")
            step(0.1, f"{display}: reading")
            # any bad row or total line (an error too) raises, which hands the file on
            checked = f"""SELECT * REPLACE (CASE WHEN err IS NULL THEN work_date ELSE error('not clean') END
                                              AS work_date) FROM ({stage_sql})"""
            insert = _insert_entries_sql(batch, checked)
            with _any_order(cur, job.store.exclusive):
                result.imported = result.rows_read = _tracked(cur, insert, [det.format.name, *params], step, 0.1,
                                                              0.95, f"{display}: importing")[0][0]
            if result.imported and scalar(cur, """SELECT count(*) FROM time_entries, (SELECT min(work_date) AS first,
                                                  max(work_date) AS last FROM time_entries WHERE batch_id = ?)
                                                  WHERE tool = ? AND batch_id IS DISTINCT FROM ?
                                                    AND work_date BETWEEN first AND last""",
                                          [batch, det.format.name, batch]):
                raise _NotClean()  # stored entries share these dates: they must be matched
            result.warnings += warnings
            result.hours = _batch_hours(cur, batch)
            _close_batch(cur, job, batch, result)
    except duckdb.Error:
        raise _NotClean() from None


@contextmanager
def _any_order(cur, allowed: bool) -> Iterator[None]:
    """Let the bulk insert write rows in any order (no line number is read back from them), so DuckDB
    fills whole row groups instead of leaving part-filled ones that closing the store would rewrite.
    The setting is process-wide: only taken when nothing else in the process uses the store."""
    if not allowed:
        yield
        return
    cur.execute("SET preserve_insertion_order = false")
    try:
        yield
    finally:
        cur.execute("RESET preserve_insertion_order")


def _batch_hours(cur, batch: int) -> float:
    return round(float(scalar(cur, "SELECT coalesce(sum(hours), 0) FROM time_entries WHERE batch_id = ?", [batch])), 6)


# ---------------------------------------------------------------- general path


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
    with job.store.transaction() as cur:
        batch = result.batch = _open_batch(cur, job)
        reader_sql, params = read_csv_sql(layout, tolerant=tolerant)
        step(0.1, f"{display}: reading")
        direct = det.format.kind == "time" and det.format.repeated is None
        if direct:  # the big case: parse while reading, one pass, no copy of the raw text
            stage_sql, warnings = time_stage_sql(det, layout, reader_sql, rid="NULL::BIGINT")
            result.warnings += warnings
            table, sql = "stage", f"CREATE OR REPLACE TEMP TABLE stage AS {stage_sql}"
        else:
            table, sql = "raw_rows", f"CREATE OR REPLACE TEMP TABLE raw_rows AS SELECT * FROM {reader_sql}"
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
        struct_rejects, footer, rejected_lines = _structural_rejects(cur, layout) if tolerant else ([], 0, set())
        struct_rejects = sorted(unclosed + struct_rejects, key=lambda r: r.line)
        lines = LineMap(layout, records, rejected_lines)
        step(0.5, f"{display}: checking {records:,} rows")
        src = f"(SELECT rowid - {int(first or 0)} AS rid, * FROM raw_rows)"
        if direct:
            cur.execute(f"UPDATE stage SET rid = rowid - {int(first or 0)}")
            _import_time(cur, det, layout, None, batch, result, lines)
        elif det.format.kind == "time":
            _import_time(cur, det, layout, src, batch, result, lines)
        elif det.format.kind == "budgets":
            _import_budgets(cur, det, layout, src, batch, result, lines)
        elif det.format.kind in roster.KINDS:
            roster.import_rows(cur, det, layout, src, batch, result, lines)
        else:
            from sales.ingest import leads as lead_rows  # pandas loads only for lead files

            lead_rows.import_leads(cur, det, layout, src, batch, result, lines)
        cur.execute("DROP TABLE IF EXISTS raw_rows")
        result.rejects = struct_rejects + result.rejects
        result.rejected = len(result.rejects)
        result.rows_read += len(struct_rejects)
        result.skipped += footer
        _write_rejects(cur, batch, result.rejects, layout)
        _close_batch(cur, job, batch, result)


def _write_rejects(cur, batch: int, rejects: list[Reject], layout: CsvLayout) -> None:
    if not rejects:
        return
    missing = {r.line for r in rejects if r.raw is None and r.line is not None}
    texts = raw_lines(layout.path, set(sorted(missing)[:1000]))
    cur.executemany('INSERT INTO rejected_rows (batch_id, line, "column", reason, raw) VALUES (?, ?, ?, ?, ?)',
                    [[batch, r.line, r.column, r.reason, r.raw if r.raw is not None else texts.get(r.line)]
                     for r in rejects])


def _jira_detection(det: Detection, dates: list[str]) -> tuple[Detection, CsvLayout]:
    fmt = Format("jira-log-work", "time", det.format.label,
                 {"issue_key": ("c0",), "project": ("c1",), "work_date": ("c2",), "start_time": ("c2",),
                  "person": ("c3",),
                  "hours": ("c4",), "description": ("c5",)}, ("work_date", "hours"),
                 date_order=det.format.date_order, hours_unit="seconds")
    header = [f"c{i}" for i in range(6)]
    sample = [["", "", d, "", "", ""] for d in dates]
    return Detection(fmt, fmt.resolve(header), ()), CsvLayout(Path(), ",", "utf-8", header, sample, 0)


def _import_time(cur, det: Detection, layout: CsvLayout, src: str | None, batch: int, result: ImportResult,
                 lines: LineMap) -> None:
    """Time entries from the temp table ``stage`` (built here from ``src`` unless already built)."""
    header = layout.header
    jira = det.format.repeated is not None
    if jira:
        unpivot, dates = jira_worklog_sql(det, layout, src)
        tdet, tlayout = _jira_detection(det, dates)
        stage_sql, warnings = time_stage_sql(tdet, tlayout, f"({unpivot})", carry=("lw", "lw_col"))
        # a cell that is not comment;date;user;seconds is reported against its own Log Work column
        stage_sql = f"""SELECT * REPLACE (CASE WHEN err = 1 THEN 8 ELSE err END AS err, lw_col AS err_col)
                        FROM ({stage_sql})"""
        result.warnings += warnings
        cur.execute(f"CREATE OR REPLACE TEMP TABLE stage AS {stage_sql}")
    elif src is not None:
        stage_sql, warnings = time_stage_sql(det, layout, src)
        result.warnings += warnings
        cur.execute(f"CREATE OR REPLACE TEMP TABLE stage AS {stage_sql}")
    good = "err IS NULL AND NOT is_total"
    counts = cur.execute(f"""SELECT count(*) FILTER (WHERE NOT is_total), count(*) FILTER (WHERE is_total),
                                    count(*) FILTER (WHERE {good}), min(work_date) FILTER (WHERE {good}),
                                    max(work_date) FILTER (WHERE {good}) FROM stage""").fetchall()[0]
    result.rows_read, result.skipped = counts[0], counts[1]
    lw = "lw" if jira else "NULL"
    bad = cur.execute(f"""SELECT rid, err, err_col, date_raw, hours_raw, start_raw, end_raw, span, {lw}
                         FROM stage WHERE err IS NOT NULL AND NOT is_total ORDER BY rid""").fetchall()
    for rid, code, col, d_raw, h_raw, s_raw, e_raw, span, lw in bad:
        value = {1: d_raw, 2: d_raw, 7: s_raw if col == det.columns.get("start_time") else e_raw}.get(code, h_raw)
        value = lw if jira else value
        reason = ERRORS[code].format(value=value, detail=span or 0.0)
        result.rejects.append(Reject(lines(rid), header[col] if col is not None else None, reason))
    result.imported = _insert_new_entries(cur, batch, det.format.name, counts[3], counts[4]) if counts[2] else 0
    result.duplicates = counts[2] - result.imported
    result.hours = _batch_hours(cur, batch)
    cur.execute("DROP TABLE IF EXISTS stage; DROP TABLE IF EXISTS repeated")


def _insert_new_entries(cur, batch: int, tool: str, first_day, last_day) -> int:
    """Insert the staged entries the store does not hold yet; returns how many went in.

    A file's n-th identical entry is new when the store holds fewer than n of them: a re-import
    or a superset export adds nothing it already has, while real repeats survive. Only entries
    that repeat within the file need numbering, which spares a sort of every row; ``same`` (a hash) merely
    narrows those candidates inside this statement and is never stored, so a DuckDB upgrade
    cannot change what matches.
    """
    fields = ENTRY_FIELDS
    same = ", ".join(fields)
    good = "err IS NULL AND NOT is_total"
    cur.execute(f"""CREATE OR REPLACE TEMP TABLE repeated AS SELECT same FROM stage WHERE {good}
                    GROUP BY same HAVING count(*) > 1""")
    numbered = f"SELECT *, 1 AS n FROM stage WHERE {good}"
    repeats = scalar(cur, "SELECT count(*) FROM repeated")
    if repeats:
        numbered = f"""SELECT *, 1 AS n FROM stage WHERE {good} AND same NOT IN (SELECT same FROM repeated)
                       UNION ALL
                       SELECT *, row_number() OVER (PARTITION BY {same} ORDER BY rid) FROM stage
                       WHERE {good} AND same IN (SELECT same FROM repeated)"""
    stored = "FROM time_entries WHERE tool = ? AND work_date BETWEEN ? AND ?"
    params = [tool, first_day, last_day]
    if scalar(cur, f"SELECT count(*) {stored}", params):
        match = " AND ".join(f"h.{c} IS NOT DISTINCT FROM s.{c}" for c in fields)
        if repeats:
            fresh = f"""SELECT s.* FROM ({numbered}) s
                        LEFT JOIN (SELECT {same}, count(*) AS held {stored} GROUP BY ALL) h ON {match}
                        WHERE s.n > coalesce(h.held, 0)"""
        else:  # every staged entry is its file's first (n = 1): new exactly when the store holds none like it
            fresh = f"""SELECT s.* FROM ({numbered}) s
                        WHERE NOT EXISTS (SELECT 1 FROM (SELECT {same} {stored}) h WHERE {match})"""
    else:  # nothing stored to match against: skip the join
        fresh, params = numbered, []
    return scalar(cur, _insert_entries_sql(batch, fresh), [tool, *params])


def _insert_entries_sql(batch: int, rows: str) -> str:
    """INSERT of ``rows`` (a SELECT giving the stage's entry columns) as one batch; the tool is ``?``."""
    return f"""INSERT INTO time_entries (batch_id, tool, {', '.join(ENTRY_COLUMNS)})
               SELECT {int(batch)}, ?, {', '.join(ENTRY_COLUMNS)} FROM ({rows})"""


def _import_budgets(cur, det: Detection, layout: CsvLayout, src: str, batch: int, result: ImportResult,
                    lines: LineMap) -> None:
    stage_sql, warnings = budget_stage_sql(det, layout, src)
    result.warnings += warnings
    cur.execute(f"CREATE OR REPLACE TEMP TABLE stage AS {stage_sql}")
    result.rows_read = scalar(cur, "SELECT count(*) FROM stage")
    for rid, code, col, value in cur.execute(
            "SELECT rid, err, err_col, err_val FROM stage WHERE err IS NOT NULL ORDER BY rid").fetchall():
        result.rejects.append(Reject(lines(rid), layout.header[col], BUDGET_ERRORS[code].format(value=value)))
    cur.execute("""CREATE OR REPLACE TEMP TABLE fresh AS SELECT * FROM stage s WHERE err IS NULL
                   AND entry_key NOT IN (SELECT entry_key FROM budgets)
                   QUALIFY row_number() OVER (PARTITION BY entry_key ORDER BY rid) = 1""")
    result.imported = scalar(cur, f"""INSERT INTO budgets (batch_id, account, effective_month, monthly_hours,
                                      fixed_total_hours, hourly_rate, currency, kind, entry_key)
                                      SELECT {int(batch)}, account, effective_month, monthly_hours, fixed_total_hours,
                                             hourly_rate, currency, kind, entry_key FROM fresh""")
    result.duplicates = result.rows_read - len(result.rejects) - result.imported
    cur.execute("DROP TABLE IF EXISTS stage; DROP TABLE IF EXISTS fresh")


# ---------------------------------------------------------------- batches


def list_batches(cur: duckdb.DuckDBPyConnection):
    """Every import, newest first, as a DataFrame."""
    return cur.execute("""SELECT id AS batch, file_name AS file, kind, format, rows_read, imported, updated,
                                 duplicates, rejected, hours, imported_at, imported_by, sha256
                          FROM import_batches ORDER BY id DESC""").df()


def batch_rejects(cur: duckdb.DuckDBPyConnection, batch: int):
    return cur.execute("""SELECT line, "column", reason, raw FROM rejected_rows WHERE batch_id = ?
                          ORDER BY line NULLS LAST""", [batch]).df()


def _refuse_if_people_worked_on(cur, batch: int) -> None:
    """Undo removes the leads an import created; when people have since written notes, assessments,
    gate ticks or offers on them, it refuses and names them rather than remove their work."""
    rows = cur.execute("""
        WITH mine AS (SELECT id, name FROM leads WHERE batch_id = ?),
        work AS (SELECT lead_id, 'note' AS kind FROM lead_activity
                 UNION ALL SELECT lead_id, 'logged contact' FROM lead_contacts
                 UNION ALL SELECT lead_id, 'assessment' FROM assessments WHERE batch_id IS NULL
                 UNION ALL SELECT lead_id, 'gate tick' FROM lead_facts WHERE batch_id IS NULL
                 UNION ALL SELECT lead_id, 'small project' FROM budgets WHERE batch_id IS NULL AND lead_id IS NOT NULL)
        SELECT m.name, w.kind, count(*) FROM mine m JOIN work w ON w.lead_id = m.id
        GROUP BY ALL ORDER BY m.name, w.kind""", [batch]).fetchall()
    if not rows:
        return
    by_lead: dict[str, list[str]] = {}
    for name, kind, n in rows:
        by_lead.setdefault(name, []).append(f"{n} {kind}{'s' if n != 1 else ''}")
    named = "; ".join(f"{name} ({', '.join(kinds)})" for name, kinds in list(by_lead.items())[:5])
    more = f" and {len(by_lead) - 5} more leads" if len(by_lead) > 5 else ""
    raise IngestError(f"batch {batch} created leads that people have worked on since: {named}{more}. "
                      "Undo would remove their work, so nothing was changed.")


def undo_batch(store: Store, actor: Actor, batch: int) -> dict[str, int]:
    """Remove everything one import added (and the batch record); returns rows removed per table.

    The audit trail keeps the import's own row and gains one for the undo."""
    actor.require("undo")
    with store.transaction() as cur:
        authorise(cur, actor, "undo")
        found = cur.execute("SELECT file_name, format FROM import_batches WHERE id = ?", [batch]).fetchall()
        if not found:
            raise IngestError(f"no import batch {batch}")
        later = scalar(cur, """SELECT max(u.batch_id) FROM lead_updates u WHERE u.batch_id > ?
                               AND u.lead_id IN (SELECT lead_id FROM lead_updates WHERE batch_id = ?
                                                 UNION ALL SELECT id FROM leads WHERE batch_id = ?)""",
                       [batch, batch, batch])
        later = max(filter(None, [later, scalar(cur, """SELECT max(batch_id) FROM (
            SELECT lead_id, batch_id FROM assessments UNION ALL SELECT lead_id, batch_id FROM lead_facts
            UNION ALL SELECT lead_id, batch_id FROM stage_events)
            WHERE batch_id > ? AND lead_id IN (SELECT id FROM leads WHERE batch_id = ?)""", [batch, batch])]),
                    default=None)
        if later:
            raise IngestError(f"batch {later} changed leads of batch {batch} afterwards; undo batch {later} first")
        _refuse_if_people_worked_on(cur, batch)
        from sales.ingest.leads import CRM_FIELDS

        fields = ", ".join(f"{f} = u.{f}" for f in CRM_FIELDS)
        cur.execute(f"UPDATE leads SET {fields} FROM lead_updates u WHERE u.lead_id = leads.id AND u.batch_id = ?",
                    [batch])  # noqa: S608 (fixed column names)
        # DuckDB's DELETE returns how many rows it removed
        removed = {"lead_updates": scalar(cur, "DELETE FROM lead_updates WHERE batch_id = ?", [batch])}
        leads = "SELECT id FROM leads WHERE batch_id = ?"
        for table in ("assessments", "lead_facts", "stage_events"):  # the import's own, and its leads' history
            removed[table] = scalar(cur, f"DELETE FROM {table} WHERE batch_id = ? OR lead_id IN ({leads})",  # noqa: S608
                                    [batch, batch])
        for table in ("leads", "time_entries", "budgets", "rejected_rows"):
            removed[table] = scalar(cur, f"DELETE FROM {table} WHERE batch_id = ?", [batch])  # noqa: S608
        removed.update(roster.undo(cur, batch))
        cur.execute("DELETE FROM import_batches WHERE id = ?", [batch])
        audit.record(cur, actor, "undo", f"batch {batch}: {found[0][0]}", batch_id=batch,
                     before={"batch": batch, "file": found[0][0], "format": found[0][1]},
                     after={t: n for t, n in removed.items() if n})
    return removed

