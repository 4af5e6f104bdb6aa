"""Which layout a file is in: the preset named or detected, else the column mapping given, else one a
person saved for this header; and a file that is some other kind than asked for is named as what it is."""

from __future__ import annotations

import tomllib
from pathlib import Path

from sales.ingest.formats import Detection, FormatError, detect, mapping_from_doc
from sales.ingest.mappings import find
from sales.ingest.reader import CsvLayout
from sales.ingest.reports import recognised
from sales.ingest.results import IngestError
from sales.store import Store


def resolve(store: Store, layout: CsvLayout, kind: str | None, fmt: str | None, mapping: dict | None) -> Detection:
    """The preset named or detected; else the mapping given; else one saved for this header. A report we
    recognise but cannot import (a summary, a weekly report) is refused with the export to download instead."""
    try:
        if mapping is not None:
            det = mapping_from_doc(mapping, layout.header, "column mapping")
        else:
            try:
                det = detect(layout.header, kind, fmt)
            except FormatError:
                report = recognised(layout.header)
                if report is not None:  # totals, not records: no mapping makes them importable
                    raise IngestError(f"{layout.path.name}: line 1: {report.message()}") from None
                with store.cursor() as cur:
                    saved = None if fmt else find(cur, layout.header)
                if saved is None:
                    raise
                det = mapping_from_doc(saved, layout.header, f"saved mapping by {saved['saved_by']}")
    except FormatError as e:
        if kind and not fmt and not mapping:  # say what it is, when it is something else
            try:
                other = detect(layout.header)
            except FormatError:
                other = None
            if other is not None:
                raise IngestError(f"{layout.path.name}: looks like {other.format.label}, not a {kind} file") from None
        raise IngestError(f"{layout.path.name}: {e}") from None
    if kind and det.format.kind != kind:
        raise IngestError(f"{layout.path.name}: looks like {det.format.label}, not a {kind} file")
    return det


def mapping_doc(mapping: Path | str | dict | None, display: str) -> dict | None:
    """A mapping given as a dict (the Upload page's form) or a TOML file (``--map``), as a dict."""
    if mapping is None or isinstance(mapping, dict):
        return mapping
    path = Path(mapping)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise IngestError(f"{display}: cannot read the mapping {path.name} ({e})") from None
