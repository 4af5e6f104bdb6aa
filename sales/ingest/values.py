"""Messy export values → typed values (dates, times of day, yes/no, text), as DuckDB SQL so a million rows
parse in one pass; numbers are read in ``quantities``.

Decisions that depend on a whole column (day/month order, date layout, seconds in a duration column) are
taken once per column from a sample of its values, then applied in SQL. Every builder takes a SQL
expression for the raw text and returns a SQL expression.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


def _clock(value: str) -> float | None:
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(?:([AaPp])\.?[Mm]\.?)?\s*", value or "")
    if not m:
        return None
    h = int(m.group(1)) % 12 + (12 if (m.group(4) or "").lower() == "p" else 0) if m.group(4) else int(m.group(1))
    return h + int(m.group(2)) / 60 + int(m.group(3) or 0) / 3600


def sniff_seconds(values: list[str], starts: list[str] | None = None, ends: list[str] | None = None) -> bool:
    """Whether a duration column holds seconds (Kimai 1.x writes ``2700`` beside 12:00 and 12:45), decided
    for the whole column: every value a whole number, and where a row has a start and an end, every such
    row's value is the time between them in seconds. Without start and end times, a whole number above
    24 in a duration column can only be seconds or minutes, so seconds need a value above 24 × 60."""
    filled = [(i, v.strip()) for i, v in enumerate(values) if v and v.strip()]
    if not filled or not all(re.fullmatch(r"\d+", v) for _, v in filled):
        return False
    checked = 0
    for i, v in filled:
        if starts is None or ends is None or i >= len(starts) or i >= len(ends):
            continue
        a, b = _clock(starts[i]), _clock(ends[i])
        if a is None or b is None:
            continue
        span = (b - a) % 24
        if abs(int(v) / 3600 - span) > 1 / 60:
            return False
        checked += 1
    return checked > 0 or max(int(v) for _, v in filled) > 24 * 60


# ------------------------------------------------------------------ dates and times

DATE_FORMATS = (  # tried in order; the first that reads every sampled value wins
    "%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%d.%m.%y", "%m/%d/%Y", "%d/%m/%Y", "%m/%d/%y", "%d/%m/%y",
    "%d/%b/%y", "%d/%b/%Y", "%d-%b-%Y", "%d-%b-%y", "%d %b %Y", "%Y%m%d", "%m-%d-%Y", "%d-%m-%Y",
)
SWAPPED = {"%m/%d/%Y": "%d/%m/%Y", "%m/%d/%y": "%d/%m/%y", "%m-%d-%Y": "%d-%m-%Y"}
DATE_TOKEN = r"^\s*(\S+)"


@dataclass(frozen=True)
class DateLayout:
    fmt: str | None  # strptime format of the date token; None when nothing matched
    ambiguous: bool = False  # day/month order could not be told from the values

    @property
    def order(self) -> str:
        if self.fmt is None:
            return "unknown"
        return "day/month" if self.fmt.index("%d") < self.fmt.index("%m" if "%m" in self.fmt else "%b") \
            else "month/day"


def _date_token(value: str) -> str:
    m = re.match(DATE_TOKEN, value)
    token = m.group(1) if m else ""
    return token.split("T")[0] if re.fullmatch(r"\d{4}-\d\d-\d\dT.*", token) else token


_SHAPE = {"%Y": r"\d{4}", "%y": r"\d{2}", "%m": r"\d{1,2}", "%d": r"\d{1,2}", "%b": r"[A-Za-z]{3,9}"}
_SHAPES = {fmt: re.compile(re.sub(r"%[Yymdb]", lambda m: _SHAPE[m.group(0)], re.escape(fmt).replace("\\%", "%")))
           for fmt in DATE_FORMATS}


def _reads(token: str, fmt: str) -> bool:
    """strptime decides; a regex of the layout's shape first spares it most hopeless tries."""
    if not _SHAPES[fmt].fullmatch(token):
        return False
    try:
        datetime.strptime(token, fmt)
    except ValueError:
        return False
    return True


def sniff_date(values: Sequence[str], prefer: str = "month/day") -> DateLayout:
    """The date layout of a column, deciding day/month order from values where one part exceeds 12."""
    tokens = Counter(_date_token(v) for v in values if v and v.strip())
    if not tokens:
        return DateLayout(None)
    counts = {fmt: sum(n for tok, n in tokens.items() if _reads(tok, fmt)) for fmt in DATE_FORMATS}
    # the layout that reads most values wins (bad values are then reported, not fatal)
    best = max(counts.values())
    if best == 0:
        return DateLayout(None)
    first = next(f for f in DATE_FORMATS if counts[f] == best)
    pair = next(((a, b) for a, b in SWAPPED.items() if first in (a, b)), None)
    if pair and counts[pair[0]] == counts[pair[1]] == best:  # both orders read the same values
        chosen = pair[1] if prefer == "day/month" else pair[0]
        return DateLayout(chosen, ambiguous=True)
    return DateLayout(first)


