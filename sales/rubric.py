"""The Lead Prioritization Rubric: one definition, scored one lead at a time or by the table.

The rubric lives in ``data/rubric.toml`` so sales can tune wording without a code change;
loading validates it because a mis-typed weight would silently re-rank every lead.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from numbers import Integral
from pathlib import Path
from typing import TYPE_CHECKING

from sales.paths import DATA_DIR
from sales.sqltext import literal
from sales.tomlvalues import whole

if TYPE_CHECKING:  # numpy and pandas load only for the table functions: `python -m sales import` starts fast
    import numpy as np
    import pandas as pd

LEVELS = (0, 1, 2)
MAX_LEVEL = LEVELS[-1]
DEFAULT_RUBRIC = DATA_DIR / "rubric.toml"


class RubricError(ValueError):
    """The rubric file is unusable; the message names the problem."""


class LevelError(ValueError):
    """A factor level outside 0, 1, 2 (or blank for unknown)."""


@dataclass(frozen=True)
class Factor:
    key: str
    name: str
    weight: int
    levels: tuple[str, str, str]  # what earns level 0, 1, 2


DEFAULT_FOLLOW_UP_DAYS = 14  # when a category names no cadence of its own
DEFAULT_RESCORE_DAYS = 90  # when the file names no age after which an assessment is re-scored


@dataclass(frozen=True)
class Category:
    key: str
    name: str
    min: int
    max: int
    stance: str
    next_action: str
    colour: str = "#8c959f"  # on charts; optional in the file
    qualifies: bool = False  # passes the lifecycle's "scored High or Medium" gate; optional in the file
    free_discovery: bool = False  # its discovery is our investment, not billed; optional in the file
    offer: str = ""  # the follow-up email's closing offer; optional in the file
    follow_up_days: int = DEFAULT_FOLLOW_UP_DAYS  # contact an open lead of this category this often


# a category's colour when the file gives none, by its rank from the top
DEFAULT_COLOURS = ("#1a7f37", "#d4a72c", "#8c959f", "#bc4c00", "#8250df", "#0969da")
NOT_ASSESSED = "Not assessed"  # what a lead never assessed shows where a category would be, everywhere
NOT_ASSESSED_COLOUR = "#d0d7de"


@dataclass(frozen=True)
class Rubric:
    version: str
    factors: tuple[Factor, ...]
    categories: tuple[Category, ...]  # highest first
    rescore_after_days: int = DEFAULT_RESCORE_DAYS  # an older assessment is flagged for re-scoring

    @property
    def max_score(self) -> int:
        return sum(f.weight for f in self.factors) * MAX_LEVEL

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.factors)

    def factor(self, key: str) -> Factor:
        for f in self.factors:
            if f.key == key:
                return f
        raise KeyError(key)

    def category_for(self, total: int) -> Category:
        for c in self.categories:
            if c.min <= total <= c.max:
                return c
        raise ValueError(f"score {total} is outside 0..{self.max_score}")

    def next_category(self, category: Category) -> Category | None:
        """The category just above, or None for the top one."""
        i = self.categories.index(category)
        return self.categories[i - 1] if i > 0 else None


@dataclass(frozen=True)
class Score:
    total: int
    category: Category
    contributions: dict[str, int | None]  # weighted points per factor; None when unknown
    unknown: tuple[str, ...]
    score_max: int  # best case: every unknown factor at level 2
    category_max: Category

    @property
    def could_change(self) -> bool:
        """True while unknown factors could still move the lead into another category."""
        return self.category_max != self.category


@dataclass(frozen=True)
class Raise:
    factor: str
    from_level: int | None
    to_level: int


@dataclass(frozen=True)
class Lift:
    """The fewest level raises that lift a lead into ``target``."""

    target: Category
    raises: tuple[Raise, ...]
    steps: int
    new_total: int


# ---------------------------------------------------------------- loading


def _require(cond: bool, msg: str) -> None:
    if not cond:
        raise RubricError(msg)

def _parse_factor(i: int, raw: Mapping) -> Factor:
    where = f"factor #{i + 1}"
    for field in ("key", "name", "weight", "level_0", "level_1", "level_2"):
        _require(field in raw, f"{where}: missing '{field}'")
    key, weight = raw["key"], raw["weight"]
    _require(isinstance(key, str) and re.fullmatch(r"[a-z][a-z0-9_]*", key) is not None,
             f"{where}: key {key!r} must be lower_snake_case")
    _require(whole(weight, least=1),
             f"factor '{key}': weight must be a positive integer, got {weight!r}")
    return Factor(key, str(raw["name"]), weight,
                  (str(raw["level_0"]), str(raw["level_1"]), str(raw["level_2"])))


def _parse_category(raw: Mapping, rank: int) -> Category:
    for field in ("key", "name", "min", "max", "stance", "next_action"):
        _require(field in raw, f"category {raw.get('key', '?')!r}: missing '{field}'")
    lo, hi = raw["min"], raw["max"]
    _require(isinstance(lo, int) and isinstance(hi, int) and lo <= hi,
             f"category '{raw['key']}': range {lo!r}..{hi!r} is not a valid integer range")
    colour = raw.get("colour", DEFAULT_COLOURS[min(rank, len(DEFAULT_COLOURS) - 1)])
    _require(isinstance(colour, str) and re.fullmatch(r"#[0-9A-Fa-f]{6}", colour) is not None,
             f"category '{raw['key']}': colour {colour!r} must be #RRGGBB")
    qualifies, free = raw.get("qualifies", False), raw.get("free_discovery", False)
    _require(isinstance(qualifies, bool), f"category '{raw['key']}': qualifies must be true or false")
    _require(isinstance(free, bool), f"category '{raw['key']}': free_discovery must be true or false")
    _require(isinstance(raw.get("offer", ""), str), f"category '{raw['key']}': offer must be text")
    for text in ("name", "stance", "next_action"):
        _require(isinstance(raw[text], str) and raw[text].strip() != "",
                 f"category '{raw['key']}': {text} must be text")
    cadence = raw.get("follow_up_days", DEFAULT_FOLLOW_UP_DAYS)
    _require(whole(cadence, least=1),
             f"category '{raw['key']}': follow_up_days must be a whole number of days, 1 or more")
    return Category(raw["key"], raw["name"], lo, hi, raw["stance"], raw["next_action"], colour, qualifies, free,
                    raw.get("offer", ""), cadence)


def parse_rubric(doc: Mapping) -> Rubric:
    """Build and validate a rubric from a parsed TOML document."""
    factors = tuple(_parse_factor(i, f) for i, f in enumerate(doc.get("factor", [])))
    _require(len(factors) > 0, "rubric has no [[factor]] entries")
    dupes = {f.key for f in factors if [g.key for g in factors].count(f.key) > 1}
    _require(not dupes, f"duplicate factor keys: {sorted(dupes)}")
    raws = sorted(doc.get("category", []), key=lambda c: -c.get("min", 0) if isinstance(c.get("min"), int) else 0)
    cats = [_parse_category(c, rank) for rank, c in enumerate(raws)]
    _require(len(cats) > 0, "rubric has no [[category]] entries")
    top = sum(f.weight for f in factors) * MAX_LEVEL
    expected_hi = top
    for c in cats:  # highest first: each range must end just below the previous one
        _require(c.max == expected_hi,
                 f"category ranges are not contiguous over 0..{top}: "
                 f"'{c.key}' ends at {c.max}, expected {expected_hi}")
        expected_hi = c.min - 1
    _require(expected_hi == -1,
             f"category ranges are not contiguous over 0..{top}: nothing covers 0..{expected_hi}")
    names = [c.name for c in cats]
    _require(len(set(names)) == len(names), f"category names repeat: {names}")
    _require(NOT_ASSESSED not in names, f"no category may be called {NOT_ASSESSED!r}: that is a lead never assessed")
    rescore = doc.get("rescore_after_days", DEFAULT_RESCORE_DAYS)
    _require(whole(rescore, least=1), "rescore_after_days must be a whole number of days, 1 or more")
    return Rubric(str(doc.get("version", "unversioned")), factors, tuple(cats), rescore)


def load_rubric(path: Path | str = DEFAULT_RUBRIC) -> Rubric:
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise RubricError(f"{path}: rubric file not found") from e
    except tomllib.TOMLDecodeError as e:
        raise RubricError(f"{path}: not valid TOML ({e})") from e
    try:
        return parse_rubric(doc)
    except RubricError as e:
        raise RubricError(f"{path}: {e}") from e


@cache
def default_rubric() -> Rubric:
    """The rubric in force: ``SALES_RUBRIC`` when set (another file to try a tuning), else data/rubric.toml."""
    return load_rubric(os.environ.get("SALES_RUBRIC") or DEFAULT_RUBRIC)


# ---------------------------------------------------------------- one lead


def check_level(value: object) -> int | None:
    """Normalise a level: 0/1/2 (int or text), blank or None for unknown; anything else raises."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        if value.strip() in {"", "0", "1", "2"}:
            return int(value) if value.strip() else None
    elif (isinstance(value, Integral | float) and not isinstance(value, bool) and float(value).is_integer()
          and int(value) in LEVELS):
        return int(value)
    raise LevelError(f"invalid level {value!r}: expected 0, 1, 2 or blank")


