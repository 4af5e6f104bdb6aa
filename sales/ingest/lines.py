"""Which line of a CSV file each record starts on, and that line's text, in one forward pass over the bytes.

A quoted value may span lines, so record n is not always line n + 2. A line starts a record when it begins
outside quotes (an even number of ``"`` before it: ``""`` inside a value counts two), unless it is blank or a
line the reader rejected; the first record is the header. Blank lines and rejected ones are left out as
DuckDB's reader leaves them out, so record indexes match its row order. The pass reads the file in chunks
and keeps nothing of the lines it has gone by: memory stays flat whatever the file's size.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

CHUNK = 16 << 20
RAW_CHARS = 300  # of a rejected record's first line, kept in the store


class RecordLines:
    """Record index → (line, text of that line) for indexes asked in increasing order (going back reads the
    file again from its start). ``skip``: the lines the reader rejected, sorted. ``regular``: every line after
    the header is known to be one record (no quotes need counting)."""

    def __init__(self, path: Path, skip: np.ndarray | None = None, regular: bool = False):
        self.path, self.regular = path, regular
        self.skip = np.asarray(skip if skip is not None else [], dtype=np.int64)
        self._restart()

    def _restart(self) -> None:
        self._fh = None
        self._carry, self._eof = b"", False
        self._line0, self._odd, self._header_seen = 1, 0, False
        self._first = self._next = 0  # record indexes: the current chunk's first, and the next chunk's
        self._buf = b""
        self._lines = self._starts = self._ends = np.empty(0, dtype=np.int64)

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def locate(self, record: int) -> tuple[int, str] | None:
        """The line record ``record`` starts on and its text; None past the last record."""
        if record < self._first:
            self.close()
            self._restart()
        while record >= self._next:
            if not self._load():
                return None
        i = record - self._first
        text = self._buf[self._starts[i]:self._ends[i]].decode("utf-8", errors="replace")
        return int(self._lines[i]), text.removeprefix("\ufeff").rstrip("\r")[:RAW_CHARS]

    def _read(self) -> bytes:
        """The next whole lines of the file (a line longer than a chunk is read on until it ends)."""
        if self._fh is None:
            self._fh = open(self.path, "rb")  # noqa: SIM115 (kept open across calls; closed by close())
        data = self._carry
        while not self._eof:
            more = self._fh.read(CHUNK)
            self._eof = not more
            data += more
            cut = data.rfind(b"\n")
            if cut >= 0:
                self._carry = data[cut + 1:]
                return data[:cut + 1]
        self._carry = b""
        return data

    def _load(self) -> bool:
        buf = self._read()
        if not buf:
            return False
        a = np.frombuffer(buf, dtype=np.uint8)
        ends = np.flatnonzero(a == 10)
        if buf[-1:] != b"\n":  # the last line, without a line end
            ends = np.append(ends, len(buf))
        starts = np.concatenate(([0], ends[:-1] + 1))
        if self.regular:
            outside = np.ones(len(starts), dtype=bool)
        else:
            quotes = np.flatnonzero(a == 34)
            outside = (self._odd + np.searchsorted(quotes, starts)) % 2 == 0
            self._odd = (self._odd + len(quotes)) % 2
        length = ends - starts
        first_byte = a[np.minimum(starts, len(a) - 1)]
        blank = (length == 0) | ((length == 1) & (first_byte == 13))
        lines = self._line0 + np.arange(len(starts), dtype=np.int64)
        self._line0 += len(starts)
        record = outside & ~blank
        if len(self.skip):
            near = self.skip[np.searchsorted(self.skip, lines[0]):np.searchsorted(self.skip, lines[-1], "right")]
            record &= ~np.isin(lines, near)
        if not self._header_seen and record.any():
            record[np.argmax(record)] = False
            self._header_seen = True
        found = np.flatnonzero(record)
        self._buf = buf
        self._lines, self._starts, self._ends = lines[found], starts[found], ends[found]
        self._first, self._next = self._next, self._next + len(found)
        return True


def lines_at(path: Path, positions: np.ndarray) -> np.ndarray:
    """1-based line numbers of byte positions (sorted), in one forward pass, a chunk at a time."""
    out = np.empty(len(positions), dtype=np.int64)
    line, done, i = 1, 0, 0
    with open(path, "rb") as fh:
        while i < len(positions):
            chunk = fh.read(CHUNK)
            if not chunk:
                out[i:] = line
                break
            a = np.frombuffer(chunk, dtype=np.uint8)
            newlines = np.flatnonzero(a == 10) + done
            j = np.searchsorted(positions, done + len(chunk))  # positions inside this chunk
            out[i:j] = line + np.searchsorted(newlines, positions[i:j])
            line += len(newlines)
            done += len(chunk)
            i = j
    return out