def date_sql(raw: str, layout: DateLayout) -> str:
    if layout.fmt is None:
        return "NULL::DATE"
    if layout.fmt == "%Y-%m-%d":  # ISO: a plain cast is far cheaper; the first ten characters when that fails
        return f"coalesce(TRY_CAST({raw} AS DATE), TRY_CAST(left(trim({raw}), 10) AS DATE))"
    token = f"split_part(trim({raw}), ' ', 1)"
    return f"TRY_CAST(try_strptime({token}, '{layout.fmt}') AS DATE)"


def time_of_day_sql(raw: str) -> str:
    """Hours since midnight from '9:05', '09:05:30', '9:05 PM' or a 'date time' value; NULL if none, or
    if it is no time of day ('25:99', '13:00 PM')."""
    pat = "(\\d{1,2}):(\\d{2})(?::(\\d{2}))?\\s*([AaPp][Mm])?\\s*$"
    h = f"TRY_CAST(regexp_extract({raw}, '{pat}', 1) AS DOUBLE)"
    m = f"TRY_CAST(regexp_extract({raw}, '{pat}', 2) AS DOUBLE)"
    s = f"coalesce(TRY_CAST(nullif(regexp_extract({raw}, '{pat}', 3), '') AS DOUBLE), 0)"
    ampm = f"upper(regexp_extract({raw}, '{pat}', 4))"
    hour = (f"CASE WHEN {ampm} = 'PM' AND {h} < 12 THEN {h} + 12 "
            f"WHEN {ampm} = 'AM' AND {h} = 12 THEN 0 ELSE {h} END")
    valid = (f"{h} < 24 AND {m} < 60 AND {s} < 60 AND ({ampm} = '' OR {h} BETWEEN 1 AND 12)")
    return f"CASE WHEN regexp_matches({raw}, '{pat}') AND {valid} THEN ({hour}) + {m} / 60 + {s} / 3600 END"


# ------------------------------------------------------------------ yes / no

YES = ("yes", "y", "true", "1", "x", "ja", "j", "oui", "si", "sí", "sim", "billable", "abrechenbar", "facturable",
       "✓", "wahr", "vrai")
NO = ("no", "n", "false", "0", "nein", "non", "não", "nao", "non-billable", "not billable", "nicht abrechenbar",
      "falsch", "faux", "-")


def bool_sql(raw: str) -> str:
    """Localised yes/no → BOOLEAN; NULL for blank or anything unrecognised."""
    yes = ", ".join(f"'{v}'" for v in YES)
    no = ", ".join(f"'{v}'" for v in NO)
    t = f"lower(trim({raw}))"
    return f"CASE WHEN {t} IN ({yes}) THEN true WHEN {t} IN ({no}) THEN false END"


def text_sql(raw: str) -> str:
    """Blank → NULL, surrounding spaces dropped; trims only padded values (trim copies every string)."""
    return f"CASE WHEN {raw} LIKE ' %' OR {raw} LIKE '% ' THEN nullif(trim({raw}), '') ELSE nullif({raw}, '') END"


ISO_MOMENT = r"\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?"
OFFSET = r"\s*(Z|[+-]\d{2}:?\d{2})"


def moment_sql(raw: str, layout: DateLayout) -> str:
    """A date with its time of day when the value has one → TIMESTAMP (midnight for a date alone; NULL when the
    date or the time cannot be read). An ISO value with an offset (``Z``, ``+01:00``) is taken to UTC; one
    without is kept as written, as two exports from one CRM write it the same way."""
    t = f"trim({raw})"
    sign = f"regexp_extract({t}, '{OFFSET}$', 1)"
    offset_minutes = (f"CASE WHEN {sign} = 'Z' THEN 0 ELSE (CASE WHEN left({sign}, 1) = '-' THEN -1 ELSE 1 END) * "
                      f"(TRY_CAST(substr({sign}, 2, 2) AS INTEGER) * 60 + TRY_CAST(right({sign}, 2) AS INTEGER)) END")
    local = f"regexp_replace({t}, '{OFFSET}$', '')"
    return f"""CASE
        WHEN regexp_full_match({t}, '{ISO_MOMENT}') THEN TRY_CAST(replace({t}, 'T', ' ') AS TIMESTAMP)
        WHEN regexp_full_match({t}, '{ISO_MOMENT}{OFFSET}')
             THEN TRY_CAST(replace({local}, 'T', ' ') AS TIMESTAMP) - to_minutes(({offset_minutes})::BIGINT)
        WHEN contains({raw}, ':')
             THEN {date_sql(raw, layout)} + to_microseconds((({time_of_day_sql(raw)}) * 3600e6)::BIGINT)
        ELSE {date_sql(raw, layout)}::TIMESTAMP END"""
