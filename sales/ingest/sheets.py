"""Spreadsheets (.xlsx, .xlsm, .xlsb, .xls, .ods) as the CSV text the importer reads: one sheet, one line per
spreadsheet row, values as the sheet stores them (a date cell becomes an ISO date, a number its plain digits,
a duration ``H:MM:SS``), so every preset, saved mapping and check reads a sheet exactly as the same rows in CSV.

python-calamine reads every format (a Rust reader: about a second for 100,000 rows of a dozen columns).

Lines and rows: row N of the sheet is line N of the text unless the sheet starts below row 1 or a cell holds
a line break; ``RowMap`` then turns a text line back into the spreadsheet row that people see. Rows that are
blank, and the group headers of a grouped export (Odoo's "Won (3)" with subtotals), become blank lines: the
readers pass over them, and the group headers are counted as skipped, like report footers.

A sheet is converted once while its file stays the same (``KEPT_SHEETS``): the Upload page describes, previews
and imports one workbook, and each would otherwise read it whole again.
"""

from __future__ import annotations

import atexit
import csv
import os
import re
import shutil
import stat
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sales.csvtext import CsvError
from sales.ingest.reader import MAX_BYTES, CsvLayout, inspect

ZIP, OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xlsx/.xlsm/.xlsb/.ods; .xls
SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
# a group header: its label, then the group's record count ("Won (3)"; nested groups are indented)
GROUP_LABEL = re.compile(r"\A( *)\S.* \((\d+)\)\Z")
NUMBER_TEXT = re.compile(r"\A-?\d+(\.\d+)?\Z")  # Odoo writes an integer column's subtotal as text
KEPT_SHEETS = 4  # sheets kept converted per process, newest first: a few uploads' worth (each may be large)


def is_spreadsheet(path: Path) -> bool:
    """Whether the file's first bytes are a spreadsheet's container (a zip or an OLE compound file)."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a pipe would never answer: inspect() names it
            return False
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError:
        return False
    return head.startswith(ZIP) or head == OLE


@dataclass(frozen=True)
class RowMap:
    """Text line → spreadsheet row: ``offset`` rows above the header, and where a cell's line breaks made a row
    span several lines, the row of every line (``rows``, 1-based lines)."""

    offset: int = 0
    rows: tuple[int, ...] = ()

    def __call__(self, line: int | None) -> int | None:
        if line is None:
            return None
        if self.rows:
            return self.rows[line - 1] if 0 < line <= len(self.rows) else line + self.offset
        return line + self.offset


@dataclass(frozen=True)
class SheetText:
    path: Path  # the sheet as CSV text
    sheet: str
    sheets: tuple[str, ...]
    rows: RowMap | None  # None when line N is row N
    groups: int  # group header rows of a grouped export, skipped


@dataclass(frozen=True)
class Export:
    """A file as the importer reads it: its layout, and for a spreadsheet, the sheet written as text."""

    layout: CsvLayout
    text: Path  # the CSV text: the file itself, or the sheet written out
    sheet: SheetText | None = None

    @property
    def skipped(self) -> int:
        return self.sheet.groups if self.sheet is not None else 0


def read_export(path: Path, work: Path, sheet: str | None = None, max_bytes: int = MAX_BYTES) -> Export:
    """``inspect`` for CSV text and spreadsheets alike: a spreadsheet's sheet (the first unless ``sheet`` names
    one) is written as CSV text under the file's own name in ``work``, so messages name the file."""
    if not is_spreadsheet(path):
        return Export(inspect(path, max_bytes), path)
    size = path.stat().st_size
    if size > max_bytes:
        raise CsvError(f"{path.name}: {size / 1e6:,.0f} MB is over the {max_bytes / 1e6:,.0f} MB limit for one "
                       "import")
    folder = work / "sheet"  # apart from the copies the importer may make in ``work``
    folder.mkdir(exist_ok=True)
    text = converted(path, sheet, folder / path.name)
    return Export(replace(inspect(text.path, max_bytes), rows=text.rows), text.path, text)


def converted(path: Path, sheet: str | None, dest: Path) -> SheetText:
    """Sheet ``sheet`` of ``path`` as CSV text at ``dest``: written once per file (path, size, modification time)
    and sheet, and given again as a link to the text kept (``KEPT_SHEETS``)."""
    st = path.stat()
    file = (str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ino)
    text = _kept.give(file, sheet, dest)
    if text is not None:
        return text
    folder = _kept.folder()
    try:
        text = write_text(path, folder / path.name, sheet)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    given = replace(text, path=_linked(text.path, dest))
    _kept.keep(file, text)
    return given


