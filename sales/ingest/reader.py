"""Look at an export before importing it: refuse what is not CSV, find the header and delimiter,
sample values, and map DuckDB's record numbers back to file lines for error messages."""

from __future__ import annotations

import csv
import io
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from sales.csvtext import CsvError, detect_encoding, line_ends_clean, python_codec, sniff_delimiter, transcode

MAX_BYTES = 1024 * 1024 * 1024  # 1 GiB: far beyond any real export; refuse before reading
MAX_COLUMNS = 500
HEAD_BYTES = 256 * 1024
SAMPLE_ROWS = 2000
MAX_FIELD = 10_000_000  # characters in one value, as the readers' max_line_size
# DuckDB's read buffer: it must exceed max_line_size, and its default (16 x that, per thread) would hold
# 320 MB of the file in memory; this is as fast
READ_BUFFER = 16_000_000
TOTAL_ROW = re.compile(r"^\s*(grand\s+)?(total|totals|summe|gesamt|totaal|totale|sum)\s*:?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class CsvLayout:
    path: Path  # what the readers read: the file itself, or its UTF-8 copy (``copied``)
    delimiter: str
    encoding: str  # the file's own encoding, for people: utf-8, utf-16, cp1252 or latin-1
    header: list[str]
    sample: list[list[str]]  # the first data records, for per-column decisions
    size: int
    copied: bool = False
    rows: Callable[[int | None], int | None] | None = None  # text line → spreadsheet row, when they differ

    def row(self, line: int | None) -> int | None:
        """The line people look for: the spreadsheet row for a sheet read as text, else the file line."""
        return self.rows(line) if self.rows is not None else line

    def column(self, index: int) -> list[str]:
        return [r[index] for r in self.sample if index < len(r)]

    @property
    def needs_copy(self) -> bool:
        """The readers take UTF-8 with one kind of line end; anything else is read from a copy."""
        return not self.copied and (self.encoding != "utf-8" or not self._line_ends_clean)

    _line_ends_clean: bool = True

    def copy_into(self, folder: Path) -> CsvLayout:
        """This file as UTF-8 with ``\n`` line ends, line for line, under its own name in ``folder``."""
        dest = folder / self.path.name
        transcode(self.path, dest, self.encoding)
        return replace(self, path=dest, copied=True)


def inspect(path: Path, max_bytes: int = MAX_BYTES) -> CsvLayout:
    """Refuse what is no readable CSV; decide the encoding from the bytes; read the header and a sample."""
    name = path.name
    try:
        if path.is_dir():
            raise CsvError(f"{name}: is a folder, not a file; name the CSV files in it")
        mode = path.stat().st_mode
        if not stat.S_ISREG(mode):  # reading a pipe or a device could wait forever or never end
            raise CsvError(f"{name}: is {_special(mode)}, not a file; export the data to a CSV file first")
        size = path.stat().st_size
        with open(path, "rb") as fh:
            raw = fh.read(HEAD_BYTES)
    except OSError as e:
        raise CsvError(f"{name}: cannot read the file ({e.strerror})") from None
    if size > max_bytes:
        raise CsvError(f"{name}: {size / 1e6:,.0f} MB is over the {max_bytes / 1e6:,.0f} MB limit for one import")
    if size == 0:
        raise CsvError(f"{name}: the file is empty")
    encoding = detect_encoding(raw, complete=len(raw) < HEAD_BYTES)
    if encoding != "utf-16" and (b"\x00" in raw or raw[:4] in (b"PK\x03\x04", b"%PDF")
                                 or raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise CsvError(f"{name}: this is a binary file (a spreadsheet or archive?), not CSV text; "
                       "save or export it as CSV first")
    head = raw if len(raw) < HEAD_BYTES else raw[:-1]  # a "\r\n" cut by the sample's end is no bare "\r"
    clean = encoding == "utf-8" and line_ends_clean(head)
    header, sample, delimiter = _read_sample(path, encoding, name)
    if len(header) > MAX_COLUMNS:
        raise CsvError(f"{name}: line 1 has {len(header):,} columns (the limit is {MAX_COLUMNS}); "
                       "is this really an export?")
    if len(header) < 2:
        raise CsvError(f"{name}: line 1 has a single column; expected a CSV header separated by , ; or tab")
    return CsvLayout(path, delimiter, encoding, header, sample, size, _line_ends_clean=clean)


def _special(mode: int) -> str:
    for test, what in ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return what
    return "a special file"


def _first_line(path: Path, encoding: str) -> str:
    with open(path, encoding=python_codec(encoding), errors="replace", newline="") as fh:
        text = fh.read(HEAD_BYTES)
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n", 1)[0]


def _read_sample(path: Path, encoding: str, name: str) -> tuple[list[str], list[list[str]], str]:
    """The header, the first records and the delimiter, read record by record: a long record (a description of a
    megabyte) or an unclosed quote does not hide the records around it from the sample."""
    first = _first_line(path, encoding)
    if not first.strip():
        raise CsvError(f"{name}: line 1 is blank; the header must be on line 1")
    delimiter = sniff_delimiter(first)
    header = [h.strip() for h in next(csv.reader([first], delimiter=delimiter))]
    sample: list[list[str]] = []
    csv.field_size_limit(MAX_FIELD)
    with open(path, encoding=python_codec(encoding), errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            next(reader, None)
            for row in reader:
                if any(c.strip() for c in row):
                    sample.append(row)
                if len(sample) >= SAMPLE_ROWS or reader.line_num > 20 * SAMPLE_ROWS:
                    break
        except csv.Error:  # an unclosed quote ran into the size limit: sample what came before
            pass
    return header, sample, delimiter


def read_csv_sql(layout: CsvLayout, tolerant: bool = True) -> tuple[str, list]:
    """A DuckDB ``read_csv`` over the file with generic column names c0..cN, every value as text.

    ``tolerant``: malformed records (wrong field count, broken quotes; footers show up this way)
    land in DuckDB's reject tables with their position. Otherwise the first one raises, which
    reads a clean file about a third faster: the bulk path tries that first.
    """
    cols = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(layout.header)))
    delim = {",": ",", ";": ";", "\t": "\\t"}[layout.delimiter]
    rejects = "ignore_errors = true, store_rejects = true" if tolerant else "ignore_errors = false"
    sql = (f"read_csv(?, header = true, delim = '{delim}', quote = '\"', escape = '\"', auto_detect = false, "
           f"columns = {{{cols}}}, null_padding = false, strict_mode = true, {rejects}, "
           f"encoding = 'utf-8', max_line_size = {MAX_FIELD}, buffer_size = {READ_BUFFER})")
    return sql, [str(layout.path)]


MAX_RECORD_LINES = 2000  # a quoted value spanning more lines than this is an unclosed quote


def repair_quotes(path: Path, delimiter: str, width: int, dest: Path) -> list[tuple[int, str]]:
    """Find records whose quote never closes, or closes only lines later with the wrong number of
    fields (a stray ``"`` swallowing the rows after it); returns each such record's first line and
    text. When there are any, ``dest`` is the file with those lines blanked, line for line, so every
    other row is read as it stands. Runs only for files the strict reader already refused.
    """
    bad: list[tuple[int, str]] = []
    redo: list[tuple[int, str]] = []  # lines to read again, after the record they were in proved broken
    pending: list[tuple[int, str]] = []
    quotes = 0
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh, \
            open(dest, "w", encoding="utf-8", newline="") as out:
        numbered = enumerate(fh, start=1)
        while True:
            item = redo.pop() if redo else next(numbered, None)
            if item is None:
                if not pending:
                    break
                item = None  # the file ended inside a quote: the record's first line is broken
            else:
                line, text = item
                if not pending and text.count('"') % 2 == 0:
                    out.write(text)
                    continue
                pending.append(item)
                quotes += text.count('"')
                if quotes % 2 and len(pending) <= MAX_RECORD_LINES:
                    continue
                if quotes % 2 == 0:
                    if len(pending) == 1 or _one_record(pending, delimiter, width):  # one line: the reader judges
                        out.writelines(t for _, t in pending)
                        pending, quotes = [], 0
                        continue
            first_line, first_text = pending[0]
            bad.append((first_line, first_text.rstrip("\r\n")[:300]))
            out.write("\n")
            redo.extend(reversed(pending[1:]))
            pending, quotes = [], 0
    if not bad:
        dest.unlink()
    return bad


def _one_record(lines: list[tuple[int, str]], delimiter: str, width: int) -> bool:
    try:
        rows = list(csv.reader(io.StringIO("".join(t for _, t in lines), newline=""), delimiter=delimiter))
    except csv.Error:
        return False
    return len(rows) == 1 and len(rows[0]) == width


def count_newlines(path: Path) -> int:
    n = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(8 * 1024 * 1024):
            n += chunk.count(b"\n")
    return n


def line_count(path: Path, newlines: int) -> int:
    """Lines in a file of ``newlines`` line ends: one more when the last line has no line end."""
    with open(path, "rb") as fh:
        fh.seek(0, 2)
        if fh.tell() == 0:
            return 0
        fh.seek(-1, 2)
        return newlines + (fh.read(1) != b"\n")
