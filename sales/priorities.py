"""Which leads deserve effort now: ranked open leads, breakdowns, one lead in full, and a backtest."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from sales.changes import LEAD_STATE, reads
from sales.filters import Filters
from sales.leadstate import classify_lead, current_assessments, lead_facts, lead_state
from sales.lifecycle import Classification, default_lifecycle
from sales.rubric import NOT_ASSESSED, default_rubric, score_sql
from sales.sqltext import literal
from sales.stats import CLOSED, WON, wilson, win_rate

DIMENSIONS = {"source": "lead_source", "owner": "owner", "month": "strftime(created_on, '%Y-%m')"}


def _next_action_sql() -> str:
    whens = " ".join(f"WHEN {literal(c.name)} THEN {literal(c.next_action)}" for c in default_rubric().categories)
    return f"CASE category {whens} ELSE 'Assess the lead with the rubric' END"


@reads(*LEAD_STATE)
def ranked_leads(cur: duckdb.DuckDBPyConnection, f: Filters, limit: int | None = None) -> pd.DataFrame:
    """Open leads, best first: score, then best case; the period does not apply (every open lead counts)."""
    where, params = f.lead_where("s", period_column=None)
    top = f"LIMIT {int(limit)}" if limit else ""
    return cur.execute(f"""
        WITH s AS (SELECT * FROM {lead_state(cur)})
        SELECT id, name, organisation, owner, lead_source AS source, created_on, score, score_max,
               CASE WHEN score_max > score THEN score || '–' || score_max ELSE score::VARCHAR END AS score_range,
               category, stage_name AS stage, {_next_action_sql()} AS next_action, amount, currency,
               violation
        FROM s WHERE status = 'open' AND {where}
        ORDER BY score DESC NULLS LAST, score_max DESC NULLS LAST, created_on DESC, id {top}""", params).df()


@reads(*LEAD_STATE)
def counts_by(cur: duckdb.DuckDBPyConnection, f: Filters, dimension: str) -> pd.DataFrame:
    """Leads created in the period by category and one dimension (source, owner or month)."""
    expr = DIMENSIONS[dimension]
    where, params = f.lead_where("s")
    return cur.execute(f"""
        WITH s AS (SELECT * FROM {lead_state(cur)})
        SELECT coalesce(category, ?) AS category, coalesce({expr}, '(none)') AS {dimension},
               count(*) AS leads
        FROM s WHERE {where} GROUP BY ALL ORDER BY {dimension}, category""", [NOT_ASSESSED, *params]).df()


@reads(*LEAD_STATE)
def backtest(cur: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Win rate by category over leads closed (won or lost) in the period: does the rubric predict wins?"""
    where, params = f.lead_where("s", period_column="closed_on")
    df = cur.execute(f"""
        WITH s AS (SELECT * FROM {lead_state(cur)})
        SELECT coalesce(category, ?) AS category, count(*) AS closed,
               count(*) FILTER (WHERE {WON}) AS won
        FROM s WHERE {CLOSED} AND {where} GROUP BY ALL""", [NOT_ASSESSED, *params]).df()
    order = [c.name for c in default_rubric().categories] + [NOT_ASSESSED]
    df["order"] = df["category"].map(order.index)
    df = df.sort_values("order").drop(columns="order").reset_index(drop=True)
    df["win_rate"] = [win_rate(int(w), int(n)) for w, n in zip(df["won"], df["closed"])]
    bounds = [wilson(int(w), int(n)) for w, n in zip(df["won"], df["closed"])]
    df["ci_low"] = [b[0] for b in bounds]
    df["ci_high"] = [b[1] for b in bounds]
    return df


# ---------------------------------------------------------------- one lead


@dataclass(frozen=True)
class LeadDetail:
    lead: dict
    factors: pd.DataFrame  # factor, comment, level, weight, weighted score (the handbook's layout)
    history: pd.DataFrame  # every assessment: when, by whom, total, category
    gates: pd.DataFrame  # every criterion of every stage: met or not, and since when
    classification: Classification
    score_total: int | None
    score_max: int | None
    category: str | None = None  # of the latest assessment; None: not assessed


@reads(*LEAD_STATE)
def lead_detail(cur: duckdb.DuckDBPyConnection, lead_id: int) -> LeadDetail | None:
    """One lead in full: its latest assessment factor by factor, every assessment's score, and every gate
    criterion as the rulebook judged it."""
    rubric = default_rubric()
    found = cur.execute("SELECT * FROM leads WHERE id = ?", [lead_id]).df()
    if found.empty:
        return None
    score = score_sql({k: k for k in rubric.keys}, rubric)
    history = cur.execute(f"""SELECT assessed_at, assessed_by AS by, {score['score']} AS score,
                              {score['score_max']} AS "best case", {score['category']} AS category
                              FROM assessments WHERE lead_id = ? ORDER BY assessed_at, id""", [lead_id]).df()
    current = current_assessments(cur, [lead_id]).get(lead_id)
    levels, comments = (current.levels, current.comments) if current else ({}, {})
    factors = pd.DataFrame([{
        "Factor": fac.name, "Comment": comments.get(fac.key, ""), "Level": levels.get(fac.key),
        "Weight": fac.weight,
        "Weighted score": None if current is None or levels.get(fac.key) is None else levels[fac.key] * fac.weight,
    } for fac in rubric.factors])
    _, since = lead_facts(cur, lead_id)
    c = classify_lead(cur, lead_id)
    gates = pd.DataFrame([{
        "Stage": stage.name, "Criterion": crit.label, "Fact": crit.fact, "Met": met, "Applies": applies,
        "Computed": crit.derived, "Tickable": crit.tickable, "Since": since.get(crit.fact),
    } for stage, checks in zip(default_lifecycle().stages, c.checks)
        for crit, (applies, met) in zip(stage.gate, checks)])
    return LeadDetail(found.iloc[0].to_dict(), factors, history, gates, c, current.score if current else None,
                      current.score_max if current else None, current.category if current else None)
