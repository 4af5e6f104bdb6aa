"""A lead's current state, owned here: its latest assessment and gate facts (for a few leads, as
values), and every lead's score, category, gate-computed stage and violation (one DuckDB query).

The SQL is generated from the rubric and the lifecycle, and mirrors ``lifecycle.derive_facts`` and
``lifecycle.classify`` exactly (a test runs both over every demo lead), so dashboards over a hundred
thousand leads agree with the one-lead drill-down.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence

import duckdb

from sales.lifecycle import Classification, Lifecycle, classify, default_lifecycle, derive_facts
from sales.rubric import Rubric, default_rubric, score_lead, score_sql
from sales.sqltext import literal, literals


def _criterion_sql(fact: str, derived: bool, rubric: Rubric) -> str:
    f = f"fx.{fact}"
    if fact == "scored_high_or_medium":
        names = literals(c.name for c in rubric.categories if c.qualifies) or "NULL"
        return f"CASE WHEN cur.score IS NOT NULL THEN coalesce(cur.category IN ({names}), false) ELSE {f} END"
    if fact == "score_not_falling":
        return f"CASE WHEN cur.score IS NOT NULL THEN prev.score IS NULL OR cur.score >= prev.score ELSE {f} END"
    if fact == "delivery_milestone":  # a value set for the milestone itself wins over its evidence
        return (f"CASE WHEN {f} IS NOT NULL THEN {f} "
                f"WHEN l.pricing = 'fixed' THEN coalesce(fx.project_complete, false) "
                f"WHEN l.pricing = 'hourly' THEN coalesce(fx.month_of_work_done, false) "
                f"WHEN fx.project_complete OR fx.month_of_work_done THEN true END")
    return f


def stage_index_sql(lifecycle: Lifecycle | None = None, rubric: Rubric | None = None) -> str:
    """CASE giving the 0-based index of the furthest stage whose earlier gates all pass."""
    lifecycle, rubric = lifecycle or default_lifecycle(), rubric or default_rubric()
    whens = []
    for i, stage in enumerate(lifecycle.stages[:-1]):
        met = []
        for c in stage.gate:
            crit = f"coalesce({_criterion_sql(c.fact, c.derived, rubric)}, false)"
            if c.required_if:
                crit = f"(NOT coalesce(fx.{c.required_if}, false) OR {crit})"
            met.append(crit)
        whens.append(f"WHEN NOT ({' AND '.join(met)}) THEN {i}")
    return f"CASE {' '.join(whens)} ELSE {len(lifecycle.stages) - 1} END"


def _stage_labels(index: str, lifecycle: Lifecycle) -> str:
    """The stage key and name of a 0-based stage index column, as ``stage`` and ``stage_name``."""
    keys, names = literals(s.key for s in lifecycle.stages), literals(s.name for s in lifecycle.stages)
    return f"[{keys}][{index} + 1] AS stage, [{names}][{index} + 1] AS stage_name"


def lead_state_sql(lifecycle: Lifecycle | None = None, rubric: Rubric | None = None) -> str:
    """A SELECT with one row per lead: the lead's columns, levels, score, category, stage and violation."""
    lifecycle, rubric = lifecycle or default_lifecycle(), rubric or default_rubric()
    score = score_sql({k: k for k in rubric.keys}, rubric)
    pivots = ", ".join(f"bool_or(value) FILTER (WHERE fact = {literal(f)}) AS {f}" for f in
                       (*lifecycle.facts, "project_complete", "month_of_work_done"))
    stage_keys = literals(s.key for s in lifecycle.stages)
    levels = ", ".join(f"cur.{k}" for k in rubric.keys)
    return f"""
    WITH latest_fact AS (
        SELECT lead_id, fact, value FROM lead_facts
        QUALIFY row_number() OVER (PARTITION BY lead_id, fact {LATEST_FACT}) = 1),
    fx AS (SELECT lead_id, {pivots} FROM latest_fact GROUP BY lead_id),
    ranked AS (
        SELECT lead_id, assessed_at, {', '.join(rubric.keys)},
               {score['score']} AS score, {score['score_max']} AS score_max,
               {score['category']} AS category, {score['category_max']} AS category_max,
               row_number() OVER (PARTITION BY lead_id {LATEST_ASSESSMENT}) AS rn,
               count(*) OVER (PARTITION BY lead_id) AS assessments
        FROM assessments),
    cur AS (SELECT * FROM ranked WHERE rn = 1),
    prev AS (SELECT lead_id, score FROM ranked WHERE rn = 2),
    state AS (
        SELECT l.*, {levels}, cur.score, cur.score_max, cur.category, cur.category_max, cur.assessed_at,
               coalesce(cur.assessments, 0) AS assessments, prev.score AS previous_score,
               {stage_index_sql(lifecycle, rubric)} AS stage_index
        FROM leads l LEFT JOIN fx ON fx.lead_id = l.id LEFT JOIN cur ON cur.lead_id = l.id
        LEFT JOIN prev ON prev.lead_id = l.id)
    SELECT *, {_stage_labels("stage_index", lifecycle)},
           list_position([{stage_keys}], recorded_stage) - 1 AS recorded_index,
           coalesce(list_position([{stage_keys}], recorded_stage) - 1 > stage_index, false) AS violation
    FROM state"""


