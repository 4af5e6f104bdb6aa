"""Utilisation per person and week (or month): hours logged against the hours they had.

available hours = capacity − public holidays − time off (``roster``); billable utilisation = billable hours ÷
available hours; utilisation = all logged hours ÷ available hours. Each against the person's target: a
period is flagged when utilisation is over ``[utilisation] over`` (100 %) or billable utilisation is more
than ``under_target_by`` (20 points) under the target.

The periods of a report are the weeks (or months) whose first day lies in it, each counted whole; weeks
are ISO weeks named by their Monday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd

from sales import memo
from sales.changes import reads, unchanged
from sales.team import roster
from sales.team.settings import Capacity, default_capacity

GRAINS = ("week", "month")
COLUMNS = ["person", "week", "available_hours", "billable_hours", "logged_hours", "billable_utilisation",
           "utilisation"]
OVER, UNDER, NONE_AVAILABLE = "over", "under target", "no available hours"
AVAILABLE_READS = ("people", "time_off")  # what the available hours read (tests/test_reads.py checks)


def starts_between(start: date, end: date, grain: str = "week") -> list[date]:
    """The first days of the weeks (Mondays) or months that begin from ``start`` to ``end``."""
    if grain not in GRAINS:
        raise ValueError(f"unknown grain {grain!r}: choose week or month")
    if grain == "week":
        first = start + timedelta(days=(7 - start.weekday()) % 7)
        return [first + timedelta(weeks=i) for i in range(max(((end - first).days // 7) + 1, 0))]
    first = start if start.day == 1 else (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    out = []
    while first <= end:
        out.append(first)
        first = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return out


def period_end(first: date, grain: str) -> date:
    """The last day of the week or month that begins on ``first``."""
    if grain == "week":
        return first + timedelta(days=6)
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def label(first: date, grain: str) -> str:
    """How a period is named in tables and reports: a week by its Monday (2026-03-02), a month 2026-03."""
    return first.isoformat() if grain == "week" else first.strftime("%Y-%m")


@dataclass(frozen=True)
class View:
    """What the Team page and ``report utilisation`` show, from one pass over the period's time entries."""

    table: pd.DataFrame  # per person of the roster and period (COLUMNS, target, flag)
    unknown: pd.DataFrame  # who logged time in those periods without a row among the people


@reads("time_entries", "people", "time_off")
def view(cur: duckdb.DuckDBPyConnection, start: date, end: date, grain: str = "week",
         settings: Capacity | None = None) -> View:
    """Per person of the roster and period (weeks or months that begin from ``start`` to ``end``, whole):
    available, billable and logged hours, the two ratios (None when nothing was available), the person's target
    and the flag, in rows where something was available or logged; and whoever logged time without a row."""
    settings = settings or default_capacity()
    firsts = starts_between(start, end, grain)
    name = "week" if grain == "week" else "month"
    cols = [*[c if c != "week" else name for c in COLUMNS], "target", "flag"]
    unknown_cols = ["person", "logged_hours", "time_entries", "first_day", "last_day"]
    if not firsts:
        return View(pd.DataFrame(columns=cols), pd.DataFrame(columns=unknown_cols))
    last = period_end(firsts[-1], grain)
    by_day = cur.execute("""
        SELECT person, work_date AS day, sum(hours) AS logged_hours,
               coalesce(sum(hours) FILTER (WHERE billable), 0) AS billable_hours, count(*) AS time_entries
        FROM time_entries WHERE work_date BETWEEN ? AND ? GROUP BY ALL""", [firsts[0], last]).df()
    by_day["person"] = by_day["person"].fillna("(no person)")
    by_day["period"] = _period_of(by_day["day"], grain)  # a few rows a person and day: grouped here
    logged = by_day.groupby(["person", "period"], as_index=False).agg(
        logged_hours=("logged_hours", "sum"), billable_hours=("billable_hours", "sum"),
        time_entries=("time_entries", "sum"), first_day=("day", "min"), last_day=("day", "max"))
    people, have = memo.value(cur, "available", (firsts[0], last, grain),
                              lambda c: _available(c, firsts[0], last, grain), same=unchanged(*AVAILABLE_READS))
    known = logged["person"].isin(set(people["name"]))
    unknown = logged[~known].groupby("person", as_index=False).agg(
        logged_hours=("logged_hours", "sum"), time_entries=("time_entries", "sum"), first_day=("first_day", "min"),
        last_day=("last_day", "max")).sort_values(["logged_hours", "person"], ascending=[False, True])
    if people.empty:
        return View(pd.DataFrame(columns=cols), unknown[unknown_cols].reset_index(drop=True))
    out = have.merge(logged.loc[known, ["person", "period", "logged_hours", "billable_hours"]],
                     on=["person", "period"], how="outer").fillna(
        {"available_hours": 0.0, "logged_hours": 0.0, "billable_hours": 0.0})
    out = out[(out["available_hours"] > 0) | (out["logged_hours"] > 0)]
    out = out[out["period"].isin(firsts)].sort_values(["person", "period"]).reset_index(drop=True)
    table = _ratios(out, grain, roster.targets(people, settings.default_target), settings)[cols]
    return View(table, unknown[unknown_cols].reset_index(drop=True))



