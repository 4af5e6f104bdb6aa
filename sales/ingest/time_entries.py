"""Time entries: typed in a temp table (``staged_time_entries``), checked row by row in SQL, matched against
what the store holds (a re-import adds nothing, real repeats survive) and inserted; a tool's first export
for a period goes in with one statement (the bulk path). An undo removes a batch's entries."""

from __future__ import annotations

from pathlib import Path

from sales.ingest.formats import Detection, Format
from sales.ingest.reader import CsvLayout
from sales.ingest.rejects import Rejects, rows_by_record
from sales.ingest.results import ImportResult
from sales.ingest.timesql import ENTRY_FIELDS, ERRORS, jira_worklog_sql, time_stage_sql
from sales.ingest.values import date_sql, sniff_date
from sales.store import Store, scalar

STAGED = "staged_time_entries"
# what a time entry stores besides its batch and tool, as the staged table names it
ENTRY_COLUMNS = ("person", "work_date", "started_at", "hours", "billable", "client", "project", "account",
                 "issue_key", "description")
GOOD = "err IS NULL AND NOT is_total"


def direct(det: Detection) -> bool:
    """Entries typed while the file is read (one pass, no copy of its text): every layout but Jira's
    repeated Log Work columns."""
    return det.format.kind == "time" and det.format.repeated is None


def stage_file_sql(det: Detection, layout: CsvLayout, reader_sql: str, result: ImportResult) -> str:
    """The statement that reads the file straight into ``staged_time_entries`` (rid filled in afterwards)."""
    stage_sql, warnings = time_stage_sql(det, layout, reader_sql, rid="NULL::BIGINT")
    result.warnings += warnings
    return f"CREATE OR REPLACE TEMP TABLE {STAGED} AS {stage_sql}"


def number_staged(cur, first_rowid: int) -> None:
    """Record indexes of entries staged straight from the file (their row order is the file's)."""
    cur.execute(f"UPDATE {STAGED} SET rid = rowid - {int(first_rowid)}")


def import_rows(cur, det: Detection, layout: CsvLayout, src: str, batch: int, result: ImportResult,
                rejects: Rejects) -> None:
    """Time entries from ``src`` (the file's records as text, with their index ``rid``)."""
    if det.format.repeated is not None:
        unpivot, dates = jira_worklog_sql(det, layout, src)
        tdet, tlayout = _jira_detection(det, dates)
        stage_sql, warnings = time_stage_sql(tdet, tlayout, f"({unpivot})", carry=("lw", "lw_col"))
        # a cell that is not comment;date;user;seconds is reported against its own Log Work column
        stage_sql = f"""SELECT * REPLACE (CASE WHEN err = 1 THEN 8 ELSE err END AS err, lw_col AS err_col)
                        FROM ({stage_sql})"""
    else:
        stage_sql, warnings = time_stage_sql(det, layout, src)
    result.warnings += warnings
    cur.execute(f"CREATE OR REPLACE TEMP TABLE {STAGED} AS {stage_sql}")
    import_staged(cur, det, layout, batch, result, rejects)


def import_staged(cur, det: Detection, layout: CsvLayout, batch: int, result: ImportResult,
                  rejects: Rejects) -> None:
    """Rejects by line and column, then the new entries of ``staged_time_entries`` into the store."""
    header = layout.header
    jira = det.format.repeated is not None
    counts = cur.execute(f"""SELECT count(*) FILTER (WHERE NOT is_total), count(*) FILTER (WHERE is_total),
                                    count(*) FILTER (WHERE {GOOD}), min(work_date) FILTER (WHERE {GOOD}),
                                    max(work_date) FILTER (WHERE {GOOD}) FROM {STAGED}""").fetchall()[0]
    result.rows_read, result.skipped = counts[0], counts[1]
    lw = "lw" if jira else "NULL"
    bad = rows_by_record(cur, f"""SELECT rid, err, err_col, date_raw, hours_raw, start_raw, end_raw, span, {lw}
                                 FROM {STAGED} WHERE err IS NOT NULL AND NOT is_total""")
    for rid, code, col, d_raw, h_raw, s_raw, e_raw, span, lw in bad:
        value = {1: d_raw, 2: d_raw, 7: s_raw if col == det.columns.get("start_time") else e_raw}.get(code, h_raw)
        value = lw if jira else value
        reason = ERRORS[code].format(value=value, detail=span or 0.0)
        rejects.add_record(rid, header[col] if col is not None else None, reason)
    result.imported = _insert_new(cur, batch, det.format.name, counts[3], counts[4]) if counts[2] else 0
    result.duplicates = counts[2] - result.imported
    result.hours = batch_hours(cur, batch)
    cur.execute(f"DROP TABLE IF EXISTS {STAGED}; DROP TABLE IF EXISTS repeated_time_entries")


