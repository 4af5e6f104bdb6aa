"""Detection of an export's layout by its header: the preset whose required fields are all present and that
explains most columns, or the column mapping a person gave; and, for --explain, how every layout fared."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path

from sales.ingest.formatdef import FILE_KINDS, Detection, Format, FormatError, norm
from sales.ingest.presets import BY_NAME, CANONICAL, PRESETS, REQUIRED, mapping_fields
from sales.money import ISO_4217

__all__ = ["BY_NAME", "CANONICAL", "FILE_KINDS", "PRESETS", "REQUIRED", "Detection", "Format", "FormatError",
           "detect", "load_mapping", "mapping_fields", "mapping_from_doc", "norm"]


def _fit(fmt: Format, header: Sequence[str]) -> tuple[int, int] | None:
    """How well ``fmt`` explains ``header`` (markers, then columns), or None when it lacks what it needs."""
    cols = fmt.resolve(header)
    if not all(r in cols for r in fmt.required):
        return None
    if fmt.one_of and not any(r in cols for r in fmt.one_of):
        return None
    normal = {norm(h) for h in header}
    markers = sum(norm(m) in normal for m in fmt.markers)
    if fmt.needs_marker and not markers:
        return None
    return markers, len(cols)


def detect(header: Sequence[str], kind: str | None = None, name: str | None = None) -> Detection:
    """The preset that fits ``header`` (or the one named); FormatError lists what was expected."""
    if name:
        if name not in BY_NAME:
            raise FormatError(f"unknown format {name!r}; known: {', '.join(BY_NAME)}")
        candidates: Sequence[Format] = [BY_NAME[name]]
    else:
        candidates = [f for f in PRESETS if kind is None or f.kind == kind]
    best: tuple[tuple[int, int], Format] | None = None
    for fmt in candidates:
        fit = _fit(fmt, header)
        if fit is not None and (best is None or fit > best[0]):
            best = (fit, fmt)
    if best is None:
        if name:
            fmt = BY_NAME[name]
            cols = fmt.resolve(header)
            missing = [fmt.fields[r][0] for r in fmt.required if r not in cols]
            raise FormatError(f"line 1: not a {fmt.label} header: missing column(s) {', '.join(missing)}")
        raise FormatError("line 1: the header matches no known export layout "
                          f"({', '.join(f.label for f in candidates)}); "
                          "use --format NAME, or --map FILE to name the columns")
    fmt = best[1]
    cols = fmt.resolve(header)
    used = set(cols.values()) | set(fmt.repeated_columns(header))
    return Detection(fmt, cols, tuple(h for i, h in enumerate(header) if i not in used))


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