def _available(cur: duckdb.DuckDBPyConnection, first: date, last: date,
               grain: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The people's rows, and each one's available hours per period from ``first`` to ``last`` (no time entry read:
    kept on the dashboard while the people and their time off are the same, so a time file leaves it)."""
    people = roster.people(cur)
    if people.empty:
        return people, pd.DataFrame(columns=["person", "period", "available_hours"])
    days = roster.daily(people, roster.time_off(cur), first, last)
    days["period"] = _period_of(days["day"], grain)
    return people, days.groupby(["person", "period"], as_index=False)["available_hours"].sum()


def _period_of(days: pd.Series, grain: str) -> pd.Series:
    d = pd.to_datetime(days)
    first = d - pd.to_timedelta(d.dt.day_of_week, unit="D") if grain == "week" else d.dt.to_period("M").dt.start_time
    return first.dt.date


def _ratios(out: pd.DataFrame, grain: str, target_of: dict[str, float], settings: Capacity) -> pd.DataFrame:
    avail = out["available_hours"].where(out["available_hours"] > 0)
    out["billable_utilisation"] = out["billable_hours"] / avail
    out["utilisation"] = out["logged_hours"] / avail
    out["target"] = out["person"].map(target_of)
    out["flag"] = [flag(b, u, t, settings) for b, u, t in
                   zip(out["billable_utilisation"], out["utilisation"], out["target"])]
    out["week" if grain == "week" else "month"] = [label(p, grain) for p in out["period"]]
    return out


def flag(billable: float | None, total: float | None, target: float, settings: Capacity | None = None) -> str:
    """over (all hours past ``over`` × available), under target (billable more than ``under_target_by`` under the
    target), no available hours (hours logged where none were available), or nothing."""
    settings = settings or default_capacity()
    if total is None or (isinstance(total, float) and np.isnan(total)):
        return NONE_AVAILABLE
    if total > settings.over + 1e-9:
        return OVER
    if billable < target - settings.under_target_by - 1e-9:
        return UNDER
    return ""



def heat(frame: pd.DataFrame) -> pd.DataFrame:
    """What the heat map draws: per person and week, billable utilisation against the target, with the
    person's row labelled with their target."""
    if frame.empty:
        return frame.assign(row=[])
    return frame.assign(row=[f"{p} · target {t:.0%}" for p, t in zip(frame["person"], frame["target"])])


def summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Per person over the whole period: hours, the two ratios, the target and how many periods were flagged."""
    cols = ["person", "available_hours", "billable_hours", "logged_hours", "billable_utilisation", "utilisation",
            "target", "over", "under_target"]
    if frame.empty:
        return pd.DataFrame(columns=cols)
    g = frame.groupby("person", as_index=False).agg(
        available_hours=("available_hours", "sum"), billable_hours=("billable_hours", "sum"),
        logged_hours=("logged_hours", "sum"), target=("target", "last"),
        over=("flag", lambda f: int((f == OVER).sum())), under_target=("flag", lambda f: int((f == UNDER).sum())))
    avail = g["available_hours"].where(g["available_hours"] > 0)
    g["billable_utilisation"] = g["billable_hours"] / avail
    g["utilisation"] = g["logged_hours"] / avail
    return g[cols]


def together(frame: pd.DataFrame) -> dict:
    """Everyone over the whole period (the Team page's headline): billable and all logged hours ÷ available hours
    (None when none were available), and how many periods were flagged over and under target."""
    available = float(frame["available_hours"].sum())
    return {"billable_utilisation": frame["billable_hours"].sum() / available if available > 0 else None,
            "utilisation": frame["logged_hours"].sum() / available if available > 0 else None,
            "over": int((frame["flag"] == OVER).sum()), "under_target": int((frame["flag"] == UNDER).sum())}
