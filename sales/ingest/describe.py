"""What an uploaded file looks like before importing it: its header and detected layout, or why not."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sales.csvtext import CsvError
from sales.ingest.explain import explain_header
from sales.ingest.formats import FormatError, detect
from sales.ingest.mappings import propose
from sales.ingest.reports import recognised
from sales.ingest.sheets import is_spreadsheet, read_export, sheet_names


@dataclass(frozen=True)
class FileView:
    name: str
    header: list[str]
    kind: str | None = None
    format: str | None = None
    label: str | None = None
    unused: tuple[str, ...] = ()
    problem: str | None = None  # set when the file cannot be read at all
    proposal: dict | None = None  # for an unknown layout: a first guess at its mapping
    explanation: tuple[str, ...] = ()  # why this layout (import --explain's lines)
    sheets: tuple[str, ...] = ()  # a spreadsheet's sheets, to choose from; the one described is ``sheet``
    sheet: str | None = None

    @property
    def needs_mapping(self) -> bool:
        return self.problem is None and self.format is None


def describe(path: Path, name: str | None = None, sheet: str | None = None) -> FileView:
    """The file's header and layout; for a spreadsheet, of ``sheet`` (default: the first).

    The Upload page asks on every rerun, and a spreadsheet's sheet is read whole to find its header (seconds for
    100,000 rows): the answer is kept while the file's size and modification time stay the same."""
    try:
        st = path.stat()
    except OSError:
        return _describe(path, name, sheet)
    return _remembered(path, st.st_size, st.st_mtime_ns, name, sheet)


@lru_cache(maxsize=32)
def _remembered(path: Path, size: int, mtime_ns: int, name: str | None, sheet: str | None) -> FileView:
    return _describe(path, name, sheet)


def _describe(path: Path, name: str | None, sheet: str | None) -> FileView:
    display = name or path.name
    with tempfile.TemporaryDirectory(prefix="sales-describe-") as work:
        try:
            export = read_export(path, Path(work), sheet)
        except CsvError as e:  # a workbook still offers its other sheets, one of which may be the export
            return FileView(display, [], problem=str(e).replace(path.name, display, 1), **_sheets(path, sheet))
        layout = export.layout
        sheets = {"sheets": export.sheet.sheets, "sheet": export.sheet.sheet} if export.sheet else {}
        why = tuple(explain_header(layout.header, display).lines())
        try:
            det = detect(layout.header)
        except FormatError:
            report = recognised(layout.header)
            if report is not None:
                return FileView(display, layout.header, problem=f"{display}: line 1: {report.message()}",
                                explanation=why, **sheets)
            return FileView(display, layout.header, proposal=propose(layout), explanation=why, **sheets)
    return FileView(display, layout.header, det.format.kind, det.format.name, det.format.label, det.unused,
                    explanation=why, **sheets)


def _sheets(path: Path, sheet: str | None) -> dict:
    if not is_spreadsheet(path):
        return {}
    try:
        names = tuple(sheet_names(path))
    except CsvError:
        return {}
    return {"sheets": names, "sheet": sheet if sheet in names else names[0] if names else None}