def score_lead(levels: Mapping[str, object], rubric: Rubric | None = None) -> Score:
    """Score one lead; factors missing from ``levels`` or blank count as unknown (0 now, 2 at best)."""
    rubric = rubric or default_rubric()
    extra = set(levels) - set(rubric.keys)
    if extra:
        raise KeyError(f"unknown factor keys: {sorted(extra)}")
    contributions: dict[str, int | None] = {}
    unknown: list[str] = []
    total = best = 0
    for f in rubric.factors:
        level = check_level(levels.get(f.key))
        if level is None:
            unknown.append(f.key)
            contributions[f.key] = None
            best += f.weight * MAX_LEVEL
        else:
            contributions[f.key] = f.weight * level
            total += f.weight * level
            best += f.weight * level
    return Score(total, rubric.category_for(total), contributions, tuple(unknown),
                 best, rubric.category_for(best))


def what_it_would_take(levels: Mapping[str, object], rubric: Rubric | None = None) -> Lift | None:
    """The fewest one-level raises that lift the lead into the next category (None at the top).

    Each raise adds its factor's weight, so taking the heaviest raisable factors first is optimal:
    no set of k raises can add more than the k heaviest available ones.
    Unknown factors count as level 0, as the score does.
    """
    rubric = rubric or default_rubric()
    current = score_lead(levels, rubric)
    target = rubric.next_category(current.category)
    if target is None:
        return None
    need = target.min - current.total
    order = sorted(rubric.factors, key=lambda f: -f.weight)  # stable: rubric order breaks ties
    gained, steps, raises = 0, 0, []
    for f in order:
        if gained >= need:
            break
        start = check_level(levels.get(f.key))
        level = start or 0
        new = level
        while new < MAX_LEVEL and gained < need:
            new += 1
            gained += f.weight
            steps += 1
        if new != level:
            raises.append(Raise(f.key, start, new))
    return Lift(target, tuple(raises), steps, current.total + gained)


