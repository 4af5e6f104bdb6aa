"""What an uploaded file looks like before importing it: its header and detected layout, or why not."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sales.csvtext import CsvError
from sales.ingest.explain import explain_header
from sales.ingest.formats import FormatError, detect
from sales.ingest.mappings import propose
from sales.ingest.reader import inspect
from sales.ingest.reports import recognised


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

    @property
    def needs_mapping(self) -> bool:
        return self.problem is None and self.format is None


def describe(path: Path, name: str | None = None) -> FileView:
    display = name or path.name
    try:
        layout = inspect(path)
    except CsvError as e:
        return FileView(display, [], problem=str(e).replace(path.name, display, 1))
    why = tuple(explain_header(layout.header, display).lines())
    try:
        det = detect(layout.header)
    except FormatError:
        report = recognised(layout.header)
        if report is not None:
            return FileView(display, layout.header, problem=f"{display}: line 1: {report.message()}",
                            explanation=why)
        return FileView(display, layout.header, proposal=propose(layout), explanation=why)
    return FileView(display, layout.header, det.format.kind, det.format.name, det.format.label, det.unused,
                    explanation=why)