# ---------------------------------------------------------------- one state per data version, shared

_SHARED = threading.Event()  # set by the dashboard: many sessions, one process, one state per data version
_BUILD = threading.Lock()
KEEP = 3  # versions kept: a query that began on the one before the latest still finds its table


def share_state() -> None:
    """Keep the state materialised, once per data version, for every query of this process (the
    dashboard). Without it (the command line), each query computes the state inline."""
    _SHARED.set()


# what the shared state keeps: the columns computed from assessments and facts. The lead's own columns
# are read from ``leads`` at query time (text is what makes a copy slow: this halves the build)
COMPUTED = ("score", "score_max", "category", "category_max", "assessed_at", "assessments", "previous_score",
            "stage_index", "recorded_index", "violation")


def lead_state(cur: duckdb.DuckDBPyConnection) -> str:
    """What to select the lead state FROM: the materialised state of the store's current data version
    (built on first use, in an in-memory database attached beside the store, so the store file is
    never written by a read) joined to the leads, or the state's SQL as a subquery when nothing is shared."""
    if not _SHARED.is_set():
        return f"({lead_state_sql()})"
    from sales.queries import data_version

    name = "lead_state_" + hashlib.sha256(repr(data_version(cur)).encode()).hexdigest()[:16]
    rubric, lifecycle = default_rubric(), default_lifecycle()
    with _BUILD:
        cur.execute("ATTACH IF NOT EXISTS ':memory:' AS memo")
        held = [r[0] for r in cur.execute("""SELECT table_name FROM duckdb_tables() WHERE database_name = 'memo'
                                              AND table_name LIKE 'lead_state_%' ORDER BY table_oid""").fetchall()]
        if name not in held:
            kept = ", ".join(("id", *rubric.keys, *COMPUTED))
            cur.execute(f"CREATE TABLE memo.{name} AS SELECT {kept} FROM ({lead_state_sql()})")
            held.append(name)
            for old in held[:-KEEP]:
                cur.execute(f"DROP TABLE IF EXISTS memo.{old}")
    return (f"(SELECT l.*, m.* EXCLUDE (id), {_stage_labels('m.stage_index', lifecycle)} "
            f"FROM leads l JOIN memo.{name} m ON m.id = l.id)")


def forget_state(cur: duckdb.DuckDBPyConnection) -> None:
    """Drop every materialised state (a benchmark's "first view after a data change")."""
    with _BUILD:
        for (name,) in cur.execute("""SELECT table_name FROM duckdb_tables() WHERE database_name = 'memo'
                                      AND table_name LIKE 'lead_state_%'""").fetchall():
            cur.execute(f"DROP TABLE memo.{name}")


# a lead's latest assessment, and each fact's latest value: the later write wins a tie
LATEST_ASSESSMENT = "ORDER BY assessed_at DESC, id DESC"
LATEST_FACT = "ORDER BY set_at DESC, rowid DESC"