class _Kept:
    """Sheets written as text, by file and sheet name, in folders of their own under one temp folder of this
    process; the oldest is deleted beyond ``limit``, and all of them at exit. A reader gets its own hard link
    (or copy) of the text, so a sheet deleted meanwhile leaves its reading whole."""

    def __init__(self, limit: int):
        self.limit = limit
        self.sheets: OrderedDict[tuple, SheetText] = OrderedDict()
        self.lock = threading.Lock()  # sessions of one server import side by side
        self.root: Path | None = None

    def give(self, file: tuple, sheet: str | None, dest: Path) -> SheetText | None:
        """The kept text of ``sheet`` (None: the first sheet) linked at ``dest``; None when none is kept."""
        with self.lock:
            for (kept, name), text in self.sheets.items():
                if kept == file and name == (text.sheets[0] if sheet is None else sheet):
                    try:
                        linked = _linked(text.path, dest)
                    except OSError:  # its text removed from under us (a temp folder swept): convert again
                        del self.sheets[(kept, name)]
                        return None
                    self.sheets.move_to_end((kept, name))
                    return replace(text, path=linked)
        return None

    def folder(self) -> Path:
        with self.lock:
            if self.root is None or not self.root.is_dir():
                self.root = Path(tempfile.mkdtemp(prefix="sales-sheets-"))
            return Path(tempfile.mkdtemp(dir=self.root))

    def keep(self, file: tuple, text: SheetText) -> None:
        with self.lock:
            gone = self.sheets.pop((file, text.sheet), None)  # converted by another session meanwhile
            self.sheets[(file, text.sheet)] = text
            if gone is not None:
                shutil.rmtree(gone.path.parent, ignore_errors=True)
            while len(self.sheets) > self.limit:
                shutil.rmtree(self.sheets.popitem(last=False)[1].path.parent, ignore_errors=True)

    def clear(self) -> None:
        with self.lock:
            self.sheets.clear()
            if self.root is not None:
                shutil.rmtree(self.root, ignore_errors=True)
                self.root = None


_kept = _Kept(KEPT_SHEETS)
atexit.register(_kept.clear)


def _linked(src: Path, dest: Path) -> Path:
    dest.unlink(missing_ok=True)
    try:
        os.link(src, dest)
    except OSError:  # another file system, or links refused: a copy
        shutil.copyfile(src, dest)
    return dest


def sheet_names(path: Path, display: str | None = None) -> list[str]:
    workbook = _open(path, display or path.name)
    try:
        return list(workbook.sheet_names)
    finally:
        workbook.close()


def _open(path: Path, display: str):
    from python_calamine import CalamineWorkbook  # loads only for spreadsheets

    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as e:  # calamine's own errors: not a workbook, encrypted, damaged
        reason = str(e).splitlines()[0][:200] if str(e) else type(e).__name__
        raise CsvError(f"{display}: this is a binary file that no spreadsheet reader could open ({reason}); "
                       "save or export it as .xlsx or CSV first") from None


def write_text(path: Path, dest: Path, sheet: str | None = None, display: str | None = None) -> SheetText:
    """Sheet ``sheet`` (default: the first) of the spreadsheet ``path`` as CSV text in ``dest``."""
    display = display or path.name
    workbook = _open(path, display)
    try:
        names = tuple(workbook.sheet_names)
        if not names:
            raise CsvError(f"{display}: the workbook has no sheets")
        name = names[0] if sheet is None else sheet
        if name not in names:
            raise CsvError(f"{display}: has no sheet named {sheet!r}; its sheets: "
                           + ", ".join(repr(n) for n in names))
        try:
            data = workbook.get_sheet_by_name(name)
            return _write(data, dest, name, names, display)
        except CsvError:
            raise
        except Exception as e:
            raise CsvError(f"{display}: sheet {name!r} cannot be read ({str(e).splitlines()[0][:200]})") from None
    finally:
        workbook.close()


