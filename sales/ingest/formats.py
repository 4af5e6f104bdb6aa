"""Detection of an export's layout by its header: the preset whose required fields are all present and that
explains most columns, or the column mapping a person gave; and, for --explain, how every layout fared."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sales.ingest.formatdef import FILE_KINDS, Detection, Format, FormatError, norm
from sales.ingest.presets import BY_NAME, CANONICAL, PRESETS, REQUIRED, mapping_fields
from sales.money import ISO_4217

__all__ = ["BY_NAME", "CANONICAL", "FILE_KINDS", "PRESETS", "REQUIRED", "Detection", "Format", "FormatError",
           "Candidate", "candidates", "detect", "detection", "load_mapping", "mapping_fields", "mapping_from_doc",
           "norm"]


@dataclass(frozen=True)
class Candidate:
    """How one layout fares against a header: the columns it reads, and what it needs that the header lacks."""

    format: Format
    columns: dict[str, int]
    lacks: tuple[str, ...]  # empty when it fits
    markers: int  # the tool's own headers present: they break ties

    @property
    def fits(self) -> bool:
        return not self.lacks

    @property
    def rank(self) -> tuple[bool, int, int]:
        return self.fits, self.markers, len(self.columns)


def _candidate(fmt: Format, header: Sequence[str]) -> Candidate:
    cols = fmt.resolve(header)
    lacks = [f"column {fmt.fields[r][0]!r}" for r in fmt.required if r not in cols]
    if fmt.one_of and not any(r in cols for r in fmt.one_of):
        lacks.append("one of the columns " + ", ".join(repr(fmt.fields[r][0]) for r in fmt.one_of))
    normal = {norm(h) for h in header}
    markers = sum(norm(m) in normal for m in fmt.markers)
    if fmt.needs_marker and not markers:
        lacks.append("one of the columns only it has (" + ", ".join(repr(m) for m in fmt.markers[:4]) + ", …)")
    return Candidate(fmt, cols, tuple(lacks), markers)


def candidates(header: Sequence[str], kind: str | None = None, name: str | None = None) -> list[Candidate]:
    """Every layout that could be meant (the one named, or all of ``kind``), the best fit first: those that fit
    before those that do not, then by the tool's own headers present, then by the columns read."""
    if name:
        if name not in BY_NAME:
            raise FormatError(f"unknown format {name!r}; known: {', '.join(BY_NAME)}")
        formats: Sequence[Format] = [BY_NAME[name]]
    else:
        formats = [f for f in PRESETS if kind is None or f.kind == kind]
    return sorted((_candidate(f, header) for f in formats), key=lambda c: c.rank, reverse=True)


def detection(cand: Candidate, header: Sequence[str]) -> Detection:
    used = set(cand.columns.values()) | set(cand.format.repeated_columns(header))
    return Detection(cand.format, cand.columns, tuple(h for i, h in enumerate(header) if i not in used))


def detect(header: Sequence[str], kind: str | None = None, name: str | None = None) -> Detection:
    """The preset that fits ``header`` (or the one named); FormatError lists what was expected."""
    ranked = candidates(header, kind, name)
    if not ranked[0].fits:
        if name:
            fmt, cols = ranked[0].format, ranked[0].columns
            missing = [fmt.fields[r][0] for r in fmt.required if r not in cols]
            raise FormatError(f"line 1: not a {fmt.label} header: missing column(s) {', '.join(missing)}")
        raise FormatError("line 1: the header matches no known export layout "
                          f"({', '.join(c.format.label for c in ranked)}); "
                          "use --format NAME, or --map FILE to name the columns")
    return detection(ranked[0], header)


def load_mapping(path: Path | str, header: Sequence[str]) -> Detection:
    """An explicit column mapping for unknown layouts (TOML):

        kind = "time"                # leads | time | budgets
        date_order = "day/month"     # optional
        [columns]
        work_date = "Day"            # canonical field = header in the file
        hours = "Time (h)"
    """
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise FormatError(f"{path.name}: cannot read the mapping ({e})") from None
    return mapping_from_doc(doc, header, path.name)


def mapping_from_doc(doc: Mapping, header: Sequence[str], name: str = "mapping") -> Detection:
    """The same mapping as a dict (the upload page's form builds one)."""
    path = Path(name)
    kind = doc.get("kind")
    if kind not in FILE_KINDS:
        raise FormatError(f"{path.name}: 'kind' must be one of {', '.join(FILE_KINDS)}, got {kind!r}")
    canonical = CANONICAL[kind]
    columns = doc.get("columns", {})
    unknown = [k for k in columns if k not in canonical]
    if unknown:
        raise FormatError(f"{path.name}: unknown field(s) {', '.join(unknown)}; "
                          f"known for {kind}: {', '.join(canonical)}")
    if doc.get("dollar") and doc["dollar"] not in ISO_4217:
        raise FormatError(f"{path.name}: 'dollar' must be the ISO 4217 code of the dollar '$' means, such as "
                          f"USD or CAD, got {doc['dollar']!r}")
    fields = {k: (v,) for k, v in columns.items()}
    required = REQUIRED[kind]
    fmt = Format(f"mapped-{kind}", kind, f"Mapped {kind} ({path.name})", fields, required,
                 date_order=doc.get("date_order", "month/day"), hours_unit=doc.get("hours_unit", "hours"),
                 options={"dollar": doc["dollar"]} if doc.get("dollar") else {})
    cols = fmt.resolve(header)
    missing = [f"{k} → '{columns[k]}'" for k in columns if k not in cols]
    if missing:
        raise FormatError(f"{path.name}: column(s) not in the file's header: {', '.join(missing)}")
    lacking = [r for r in required if r not in cols]
    if lacking:
        raise FormatError(f"{path.name}: the mapping must name a column for {', '.join(lacking)}")
    used = set(cols.values())
    return Detection(fmt, cols, tuple(h for i, h in enumerate(header) if i not in used))
