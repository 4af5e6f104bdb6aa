"""Dashboard filters: one definition for pages, URLs and the report command."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    categories: tuple[str, ...] = field(default=())
    sources: tuple[str, ...] = field(default=())
    owners: tuple[str, ...] = field(default=())

    def previous(self) -> Filters:
        """The period of the same length just before this one (for headline changes)."""
        length = (self.end - self.start).days + 1
        return replace(self, start=self.start - timedelta(days=length), end=self.start - timedelta(days=1))

    def lead_where(self, alias: str = "s", period_column: str | None = "created_on") -> tuple[str, list]:
        """SQL conditions over the lead state and their parameters (values never enter the SQL text)."""
        conds, params = ["true"], []
        if period_column:
            conds.append(f"{alias}.{period_column} BETWEEN ? AND ?")
            params += [self.start, self.end]
        for column, values in (("category", self.categories), ("lead_source", self.sources),
                               ("owner", self.owners)):
            if values:
                conds.append(f"{alias}.{column} IN ({', '.join('?' * len(values))})")
                params += list(values)
        return " AND ".join(conds), params


def default_filters(today: date) -> Filters:
    return Filters(date(today.year, 1, 1), today)


def to_params(f: Filters) -> dict[str, str]:
    """Query-string form, so a manager can share the exact view."""
    out = {"from": f.start.isoformat(), "to": f.end.isoformat()}
    for key, values in (("category", f.categories), ("source", f.sources), ("owner", f.owners)):
        if values:
            out[key] = ",".join(values)
    return out


def from_params(params: Mapping[str, str], today: date) -> Filters:
    """Read filters back from a URL; anything unreadable falls back to the default."""
    base = default_filters(today)

    def day(key: str, fallback: date) -> date:
        try:
            return date.fromisoformat(params.get(key, ""))
        except ValueError:
            return fallback

    def many(key: str) -> tuple[str, ...]:
        return tuple(v for v in params.get(key, "").split(",") if v)

    start, end = day("from", base.start), day("to", base.end)
    if end < start:
        start, end = base.start, base.end
    return Filters(start, end, many("category"), many("source"), many("owner"))
