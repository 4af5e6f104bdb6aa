"""Headline figures for the overview, each with its change from the previous period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from sales.budget import account_status
from sales.filters import Filters
from sales.funnel import win_rate
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


def _new_open_by_category(cur, f: Filters) -> dict[str, int]:
    where, params = f.lead_where("s")
    rows = cur.execute(f"""WITH s AS ({lead_state_sql()})
                           SELECT category, count(*) FROM s WHERE status = 'open' AND {where} GROUP BY ALL""",
                       params).fetchall()
    return {c: int(n) for c, n in rows}


def _pipeline_value(cur, f: Filters) -> float:
    where, params = f.lead_where("s")
    return float(cur.execute(f"""WITH s AS ({lead_state_sql()})
                                 SELECT coalesce(sum(amount), 0) FROM s WHERE status = 'open' AND {where}""",
                             params).fetchall()[0][0])


def headlines(cur: duckdb.DuckDBPyConnection, f: Filters, today: date) -> list[Headline]:
    """Leads created in the period and still open (per category), their value, the win rate of leads
    closed in the period, hours against budget and accounts over budget; each against the previous period."""
    prev = f.previous()
    out = []
    now_cats, prev_cats = _new_open_by_category(cur, f), _new_open_by_category(cur, prev)
    for c in default_rubric().categories:
        out.append(Headline(f"open_{c.key}", f"Open {c.name} leads", now_cats.get(c.name, 0),
                            prev_cats.get(c.name, 0), "count", "priorities"))
    out.append(Headline("pipeline", "Pipeline value", _pipeline_value(cur, f), _pipeline_value(cur, prev),
                        "money", "priorities"))
    (won, closed), (pwon, pclosed) = win_rate(cur, f), win_rate(cur, prev)
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
