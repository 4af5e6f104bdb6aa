"""What-if scoring in words and rows: what each factor adds, what it would take, two leads side by side."""

from __future__ import annotations

from collections.abc import Mapping

import duckdb
import pandas as pd

from sales.leadstate import latest_levels
from sales.rubric import MAX_LEVEL, Lift, Score, default_rubric, score_lead, what_it_would_take


def contribution_rows(levels: Mapping[str, object]) -> pd.DataFrame:
    """Per factor: points now and the most it could add while unknown (for the contribution chart)."""
    rubric = default_rubric()
    s = score_lead(levels, rubric)
    return pd.DataFrame([{
        "factor": f.name, "points": s.contributions[f.key] or 0,
        "possible": f.weight * MAX_LEVEL if s.contributions[f.key] is None else 0,
        "max": f.weight * MAX_LEVEL, "level": "unknown" if s.contributions[f.key] is None else
        s.contributions[f.key] // f.weight,
    } for f in rubric.factors])


def describe_lift(lift: Lift | None) -> list[str]:
    """'What it would take', one line per factor to raise."""
    if lift is None:
        return []
    rubric = default_rubric()
    lines = []
    for r in lift.raises:
        f = rubric.factor(r.factor)
        start = "unknown" if r.from_level is None else str(r.from_level)
        gain = f.weight * (r.to_level - (r.from_level or 0))
        lines.append(f"{f.name}: {start} → {r.to_level} (+{gain}): {f.levels[r.to_level]}")
    return lines


def summary(levels: Mapping[str, object]) -> tuple[Score, Lift | None]:
    return score_lead(levels), what_it_would_take(levels)


def compare(cur: duckdb.DuckDBPyConnection, a: int, b: int) -> pd.DataFrame:
    """Two leads' latest levels and weighted points, factor by factor, with totals."""
    rubric = default_rubric()
    names = dict(cur.execute("SELECT id, name FROM leads WHERE id IN (?, ?)", [a, b]).fetchall())
    cols = {}
    for lead in (a, b):
        levels, _ = latest_levels(cur, lead)
        s = score_lead({k: levels.get(k) for k in rubric.keys})
        cols[names.get(lead, str(lead))] = [("?" if s.contributions[f.key] is None else
                                             f"{s.contributions[f.key] // f.weight} ({s.contributions[f.key]})")
                                            for f in rubric.factors] + [
            f"{s.total}" + (f"–{s.score_max}" if s.score_max > s.total else ""), s.category.name]
    return pd.DataFrame({"factor": [f.name for f in rubric.factors] + ["Score", "Category"], **cols})
