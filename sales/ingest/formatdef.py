"""What an export layout is: a named preset or a mapping from our canonical fields to the headers a tool
writes, and what detecting one found. The presets themselves are in presets.py, detection in formats.py."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

FILE_KINDS = ("leads", "time", "budgets", "people", "time_off")  # what a file may hold
# a field read from another column when the file has none of its own: a CRM export without a stage column
# whose records say what they are (Odoo's type: lead or opportunity) is staged by that
STANDS_IN = {"leads": {"stage": "type"}}


class FormatError(ValueError):
    """No preset fits, or a column mapping is unusable."""


def norm(header: str) -> str:
    """Header comparison ignores case, spaces, punctuation and a BOM."""
    return re.sub(r"[\W_]+", "", header.replace("\ufeff", "").casefold())


@dataclass(frozen=True)
class Format:
    name: str
    kind: str
    label: str
    fields: Mapping[str, tuple[str, ...]]  # canonical field → accepted headers
    required: tuple[str, ...]
    markers: tuple[str, ...] = ()  # headers only this tool writes: they break ties
    date_order: str = "month/day"  # preferred reading when a column cannot tell
    hours_unit: str = "hours"
    repeated: str | None = None  # a field spread over repeated columns (Jira "Log Work")
    options: Mapping[str, str] = field(default_factory=dict)
    one_of: tuple[str, ...] = ()  # at least one of these must be present too (exports hold chosen columns)
    needs_marker: bool = False  # only with one of its markers (a name column alone is no canonical file)
    # a text field → the field a row's value comes from when its own cell is blank (or the file lacks its
    # column): HubSpot contacts take their stage from Lead Status, else from Lifecycle Stage
    fallback: Mapping[str, str] = field(default_factory=dict)

    def resolve(self, header: Sequence[str]) -> dict[str, int]:
        """canonical field → column index (the first column that matches wins; a field the file lacks may be read
        from its ``fallback`` field's column, or the column that stands in for it, ``STANDS_IN``)."""
        index = {}
        normal = [norm(h) for h in header]
        for name, aliases in self.fields.items():
            wanted = {norm(a) for a in aliases}
            for i, h in enumerate(normal):
                if h in wanted:
                    index[name] = i
                    break
        for name, other in (*self.fallback.items(), *STANDS_IN.get(self.kind, {}).items()):
            if name not in index and other in index:
                index[name] = index[other]
        return index

    def fills(self, columns: Mapping[str, int]) -> dict[str, str]:
        """field → the field whose column fills its blank cells, for the fallbacks this file has both columns of
        (row by row: the staging reads the first that is not blank)."""
        return {name: other for name, other in self.fallback.items()
                if name in columns and other in columns and columns[name] != columns[other]}

    def repeated_columns(self, header: Sequence[str]) -> list[int]:
        if not self.repeated:
            return []
        wanted = {norm(a) for a in self.fields[self.repeated]}
        return [i for i, h in enumerate(header) if norm(h) in wanted]


@dataclass(frozen=True)
class Detection:
    format: Format
    columns: dict[str, int]
    unused: tuple[str, ...]  # header names nothing maps
