"""Why an export was read as it was: the layout chosen, the columns it reads and ignores, and the runner-up
layout with what it lacked (``python -m sales import --explain FILE`` and the Upload page). Reads the header
only; writes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sales.csvtext import CsvError
from sales.ingest.formats import Candidate, Detection, FormatError, candidates, detection, mapping_from_doc
from sales.ingest.reports import recognised
from sales.ingest.results import IngestError


@dataclass(frozen=True)
class Explanation:
    file: str
    chosen: str | None  # the layout's label and name, or None when none fits
    kind: str | None
    used: tuple[tuple[str, str], ...]  # (field, the file's column it is read from)
    ignored: tuple[str, ...]
    runner_up: str | None  # the next layout, and why it came second
    problem: str | None = None  # why nothing fits: a report we cannot import, or an unknown layout

    def lines(self) -> list[str]:
        """The explanation as lines of plain text, the same on the command line and the Upload page."""
        out = [f"{self.file}: " + (f"read as {self.chosen}, a {self.kind} file" if self.chosen
                                   else "no known layout fits")]
        if self.problem:
            out.append(f"  {self.problem}")
        if self.used:
            out.append("  columns used: " + ", ".join(f"{col} → {field}" for field, col in self.used))
        if self.chosen:
            out.append("  columns ignored: " + (", ".join(self.ignored) if self.ignored else "none"))
        if self.runner_up:
            out.append(f"  {'runner-up' if self.chosen else 'closest'}: {self.runner_up}")
        return out


def _why_second(second: Candidate, first: Candidate | None) -> str:
    name = f"{second.format.label} ({second.format.name})"
    if not (second.columns or second.markers):
        return "none (no other layout reads any of these columns)"
    if second.lacks:
        return f"{name}, which lacked {', '.join(second.lacks)}"
    if first is not None and second.markers < first.markers:
        return f"{name}, which fits too but has fewer of its tool's own columns ({second.markers} against " \
               f"{first.markers})"
    return f"{name}, which fits too but reads fewer columns ({len(second.columns)} against " \
           f"{len(first.columns) if first else 0})"


def _used(det: Detection, header: Sequence[str], times: int = 0) -> tuple[tuple[str, str], ...]:
    """(field, column) in the file's order; a field read from repeated columns says how many, and a column that
    fills another's blank cells says so (stage where Lead Status is blank)."""
    repeated, cols = det.format.repeated, det.columns
    fills = {other: f"{name} where {header[cols[name]]} is blank" for name, other in det.format.fills(cols).items()}
    return tuple((fills.get(f, f), f"{header[i]} (×{times})" if f == repeated and times > 1 else header[i])
                 for f, i in sorted(cols.items(), key=lambda x: x[1]))


def explain_header(header: Sequence[str], display: str, kind: str | None = None, fmt: str | None = None,
                   mapping: dict | None = None, saved: dict | None = None) -> Explanation:
    """How ``header`` would be read: the preset named or detected, else the mapping given, else ``saved``
    (the mapping a person saved for this header); the runner-up is the best preset not chosen."""
    try:
        ranked = candidates(header, kind, fmt)
    except FormatError as e:
        raise IngestError(f"{display}: {e}") from None
    if mapping is not None or (saved is not None and not ranked[0].fits):
        doc = mapping if mapping is not None else saved
        where = "the column mapping given" if mapping is not None else f"the mapping saved by {saved['saved_by']}"
        try:
            det = mapping_from_doc(doc, header, where)
        except FormatError as e:
            raise IngestError(f"{display}: {e}") from None
        return Explanation(display, where, det.format.kind, _used(det, header), det.unused,
                           _why_second(ranked[0], None) if ranked else None)
    best = ranked[0]
    if not best.fits:
        report = recognised(header)
        problem = (report.message() if report else
                   "use --format NAME, or --map FILE to name the columns (the Upload page proposes them)")
        return Explanation(display, None, None, (), (), _why_second(best, None), problem)
    det = detection(best, header)
    second = _why_second(ranked[1], best) if len(ranked) > 1 else None
    return Explanation(display, f"{best.format.label} ({best.format.name})", best.format.kind,
                       _used(det, header, len(best.format.repeated_columns(header))),
                       det.unused, second)


def _header(path: Path, sheet: str | None = None) -> list[str]:
    """The header of a CSV file, or of a spreadsheet's sheet (the first unless ``sheet`` names one)."""
    import tempfile

    from sales.ingest.sheets import read_export

    with tempfile.TemporaryDirectory(prefix="sales-explain-") as work:
        return list(read_export(path, Path(work), sheet).layout.header)


def _saved(db: Path | None, header: Sequence[str]) -> dict | None:
    """The mapping saved for this header in the store, read without writing (no store yet: none)."""
    from sales.ingest.mappings import find
    from sales.paths import default_db_path
    from sales.store import StoreError, connect

    path = Path(db) if db else default_db_path()
    if not path.is_file():
        return None
    try:
        con = connect(path, read_only=True)
    except (StoreError, OSError):
        return None
    try:
        return find(con.cursor(), header)
    finally:
        con.close()


def run(files: Sequence[Path], db: Path | None = None, kind: str | None = None, fmt: str | None = None,
        mapping: Path | None = None, as_json: bool = False, sheet: str | None = None) -> int:
    """``python -m sales import --explain FILE…``: prints each file's explanation; 2 when one cannot be read."""
    import json
    import sys

    from sales.ingest.resolve import mapping_doc

    failed, out = False, []
    for path in files:
        try:
            doc = mapping_doc(mapping, Path(path).name)
            header = _header(Path(path), sheet)
            saved = _saved(db, header) if doc is None and not fmt else None
            e = explain_header(header, Path(path).name, kind, fmt, doc, saved)
        except (CsvError, IngestError) as err:
            failed = True
            print(f"error: {err}", file=sys.stderr)
            continue
        out.append(e)
        if not as_json:
            print("\n".join(e.lines()))
    if as_json:
        from dataclasses import asdict

        print(json.dumps([asdict(e) for e in out] if len(out) != 1 else asdict(out[0]), indent=2,
                         ensure_ascii=False))
    return 2 if failed else 0
