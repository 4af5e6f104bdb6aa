"""Rejected records by file line: what DuckDB's reader refused (wrong field count, broken quotes) and
footers, which record index is on which line of the file, and the rejects table of a batch."""

from __future__ import annotations

import csv
from collections.abc import Callable
from functools import cached_property
from pathlib import Path

import duckdb

from sales.csvtext import ENCODING, record_start_lines
from sales.ingest.reader import CsvLayout, raw_lines
from sales.ingest.results import Reject

UNCLOSED_QUOTE = "a quote is not closed or stands in the middle of a value"


def structural_rejects(cur: duckdb.DuckDBPyConnection, layout: CsvLayout,
                       newlines: Callable[[], int]) -> tuple[list[Reject], int, set[int]]:
    """DuckDB's reader rejects (wrong field count, broken quotes) → rejects, footer lines skipped.

    A trailing block of single-field lines is a report footer (Salesforce), not bad data.
    Returns rejects, the number of footer lines, and every rejected line number.
    ``newlines`` counts the file's line ends (read once, shared with the line map).
    """
    rows = cur.execute("""SELECT line_byte_position, any_value(error_type)::VARCHAR, any_value(csv_line),
                                 any_value(error_message)
                          FROM reject_errors GROUP BY line_byte_position ORDER BY line_byte_position""").fetchall()
    if not rows:
        return [], 0, set()
    data_lines = _lines_at(layout.path, [r[0] for r in rows])
    found = [(line, kind, text.strip("\r\n"), message) for (_, kind, text, message), line in zip(rows, data_lines)]
    total_lines = newlines() + 1
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

    def __init__(self, layout: CsvLayout, records: int, rejected_lines: set[int], newlines: Callable[[], int]):
        self.layout, self.records, self.rejected, self.newlines = layout, records, rejected_lines, newlines

    @cached_property
    def _lines(self) -> list[int] | None:
        """Each record's first line; None when every record is one line after the header."""
        if not self.rejected and self.newlines() in (self.records + 1, self.records):
            return None
        return record_start_lines(self.layout.path, self.layout.delimiter, ENCODING, skip_lines=self.rejected)

    def __call__(self, rid: int) -> int:
        lines = self._lines
        return lines[rid] if lines is not None and rid < len(lines) else rid + 2


def write_rejects(cur, batch: int, rejects: list[Reject], layout: CsvLayout) -> None:
    """Every rejected record of a batch with its line, column, reason and raw text."""
    if not rejects:
        return
    missing = {r.line for r in rejects if r.raw is None and r.line is not None}
    texts = raw_lines(layout.path, set(sorted(missing)[:1000]))
    cur.executemany('INSERT INTO rejected_rows (batch_id, line, "column", reason, raw) VALUES (?, ?, ?, ?, ?)',
                    [[batch, r.line, r.column, r.reason, r.raw if r.raw is not None else texts.get(r.line)]
                     for r in rejects])
