"""Small facts about CSV text that several readers need: delimiter, encoding, where a record starts."""

from __future__ import annotations

import csv
from pathlib import Path

DELIMITERS = (",", ";", "\t")
ENCODING = "utf-8-sig"  # strips the BOM Excel puts before the first header


class CsvError(ValueError):
    """A file that cannot be read as CSV; the message names the file (and line when known)."""


def read_head(path: Path, size: int = 64 * 1024) -> str:
    """The first bytes of a file as text, refusing binary files with a clear message."""
    with open(path, "rb") as fh:
        raw = fh.read(size)
    if b"\x00" in raw:
        raise CsvError(f"{path.name}: looks like a binary file, not CSV text")
    try:
        return raw.decode(ENCODING)
    except UnicodeDecodeError as e:
        if e.start < len(raw) - 4:  # a multi-byte character cut at the end of the sample is fine
            try:
                return raw.decode("cp1252")
            except UnicodeDecodeError:
                raise CsvError(f"{path.name}: not UTF-8 text") from e
        return raw[: e.start].decode(ENCODING)


def sniff_delimiter(header_line: str) -> str:
    """The delimiter that splits the header into the most fields (',' wins ties)."""
    best = max(DELIMITERS, key=lambda d: (len(next(csv.reader([header_line], delimiter=d))),
                                          d == ","))
    return best


def record_start_lines(path: Path, delimiter: str, encoding: str = ENCODING, stop_after: int | None = None,
                       skip_lines: frozenset[int] | set[int] = frozenset()) -> list[int]:
    """1-based line where each data record starts (header = line 1); blank lines and ``skip_lines``
    (lines a reader rejected) are left out, as the readers leave them out.

    Needed because a quoted field may span lines, so record n is not always line n + 2.
    """
    starts: list[int] = []
    with open(path, newline="", encoding=encoding, errors="replace") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        next(reader, None)
        prev_end = reader.line_num
        for row in reader:
            start = prev_end + 1
            prev_end = reader.line_num
            if not row or start in skip_lines:
                continue
            starts.append(start)
            if stop_after is not None and len(starts) > stop_after:
                break
    return starts


def line_of_record(path: Path, record: int, delimiter: str, encoding: str = ENCODING) -> int:
    """Line number (header = 1) where 0-based data record ``record`` starts."""
    starts = record_start_lines(path, delimiter, encoding, stop_after=record)
    return starts[record] if record < len(starts) else record + 2