def _jira_detection(det: Detection, dates: list[str]) -> tuple[Detection, CsvLayout]:
    fmt = Format("jira-log-work", "time", det.format.label,
                 {"issue_key": ("c0",), "project": ("c1",), "work_date": ("c2",), "start_time": ("c2",),
                  "person": ("c3",),
                  "hours": ("c4",), "description": ("c5",)}, ("work_date", "hours"),
                 date_order=det.format.date_order, hours_unit="seconds")
    header = [f"c{i}" for i in range(6)]
    sample = [["", "", d, "", "", ""] for d in dates]
    return Detection(fmt, fmt.resolve(header), ()), CsvLayout(Path(), ",", "utf-8", header, sample, 0)


def _insert_new(cur, batch: int, tool: str, first_day, last_day) -> int:
    """Insert the staged entries the store does not hold yet; returns how many went in.

    A file's n-th identical entry is new when the store holds fewer than n of them: a re-import
    or a superset export adds nothing it already has, while real repeats survive. Only entries
    that repeat within the file need numbering, which spares a sort of every row; ``same`` (a hash) merely
    narrows those candidates inside this statement and is never stored, so a DuckDB upgrade
    cannot change what matches.
    """
    fields = ENTRY_FIELDS
    same = ", ".join(fields)
    cur.execute(f"""CREATE OR REPLACE TEMP TABLE repeated_time_entries AS SELECT same FROM {STAGED} WHERE {GOOD}
                    GROUP BY same HAVING count(*) > 1""")
    numbered = f"SELECT *, 1 AS n FROM {STAGED} WHERE {GOOD}"
    repeats = scalar(cur, "SELECT count(*) FROM repeated_time_entries")
    if repeats:
        numbered = f"""SELECT *, 1 AS n FROM {STAGED} WHERE {GOOD}
                         AND same NOT IN (SELECT same FROM repeated_time_entries)
                       UNION ALL
                       SELECT *, row_number() OVER (PARTITION BY {same} ORDER BY rid) FROM {STAGED}
                       WHERE {GOOD} AND same IN (SELECT same FROM repeated_time_entries)"""
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
    return scalar(cur, insert_sql(batch, fresh), [tool, *params])


def insert_sql(batch: int, rows: str) -> str:
    """INSERT of ``rows`` (a SELECT giving the staged entry columns) as one batch; the tool is ``?``."""
    return f"""INSERT INTO time_entries (batch_id, tool, {', '.join(ENTRY_COLUMNS)})
               SELECT {int(batch)}, ?, {', '.join(ENTRY_COLUMNS)} FROM ({rows})"""


def batch_hours(cur, batch: int) -> float:
    return round(float(scalar(cur, "SELECT coalesce(sum(hours), 0) FROM time_entries WHERE batch_id = ?", [batch])), 6)


# ---------------------------------------------------------------- the bulk path


def bulk_applies(store: Store, det: Detection, layout: CsvLayout) -> bool:
    """Worth trying the bulk path: a time file whose first dates the store holds nothing from.

    Only a hint from the sampled rows: the bulk statement itself checks every row and rolls back
    when any entry falls inside a period already stored.
    """
    if not direct(det) or "work_date" not in det.columns:
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


def bulk_insert_sql(det: Detection, layout: CsvLayout, reader_sql: str, batch: int,
                    result: ImportResult) -> str:
    """One statement that reads, types and inserts the whole file, and fails on any bad row or total line
    (an error too), which hands the file on to the general path."""
    stage_sql, warnings = time_stage_sql(det, layout, reader_sql, rid="NULL::BIGINT")
    result.warnings += warnings
    checked = f"""SELECT * REPLACE (CASE WHEN err IS NULL THEN work_date ELSE error('not clean') END
                                      AS work_date) FROM ({stage_sql})"""
    return insert_sql(batch, checked)


def overlaps_stored(cur, batch: int, tool: str) -> bool:
    """Whether the store held entries of this tool within the dates a bulk insert just wrote: they must be
    matched, so the bulk attempt does not stand."""
    return bool(scalar(cur, """SELECT count(*) FROM time_entries, (SELECT min(work_date) AS first,
                               max(work_date) AS last FROM time_entries WHERE batch_id = ?)
                               WHERE tool = ? AND batch_id IS DISTINCT FROM ? AND work_date BETWEEN first AND last""",
                       [batch, tool, batch]))


def undo(cur, batch: int) -> dict[str, int]:
    """Remove a batch's time entries; returns how many."""
    return {"time_entries": scalar(cur, "DELETE FROM time_entries WHERE batch_id = ?", [batch])}
