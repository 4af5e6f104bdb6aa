"""The capacity settings of data/capacity.toml (or ``SALES_CAPACITY``), checked on load: a mistyped number
would silently move every week of the forecast, so each problem names the file and the setting."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sales.paths import DATA_DIR
from sales.tomlvalues import number, whole

DEFAULT_CAPACITY = DATA_DIR / "capacity.toml"


class CapacityError(ValueError):
    """The capacity file is unusable; the message names the setting."""


@dataclass(frozen=True)
class Capacity:
    start_lag_days: int = 14
    delivery_weeks: int = 8
    default_rate: float = 125.0
    default_rate_currency: str = "USD"
    weeks: int = 26
    earliest_start_ceiling: float = 0.85
    bench_ceiling: float = 0.70
    overload_ceiling: float = 1.00
    default_target: float = 0.75
    under_target_by: float = 0.20
    over: float = 1.00
    draws: int = 10_000
    seed: int = 24
    exact_pairs: int = 20_000_000
    pooled_draws: int = 512
    source: str = "data/capacity.toml"


# (table or "" for the top level, key) → (field, check, what the check wants)
_SETTINGS = {
    ("", "start_lag_days"): ("start_lag_days", lambda v: whole(v, 0, 3650), "a whole number of days, 0 or more"),
    ("", "delivery_weeks"): ("delivery_weeks", lambda v: whole(v, 1, 520), "a whole number of weeks, 1 or more"),
    ("", "default_rate"): ("default_rate", lambda v: number(v) and v > 0, "a positive number"),
    ("", "default_rate_currency"): ("default_rate_currency",
                                    lambda v: isinstance(v, str) and re.fullmatch(r"[A-Z]{3}", v) is not None,
                                    "a three-letter currency code in capitals"),
    ("", "weeks"): ("weeks", lambda v: whole(v, 1, 520), "a whole number of weeks, 1 or more"),
    ("ceilings", "earliest_start"): ("earliest_start_ceiling", lambda v: number(v) and 0 < v <= 2, "a ratio above 0"),
    ("ceilings", "bench"): ("bench_ceiling", lambda v: number(v) and 0 < v <= 2, "a ratio above 0"),
    ("ceilings", "overload"): ("overload_ceiling", lambda v: number(v) and 0 < v <= 2, "a ratio above 0"),
    ("utilisation", "default_target"): ("default_target", lambda v: number(v) and 0 < v <= 1, "a ratio from 0 to 1"),
    ("utilisation", "under_target_by"): ("under_target_by", lambda v: number(v, 0, 1), "a ratio from 0 to 1"),
    ("utilisation", "over"): ("over", lambda v: number(v) and 0 < v <= 5, "a ratio above 0"),
    ("simulation", "draws"): ("draws", lambda v: whole(v, 100, 1_000_000), "a whole number from 100 to 1,000,000"),
    ("simulation", "seed"): ("seed", lambda v: whole(v, 0), "a whole number, 0 or more"),
    ("simulation", "exact_pairs"): ("exact_pairs", lambda v: whole(v, 0), "a whole number, 0 or more"),
    ("simulation", "pooled_draws"): ("pooled_draws", lambda v: whole(v, 16, 1_000_000),
                                     "a whole number from 16 to 1,000,000"),
}
_TABLES = {table for table, _ in _SETTINGS if table}


def parse_capacity(doc: Mapping, source: str = "data/capacity.toml") -> Capacity:
    """The settings of a parsed file; a missing setting keeps its default, an unknown one is refused."""
    values = {}
    for key, value in doc.items():
        if key in _TABLES:
            if not isinstance(value, Mapping):
                raise CapacityError(f"[{key}] must be a table")
            for sub, inner in value.items():
                values[(key, sub)] = inner
        else:
            values[("", key)] = value
    for (table, key), value in values.items():
        where = f"[{table}] {key}" if table else key
        if (table, key) not in _SETTINGS:
            known = ", ".join(f"[{t}] {k}" if t else k for t, k in _SETTINGS)
            raise CapacityError(f"unknown setting {where}; known: {known}")
        _, check, wanted = _SETTINGS[(table, key)]
        if not check(value):
            raise CapacityError(f"{where} must be {wanted}, got {value!r}")
    defaults = Capacity()
    fields = {_SETTINGS[k][0]: v for k, v in values.items()}
    fields = {f: float(v) if isinstance(getattr(defaults, f), float) else v for f, v in fields.items()}
    settings = Capacity(**fields, source=source)
    if settings.bench_ceiling > settings.overload_ceiling:
        raise CapacityError("[ceilings] bench must not be above [ceilings] overload")
    return settings


def load_capacity(path: Path | str = DEFAULT_CAPACITY) -> Capacity:
    path = Path(path)
    try:
        return parse_capacity(tomllib.loads(path.read_text(encoding="utf-8")), path.name)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, CapacityError) as e:
        raise CapacityError(f"{path}: {e}") from e


@cache
def _cached(path: str) -> Capacity:
    return load_capacity(path)


def default_capacity() -> Capacity:
    """The settings in force: ``SALES_CAPACITY`` when set, else data/capacity.toml."""
    return _cached(os.environ.get("SALES_CAPACITY") or str(DEFAULT_CAPACITY))