# ---------------------------------------------------------------- whole tables


def match_factor_columns(columns: Sequence[str], rubric: Rubric | None = None) -> dict[str, str]:
    """Map factor key → column name, matching key or display name ignoring case, spaces, underscores."""
    rubric = rubric or default_rubric()

    def _normal(name: str) -> str:
        return re.sub(r"[\s_\-]+", "", name).lower()

    by_norm = {_normal(c): c for c in columns}
    found = {}
    for f in rubric.factors:
        for candidate in (f.key, f.name):
            col = by_norm.get(_normal(candidate))
            if col is not None:
                found[f.key] = col
                break
    return found


def levels_array(values: pd.Series) -> np.ndarray:
    """Text or numeric levels → int8 array with -1 for unknown; raises LevelError with the first bad row."""
    import numpy as np
    import pandas as pd

    if pd.api.types.is_numeric_dtype(values):
        arr = values.to_numpy(dtype="float64", na_value=np.nan)
        unknown = np.isnan(arr)
        bad = ~unknown & ~np.isin(arr, LEVELS)
        out = np.where(unknown, -1, np.nan_to_num(arr, nan=-1)).astype(np.int8)
    else:
        text = values.astype("string").str.strip().fillna("")
        codes = text.map({"": -1, "0": 0, "1": 1, "2": 2})
        bad = codes.isna().to_numpy()
        out = codes.fillna(-1).to_numpy(dtype=np.int8)
    if bad.any():
        i = int(np.argmax(bad))
        err = LevelError(f"invalid level {values.iloc[i]!r}: expected 0, 1, 2 or blank")
        err.row = i  # type: ignore[attr-defined]
        raise err
    return out


