"""The leads that need someone this week: follow-ups due by the category's cadence, leads stuck in a stage
longer than its limit, assessments to redo, and what changed over the last seven days.

Cadences come from data/rubric.toml (``follow_up_days`` per category; a lead never assessed follows the
slowest cadence), stage limits from data/lifecycle.toml (``stuck_after_days``), the re-scoring age from
the rubric's ``rescore_after_days``. A lead's last touch is the latest of: anything written in its log
(notes, ticks, assessments, logged touches), a stage change, the CRM's own last change, its creation.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pandas as pd

from sales.filters import Filters
from sales.leadstate import classify_leads, lead_state
from sales.lifecycle import default_lifecycle
from sales.money import CURRENCY_SQL, NO_CURRENCY
from sales.movement import movement
from sales.rubric import NOT_ASSESSED, default_rubric

OVERDUE, TODAY, THIS_WEEK = "overdue", "due today", "due this week"


def week_end(today: date) -> date:
    """The Sunday closing ``today``'s week (today itself on a Sunday)."""
    return today + timedelta(days=6 - today.weekday())


def _cadences() -> tuple[str, list]:
    cats = default_rubric().categories
    rows = [(c.name, c.follow_up_days) for c in cats] + [(None, max(c.follow_up_days for c in cats))]
    params = [v for row in rows for v in row]
    return f"(VALUES {', '.join(['(?, ?::INTEGER)'] * len(rows))}) AS c(category, days)", params


def followups(cur: duckdb.DuckDBPyConnection, f: Filters, today: date) -> pd.DataFrame:
    """Open leads whose next contact is due by the end of this week: overdue, due today, due this week;
    most overdue first. A lead with no date at all to go by is overdue."""
    cadence, cparams = _cadences()
    where, params = f.lead_where("s", period_column=None)
    return cur.execute(f"""
        WITH s AS (SELECT * FROM {lead_state(cur)}),
        open AS (
            SELECT s.id, s.name, s.owner, s.category, s.stage_name, s.crm_modified_at, s.created_on,
                   c.days AS cadence_days
            FROM s JOIN {cadence} ON c.category IS NOT DISTINCT FROM s.category WHERE s.status = 'open' AND {where}),
        moved AS (  -- only the open leads' moves and notes are read
            SELECT o.id, max(e.entered_at) AS at FROM open o JOIN stage_events e ON e.lead_id = o.id GROUP BY o.id),
        written AS (
            SELECT o.id, max(n.written_at) AS at FROM open o JOIN lead_activity n ON n.lead_id = o.id GROUP BY o.id),
        last AS (
            SELECT o.id, o.name, o.owner, o.category, o.stage_name AS stage, o.cadence_days,
                   greatest(w.at, m.at, o.crm_modified_at, o.created_on::TIMESTAMP)::DATE AS last_touch
            FROM open o LEFT JOIN written w ON w.id = o.id LEFT JOIN moved m ON m.id = o.id)
        SELECT id, name, owner, category, stage, last_touch, cadence_days, last_touch + cadence_days AS due,
               CASE WHEN last_touch IS NULL OR last_touch + cadence_days < t.today THEN '{OVERDUE}'
                    WHEN last_touch + cadence_days = t.today THEN '{TODAY}' ELSE '{THIS_WEEK}' END AS state,
               coalesce(date_diff('day', last_touch + cadence_days, t.today), 0) AS days_overdue
        FROM last, (SELECT ?::DATE AS today, ?::DATE AS week_end) t
        WHERE last_touch IS NULL OR last_touch + cadence_days <= t.week_end
        ORDER BY last_touch + cadence_days NULLS FIRST, id""",
                       [*cparams, *params, today, week_end(today)]).df()


