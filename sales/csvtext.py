"""Small facts about CSV text that several readers need: delimiter, encoding, where a record starts."""

from __future__ import annotations

import codecs
import csv
import hashlib
import threading
from pathlib import Path

DELIMITERS = (",", ";", "\t")
ENCODING = "utf-8-sig"  # strips the BOM Excel puts before the first header


class CsvError(ValueError):
    """A file that cannot be read as CSV; the message names the file (and line when known)."""


ENCODING_LABELS = {"utf-8": "UTF-8", "utf-16": "UTF-16", "cp1252": "Windows-1252", "latin-1": "Latin-1"}
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")


def detect_encoding(raw: bytes, complete: bool = False) -> str:
    """The encoding of ``raw`` (a file's first bytes, or all of it when ``complete``), decided from the
    bytes: a UTF-16 byte-order mark, valid UTF-8, else Windows-1252 (curly quotes, dashes, €), else
    Latin-1, which reads any byte."""
    if raw.startswith(UTF16_BOMS):
        return "utf-16"
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as e:
        if not complete and e.reason == "unexpected end of data":  # a character cut by the sample's end
            return "utf-8"
    try:
        raw.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def python_codec(encoding: str) -> str:
    return "utf-8-sig" if encoding == "utf-8" else encoding


def line_ends_clean(raw: bytes) -> bool:
    """True when every line ends the same way, ``\n`` or ``\r\n`` (the readers need no copy)."""
    crlf, cr, lf = raw.count(b"\r\n"), raw.count(b"\r"), raw.count(b"\n")
    return cr == crlf and crlf in (0, lf)


def transcode(src: Path, dest: Path, encoding: str) -> None:
    """``src`` as UTF-8 with ``\n`` line ends, line for line (``\r\n``, ``\r`` and ``\n`` each end one
    line), so line numbers stay those of the original file."""
    with open(src, encoding=python_codec(encoding), newline="") as fin, \
            open(dest, "w", encoding="utf-8", newline="") as fout:
        carry = ""
        while chunk := fin.read(4 << 20):
            chunk = carry + chunk
            carry = "\r" if chunk.endswith("\r") else ""  # its "\n" may open the next chunk
            fout.write(chunk[: len(chunk) - len(carry)].replace("\r\n", "\n").replace("\r", "\n"))
        fout.write("\n" if carry else "")


class FileCheck:
    """Reads the whole file once on a helper thread: its sha256, and whether it is clean UTF-8 with one
    kind of line end. hashlib releases the GIL and DuckDB does too, so this overlaps the import."""

    def __init__(self, path: Path):
        self.path = path
        self.sha256: str | None = None
        self.clean: bool | None = None
        self.encoding: str | None = None  # decided over the whole file (a UTF-16 file is copied before)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        h = hashlib.sha256()
        decoder = codecs.getincrementaldecoder("utf-8")()
        utf8, cp1252, crlf, cr, bare_lf, last = True, True, 0, 0, False, b""
        with open(self.path, "rb") as fh:
            while chunk := fh.read(4 << 20):
                h.update(chunk)
                crs = chunk.count(b"\r")
                pairs = int(last == b"\r" and chunk[:1] == b"\n")  # a "\r\n" across two chunks
                if crs or pairs:
                    pairs += chunk.count(b"\r\n")
                    bare_lf = bare_lf or chunk.count(b"\n") > pairs
                else:  # most files: no "\r" at all, and one look for a "\n" is enough
                    bare_lf = bare_lf or b"\n" in chunk
                cr, crlf, last = cr + crs, crlf + pairs, chunk[-1:]
                if not chunk.isascii():
                    if utf8:
                        try:
                            decoder.decode(chunk)
                        except UnicodeDecodeError:
                            utf8 = False
                    cp1252 = cp1252 and not any(b in chunk for b in CP1252_UNDEFINED)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
        self.sha256 = h.hexdigest()
        self.encoding = "utf-8" if utf8 else "cp1252" if cp1252 else "latin-1"
        self.clean = utf8 and cr == crlf and not (crlf and bare_lf)  # one kind of line end

    def wait(self) -> FileCheck:
        self._thread.join()
        return self


def read_head(path: Path, size: int = 64 * 1024) -> tuple[str, str]:
    """The first bytes of a file as text, and the file's encoding; refuses binary files."""
    with open(path, "rb") as fh:
        raw = fh.read(size)
    encoding = detect_encoding(raw, complete=len(raw) < size)
    if encoding != "utf-16" and b"\x00" in raw:
        raise CsvError(f"{path.name}: looks like a binary file, not CSV text")
    return raw.decode(python_codec(encoding), errors="ignore"), encoding


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