def score_frame(levels: Mapping[str, pd.Series | np.ndarray], n: int,
                rubric: Rubric | None = None) -> pd.DataFrame:
    """Vectorised scoring: ``levels`` maps factor key → int array (-1 or missing: unknown); returns columns
    score, score_max, category, unknown_factors (keys joined by ';')."""
    import numpy as np
    import pandas as pd

    rubric = rubric or default_rubric()
    total = np.zeros(n, dtype=np.int32)
    best = np.zeros(n, dtype=np.int32)
    unknown_mask = np.zeros(n, dtype=np.int32)  # bit i set: factor i unknown
    for i, f in enumerate(rubric.factors):
        arr = np.asarray(levels[f.key]) if f.key in levels else np.full(n, -1, dtype=np.int8)
        known = arr >= 0
        pts = np.where(known, arr, 0).astype(np.int32) * f.weight
        total += pts
        best += np.where(known, pts, f.weight * MAX_LEVEL)
        unknown_mask |= (~known).astype(np.int32) << i
    # at most 2**7 distinct masks: build each label once instead of once per row
    masks, inverse = np.unique(unknown_mask, return_inverse=True)
    labels = np.array([";".join(k for i, k in enumerate(rubric.keys) if m >> i & 1) for m in masks], dtype=object)
    return pd.DataFrame({"score": total, "score_max": best, "category": categories_for(total, rubric),
                         "unknown_factors": labels[inverse.reshape(-1)]})


def categories_for(totals: np.ndarray, rubric: Rubric | None = None) -> np.ndarray:
    import numpy as np

    rubric = rubric or default_rubric()
    # categories are contiguous and sorted highest first: one searchsorted over their lower bounds
    lows = np.array([c.min for c in reversed(rubric.categories)])
    names = np.array([c.name for c in reversed(rubric.categories)], dtype=object)
    return names[np.searchsorted(lows, totals, side="right") - 1]


def score_sql(columns: Mapping[str, str], rubric: Rubric | None = None) -> dict[str, str]:
    """DuckDB expressions for score, score_max and category over integer level columns (NULL = unknown);
    ``columns`` maps factor key → a trusted column identifier (our own schema, never user text)."""
    rubric = rubric or default_rubric()
    for col in columns.values():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_\.]*", col):
            raise ValueError(f"not a plain column identifier: {col!r}")
    parts = [(f, columns[f.key]) for f in rubric.factors]
    total = " + ".join(f"coalesce({c}, 0) * {f.weight}" for f, c in parts)
    best = " + ".join(f"coalesce({c}, {MAX_LEVEL}) * {f.weight}" for f, c in parts)
    return {"score": f"({total})", "score_max": f"({best})", "category": category_sql(total, rubric),
            "category_max": category_sql(best, rubric)}


def category_sql(score: str, rubric: Rubric | None = None) -> str:
    """A DuckDB CASE naming the category of a score expression (such as a computed ``score`` column)."""
    rubric = rubric or default_rubric()
    whens = " ".join(f"WHEN ({score}) BETWEEN {c.min} AND {c.max} THEN {literal(c.name)}" for c in rubric.categories)
    return f"CASE {whens} END"