def latest_assessments(cur: duckdb.DuckDBPyConnection, lead_ids: Sequence[int]) -> dict[int, tuple[dict, dict]]:
    """Per lead: its latest levels (factor key → 0/1/2 or None) and comments; leads never assessed are absent."""
    keys = default_rubric().keys
    rows = cur.execute(f"""SELECT lead_id, {', '.join(keys)}, {', '.join(k + '_comment' for k in keys)}
                           FROM assessments WHERE list_contains(?, lead_id)
                           QUALIFY row_number() OVER (PARTITION BY lead_id {LATEST_ASSESSMENT}) = 1""",
                       [list(lead_ids)]).fetchall()
    n = len(keys)
    return {r[0]: (dict(zip(keys, r[1:n + 1])), {k: v for k, v in zip(keys, r[n + 1:]) if v}) for r in rows}


def latest_levels(cur: duckdb.DuckDBPyConnection, lead_id: int) -> tuple[dict, dict]:
    """One lead's latest levels and comments (both empty when never assessed)."""
    return latest_assessments(cur, [lead_id]).get(lead_id, ({}, {}))


def categories_of(cur: duckdb.DuckDBPyConnection, lead_ids: Sequence[int]) -> dict[int, str]:
    """A few leads' category by their latest assessment (the rule of the whole state, for a handful of
    leads without building it); leads never assessed are absent."""
    return {lead: score_lead(levels).category.name for lead, (levels, _) in latest_assessments(cur, lead_ids).items()}


def latest_facts(cur: duckdb.DuckDBPyConnection, lead_ids: Sequence[int]) -> dict[int, dict[str, tuple]]:
    """Per lead: each gate fact's latest value and when it was set."""
    out: dict[int, dict[str, tuple]] = {}
    for lead, fact, value, at in cur.execute(f"""
            SELECT lead_id, fact, value, set_at FROM lead_facts WHERE list_contains(?, lead_id)
            QUALIFY row_number() OVER (PARTITION BY lead_id, fact {LATEST_FACT}) = 1""", [list(lead_ids)]).fetchall():
        out.setdefault(lead, {})[fact] = (value, at)
    return out


def lead_facts(cur: duckdb.DuckDBPyConnection, lead_id: int) -> tuple[dict, dict]:
    """One lead's latest value of each fact, and when it was set."""
    facts = latest_facts(cur, [lead_id]).get(lead_id, {})
    return {f: v for f, (v, _) in facts.items()}, {f: at for f, (_, at) in facts.items()}


def open_leads_by_category(cur: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Open leads per category of their latest assessment (unassessed leads are not counted)."""
    found = dict(cur.execute(f"""SELECT category, count(*) FROM {lead_state(cur)}
                                 WHERE status = 'open' AND category IS NOT NULL GROUP BY ALL""").fetchall())
    return {c.name: int(found.get(c.name, 0)) for c in default_rubric().categories}


def classify_leads(cur: duckdb.DuckDBPyConnection, lead_ids: Sequence[int]) -> dict[int, Classification]:
    """A few leads' stage by their gates, what the next gate lacks and any violation of the CRM's stage:
    their latest facts and scores through ``lifecycle.classify`` (``lead_state_sql`` does the same for
    every lead at once, and a test holds the two together)."""
    keys = default_rubric().keys
    scores: dict[int, list[int]] = {}
    for row in cur.execute(f"""SELECT lead_id, {', '.join(keys)} FROM assessments WHERE list_contains(?, lead_id)
                               {LATEST_ASSESSMENT.replace('DESC', 'ASC')}""", [list(lead_ids)]).fetchall():
        scores.setdefault(row[0], []).append(score_lead(dict(zip(keys, row[1:]))).total)
    facts = latest_facts(cur, lead_ids)
    out = {}
    leads = cur.execute("SELECT id, pricing, recorded_stage, status FROM leads WHERE list_contains(?, id)",
                        [list(lead_ids)]).fetchall()
    for lead_id, pricing, recorded, status in leads:
        values = {f: v for f, (v, _) in facts.get(lead_id, {}).items()}
        out[lead_id] = classify(derive_facts({**values, "pricing": pricing}, scores.get(lead_id, [])),
                                recorded_stage=recorded or None, status=status)
    return out


def classify_lead(cur: duckdb.DuckDBPyConnection, lead_id: int) -> Classification | None:
    return classify_leads(cur, [lead_id]).get(lead_id)
