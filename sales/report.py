"""``python -m sales report``: the dashboards' numbers as text, CSV or JSON, from the same functions."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import duckdb
import pandas as pd

from sales.budget import account_status, invoice_lines
from sales.export import safe_csv
from sales.filters import Filters
from sales.funnel import cohort_funnel, dropoff, time_in_stage, violations
from sales.priorities import backtest, ranked_leads
from sales.week import this_week

Sections = dict[str, pd.DataFrame]


def priorities(cur: duckdb.DuckDBPyConnection, f: Filters, today: date) -> Sections:
    return {"open leads, best first": ranked_leads(cur, f), "win rate by category": backtest(cur, f)}


def funnel(cur: duckdb.DuckDBPyConnection, f: Filters, today: date) -> Sections:
    return {"cohort funnel": cohort_funnel(cur, f), "drop-off": dropoff(cur, f),
            "time in stage": time_in_stage(cur, f), "gate violations": violations(cur, f)}


def budget(cur: duckdb.DuckDBPyConnection, f: Filters, today: date) -> Sections:
    return {"hours against budget": account_status(cur, f.start, f.end, today),
            "invoice lines": invoice_lines(cur, f.start, f.end)}


def forecast(cur: duckdb.DuckDBPyConnection, f: Filters, today: date) -> Sections:
    from sales import forecast as fc

    probabilities = fc.win_probabilities(cur)  # learned once, used by both
    months = fc.converted(fc.forecast(cur, f, probabilities))
    return {"win probabilities": probabilities, "forecast by month": months,
            "forecast by owner": fc.by_tier(months, "owner"),
            "forecast accuracy": fc.accuracy_report(cur, today, owners=f.owners, probabilities=probabilities)}


def followups(cur: duckdb.DuckDBPyConnection, f: Filters, today: date) -> Sections:
    week = this_week(cur, today, f.owners)
    return {"follow-ups due": week.followups, "stuck leads": week.stuck, "to re-score": week.rescore}


def utilisation(cur: duckdb.DuckDBPyConnection, f: Filters, today: date) -> Sections:
    from sales.team import report as team

    return team.utilisation_sections(cur, f)


def margin(cur: duckdb.DuckDBPyConnection, f: Filters, today: date) -> Sections:
    from sales.access import command_line
    from sales.team import report as team

    return team.margin_sections(cur, command_line(), f)


def capacity(cur: duckdb.DuckDBPyConnection, f: Filters, today: date) -> Sections:
    from sales.team import report as team

    return team.capacity_sections(cur, f, today)


REPORTS: dict[str, Callable[[duckdb.DuckDBPyConnection, Filters, date], Sections]] = {
    "priorities": priorities, "funnel": funnel, "budget": budget, "forecast": forecast, "followups": followups,
    "utilisation": utilisation, "margin": margin, "capacity": capacity}


def render(sections: Sections, fmt: str) -> str:
    """Every section, titled: table as text; csv as one block per section (formula-safe), each after a
    ``# section`` line and separated by a blank line; json as one object keyed by section."""
    if fmt == "csv":
        return "\n".join(f"# {name}\n" + safe_csv(df).decode("utf-8-sig") for name, df in sections.items())
    if fmt == "json":
        return json.dumps({name: json.loads(df.to_json(orient="records", date_format="iso"))
                           for name, df in sections.items()}, indent=2)
    parts = []
    for name, df in sections.items():
        body = df.to_string(index=False, float_format=lambda v: f"{v:,.2f}") if len(df) else "(none)"
        parts.append(f"== {name} ==\n{body}")
    return "\n\n".join(parts)
