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
from sales.tables import text_table
from sales.week import this_week

Sections = dict[str, pd.DataFrame]


def priorities_report(cur: duckdb.DuckDBPyConnection, f: Filters, today: date) -> Sections:
    return {"open leads, best first": ranked_leads(cur, f), "win rate by category": backtest(cur, f)}


def funnel_report(cur: duckdb.DuckDBPyConnection, f: Filters, today: date) -> Sections:
    return {"cohort funnel": cohort_funnel(cur, f), "drop-off": dropoff(cur, f),
            "time in stage": time_in_stage(cur, f), "gate violations": violations(cur, f)}


def budget_report(cur: duckdb.DuckDBPyConnection, f: Filters, today: date) -> Sections:
    return {"hours against budget": account_status(cur, f.start, f.end, today),
            "invoice lines": invoice_lines(cur, f.start, f.end)}


def forecast_report(cur: duckdb.DuckDBPyConnection, f: Filters, today: date) -> Sections:
    from sales import forecast as fc

    probabilities = fc.win_probabilities(cur)  # learned once, used by both
    months = fc.converted(fc.forecast(cur, f, probabilities))
    return {"win probabilities": probabilities, "forecast by month": months,
            "forecast by owner": fc.by_tier(months, "owner"),
            "forecast accuracy": fc.accuracy_report(cur, today, owners=f.owners, probabilities=probabilities)}


def followups_report(cur: duckdb.DuckDBPyConnection, f: Filters, today: date) -> Sections:
    week = this_week(cur, today, f.owners)
    return {"follow-ups due": week.followups, "stuck leads": week.stuck, "to re-score": week.rescore}


def utilisation_report(cur: duckdb.DuckDBPyConnection, f: Filters, today: date) -> Sections:
    from sales.team import report as team

    return team.utilisation_sections(cur, f)


def margin_report(cur: duckdb.DuckDBPyConnection, f: Filters, today: date) -> Sections:
    from sales.access import command_line
    from sales.team import report as team

    return team.margin_sections(cur, command_line(), f)


def capacity_report(cur: duckdb.DuckDBPyConnection, f: Filters, today: date) -> Sections:
    from sales.team import report as team

    return team.capacity_sections(cur, f, today)


def movement_report(cur: duckdb.DuckDBPyConnection, f: Filters, today: date, close_from: date | None = None,
             close_to: date | None = None) -> Sections:
    """What moved from the start of ``f.start`` to the end of ``f.end`` (``f.owners``' leads)."""
    from sales.movement import movement as moved

    m = moved(cur, f.start, f.end, close_from, close_to, f.owners)
    return {"waterfall": m.waterfall, "movements": m.moves, "waterfall by lead": m.steps, "listed apart": m.apart}


def owners_report(cur: duckdb.DuckDBPyConnection, f: Filters, today: date) -> Sections:
    """The managers' table: per owner, open, overdue, stuck, and the quarter's forecast against their target."""
    from sales.managers import owner_table

    return {"per owner": owner_table(cur, today, f.owners)}


REPORTS: dict[str, Callable[..., Sections]] = {
    "priorities": priorities_report, "funnel": funnel_report, "budget": budget_report, "forecast": forecast_report,
    "followups": followups_report, "movement": movement_report, "owners": owners_report,
    "utilisation": utilisation_report, "margin": margin_report, "capacity": capacity_report}


def render(sections: Sections, fmt: str) -> str:
    """Every section, titled. ``table`` is for people: each section as ``sales.tables.text_table`` shows it
    (headers in words with units, blanks, dates without midnight, money with its currency). ``csv`` and
    ``json`` are for scripts: the columns' stable snake_case keys and raw values; csv as one block per section
    (formula-safe), each after a ``# section`` line and separated by a blank line; json as one object keyed by
    section."""
    if fmt == "csv":
        return "\n".join(f"# {name}\n" + safe_csv(df).decode("utf-8-sig") for name, df in sections.items())
    if fmt == "json":
        return json.dumps({name: json.loads(df.to_json(orient="records", date_format="iso"))
                           for name, df in sections.items()}, indent=2)
    return "\n\n".join(f"== {name} ==\n{text_table(df)}" for name, df in sections.items())