def _write(data, dest: Path, name: str, names: tuple[str, ...], display: str) -> SheetText:
    if data.height == 0:
        raise CsvError(f"{display}: sheet {name!r} is empty")
    first_row = 1  # the header's row: the first that holds anything (iter_rows starts at row 1)
    width = data.width
    candidates: list[tuple[int, ...]] = []  # [line, data rows before it, depth, count] of rows that may head a group
    single: list[tuple[int, int]] = []  # (line, row index) of rows with only their first cell: a footer?
    rows: list[int] | None = None  # the row of every line, once a cell's line break shifted them
    # lines written; data rows written; the index of the last row of two cells or more, and data rows up to it
    line = records = last_wide = wide_records = 0
    pending: list = []  # rows to write, a chunk at a time (one call for many rows)
    text = _TEXT.get
    with open(dest, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        i = -1  # the row's index from the header on
        for cells in data.iter_rows():
            values = [c if c.__class__ is str else text(c.__class__, _other)(c) for c in cells]
            filled = width - values.count("")
            if i < 0 and not filled:  # blank rows above the header
                first_row += 1
                continue
            i += 1
            if i == 0 and filled < 2:
                raise CsvError(f"{display}: sheet {name!r} holds no export: its first row, row {first_row}, has a "
                               "single value where the header should be; its sheets: "
                               + ", ".join(repr(n) for n in names))
            if not filled:
                pending.append(())  # a blank line: the readers pass over it
                line += 1
                if rows is not None:
                    rows.append(first_row + i)
                continue
            first = values[0]
            if i and first and first[-1] == ")" and (group := _group(values)) is not None:
                candidates.append((line + 1, records, *group))
            elif i:
                records += 1
            if filled > 1:
                last_wide, wide_records = i, records
            joined = "".join(values)
            breaks = 0
            if "\n" in joined or "\r" in joined:
                values = [v.replace("\r\n", "\n").replace("\r", "\n") for v in values]
                breaks = sum(v.count("\n") for v in values)
                if rows is None:
                    rows = [first_row + n for n in range(line)]
            elif filled == 1 and first and i:  # one field, as a report footer is in CSV
                single.append((line + 1, i))
                values = values[:1]
            pending.append(values)
            if len(pending) >= 5000:
                writer.writerows(pending)
                pending.clear()
            line += 1 + breaks
            if rows is not None:
                rows.extend([first_row + i] * (1 + breaks))
        writer.writerows(pending)
    groups = _group_lines(candidates, wide_records)  # a footer after the last group is none of its rows
    # a one-cell row before the last row of several cells is data with empty cells, not a footer: full width
    padded = {n for n, i in single if i < last_wide and n not in groups}
    if groups or padded:
        _rewrite(dest, set(groups), padded, width)
    row_map = RowMap(first_row - 1, tuple(rows)) if rows is not None else (
        RowMap(first_row - 1) if first_row != 1 else None)
    return SheetText(dest, name, names, row_map, len(groups))


def _number(value: float) -> str:
    """The digits the spreadsheet shows (0.1 + 0.2 is 0.3), and whole numbers of any size in full."""
    shown = format(value, ".15g")
    return str(int(value)) if "e" in shown and value.is_integer() else shown


def _moment(value: datetime) -> str:
    return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ", timespec="seconds")


def _duration(value: timedelta) -> str:
    seconds = round(value.total_seconds())
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    return f"{sign}{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _other(value) -> str:
    return "" if value is None else str(value)


class _Remembered(dict):
    """A cell's text by its value, worked out once: an export repeats its dates and hours on many rows (a lookup
    costs a tenth of ``format``). Zero is never kept (0.0 and -0.0 are one key), nor more than ``LIMIT`` values."""

    LIMIT = 50_000

    def __init__(self, convert):
        super().__init__()
        self.convert = convert

    def __missing__(self, value):
        shown = self.convert(value)
        if value and len(self) < self.LIMIT:
            self[value] = shown
        return shown


# a cell as the importer's readers take it, by its type: ISO dates, plain numbers, H:MM:SS times and durations
_TEXT = {float: _Remembered(_number).__getitem__, int: str, bool: lambda v: "true" if v else "false",
         datetime: _Remembered(_moment).__getitem__, date: date.isoformat, time: lambda v: v.strftime("%H:%M:%S"),
         timedelta: _duration}


def _group(values: list[str]) -> tuple[int, int] | None:
    """(depth, count) when the row looks like a group header: a label ending in its record count, and nothing
    in the other cells but numbers (the group's subtotals)."""
    m = GROUP_LABEL.match(values[0])
    if m is None or any(v and not NUMBER_TEXT.match(v) for v in values[1:]):
        return None
    return len(m.group(1)) // 4, int(m.group(2))


def _group_lines(candidates: list[tuple[int, ...]], records: int) -> list[int]:
    """The lines of the candidates that really head a group: the data rows between one and the next candidate
    at its depth or above (or the end) number exactly its count. A row that merely looks like one is data."""
    found = []
    for k, (line, before, depth, count) in enumerate(candidates):
        end = next((c[1] for c in candidates[k + 1:] if c[2] <= depth), records)
        if end - before == count:
            found.append(line)
    return found


def _rewrite(path: Path, blank: set[int], padded: set[int], width: int) -> None:
    """Rewrite ``path`` line for line: the ``blank`` lines empty, the ``padded`` ones (a single field) at full
    width. Both are rows of one line."""
    tmp = path.with_name(path.name + ".tmp")
    with open(path, encoding="utf-8", newline="") as src, open(tmp, "w", encoding="utf-8", newline="") as out:
        for n, text in enumerate(src, start=1):
            if n in blank:
                text = "\n"
            elif n in padded:
                text = text[:-1] + "," * (width - 1) + "\n"
            out.write(text)
    tmp.replace(path)
