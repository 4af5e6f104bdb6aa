"""People and their time: who works how many hours on which days, where (for public holidays), from when
to when, at what cost, and when they are away.

A person has one row per cost-rate change (``effective_from``); the row in force on a day is the latest
one from that day or before (the first row before any). A person's day is their weekly capacity ÷ the
number of their working days. A public holiday (from the maintained ``holidays`` library, by country
and region) or a day of time off removes hours only on one of their working days within their
employment: a holiday the whole day, time off its hours per day (the whole day when not given).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache

import duckdb
import numpy as np
import pandas as pd

from sales.access import Actor
from sales.money import UnknownCurrency, iso_currency

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MON_FRI = (0, 1, 2, 3, 4)
PEOPLE_COLUMNS = ("name", "email", "weekly_capacity_hours", "working_days", "country", "start", "end", "cost_rate",
                  "currency", "effective_from", "utilisation_target")
TIME_OFF_COLUMNS = ("person", "from", "to", "hours_per_day")
# a person's attributes as the store keeps them (cost_rate and currency are shown to admins only)
PERSON_FIELDS = ("email", "weekly_capacity_hours", "working_days", "country", "start_date", "end_date", "cost_rate",
                 "currency", "utilisation_target")
COST_FIELDS = ("cost_rate", "currency")
EARLIEST = date(1900, 1, 1)  # a row without effective_from or start is in force from the beginning


class RosterError(ValueError):
    """A person's or a time-off value is unusable; the message says which and why."""


# ---------------------------------------------------------------- reading values


def _day(token: str) -> int:
    t = token.strip().lower()
    for i, (short, full) in enumerate(zip(DAYS, FULL_DAYS)):
        if t in (short.lower(), full, full[:2]):
            return i
    raise RosterError(f"{token.strip()!r} is not a day of the week")


def parse_working_days(text: object) -> tuple[int, ...]:
    """``Mon-Fri``, ``Mon-Thu`` (any range of days) or days listed ``Mon,Tue,Thu`` → weekday numbers
    (Monday 0); blank is Monday to Friday."""
    raw = "" if text is None else str(text).strip()
    if not raw:
        return MON_FRI
    try:
        days: set[int] = set()
        for part in re.split(r"[,;/\s]+", raw.replace("–", "-")):
            if not part:
                continue
            if "-" in part:
                first, last = (_day(x) for x in part.split("-", 1))
                if last < first:
                    raise RosterError("a range runs forwards")
                days.update(range(first, last + 1))
            else:
                days.add(_day(part))
    except RosterError as e:
        raise RosterError(f"cannot read {raw!r} as working days ({e}): write Mon-Fri, Mon-Thu or days listed "
                          "as Mon,Tue,Thu") from None
    return tuple(sorted(days))


def days_text(days: tuple[int, ...]) -> str:
    """Working days as stored and shown: ``Mon,Tue,Wed,Thu,Fri``."""
    return ",".join(DAYS[d] for d in days)


def parse_target(text: object) -> float | None:
    """A utilisation target as a fraction: ``0.8`` or ``80%``; blank is None (the default applies)."""
    raw = "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text).strip()
    if not raw:
        return None
    percent = raw.endswith("%")
    try:
        value = float(raw.rstrip("%").strip().replace(",", "."))
    except ValueError:
        raise RosterError(f"cannot read {raw!r} as a utilisation target: write 0.8 or 80%") from None
    value = value / 100 if percent else value
    if not 0 < value <= 1:
        raise RosterError(f"a utilisation target is a share from 0 to 1 (or 1% to 100%), got {raw!r}")
    return value


def parse_hours(text: object, what: str) -> float | None:
    """A number of hours (or a rate), 0 or more; blank is None. Decimal comma or point."""
    raw = "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text).strip()
    if not raw:
        return None
    if not re.fullmatch(r"\d+([.,]\d+)?", raw.replace(" ", "")):
        raise RosterError(f"cannot read {raw!r} as {what}")
    return float(raw.replace(" ", "").replace(",", "."))


def parse_region(text: object) -> str | None:
    """An ISO country code, optionally with a region (``DE-BY``) the holidays library knows; blank is None
    (no public holidays)."""
    given = "" if text is None else str(text).strip()
    raw = given.upper()
    if not raw:
        return None
    country, _, subdiv = raw.partition("-")
    try:
        _holiday_dates(country, subdiv or None, 2000)
    except (NotImplementedError, KeyError, ValueError, AttributeError):
        raise RosterError(f"{given!r} is no country (ISO code such as DE) or region (such as DE-BY) with known "
                          "public holidays") from None
    return raw


@cache
def _holiday_dates(country: str, subdiv: str | None, year: int) -> frozenset[date]:
    import holidays  # loads only where holidays are needed

    with warnings.catch_warnings():  # a year outside the library's data for a country: no holidays, said nowhere
        warnings.simplefilter("ignore", UserWarning)
        return frozenset(holidays.country_holidays(country, subdiv=subdiv, years=year))


