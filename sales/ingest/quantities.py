"""One reader for every number an export holds: durations, amounts, hourly rates and a budget's hours, as
DuckDB SQL so a million rows are read in one pass. The decimal mark is decided once per column from a
sample of its values; everything else is decided per value.

A value is read as the README's import section documents it, or not at all (NULL, which the importer
rejects by line and column): no character is ever dropped to make a number, so ``1,2,3``, ``5k``, ``2 days``
and ``inf`` are refused instead of becoming 123, 5, 2 and infinity.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sales.money import UnknownCurrency, iso_currency

# ------------------------------------------------------------------ what a value may be

MAX_ENTRY_HOURS = 24 * 31  # one time entry: Toggl durations may pass 24 h; a month in one entry is a typo


@dataclass(frozen=True)
class Quantity:
    """What a number means, for its bounds and the sentences that refuse it."""

    noun: str  # as in "cannot read '5k' as an amount"
    name: str  # as in "an amount must not be negative"
    high: float  # anything above (and anything infinite) is out of range


AMOUNT = Quantity("an amount", "an amount", 1e13)  # a deal's value, in any currency (10^13 IDR is $600M)
RATE = Quantity("an hourly rate", "an hourly rate", 1e8)
BUDGET_HOURS = Quantity("a number of hours", "hours", 1e5)  # monthly or in total: 600 people full time

UNREADABLE, NEGATIVE, OUT_OF_RANGE = 1, 2, 3


def problem_sql(value: str, raw: str, q: Quantity) -> str:
    """SQL giving why ``value`` (read from ``raw``) is refused: UNREADABLE, NEGATIVE, OUT_OF_RANGE, or NULL."""
    return (f"CASE WHEN {value} IS NULL THEN CASE WHEN nullif(trim({raw}), '') IS NOT NULL THEN {UNREADABLE} END "
            f"WHEN NOT isfinite({value}) OR {value} > {q.high!r} THEN {OUT_OF_RANGE} "
            f"WHEN {value} < 0 THEN {NEGATIVE} END")


def problem_text(problem: int, raw: object, q: Quantity) -> str:
    if problem == NEGATIVE:
        return f"{q.name} must not be negative, got {raw!r}"
    if problem == OUT_OF_RANGE:
        return f"{raw!r} is out of range (at most {q.high:,.0f} for {q.noun})"
    return f"cannot read {raw!r} as {q.noun}"


# ------------------------------------------------------------------ plain numbers

SPACES = " \t\r\n\u00a0\u202f"  # around a value: ordinary and no-break spaces
GROUPING = " '\u2019\u00a0\u202f"  # thousands separators besides , and . (1 234,50 and 1'234.50)
SIGN = "[+-]?"
POINT_NUMBER = SIGN + r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?"  # 12, 12.5, .5, 1.5E+06 (Excel)
POINT_GROUPS = SIGN + r"\d{1,3}(\.\d{3})+"  # 2.000, 1.234.567
COMMA_GROUPS = SIGN + r"\d{1,3}(,\d{3})+"  # 1,234, 1,234,567
ONE_COMMA_GROUP = SIGN + r"\d{1,3},\d{3}"  # 1,234: thousands in a point column, 1.234 in a comma column
COMMA_DECIMAL = SIGN + r"\d*,\d+"  # 7,5
POINT_GROUPS_COMMA_DECIMAL = SIGN + r"\d{1,3}(\.\d{3})+,\d+"  # 2.000,50
COMMA_GROUPS_POINT_DECIMAL = SIGN + r"\d{1,3}(,\d{3})+\.\d+"  # 1,234.50
SPACE_GROUPS = SIGN + rf"\d{{1,3}}([{GROUPING}]\d{{3}})+([.,]\d+)?"  # 1 234,50 and 1'234.50


def sniff_decimal(values: Sequence[str]) -> str:
    """',' when the column writes decimals with a comma (European Excel), else '.'."""
    comma = point = 0
    for v in values:
        v = v.strip().replace(" ", "").replace("\u00a0", "")
        if re.fullmatch(r"-?\d{1,3}(\.\d{3})+,\d+|-?\d+,\d{1,2}|-?\d+,\d{4,}", v):
            comma += 1
        elif re.fullmatch(r"-?\d{1,3}(,\d{3})+\.\d+|-?\d+\.\d{1,2}|-?\d+\.\d{4,}", v):
            point += 1
    return "," if comma > point else "."


def _sql_text(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _full(v: str, pattern: str) -> str:
    return f"regexp_full_match({v}, {_sql_text(pattern)})"


def strict_number_sql(v: str, decimal: str) -> str:
    """A trimmed text → DOUBLE, by the documented forms only (NULL otherwise). In a column whose decimal mark
    is ``,`` a lone ``1.234`` or ``2.000`` is a thousands grouping, in a ``.`` column ``1,234`` is; a value
    with both marks has its decimal mark last; ``1,2,3`` is no number in either."""
    comma = decimal == ","
    grouped_point = f"({comma} AND {_full(v, POINT_GROUPS)})"
    single_comma = f"({comma} AND {_full(v, ONE_COMMA_GROUP)})"
    return f"""CASE
        WHEN {_full(v, POINT_NUMBER)} AND NOT {grouped_point} THEN TRY_CAST({v} AS DOUBLE)
        WHEN {_full(v, POINT_GROUPS)} THEN TRY_CAST(replace({v}, '.', '') AS DOUBLE)
        WHEN {_full(v, COMMA_GROUPS)} AND NOT {single_comma} THEN TRY_CAST(replace({v}, ',', '') AS DOUBLE)
        WHEN {_full(v, COMMA_DECIMAL)} THEN TRY_CAST(replace({v}, ',', '.') AS DOUBLE)
        WHEN {_full(v, COMMA_GROUPS_POINT_DECIMAL)} THEN TRY_CAST(replace({v}, ',', '') AS DOUBLE)
        WHEN {_full(v, POINT_GROUPS_COMMA_DECIMAL)} THEN TRY_CAST(replace(replace({v}, '.', ''), ',', '.') AS DOUBLE)
        WHEN {_full(v, SPACE_GROUPS)}
             THEN TRY_CAST(replace(regexp_replace({v}, {_sql_text(f'[{GROUPING}]')}, '', 'g'), ',', '.') AS DOUBLE)
    END"""


def _trimmed(raw: str) -> str:
    return f"trim({raw}, {_sql_text(SPACES)})"


def _plain_ok(raw: str, decimal: str) -> str:
    """Whether DuckDB's own cast reads ``raw`` as the documented forms do (the common case, and the cheap one): it
    would also read ``inf`` and ``nan``, ``1_000`` as 1000 and ``+-1`` as -1; in a column of decimal commas a
    point is a thousands separator, which it would read as a decimal point. (The cast first: in this order
    DuckDB looks at the text only for values that are numbers.)"""
    point = "" if decimal == "." else f" AND NOT contains({raw}, '.')"
    return (f"isfinite(TRY_CAST({raw} AS DOUBLE)) AND NOT contains({raw}, '_') AND NOT contains({raw}, '+-')"
            f"{point}")


def number_sql(raw: str, decimal: str) -> str:
    """A number as exports write it → DOUBLE; NULL when it is none (the caller rejects it). (No ``coalesce``
    here or below: DuckDB evaluates all its arguments for every row, a CASE only the branch a row takes.)"""
    return (f"CASE WHEN {_plain_ok(raw, decimal)} THEN TRY_CAST({raw} AS DOUBLE) "
            f"ELSE {strict_number_sql(_trimmed(raw), decimal)} END")


# ------------------------------------------------------------------ amounts: a number and maybe a currency

# a currency written beside an amount: letters or signs, no digits (US$ 1,200, 1.200,50 €, EUR 300)
MARK = r"[^\d\s.,+'\-]{1,4}"
AMOUNT_PARTS = rf"^({MARK})?\s*({SIGN}(?:\d(?:[\d.,{GROUPING}eE+\-]*\d)?|[.,]\d+))\s*({MARK})?$"


def amount_sql(raw: str, decimal: str) -> tuple[str, str]:
    """An amount → (DOUBLE, the currency written beside it or NULL). ``5k`` and ``$1.5M`` read as a number with
    a currency ``k`` or ``M`` that is none, so they are refused."""
    t = _trimmed(raw)
    parts = _sql_text(AMOUNT_PARTS)
    before, number, after = (f"regexp_extract({t}, {parts}, {i})" for i in (1, 2, 3))
    plain = _plain_ok(raw, decimal)
    value = (f"CASE WHEN {plain} THEN TRY_CAST({raw} AS DOUBLE) "
             f"WHEN regexp_full_match({t}, {parts}) THEN {strict_number_sql(number, decimal)} END")
    mark = (f"CASE WHEN {plain} THEN NULL WHEN {before} <> '' AND {after} <> '' THEN {before} || ' ' || {after} "
            f"ELSE nullif({before} || {after}, '') END")
    return value, mark


# ------------------------------------------------------------------ durations

CLOCK = r"\d+:[0-5]?\d(:[0-5]?\d)?"  # H:MM or HH:MM:SS, hours may pass 24
DECIMAL = r"\d+(?:[.,]\d+)?"
HOURS, MINUTES, SECONDS = r"(?:hours|hour|hrs|hr|h)", r"(?:minutes|minute|mins|min|m)", r"(?:seconds|second|secs|sec|s)"
# each part ends with its unit, so no number can be split between two parts ("2700 s" is never 270 min 0 s)
WITH_UNITS = rf"^(?:({DECIMAL})\s*{HOURS}\.?)?\s*(?:({DECIMAL})\s*{MINUTES}\.?)?\s*(?:({DECIMAL})\s*{SECONDS}\.?)?$"
HOURS_MINUTES = rf"^(\d+)\s*{HOURS}\s*([0-5]?\d)$"  # 1h30


def units_sql(raw: str) -> str:
    """A duration written with units → hours: ``1h30``, ``1h 30m``, ``1.5 h``, ``90 min``, ``45m``, ``2700 s``.
    Minutes after hours and seconds after minutes must be whole and under 60; days and weeks are refused
    (how many hours is a day of work?)."""
    t = f"lower({_trimmed(raw)})"
    pat, short = _sql_text(WITH_UNITS), _sql_text(HOURS_MINUTES)
    h, m, s = (f"nullif(regexp_extract({t}, {pat}, {i}), '')" for i in (1, 2, 3))

    def num(part: str) -> str:
        return f"TRY_CAST(replace({part}, ',', '.') AS DOUBLE)"

    def whole_under_60(part: str) -> str:
        return f"({part} IS NULL OR regexp_full_match({part}, '[0-5]?\\d'))"

    valid = (f"regexp_full_match({t}, {pat}) AND coalesce({h}, {m}, {s}) IS NOT NULL "
             f"AND ({h} IS NULL OR ({m} IS NULL AND {s} IS NULL) OR (regexp_full_match({h}, '\\d+') "
             f"AND {whole_under_60(m)})) "
             f"AND ({s} IS NULL OR ({h} IS NULL AND {m} IS NULL) OR {whole_under_60(s)})")
    hours = f"coalesce({num(h)}, 0) + coalesce({num(m)}, 0) / 60 + coalesce({num(s)}, 0) / 3600"
    short_hours = (f"TRY_CAST(regexp_extract({t}, {short}, 1) AS DOUBLE) "
                   f"+ TRY_CAST(regexp_extract({t}, {short}, 2) AS DOUBLE) / 60")
    return f"CASE WHEN regexp_full_match({t}, {short}) THEN {short_hours} WHEN {valid} THEN {hours} END"


def hours_sql(raw: str, decimal: str, unit: str = "hours") -> str:
    """A duration → hours: decimal hours (``1.5``, ``7,5``), ``H:MM``, ``HH:MM:SS`` (over 24 h too), whole seconds
    or minutes where the layout says so, or a value with units. ``12.5`` is twelve and a half hours, never
    12 h 05 min: only a colon or a unit means minutes."""
    t = _trimmed(raw)
    parts = f"string_split({t}, ':')"
    clock = (f"(TRY_CAST({parts}[1] AS DOUBLE) + TRY_CAST({parts}[2] AS DOUBLE) / 60"
             f" + coalesce(TRY_CAST({parts}[3] AS DOUBLE), 0) / 3600)")
    factor = {"seconds": " / 3600.0", "minutes": " / 60.0"}.get(unit, "")
    strict = strict_number_sql(t, decimal)
    return (f"CASE WHEN {_plain_ok(raw, decimal)} THEN TRY_CAST({raw} AS DOUBLE){factor} "
            f"WHEN contains({raw}, ':') THEN CASE WHEN {_full(t, CLOCK)} THEN {clock} END "
            f"WHEN ({strict}) IS NOT NULL THEN ({strict}){factor} "
            f"ELSE {units_sql(raw)} END")


# ------------------------------------------------------------------ an amount's currency

MULTIPLIERS = ("k", "m", "mm", "mn", "bn", "b")  # 5k, $1.5M: not read (is M a thousand or a million?)
DOLLARS = ("USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN")  # currencies a row may write as "$"


def amount_currency(raw_amount: str | None, named: str | None, mark: str | None, dollar: str | None = None,
                    q: Quantity = AMOUNT) -> tuple[str | None, tuple[str, str] | None]:
    """The currency of an amount: the one its row names (``named``), or the one written beside the amount
    (``mark``), read by ``money.iso_currency``; ``$`` beside an amount is settled by the row's dollar currency or
    the layout's ``dollar``. Returns (code, None), or (None, (field, why)) where field is ``"currency"`` or
    ``"amount"``, whichever is at fault."""
    try:
        code = iso_currency(named, dollar)
    except UnknownCurrency:
        return None, ("currency", f"cannot read {named!r} as a currency (an ISO 4217 code such as USD or EUR, "
                                  "or €, £, US$)")
    if mark is None:
        return code, None
    if mark.lower() in MULTIPLIERS or " " in mark:
        return None, ("amount", f"cannot read {raw_amount!r} as {q.noun} (write the whole number: 5000, not 5k)")
    if mark == "$" and code in DOLLARS:
        return code, None
    try:
        marked = iso_currency(mark, dollar)
    except UnknownCurrency:
        if mark == "$":
            return None, ("amount", f"{raw_amount!r}: '$' names no single currency; give the currency "
                                    "(USD, CAD, AUD…)")
        return None, ("amount", f"cannot read {raw_amount!r} as {q.noun} ({mark!r} is no currency)")
    if code and marked != code:
        return None, ("amount", f"{raw_amount!r} is in {marked}, but the row's currency is {code}")
    return marked, None
