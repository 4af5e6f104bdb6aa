"""``python -m sales report utilisation|margin|capacity``: the Team and Profitability pages' numbers as sections,
from the same functions, the first section of each with exactly the keys the issue names."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from sales.access import Actor
from sales.filters import Filters
from sales.team import capacity, margin, utilisation


def utilisation_sections(cur: duckdb.DuckDBPyConnection, f: Filters) -> dict[str, pd.DataFrame]:
    v = utilisation.view(cur, f.start, f.end)
    return {"utilisation": v.table[utilisation.COLUMNS],
            "against the target": v.table[["person", "week", "target", "flag"]],
            "per person": utilisation.summary(v.table), "people without a row": v.unknown}


def margin_sections(cur: duckdb.DuckDBPyConnection, actor: Actor, f: Filters) -> dict[str, pd.DataFrame]:
    m = margin.margin(cur, actor, f)
    reporting = m.reporting
    return {"margin": m.accounts[margin.REPORT_COLUMNS],
            f"margin by month, in {reporting}": m.by_month, f"margin by category, in {reporting}": m.by_category,
            "hours per account and month": m.accounts[["account", "month", "hours", "billable_hours", "billed_hours",
                                                       "written_off_hours", "investment_hours", "margin_pct",
                                                       "category", "note"]],
            "hours without a cost rate": m.missing_rates, "left out": m.unconverted}


def capacity_sections(cur: duckdb.DuckDBPyConnection, f: Filters, today: date) -> dict[str, pd.DataFrame]:
    fc = capacity.forecast(cur, today, f, weeks=capacity.mondays_between(f.start, f.end))
    return {"capacity": fc.weeks[capacity.WEEK_COLUMNS], "won revenue by quarter": fc.revenue,
            "lead hours by basis": capacity.hours_by_basis(fc.leads)}