def public_holidays(region: str | None, start: date, end: date) -> set[date]:
    """The public holidays of ``region`` (``DE`` or ``DE-BY``) from ``start`` to ``end``."""
    if not region:
        return set()
    country, _, subdiv = region.partition("-")
    found: set[date] = set()
    for year in range(start.year, end.year + 1):
        found |= {d for d in _holiday_dates(country, subdiv or None, year) if start <= d <= end}
    return found


def check_person(row: Mapping) -> dict:
    """A person's row from text or typed values → the stored values; RosterError names the first problem
    as (field, reason) in its args."""
    out: dict = {}

    def field(name: str, fn, *args):
        try:
            return fn(row.get(name), *args)
        except (RosterError, UnknownCurrency) as e:
            raise RosterError(name, str(e)) from None

    name = str(row.get("name") or "").strip()
    if not name:
        raise RosterError("name", "no name: the name as it appears in the time entries")
    out["name"] = name
    out["email"] = str(row.get("email") or "").strip() or None
    capacity = field("weekly_capacity_hours", parse_hours, "weekly capacity hours")
    if capacity is None:
        raise RosterError("weekly_capacity_hours", "no weekly capacity: the hours a normal week holds")
    if capacity > 168:
        raise RosterError("weekly_capacity_hours", f"{capacity:g} hours is more than a week holds")
    out["weekly_capacity_hours"] = capacity
    out["working_days"] = days_text(field("working_days", parse_working_days))
    out["country"] = field("country", parse_region)
    out["start_date"], out["end_date"] = field("start", _as_date), field("end", _as_date)
    if out["start_date"] and out["end_date"] and out["end_date"] < out["start_date"]:
        raise RosterError("end", f"ends ({out['end_date']}) before it starts ({out['start_date']})")
    out["cost_rate"] = field("cost_rate", parse_hours, "a cost rate per hour")
    out["currency"] = field("currency", iso_currency)  # the one reader: EUR, eur, € → EUR; XYZ refused
    if out["cost_rate"] is not None and out["currency"] is None:
        raise RosterError("currency", "a cost rate needs its currency")
    out["utilisation_target"] = field("utilisation_target", parse_target)
    out["effective_from"] = field("effective_from", _as_date) or out["start_date"] or EARLIEST
    return out


def _as_date(value: object) -> date | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)) or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise RosterError(f"cannot read {value!r} as a date (YYYY-MM-DD)") from None


def check_time_off(row: Mapping, known: set[str]) -> dict:
    """A time-off row → stored values; RosterError(field, reason) for the first problem."""
    person = str(row.get("person") or "").strip()
    if not person:
        raise RosterError("person", "no person")
    if person not in known:
        raise RosterError("person", f"{person!r} has no row among the people (import people.csv first)")
    values = {"person": person}
    for name in ("from", "to"):
        try:
            values[name] = _as_date(row.get(name))
        except RosterError as e:
            raise RosterError(name, str(e)) from None
        if values[name] is None:
            raise RosterError(name, f"no '{name}' date")
    if values["to"] < values["from"]:
        raise RosterError("to", f"ends ({values['to']}) before it starts ({values['from']})")
    try:
        values["hours_per_day"] = parse_hours(row.get("hours_per_day"), "hours per day")
    except RosterError as e:
        raise RosterError("hours_per_day", str(e)) from None
    return values


# ---------------------------------------------------------------- the roster in the store

CURRENT_PEOPLE = """(SELECT * EXCLUDE (rn) FROM (
        SELECT *, row_number() OVER (PARTITION BY name, effective_from ORDER BY id DESC) AS rn FROM people)
    WHERE rn = 1 AND NOT removed)"""


