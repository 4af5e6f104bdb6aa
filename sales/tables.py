"""A result table as people read it: one function every page's table and download goes through.

Headers are words with their unit ("Billable (h)", "Win rate (%)", "Forecast (USD)"); an empty cell is blank;
dates carry no midnight; money carries its currency and no cents from 1,000 up; percentages have one decimal;
an audit row's change reads "field: before → after". The store's column names stay the keys of
``report --format json``: the words here are for people, the keys for scripts.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import date, datetime

import pandas as pd

CURRENCY = re.compile(r"^[A-Z]{3}$")
CURRENCY_SUFFIX = re.compile(r"^(.+)_([A-Z]{3})$")  # forecast_USD: a column of one currency

HOURS = "h"
PERCENT = "%"
MONEY = "money"
DAYS = "days"

# columns whose unit their name does not say; a page may name others (``units=``)
HOUR_NAMES = {"goal", "billable", "non_billable", "goal_ytd", "spent_ytd", "remaining_ytd", "overhead", "cap",
              "spent", "left", "hours_per_day"}
PERCENT_NAMES = {"used", "probability", "conversion", "low", "high", "win_rate", "ci_low", "ci_high", "error",
                 "realisation", "utilisation", "billable_utilisation", "utilisation_target", "share_of_target",
                 "target"}
MONEY_NAMES = {"amount", "value", "forecast", "forecast_minus_target", "target", "start", "created", "reopened",
               "pulled_in", "increases", "decreases", "pushed_out", "won", "lost", "end", "revenue", "cost",
               "margin", "effective_rate", "rate", "hourly_rate", "cost_rate", "average_won", "velocity_per_day",
               "expected", "p10", "p50", "p90", "weighted", "open_value", "before_amount", "after_amount"}
DAY_NAMES = {"days", "limit_days", "days_to_win", "age_days", "days_open", "days_in_stage"}
ID_NAMES = {"id", "batch", "line", "lead", "#"}

# header words the column names abbreviate
WORDS = {"id": "ID", "sha256": "SHA-256", "ytd": "this year", "pct": "%", "crm": "CRM", "p10": "P10", "p50": "P50",
         "p90": "P90", "ci": "95% CI"}
LABELS = {  # where the plain words of a name would mislead
    "goal": "Budget", "goal_ytd": "Budget this year", "spent_ytd": "Billable this year",
    "remaining_ytd": "Left this year", "overhead": "Beyond budget", "non_billable_share": "Non-billable share",
    "margin_pct": "Margin", "ci_low": "95% low", "ci_high": "95% high", "low": "95% low", "high": "95% high",
    "velocity_per_day": "Velocity per day", "limit_days": "Limit", "stage_index": "Stage number",
    "forecast_minus_target": "Against target",
}


def unit_of(name: str, series: pd.Series, money_from: str | None) -> str | None:
    """What a column measures: hours, a share shown as a percentage, money (``money_from``: the currency,
    or the column holding it per row), days, or nothing in particular."""
    numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    if not numeric and not (series.dtype == object and series.map(lambda v: v is None or _is_number(v)).all()):
        return None
    if name.endswith("_share") or name.endswith("_pct") or name in PERCENT_NAMES:
        values = pd.to_numeric(series, errors="coerce").dropna()
        if name != "target" or len(values) and (values.abs() <= 1.5).all():  # a share on Team, money on This week
            return PERCENT
    if name == "hours" or name.endswith("_hours") or name in HOUR_NAMES:
        return HOURS
    if name in DAY_NAMES:
        return DAYS
    if money_from and name in MONEY_NAMES and not pd.api.types.is_integer_dtype(series):
        return MONEY
    return None


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def header(name: str, unit: str | None, currency: str | None = None) -> str:
    """``non_billable`` in hours → "Non-billable (h)"; ``forecast_USD`` → "Forecast (USD)"; a name already in
    words stays as it is."""
    if name in LABELS:
        words = LABELS[name]
    elif "_" not in name and (name[:1].isupper() or " " in name or not name[:1].isalpha()):
        return name[:1].upper() + name[1:]
    else:
        parts = [WORDS.get(p, p) for p in name.replace("non_", "non-").split("_") if p]
        words = " ".join(parts)
        words = words[:1].upper() + words[1:]
    if unit == HOURS and words.lower().endswith(" hours"):  # billable_hours → "Billable (h)"
        words = words[:-len(" hours")]
    elif unit == HOURS and words.lower() == "hours" or unit == DAYS and "days" in words.lower():
        return words  # the words name the unit already
    suffix = {HOURS: "h", PERCENT: "%", DAYS: "days"}.get(unit) or currency
    return f"{words} ({suffix})" if suffix else words


def hours(v: float) -> str:
    """Two decimals, as time sheets count quarter hours: ``1,234.25``."""
    return f"{v:,.2f}"


def percent(v: float) -> str:
    return f"{v * 100:,.1f}%"


def money(v: float, currency: object = None) -> str:
    """No cents from 1,000 up; cents below only when there are some: ``USD 85,000``, ``EUR 950.50``."""
    text = f"{v:,.0f}" if abs(v) >= 1000 or float(v).is_integer() else f"{v:,.2f}"
    return f"{currency} {text}" if isinstance(currency, str) and CURRENCY.match(currency) else text


def when(v: object) -> str:
    """A day as ``2026-09-07``; a moment as ``2026-09-07 14:30`` (never a midnight time)."""
    if isinstance(v, datetime) or isinstance(v, pd.Timestamp):
        ts = pd.Timestamp(v)
        return f"{ts:%Y-%m-%d}" if ts == ts.normalize() else f"{ts:%Y-%m-%d %H:%M}"
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def blank(v: object) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    try:
        return bool(pd.isna(v)) if not isinstance(v, (list, dict, tuple)) else False
    except (TypeError, ValueError):
        return False


def number(v: object, integer_id: bool = False) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float) and not v.is_integer():
        return f"{v:,.2f}".rstrip("0").rstrip(".") if abs(v) < 1000 else f"{v:,.0f}"
    if _is_number(v) or hasattr(v, "__index__"):
        return str(int(v)) if integer_id else f"{int(v):,}"
    return str(v)


def _value_text(v: object) -> str:
    if blank(v):
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return number(v)
    return str(v)


def changes(before: object, after: object) -> str:
    """An audit row's change in words: each field ``field: before → after``; a field set from nothing reads
    ``field: after``. Text that is not a JSON object is a value of its own."""
    b, a = _parsed(before), _parsed(after)
    if isinstance(b, dict) or isinstance(a, dict):
        b = b if isinstance(b, dict) else {}
        a = a if isinstance(a, dict) else {}
        parts = []
        for key in dict.fromkeys([*b, *a]):
            label = str(key).replace("_", " ")
            if key not in b:
                parts.append(f"{label}: {_value_text(a[key])}")
            elif key not in a:
                parts.append(f"{label}: {_value_text(b[key])} → –")
            elif b[key] != a[key]:
                parts.append(f"{label}: {_value_text(b[key])} → {_value_text(a[key])}")
        return "; ".join(parts)
    if _nothing(b) and _nothing(a):
        return ""
    if _nothing(b):
        return _value_text(a)
    if _nothing(a):
        return f"{_value_text(b)} → –"
    return f"{_value_text(b)} → {_value_text(a)}"


def _nothing(v: object) -> bool:
    return blank(v) or v == ""


def _parsed(text: object) -> object:
    if not isinstance(text, str):
        return None if blank(text) else text
    try:
        return json.loads(text)
    except ValueError:
        return text


def readable(frame: pd.DataFrame, units: Mapping[str, str | None] | None = None,
             labels: Mapping[str, str] | None = None, currency: str | None = None) -> pd.DataFrame:
    """``frame`` as text people read, one column per column (an audit's ``before`` and ``after`` become one
    ``Change``). ``units``: a column's unit where its name does not say (``"h"``, ``"%"``, ``"money"``,
    ``"days"``, None for none); ``labels``: a page's own header for a column; ``currency``: the currency of
    money columns when the frame has no ``currency`` column."""
    units, labels = dict(units or {}), dict(labels or {})
    frame = frame.copy()
    if {"before", "after"} <= set(frame.columns):
        at = list(frame.columns).index("before")
        change = [changes(b, a) for b, a in zip(frame["before"], frame["after"])]
        frame = frame.drop(columns=["before", "after"])
        frame.insert(at, "change", change)
    per_row = "currency" if "currency" in frame.columns else None
    out = {}
    for name in frame.columns:
        col, key = frame[name], str(name)
        suffix = CURRENCY_SUFFIX.match(key)
        col_currency = suffix.group(2) if suffix else None
        unit = units[key] if key in units else (
            MONEY if col_currency else unit_of(key, col, per_row or currency))
        if key in labels:
            title = labels[key]
        else:
            title = header(suffix.group(1) if suffix else key, unit if unit != MONEY else None,
                           col_currency or (currency if unit == MONEY and not per_row else None))
        while title in out:  # two columns never share a header
            title += " "
        row_currency = frame[per_row] if per_row and unit == MONEY and not col_currency else None
        out[title] = _cells(key, col, unit, row_currency)
    return pd.DataFrame(out, index=range(len(frame)))


def _cells(name: str, col: pd.Series, unit: str | None, row_currency: pd.Series | None) -> list[str]:
    is_id = name in ID_NAMES or name.endswith("_id") or name.endswith("_batch") or name.endswith("_line")
    values = col.tolist()
    shown = []
    for i, v in enumerate(values):
        if blank(v):
            shown.append("")
        elif isinstance(v, (datetime, date, pd.Timestamp)):
            shown.append(when(v))
        elif isinstance(v, bool):
            shown.append("yes" if v else "no")
        elif _is_number(v) or hasattr(v, "__index__") and not isinstance(v, str):
            if unit == HOURS:
                shown.append(hours(float(v)))
            elif unit == PERCENT:
                shown.append(percent(float(v)))
            elif unit == MONEY:
                shown.append(money(float(v), None if row_currency is None else row_currency.iloc[i]))
            elif unit == DAYS:
                shown.append(f"{float(v):,.0f}")
            else:
                shown.append(number(v, integer_id=is_id))
        elif isinstance(v, float) and math.isinf(v):
            shown.append("∞")
        elif name == "kind" and isinstance(v, str):
            shown.append(v.replace("_", " "))
        else:
            shown.append(str(v))
    return shown


def one_line(text: str) -> str:
    """A cell on one line of a text table: every run of white space (newlines in a note) one space."""
    return " ".join(str(text).split())


def text_table(frame: pd.DataFrame, empty: str = "(none)", **how) -> str:
    """``frame`` as aligned text people read (``readable``; ``how``: its units, labels, currency), for a
    terminal or a plain-text mail; ``empty`` when it has no rows."""
    if not len(frame):
        return empty
    shown = readable(frame, **how)
    return shown.map(one_line).to_string(index=False)
