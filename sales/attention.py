"""The leads that need someone this week: follow-ups due by the category's cadence, leads stuck in a stage
longer than its limit, assessments to redo, and what changed over the last seven days.

Cadences come from data/rubric.toml (``follow_up_days`` per category; a lead never assessed follows the
slowest cadence), stage limits from data/lifecycle.toml (``stuck_after_days``), the re-scoring age from
the rubric's ``rescore_after_days``. A follow-up is due a cadence after the lead's last contact
(``sales.contacts``: a contact logged here or the CRM's last activity date), or after its creation when it
was never contacted: notes, gate ticks, assessments and stage moves do not reset it.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pandas as pd

from sales import memo
from sales.changes import LEAD_STATE, unchanged
from sales.contacts import clock_start_sql, last_contact_sql
from sales.filters import Filters
from sales.leadstate import FEW_LEADS, classify_leads, lead_state
from sales.lifecycle import default_lifecycle
from sales.money import CURRENCY_SQL, NO_CURRENCY
from sales.movement import movement
from sales.rubric import NOT_ASSESSED, default_rubric
from sales.rulebook import lead_state_sql

# what each kept part reads (tests/test_reads.py checks): kept while those are the same, so a time or budget file,
# which writes none of them, leaves them as they were
FOLLOWUP_READS = (*LEAD_STATE, "lead_contacts")
STUCK_READS = (*LEAD_STATE, "stage_events")
RESCORE_READS = LEAD_STATE

OVERDUE, TODAY, THIS_WEEK = "overdue", "due today", "due this week"


def week_end(today: date) -> date:
    """The Sunday closing ``today``'s week (today itself on a Sunday)."""
    return today + timedelta(days=6 - today.weekday())


def _cadences() -> tuple[str, list]:
    cats = default_rubric().categories
    rows = [(c.name, c.follow_up_days) for c in cats] + [(None, max(c.follow_up_days for c in cats))]
    params = [v for row in rows for v in row]
    return f"(VALUES {', '.join(['(?, ?::INTEGER)'] * len(rows))}) AS c(category, days)", params


def _clock(where: str) -> str:
    """Each open lead of the lead state ``s`` meeting ``where``: its cadence, last contact and due date."""
    cadence = _cadences()[0]
    return f"""
        open AS (
            SELECT s.id, s.name, s.owner, s.category, s.stage_name, s.created_on, s.last_activity,
                   c.days AS cadence_days
            FROM s JOIN {cadence} ON c.category IS NOT DISTINCT FROM s.category WHERE s.status = 'open' AND {where}),
        contacted AS ({last_contact_sql("open")}),  -- only the open leads' contacts are read
        clock AS (
            SELECT o.id, o.name, o.owner, o.category, o.stage_name AS stage, o.created_on, t.last_contact,
                   o.cadence_days, {clock_start_sql("t.last_contact", "o.created_on")} + o.cadence_days AS due
            FROM open o JOIN contacted t ON t.id = o.id)"""


def _state(today: str) -> str:
    return f"""CASE WHEN due IS NULL OR due < {today} THEN '{OVERDUE}' WHEN due = {today} THEN '{TODAY}'
                    ELSE '{THIS_WEEK}' END AS state, coalesce(date_diff('day', due, {today}), 0) AS days_overdue"""


def followups(cur: duckdb.DuckDBPyConnection, f: Filters, today: date) -> pd.DataFrame:
    """Open leads whose next contact is due by the end of this week: overdue, due today, due this week;
    most overdue first. A lead with no date at all to go by is overdue."""
    return memo.value(cur, "followups", (f, today), lambda c: _followups(c, f, today),
                      same=unchanged(*FOLLOWUP_READS))


def _followups(cur: duckdb.DuckDBPyConnection, f: Filters, today: date) -> pd.DataFrame:
    where, params = f.lead_where("s", period_column=None)
    return cur.execute(f"""
        WITH s AS (SELECT * FROM {lead_state(cur)}), {_clock(where)}
        SELECT id, name, owner, category, stage, last_contact, created_on, cadence_days, due, {_state("t.today")}
        FROM clock, (SELECT ?::DATE AS today, ?::DATE AS week_end) t
        WHERE due IS NULL OR due <= t.week_end
        ORDER BY due NULLS FIRST, id""", [*_cadences()[1], *params, today, week_end(today)]).df()


