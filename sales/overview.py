"""Headline figures for the overview, each with its change from the previous period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from sales.budget import account_status
from sales.filters import Filters
from sales.leadstate import lead_state_sql
from sales.rubric import default_rubric


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    value: float | None
    previous: float | None
    unit: str  # "count", "percent", "hours", "money"
    page: str  # where the figure is explained

    @property
    def delta(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


def _lead_figures(cur, f: Filters) -> dict[tuple[str, str | None], tuple[int, float, int, int]]:
    """One pass over the lead state for both periods: per (period, category) the open leads created
    in the period, their value, and the leads won and closed in the period."""
    prev = f.previous()
    where, params = f.lead_where("s", period_column=None)
    rows = cur.execute(f"""
        WITH s AS ({lead_state_sql()}),
        periods(period, start_d, end_d) AS (VALUES ('now', ?::DATE, ?::DATE), ('prev', ?::DATE, ?::DATE))
        SELECT period, category,
               count(*) FILTER (WHERE status = 'open' AND created_on BETWEEN start_d AND end_d),
               coalesce(sum(amount) FILTER (WHERE status = 'open' AND created_on BETWEEN start_d AND end_d), 0),
               count(*) FILTER (WHERE status = 'won' AND closed_on BETWEEN start_d AND end_d),
               count(*) FILTER (WHERE status IN ('won', 'lost') AND closed_on BETWEEN start_d AND end_d)
        FROM s, periods WHERE {where} GROUP BY period, category""",
                       [f.start, f.end, prev.start, prev.end, *params]).fetchall()
    return {(r[0], r[1]): (int(r[2]), float(r[3]), int(r[4]), int(r[5])) for r in rows}


def headlines(cur: duckdb.DuckDBPyConnection, f: Filters, today: date) -> list[Headline]:
    """Leads created in the period and still open (per category), their value, the win rate of leads
    closed in the period, hours against budget and accounts over budget; each against the previous period."""
    prev = f.previous()
    figures = _lead_figures(cur, f)

    def total(period: str, i: int) -> float:
        return sum(v[i] for (p, _), v in figures.items() if p == period)

    out = []
    for c in default_rubric().categories:
        out.append(Headline(f"open_{c.key}", f"Open {c.name} leads", figures.get(("now", c.name), (0,))[0],
                            figures.get(("prev", c.name), (0,))[0], "count", "priorities"))
    out.append(Headline("pipeline", "Pipeline value", total("now", 1), total("prev", 1), "money", "priorities"))
    won, closed, pwon, pclosed = total("now", 2), total("now", 3), total("prev", 2), total("prev", 3)
    out.append(Headline("win_rate", "Win rate", won / closed if closed else None,
                        pwon / pclosed if pclosed else None, "percent", "funnel"))
    end = min(f.end, today)
    now_b = account_status(cur, f.start, end, today)
    prev_b = account_status(cur, prev.start, prev.end, today)
    out.append(Headline("hours", "Billable hours", float(now_b["billable"].sum()) if len(now_b) else 0.0,
                        float(prev_b["billable"].sum()) if len(prev_b) else 0.0, "hours", "budget"))
    out.append(Headline("budget", "Budgeted hours", float(now_b["goal"].sum()) if len(now_b) else 0.0,
                        float(prev_b["goal"].sum()) if len(prev_b) else 0.0, "hours", "budget"))
    out.append(Headline("over", "Accounts over budget", int((now_b["status"] == "over").sum()) if len(now_b) else 0,
                        int((prev_b["status"] == "over").sum()) if len(prev_b) else 0, "count", "budget"))
    return out
