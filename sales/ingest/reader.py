"""Look at an export before importing it: refuse what is not CSV, find the header and delimiter,
sample values, and map DuckDB's record numbers back to file lines for error messages."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from sales.csvtext import CsvError, sniff_delimiter

MAX_BYTES = 1024 * 1024 * 1024  # 1 GiB: far beyond any real export; refuse before reading
MAX_COLUMNS = 500
HEAD_BYTES = 256 * 1024
SAMPLE_ROWS = 2000
TOTAL_ROW = re.compile(r"^\s*(grand\s+)?(total|totals|summe|gesamt|totaal|totale|sum)\s*:?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class CsvLayout:
    path: Path
    delimiter: str
    encoding: str  # as DuckDB names it
    header: list[str]
    sample: list[list[str]]  # the first data records, for per-column decisions
    size: int

    def column(self, index: int) -> list[str]:
        return [r[index] for r in self.sample if index < len(r)]


def inspect(path: Path, max_bytes: int = MAX_BYTES) -> CsvLayout:
    """Refuse oversized, binary and absurdly wide files; read the header and a sample."""
    name = path.name
    try:
        size = path.stat().st_size
    except OSError as e:
        raise CsvError(f"{name}: cannot read the file ({e.strerror})") from None
    if size > max_bytes:
        raise CsvError(f"{name}: {size / 1e6:,.0f} MB is over the {max_bytes / 1e6:,.0f} MB limit for one import")
    if size == 0:
        raise CsvError(f"{name}: the file is empty")
    with open(path, "rb") as fh:
        raw = fh.read(HEAD_BYTES)
    if b"\x00" in raw or raw[:4] in (b"PK\x03\x04", b"%PDF") or raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise CsvError(f"{name}: this is a binary file (a spreadsheet or archive?), not CSV text; "
                       "save or export it as CSV first")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text, encoding = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        if e.start >= len(raw) - 3 and len(raw) == HEAD_BYTES:  # a character cut by the sample's end
            text, encoding = raw[: e.start].decode("utf-8"), "utf-8"
        else:
            text, encoding = raw.decode("latin-1"), "latin-1"
    if len(raw) == HEAD_BYTES:  # drop a record cut by the sample's end
        text = text[: text.rfind("\n") + 1]
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise CsvError(f"{name}: no header row found")
    if lines[0].strip() == "":
        raise CsvError(f"{name}: line 1 is blank; the header must be on line 1")
    delimiter = sniff_delimiter(lines[0])
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = [h.strip() for h in rows[0]]
    if len(header) > MAX_COLUMNS:
        raise CsvError(f"{name}: line 1 has {len(header):,} columns (the limit is {MAX_COLUMNS}); "
                       "is this really an export?")
    if len(header) < 2:
        raise CsvError(f"{name}: line 1 has a single column; expected a CSV header separated by , ; or tab")
    sample = [r for r in rows[1: SAMPLE_ROWS + 1] if any(c.strip() for c in r)]
    return CsvLayout(path, delimiter, encoding, header, sample, size)


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
           f"encoding = '{layout.encoding}', max_line_size = 10000000)")
    return sql, [str(layout.path)]


def count_newlines(path: Path) -> int:
    n = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(8 * 1024 * 1024):
            n += chunk.count(b"\n")
    return n


def raw_lines(path: Path, wanted: set[int], encoding: str, limit: int = 300) -> dict[int, str]:
    """The text of a few lines (for the rejects table), read once from the start of the file."""
    out: dict[int, str] = {}
    if not wanted:
        return out
    last = max(wanted)
    with open(path, encoding="utf-8-sig" if encoding == "utf-8" else encoding, errors="replace") as fh:
        for i, line in enumerate(fh, start=1):
            if i in wanted:
                out[i] = line.rstrip("\r\n")[:limit]
            if i >= last:
                break
    return out