def next_follow_up(cur: duckdb.DuckDBPyConnection, lead_id: int, today: date) -> dict | None:
    """One open lead's follow-up, however far off (None when the lead is closed): as ``followups`` reads it."""
    found = cur.execute(f"""  -- this lead's state alone (the rulebook's SQL for a few leads), not every lead's
        WITH few AS {FEW_LEADS}, s AS (SELECT * FROM ({lead_state_sql(points="few")})), {_clock("true")}
        SELECT id, last_contact, cadence_days, due, {_state("t.today")} FROM clock, (SELECT ?::DATE AS today) t""",
                        [[lead_id], *_cadences()[1], today]).df()
    return None if found.empty else found.iloc[0].to_dict()


def follow_up_sentence(follow_up: dict | None, status: str) -> str:
    """``next_follow_up`` in words, for the workbench."""
    if follow_up is None:
        return f"no follow-up: the lead is {status}"
    if pd.isna(follow_up["due"]):
        return "follow-up overdue: no date to go by"
    every = f" (every {follow_up['cadence_days']} days)"
    if follow_up["state"] == OVERDUE:
        return f"follow-up overdue since {follow_up['due']:%d %b %Y}{every}"
    return f"next follow-up {follow_up['due']:%d %b %Y}{every}"


def _stuck(cur: duckdb.DuckDBPyConnection, f: Filters, today: date) -> tuple[str, list] | None:
    """The open leads of ``f`` longer in their stage than the stage's limit on ``today``: the WITH clause
    ending in ``stuck`` (id, name, owner, stage, since, days, limit_days, amount, currency) and its parameters;
    None when no stage has a limit."""
    stages = [(i, s.stuck_after_days) for i, s in enumerate(default_lifecycle().stages) if s.stuck_after_days]
    if not stages:
        return None
    limits = f"(VALUES {', '.join(['(?::INTEGER, ?::INTEGER)'] * len(stages))}) AS lim(stage_index, days)"
    where, params = f.lead_where("s", period_column=None)
    sql = f"""
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
            GROUP BY o.id, o.name, o.owner, o.stage, o.stage_name, o.amount, o.currency, o.limit_days, o.created_on),
        stuck AS (
            SELECT id, name, owner, stage, since, date_diff('day', since, t.today) AS days, limit_days, amount,
                   currency
            FROM timed, (SELECT ?::DATE AS today) t WHERE date_diff('day', since, t.today) > limit_days)"""
    return sql, [*[v for row in stages for v in row], *params, NO_CURRENCY, today]


def stuck_leads(cur: duckdb.DuckDBPyConnection, f: Filters, today: date, limit: int = 200) -> tuple[pd.DataFrame, int]:
    """Open leads longer in their stage than the stage's limit, longest over first: the first ``limit``
    with what their stage's gate still lacks, and how many there are in all."""
    every = _stuck_rows(cur, f, today)
    if every is None:
        return pd.DataFrame(columns=["id", "name", "owner", "stage", "since", "days", "limit_days", "amount",
                                     "currency", "unmet"]), 0
    frame, total = every.head(limit).copy(), len(every)
    classes = classify_leads(cur, [int(i) for i in frame["id"]]) if len(frame) else {}
    frame["unmet"] = ["; ".join(c.label for c in classes[int(i)].unmet) if int(i) in classes else ""
                      for i in frame["id"]]
    return frame, total


def stuck_counts(cur: duckdb.DuckDBPyConnection, f: Filters, today: date) -> dict[str | None, int]:
    """How many leads ``stuck_leads`` finds, per owner (None: leads without one)."""
    every = _stuck_rows(cur, f, today)
    if every is None:
        return {}
    counts = every["owner"].astype(object).where(every["owner"].notna(), None).value_counts(dropna=False)
    return {owner: int(n) for owner, n in counts.items()}


def _stuck_rows(cur: duckdb.DuckDBPyConnection, f: Filters, today: date) -> pd.DataFrame | None:
    """Every stuck lead, longest over first (None: no stage has a limit); once per data version on the dashboard,
    where This week lists them and the per-owner table counts them."""
    def every(c: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
        found = _stuck(c, f, today)
        if found is None:
            return None
        sql, params = found
        return c.execute(f"{sql} SELECT * FROM stuck ORDER BY days - limit_days DESC, id", params).df()

    return memo.value(cur, "stuck", (f, today), every, same=unchanged(*STUCK_READS))


def to_rescore(cur: duckdb.DuckDBPyConnection, f: Filters, today: date) -> pd.DataFrame:
    """Open leads whose assessment should be redone: never assessed, older than the rubric's
    ``rescore_after_days``, or with unknown factors that could still move it to a better category."""
    return memo.value(cur, "rescore", (f, today), lambda c: _to_rescore(c, f, today), same=unchanged(*RESCORE_READS))


def _to_rescore(cur: duckdb.DuckDBPyConnection, f: Filters, today: date) -> pd.DataFrame:
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