def people(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every person's current rows (one per effective_from), cost rates included: for the functions of this
    package only; pages and reports read ``roster`` or, as admins, ``cost_rates``."""
    return cur.execute(f"""SELECT name, effective_from, {', '.join(PERSON_FIELDS)}, batch_id, entered_by
                           FROM {CURRENT_PEOPLE} ORDER BY name, effective_from""").df()  # noqa: S608 (fixed names)


def roster(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The roster everyone may read: people and their working time, without cost rates."""
    shown = [f for f in PERSON_FIELDS if f not in COST_FIELDS]
    return cur.execute(f"""SELECT name, effective_from, {', '.join(shown)} FROM {CURRENT_PEOPLE}
                           ORDER BY name, effective_from""").df()  # noqa: S608 (fixed names)


def cost_rates(cur: duckdb.DuckDBPyConnection, actor: Actor) -> pd.DataFrame:
    """Each person's cost rate per hour from each effective_from (admins only)."""
    actor.require("see_costs")
    return cur.execute(f"""SELECT name, effective_from, cost_rate, currency, batch_id, entered_by
                           FROM {CURRENT_PEOPLE} ORDER BY name, effective_from""").df()  # noqa: S608 (fixed names)


def time_off(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return cur.execute("""SELECT id, person, from_date, to_date, hours_per_day, batch_id, entered_by
                          FROM time_off ORDER BY from_date, person, id""").df()


def daily(people_rows: pd.DataFrame, away: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """Per person and day from ``start`` to ``end``: the day's hours by their working days and employment,
    what public holidays and time off remove, and the hours available."""
    cols = ["person", "day", "day_hours", "holiday_hours", "time_off_hours", "available_hours"]
    if people_rows.empty or end < start:
        return pd.DataFrame(columns=cols)
    days = np.arange(np.datetime64(start, "D"), np.datetime64(end, "D") + 1)
    weekday = (days.astype("int64") - 4) % 7  # 1970-01-01 was a Thursday
    rows = people_rows.sort_values(["name", "effective_from"])
    froms = pd.to_datetime(rows["effective_from"]).to_numpy().astype("datetime64[D]")
    working = np.array([[d in parse_working_days(w) for d in range(7)] for w in rows["working_days"]])
    per_day = rows["weekly_capacity_hours"].to_numpy(float) / working.sum(axis=1).clip(min=1)
    starts = _day_array(rows["start_date"], np.datetime64("0001-01-01"))
    ends = _day_array(rows["end_date"], np.datetime64("9999-12-31"))
    regions = [r if isinstance(r, str) else None for r in rows["country"]]
    off_days = {r: np.array(sorted(public_holidays(r, start, end)), dtype="datetime64[D]") for r in set(regions)}
    names = rows["name"].to_numpy()
    away_by = {n: part for n, part in away.groupby("person")} if len(away) else {}
    people, blocks = [], []
    for name in dict.fromkeys(names):
        mine = np.flatnonzero(names == name)
        i = mine[np.maximum(np.searchsorted(froms[mine], days, side="right") - 1, 0)]  # in force (the first before)
        hours = np.where(working[i, weekday] & (days >= starts[i]) & (days <= ends[i]), per_day[i], 0.0)
        holiday = np.zeros(len(days), dtype=bool)
        for k in mine:
            if len(off_days[regions[k]]):
                holiday |= (i == k) & np.isin(days, off_days[regions[k]])
        holiday_hours = np.where(holiday, hours, 0.0)
        asked = np.zeros(len(days))
        if name in away_by:
            for first, last, h in away_by[name][["from_date", "to_date", "hours_per_day"]].itertuples(index=False):
                span = (days >= _as_day(first)) & (days <= _as_day(last))
                asked += np.where(span, hours if pd.isna(h) else float(h), 0.0)
        off_hours = np.minimum(asked, hours - holiday_hours)
        people.append(name)
        blocks.append(np.stack([hours, holiday_hours, off_hours, hours - holiday_hours - off_hours]))
    values = np.concatenate(blocks, axis=1)
    return pd.DataFrame({"person": np.repeat(people, len(days)), "day": np.tile(days, len(people)),
                         "day_hours": values[0], "holiday_hours": values[1], "time_off_hours": values[2],
                         "available_hours": values[3]})


def _as_day(value) -> np.datetime64:
    return np.datetime64(pd.Timestamp(value).date(), "D")


def _day_array(values: pd.Series, missing: np.datetime64) -> np.ndarray:
    return np.array([missing if v is None or pd.isna(v) else np.datetime64(pd.Timestamp(v).date(), "D")
                     for v in values], dtype="datetime64[D]")


def targets(people_rows: pd.DataFrame, default: float) -> dict[str, float]:
    """Each person's utilisation target: that of their latest row that names one, else ``default``."""
    out = {}
    for name, rows in people_rows.sort_values("effective_from").groupby("name"):
        named = rows["utilisation_target"].dropna()
        out[name] = float(named.iloc[-1]) if len(named) else default
    return out


def available(cur: duckdb.DuckDBPyConnection, start: date, end: date) -> pd.DataFrame:
    """Per person and day from ``start`` to ``end``: the hours available (``daily`` over the store)."""
    return daily(people(cur), time_off(cur), start, end)


# ---------------------------------------------------------------- templates


def templates() -> dict[str, str]:
    """The two canonical files, each a header and a worked example (data/templates holds them)."""
    people_rows = [("Ana Lima", "ana@agency.example", "40", "Mon-Fri", "DE-BY", "2024-01-08", "", "60", "EUR",
                    "2024-01-08", "80%")]
    away = [("Ana Lima", "2026-08-03", "2026-08-14", "")]
    return {"people.csv": _csv(PEOPLE_COLUMNS, people_rows), "time_off.csv": _csv(TIME_OFF_COLUMNS, away)}


def _csv(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    return "\n".join(",".join(r) for r in [header, *rows]) + "\n"
