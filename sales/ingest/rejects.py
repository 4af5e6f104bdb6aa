"""Rejected records by file line: what DuckDB's reader refused (wrong field count, broken quotes) and footers,
which line each record is on, and a batch's rejects, written to the store as they are found.

Nothing here grows with the file: lines are found in one forward pass, and rejects go to the store in
chunks; the first ``SHOWN`` stay on the import's result for people to read.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import duckdb

from sales.ingest.reader import CsvLayout, line_count
from sales.ingest.results import ImportResult, Reject
from sales.store import scalar

UNCLOSED_QUOTE = "a quote is not closed or stands in the middle of a value"
SHOWN = 1000  # rejects listed on the result (the page, the command line); every one is in the store
WRITE_EVERY = 10_000
FOOTER_LINES = 50  # the last rejected lines looked at for a report footer


@dataclass
class Structural:
    """What DuckDB's reader refused: the rejects (by line), report footer lines skipped, every rejected line
    (sorted; a numpy array when there are any: numpy loads only for files with problems)."""

    rejects: Iterator[Reject]
    footer: int
    lines: Sequence[int] = ()


def structural_rejects(cur: duckdb.DuckDBPyConnection, layout: CsvLayout, newlines: Callable[[], int]) -> Structural:
    """DuckDB's reader rejects (wrong field count, broken quotes) → rejects, footer lines skipped.

    A trailing block of single-field lines is a report footer (Salesforce), not bad data.
    ``newlines`` counts the file's line ends (read once, shared with the line map).
    """
    if not scalar(cur, "SELECT count(*) FROM reject_errors"):
        return Structural(iter(()), 0)
    import numpy as np

    from sales.ingest.lines import lines_at

    positions = cur.execute("SELECT DISTINCT line_byte_position FROM reject_errors ORDER BY 1").fetchnumpy()
    positions = np.asarray(positions["line_byte_position"], dtype=np.int64)
    lines = lines_at(layout.path, positions)
    footer_from = newlines() + 2  # one past the line after the last line end
    for line, kind, text in reversed(_details(cur, positions[-FOOTER_LINES:], lines[-FOOTER_LINES:])):
        fields = next(csv.reader([text], delimiter=layout.delimiter), [])
        single = kind == "MISSING COLUMNS" and len(fields) <= 1
        if single and line >= footer_from - 3:  # allow blank lines between footer lines
            footer_from = line
        else:
            break
    kept = int(np.searchsorted(lines, footer_from))
    width = len(layout.header)
    rejects = (Reject(line, None, _structural_reason(kind, message, width), text[:300])
               for line, kind, text, message in _all_details(cur, lines[:kept]))
    return Structural(rejects, len(lines) - kept, lines)


def _details(cur, positions, lines) -> list[tuple[int, str, str]]:
    rows = dict((p, (k, t)) for p, k, t, _ in cur.execute(
        """SELECT line_byte_position, any_value(error_type)::VARCHAR, any_value(csv_line), NULL FROM reject_errors
           WHERE line_byte_position >= ? GROUP BY 1""", [int(positions[0])]).fetchall())
    return [(int(line), rows[int(p)][0], rows[int(p)][1].strip("\r\n")) for p, line in zip(positions, lines)]


def _all_details(cur, lines) -> Iterator[tuple[int, str, str, str]]:
    """Each rejected record's line, error kind, text and message, in file order, a chunk at a time (each chunk
    a query of its own: the rejects are written on this cursor meanwhile)."""
    done, after = 0, -1
    while done < len(lines):
        rows = cur.execute("""SELECT line_byte_position, any_value(error_type)::VARCHAR, any_value(csv_line),
                                     any_value(error_message) FROM reject_errors WHERE line_byte_position > ?
                              GROUP BY 1 ORDER BY 1 LIMIT ?""", [after, WRITE_EVERY]).fetchall()
        if not rows:
            return
        for line, (_, kind, text, message) in zip(lines[done:], rows):
            yield int(line), kind, text.strip("\r\n"), message
        done, after = done + len(rows), rows[-1][0]


def _structural_reason(kind: str, message: str, width: int) -> str:
    if kind == "MISSING COLUMNS":
        return f"too few fields: expected {width}"
    if kind == "TOO MANY COLUMNS":
        return f"too many fields: expected {width} (an unquoted delimiter inside a value?)"
    if kind == "UNQUOTED VALUE":
        return UNCLOSED_QUOTE
    return message.splitlines()[0]


class LineMap:
    """Record index (DuckDB's row order) → file line and that line's text.

    When every record is one line after the header, a record's line is known without reading; its text,
    and every line of an irregular file, come from one forward pass (``RecordLines``).
    """

    def __init__(self, layout: CsvLayout, records: int, rejected_lines: Sequence[int], newlines: Callable[[], int]):
        self.layout, self.records, self.rejected, self.newlines = layout, records, rejected_lines, newlines
        self._regular: bool | None = None
        self._scan = None  # a lines.RecordLines, from the first record looked up

    @property
    def regular(self) -> bool:
        if self._regular is None:
            self._regular = not len(self.rejected) and line_count(
                self.layout.path, self.newlines()) == self.records + 1
        return self._regular

    def __call__(self, rid: int) -> int:
        return self.layout.row(rid + 2) if self.regular else self.locate(rid)[0]

    def locate(self, rid: int) -> tuple[int, str | None]:
        """The record's line (a sheet's row) and text."""
        if self._scan is None:
            from sales.ingest.lines import RecordLines  # numpy loads only for files with problems

            self._scan = RecordLines(self.layout.path, self.rejected, regular=self.regular)
        line, text = self._scan.locate(rid) or (rid + 2, None)
        return self.layout.row(line), text

    def close(self) -> None:
        if self._scan is not None:
            self._scan.close()


class Rejects:
    """A batch's rejected records as the importer finds them: each with its line and raw text, written to the
    store through ``write`` in chunks; the first ``SHOWN`` kept on ``result.rejects``."""

    def __init__(self, cur, batch: int, result: ImportResult, lines: LineMap,
                 write: Callable[[duckdb.DuckDBPyConnection, int, list[Reject]], None]):
        self.cur, self.batch, self.result, self.lines, self.write = cur, batch, result, lines, write
        self.count = 0
        self._pending: list[Reject] = []

    def add(self, reject: Reject) -> None:
        self.count += 1
        if len(self.result.rejects) < SHOWN:
            self.result.rejects.append(reject)
        self._pending.append(reject)
        if len(self._pending) >= WRITE_EVERY:
            self.flush()

    def add_record(self, rid: int, column: str | None, reason: str) -> None:
        """A rejected record by its index: its line and text are looked up."""
        line, raw = self.lines.locate(rid)
        self.add(Reject(line, column, reason, raw))

    def flush(self) -> None:
        if self._pending:
            self.write(self.cur, self.batch, self._pending)
            self._pending = []

    def close(self) -> None:
        """Everything written; the rejects shown in file order (malformed records were found first)."""
        self.flush()
        self.lines.close()
        self.result.rejects.sort(key=lambda r: r.line if r.line is not None else 0)


def rows_by_record(cur, select: str, params: list | None = None) -> Iterator[tuple]:
    """The rows of ``select`` (a SELECT whose first column is ``rid`` and that ends in a WHERE clause), in record
    order, a chunk at a time: each chunk is a query of its own, so rejects can be written in between."""
    after = -1
    while rows := cur.execute(f"{select} AND rid > ? ORDER BY rid LIMIT {WRITE_EVERY}",
                              [*(params or []), after]).fetchall():
        yield from rows
        after = rows[-1][0]


def write_rejects(cur, batch: int, rejects: list[Reject]) -> None:
    """Rejected records of a batch with their line, column, reason and raw text, in one statement."""
    if rejects:
        cur.execute("""INSERT INTO rejected_rows (batch_id, line, "column", reason, raw)
                       SELECT ?, unnest(?::INTEGER[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]),
                              unnest(?::VARCHAR[])""",
                    [batch, [r.line for r in rejects], [r.column for r in rejects], [r.reason for r in rejects],
                     [r.raw for r in rejects]])
