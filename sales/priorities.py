"""Which leads deserve effort now: ranked open leads, breakdowns, one lead in full, and a backtest."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from sales.filters import Filters
from sales.leadstate import classify_lead, lead_facts, lead_state
from sales.lifecycle import Classification, default_lifecycle
from sales.rubric import default_rubric, score_lead
from sales.sqltext import literal
from sales.stats import CLOSED, WON, wilson, win_rate

DIMENSIONS = {"source": "lead_source", "owner": "owner", "month": "strftime(created_on, '%Y-%m')"}


def _next_action_sql() -> str:
    whens = " ".join(f"WHEN {literal(c.name)} THEN {literal(c.next_action)}" for c in default_rubric().categories)
    return f"CASE category {whens} ELSE 'Assess the lead with the rubric' END"


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


def counts_by(cur: duckdb.DuckDBPyConnection, f: Filters, dimension: str) -> pd.DataFrame:
    """Leads created in the period by category and one dimension (source, owner or month)."""
    expr = DIMENSIONS[dimension]
    where, params = f.lead_where("s")
    return cur.execute(f"""
        WITH s AS (SELECT * FROM {lead_state(cur)})
        SELECT coalesce(category, 'Unscored') AS category, coalesce({expr}, '(none)') AS {dimension},
               count(*) AS leads
        FROM s WHERE {where} GROUP BY ALL ORDER BY {dimension}, category""", params).df()


def backtest(cur: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Win rate by category over leads closed (won or lost) in the period: does the rubric predict wins?"""
    where, params = f.lead_where("s", period_column="closed_on")
    df = cur.execute(f"""
        WITH s AS (SELECT * FROM {lead_state(cur)})
        SELECT coalesce(category, 'Unscored') AS category, count(*) AS closed,
               count(*) FILTER (WHERE {WON}) AS won
        FROM s WHERE {CLOSED} AND {where} GROUP BY ALL""", params).df()
    order = [c.name for c in default_rubric().categories] + ["Unscored"]
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


def lead_detail(cur: duckdb.DuckDBPyConnection, lead_id: int) -> LeadDetail | None:
    rubric = default_rubric()
    found = cur.execute("SELECT * FROM leads WHERE id = ?", [lead_id]).df()
    if found.empty:
        return None
    lead = found.iloc[0].to_dict()
    history = cur.execute(f"""SELECT id, assessed_at, assessed_by, rubric_version, {', '.join(rubric.keys)},
                              {', '.join(k + '_comment' for k in rubric.keys)}
                              FROM assessments WHERE lead_id = ? ORDER BY assessed_at, id""", [lead_id]).df()
    totals, latest = [], None
    for row in history.to_dict("records"):
        latest = {k: (None if pd.isna(row[k]) else int(row[k])) for k in rubric.keys}
        totals.append(score_lead(latest, rubric))
    hist = pd.DataFrame({"assessed_at": history["assessed_at"], "by": history["assessed_by"],
                         "score": [s.total for s in totals], "best case": [s.score_max for s in totals],
                         "category": [s.category.name for s in totals]})
    last = history.iloc[-1].to_dict() if len(history) else {}
    current = totals[-1] if totals else None
    factors = pd.DataFrame([{
        "Factor": fac.name,
        "Comment": last.get(f"{fac.key}_comment") if isinstance(last.get(f"{fac.key}_comment"), str) else "",
        "Level": (latest or {}).get(fac.key),
        "Weight": fac.weight,
        "Weighted score": current.contributions[fac.key] if current else None,
    } for fac in rubric.factors])
    _, since = lead_facts(cur, lead_id)
    c = classify_lead(cur, lead_id)
    derived = c.facts  # the facts its stage was judged on, computed ones included
    gates = pd.DataFrame([{
        "Stage": stage.name, "Criterion": crit.label, "Fact": crit.fact,
        "Met": crit.met(derived), "Applies": crit.applies(derived), "Computed": crit.derived,
        "Since": since.get(crit.fact),
    } for stage in default_lifecycle().stages for crit in stage.gate])
    return LeadDetail(lead, factors, hist, gates, c, current.total if current else None,
                      current.score_max if current else None)
