"""Headline figures for the overview, each with its change from the previous period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from sales.budget import period_hours
from sales.filters import Filters
from sales.leadstate import lead_state
from sales.money import CURRENCY_SQL, NO_CURRENCY, default_currencies
from sales.rubric import default_rubric
from sales.stats import CLOSED, WON, win_rate


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    value: float | None
    previous: float | None
    unit: str  # "count", "percent", "hours", "money"
    page: str  # where the figure is explained
    currency: str | None = None  # a money figure in one currency; None for counts, rates and converted totals

    @property
    def delta(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


def _lead_figures(cur, f: Filters) -> dict[tuple[str, str | None, str], tuple[int, float, int, int]]:
    """One pass over the lead state for both periods: per (period, category, currency) the open leads
    created in the period, their value, and the leads won and closed in the period."""
    prev = f.previous()
    where, params = f.lead_where("s", period_column=None)
    rows = cur.execute(f"""
        WITH s AS (SELECT * FROM {lead_state(cur)}),
        periods(period, start_d, end_d) AS (VALUES ('now', ?::DATE, ?::DATE), ('prev', ?::DATE, ?::DATE))
        SELECT period, category, {CURRENCY_SQL.format(column="currency")} AS money,
               count(*) FILTER (WHERE status = 'open' AND created_on BETWEEN start_d AND end_d),
               coalesce(sum(amount) FILTER (WHERE status = 'open' AND created_on BETWEEN start_d AND end_d), 0),
               count(*) FILTER (WHERE {WON} AND closed_on BETWEEN start_d AND end_d),
               count(*) FILTER (WHERE {CLOSED} AND closed_on BETWEEN start_d AND end_d)
        FROM s, periods WHERE {where} GROUP BY ALL""",
                       [f.start, f.end, prev.start, prev.end, NO_CURRENCY, *params]).fetchall()
    return {(r[0], r[1], r[2]): (int(r[3]), float(r[4]), int(r[5]), int(r[6])) for r in rows}


def headlines(cur: duckdb.DuckDBPyConnection, f: Filters, today: date) -> list[Headline]:
    """Leads created in the period and still open (per category), their value, the win rate of leads
    closed in the period, hours against budget and accounts over budget; each against the previous period."""
    prev = f.previous()
    figures = _lead_figures(cur, f)

    def total(period: str, i: int, category: str | None = "*", money: str = "*") -> float:
        return sum(v[i] for (p, c, m), v in figures.items()
                   if p == period and category in ("*", c) and money in ("*", m))

    out = []
    for c in default_rubric().categories:
        out.append(Headline(f"open_{c.key}", f"Open {c.name} leads", int(total("now", 0, c.name)),
                            int(total("prev", 0, c.name)), "count", "priorities"))
    # money is never added across currencies: one figure per currency, largest first
    currencies = {m for (_, _, m), v in figures.items() if v[1]}
    for money in sorted(currencies, key=lambda m: (m == NO_CURRENCY, -total("now", 1, money=m), m)):
        out.append(Headline(f"pipeline_{money}", f"Pipeline value, {money}", total("now", 1, money=money),
                            total("prev", 1, money=money), "money", "priorities", currency=money))
    if len(currencies) > 1:  # and once converted, saying so in its label (the page names the rates)
        rates = default_currencies()

        def converted(period: str) -> float:
            return rates.convert({m: total(period, 1, money=m) for m in currencies}).total

        out.append(Headline("pipeline_converted", f"Pipeline value, all in {rates.reporting} (converted)",
                            converted("now"), converted("prev"), "money", "priorities"))
    won, closed, pwon, pclosed = total("now", 2), total("now", 3), total("prev", 2), total("prev", 3)
    out.append(Headline("win_rate", "Win rate", win_rate(won, closed), win_rate(pwon, pclosed), "percent", "funnel"))
    now_b = period_hours(cur, f.start, min(f.end, today))
    prev_b = period_hours(cur, prev.start, prev.end)
    out.append(Headline("hours", "Billable hours", now_b["billable"], prev_b["billable"], "hours", "budget"))
    out.append(Headline("budget", "Budgeted hours", now_b["goal"], prev_b["goal"], "hours", "budget"))
    out.append(Headline("over", "Accounts over budget", now_b["over"], prev_b["over"], "count", "budget"))
    return out