def stuck_leads(cur: duckdb.DuckDBPyConnection, f: Filters, today: date, limit: int = 200) -> tuple[pd.DataFrame, int]:
    """Open leads longer in their stage than the stage's limit, longest over first: the first ``limit``
    with what their stage's gate still lacks, and how many there are in all."""
    stages = [(i, s.stuck_after_days) for i, s in enumerate(default_lifecycle().stages) if s.stuck_after_days]
    if not stages:
        return pd.DataFrame(columns=["id", "name", "owner", "stage", "since", "days", "limit_days", "amount",
                                     "currency", "unmet"]), 0
    limits = f"(VALUES {', '.join(['(?::INTEGER, ?::INTEGER)'] * len(stages))}) AS lim(stage_index, days)"
    where, params = f.lead_where("s", period_column=None)
    frame = cur.execute(f"""
        WITH s AS (SELECT * FROM {lead_state(cur)}),
        limited AS (  -- the open leads first: only their moves are read
            SELECT s.id, s.name, s.owner, s.stage, s.stage_name, s.amount, s.currency, s.created_on,
                   lim.days AS limit_days
            FROM s JOIN {limits} ON lim.stage_index = s.stage_index WHERE s.status = 'open' AND {where}),
        timed AS (  -- since it entered its stage, else since its latest move, else since its creation
            SELECT o.id, o.name, o.owner, o.stage_name AS stage, o.amount,
                   {CURRENCY_SQL.format(column="o.currency")} AS currency, o.limit_days,
                   coalesce(max(e.entered_at) FILTER (WHERE e.stage = o.stage), max(e.entered_at),
                            o.created_on::TIMESTAMP)::DATE AS since
            FROM limited o LEFT JOIN stage_events e ON e.lead_id = o.id
            GROUP BY o.id, o.name, o.owner, o.stage, o.stage_name, o.amount, o.currency, o.limit_days, o.created_on)
        SELECT id, name, owner, stage, since, date_diff('day', since, ?::DATE) AS days, limit_days, amount, currency,
               count(*) OVER () AS stuck
        FROM timed WHERE date_diff('day', since, ?::DATE) > limit_days
        ORDER BY days - limit_days DESC, id LIMIT ?""",
                        [*[v for row in stages for v in row], *params, NO_CURRENCY, today, today, limit]).df()
    total = int(frame["stuck"].iloc[0]) if len(frame) else 0
    frame = frame.drop(columns="stuck")
    classes = classify_leads(cur, [int(i) for i in frame["id"]]) if len(frame) else {}
    frame["unmet"] = ["; ".join(c.label for c in classes[int(i)].unmet) if int(i) in classes else ""
                      for i in frame["id"]]
    return frame, total


def to_rescore(cur: duckdb.DuckDBPyConnection, f: Filters, today: date) -> pd.DataFrame:
    """Open leads whose assessment should be redone: never assessed, older than the rubric's
    ``rescore_after_days``, or with unknown factors that could still move it to a better category."""
    age = default_rubric().rescore_after_days
    where, params = f.lead_where("s", period_column=None)
    return cur.execute(f"""
        WITH s AS (SELECT * FROM {lead_state(cur)})
        SELECT id, name, owner, category, category_max AS could_be, assessed_at::DATE AS assessed_on,
               CASE WHEN assessed_at IS NULL THEN ?
                    WHEN assessed_at::DATE < ?::DATE - ?::INTEGER
                    THEN 'assessed ' || date_diff('day', assessed_at::DATE, ?::DATE) || ' days ago'
                    ELSE 'unknown factors could make it ' || category_max END AS reason
        FROM s WHERE status = 'open' AND {where}
         AND (assessed_at IS NULL OR assessed_at::DATE < ?::DATE - ?::INTEGER OR category <> category_max)
        ORDER BY assessed_at NULLS FIRST, id""", [NOT_ASSESSED, today, age, today, *params, today, age]).df()


def changes(cur: duckdb.DuckDBPyConnection, f: Filters, today: date) -> dict:
    """What happened in the seven days up to today: leads created, won (with amounts per currency) and
    lost as the CRM's versions show them (``movement``: the same figures as "since last week"), stage moves
    and assessments. The filters' owners apply."""
    start = today - timedelta(days=6)
    moved = movement(cur, start, today, owners=f.owners)
    counts = moved.counts()
    where, params = f.lead_where("s", period_column=None)
    row = cur.execute(f"""
        WITH s AS (SELECT * FROM {lead_state(cur)}), t AS (SELECT ?::DATE AS start, ?::DATE AS today),
        mine AS (SELECT s.id FROM s WHERE {where}) SELECT
            (SELECT count(*) FROM stage_events e JOIN mine ON mine.id = e.lead_id, t
             WHERE e.entered_at::DATE BETWEEN t.start AND t.today),
            (SELECT count(*) FROM assessments a JOIN mine ON mine.id = a.lead_id, t
             WHERE a.assessed_at::DATE BETWEEN t.start AND t.today)""", [start, today, *params]).fetchall()[0]
    won = {r.currency: float(r.won) for r in moved.waterfall.itertuples() if r.won}
    return {"from": start, "to": today, "new_leads": counts["created"], "won": counts["won"], "lost": counts["lost"],
            "stage_moves": row[0], "assessments": row[1], "won_amount": won}
