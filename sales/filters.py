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

    @classmethod
    def everything(cls, **choices) -> Filters:
        """No period, for views of open leads of any age: only categories, sources or owners narrow them."""
        return cls(date.min, date.max, **choices)

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


def period_starts(today: date, count: int, months: int = 1) -> list[date]:
    """The first days of ``count`` periods of ``months`` months (1: months, 3: quarters), oldest first,
    the last one the period holding ``today``."""
    current = today.year * 12 + (today.month - 1) // months * months
    return [date(m // 12, m % 12 + 1, 1) for m in range(current - (count - 1) * months, current + 1, months)]


def quarter_of(day: date) -> str:
    """A quarter as pages and reports name it: 2026-Q4."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def default_filters(today: date) -> Filters:
    return Filters(date(today.year, 1, 1), today)


def to_params(f: Filters) -> dict[str, str]:
    """Query-string form, so a manager can share the exact view."""
    out = {"from": f.start.isoformat(), "to": f.end.isoformat()}
    for key, values in (("category", f.categories), ("source", f.sources), ("owner", f.owners)):
        if values:
            out[key] = ",".join(values)
    return out


@dataclass(frozen=True)
class Choices:
    """What a URL may ask for: the category names, the sources and owners in the store, and the
    dates the store holds anything for (a period is clamped to them)."""

    categories: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    first: date | None = None
    last: date | None = None


def from_params(params: Mapping[str, str], today: date, choices: Choices | None = None) -> tuple[Filters, list[str]]:
    """Read filters back from a URL, and what was ignored or changed in it, for a notice.

    Unreadable dates fall back to the default; with ``choices``, unknown categories, sources and
    owners are dropped (categories match without regard to case) and the period is clamped to
    the dates the store holds, so no URL can ask for thousands of years of months.
    """
    base = default_filters(today)
    notices: list[str] = []

    def day(key: str, fallback: date) -> date:
        raw = params.get(key, "")
        try:
            return date.fromisoformat(raw) if raw else fallback
        except ValueError:
            notices.append(f"'{key}={raw}' is not a date (YYYY-MM-DD): the default is used")
            return fallback

    def many(key: str, known: tuple[str, ...] | None) -> tuple[str, ...]:
        asked = [v for v in params.get(key, "").split(",") if v]
        if known is None:
            return tuple(asked)
        by_fold = {k.casefold(): k for k in known}
        kept = tuple(dict.fromkeys(by_fold[v.casefold()] for v in asked if v.casefold() in by_fold))
        unknown = [v for v in asked if v.casefold() not in by_fold]
        if unknown:
            notices.append(f"unknown {key} {', '.join(repr(v) for v in unknown)} ignored")
        return kept

    start, end = day("from", base.start), day("to", base.end)
    if end < start:
        notices.append("the period ends before it starts: the default is used")
        start, end = base.start, base.end
    if choices is not None:
        low = min(filter(None, (choices.first, base.start)))
        high = max(filter(None, (choices.last, today)))
        clamped = min(max(start, low), high), max(min(end, high), low)
        if clamped != (start, end):
            notices.append(f"the period is limited to the dates the store holds: {low} to {high}")
            start, end = clamped
    c = choices
    return Filters(start, end, many("category", c.categories if c else None), many("source", c.sources if c else None),
                   many("owner", c.owners if c else None)), notices
