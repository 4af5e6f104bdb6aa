"""A lead's current state, read through the one rulebook (sales/rulebook.py): every lead's score, category,
gate-computed stage and violation for the dashboards (materialised once per data version when shared), and
for a few leads their latest assessment, facts and classification, from the same SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb

from sales import memo
from sales.changes import changed_leads
from sales.lifecycle import Classification, GateViolation, default_lifecycle
from sales.rubric import default_rubric
from sales.rulebook import assessments_sql, facts_sql, gate_column, lead_state_sql, stage_labels

# ---------------------------------------------------------------- one state per data version, shared

KEEP = 3  # versions kept: a query that began on the one before the latest still finds its table
# what the shared state keeps: the columns computed from assessments and facts. The lead's own columns
# are read from ``leads`` at query time (text is what makes a copy slow: this halves the build)
COMPUTED = ("score", "score_max", "category", "category_max", "assessed_at", "assessments", "previous_score",
            "stage_index", "recorded_index", "violation")


def lead_state(cur: duckdb.DuckDBPyConnection) -> str:
    """What to select the lead state FROM: when the dashboard shares derived tables (sales/memo.py), the
    materialised state of the store's current data version joined to the leads; otherwise the state's SQL as a
    subquery."""
    if not memo.shared():
        return f"({lead_state_sql()})"
    return (f"(SELECT l.*, m.* EXCLUDE (id), {stage_labels('m.stage_index', default_lifecycle())} "
            f"FROM leads l JOIN {state_table(cur)} m ON m.id = l.id)")


def state_table(cur: duckdb.DuckDBPyConnection) -> str:
    """The dashboard's materialised state (``COMPUTED`` per lead ``id``) of the store's current data version:
    after a write, the table of the version before with the rows of the leads the write may have changed
    computed again (sales/changes.py), or built in full."""
    kept = ", ".join(("id", *default_rubric().keys, *COMPUTED))
    return memo.kept(cur, "lead_state", f"SELECT {kept} FROM ({lead_state_sql()})",
                     f"(WITH few AS {FEW_LEADS} SELECT {kept} FROM ({lead_state_sql(points='few')}))",
                     changed_leads, keep=KEEP)


# ---------------------------------------------------------------- a few leads, from the same SQL

# a few leads, each as of now: the points of the rulebook's SQL, bound to a list of lead ids
FEW_LEADS = "(SELECT unnest(?::INTEGER[]) AS id, 'infinity'::TIMESTAMP AS as_of)"


@dataclass(frozen=True)
class Assessment:
    """A lead's latest assessment, scored."""

    levels: dict  # factor key → 0, 1, 2 or None (unknown)
    comments: dict  # factor key → comment, where there is one
    assessed_at: datetime
    score: int
    score_max: int
    category: str


def current_assessments(cur: duckdb.DuckDBPyConnection, lead_ids: Sequence[int]) -> dict[int, Assessment]:
    """Per lead, its latest assessment; leads never assessed are absent."""
    keys = default_rubric().keys
    rows = cur.execute(f"""WITH few AS {FEW_LEADS}
                           SELECT lead_id, {', '.join(keys)}, {', '.join(k + '_comment' for k in keys)}, assessed_at,
                                  score, score_max, category FROM ({assessments_sql('few', comments=True)})""",
                       [list(lead_ids)]).fetchall()
    n = len(keys)
    return {r[0]: Assessment(dict(zip(keys, r[1:n + 1])), {k: v for k, v in zip(keys, r[n + 1:2 * n + 1]) if v},
                             *r[2 * n + 1:]) for r in rows}


def latest_assessments(cur: duckdb.DuckDBPyConnection, lead_ids: Sequence[int]) -> dict[int, tuple[dict, dict]]:
    """Per lead: its latest levels (factor key → 0/1/2 or None) and comments; leads never assessed are absent."""
    return {lead: (a.levels, a.comments) for lead, a in current_assessments(cur, lead_ids).items()}


def latest_levels(cur: duckdb.DuckDBPyConnection, lead_id: int) -> tuple[dict, dict]:
    """One lead's latest levels and comments (both empty when never assessed)."""
    return latest_assessments(cur, [lead_id]).get(lead_id, ({}, {}))


def categories_of(cur: duckdb.DuckDBPyConnection, lead_ids: Sequence[int]) -> dict[int, str]:
    """A few leads' category by their latest assessment; leads never assessed are absent."""
    return {lead: a.category for lead, a in current_assessments(cur, lead_ids).items()}


def latest_facts(cur: duckdb.DuckDBPyConnection, lead_ids: Sequence[int]) -> dict[int, dict[str, tuple]]:
    """Per lead: each fact's latest recorded value and when it was set."""
    out: dict[int, dict[str, tuple]] = {}
    for lead, fact, value, at in cur.execute(f"""WITH few AS {FEW_LEADS}
                                                 SELECT lead_id, fact, value, set_at FROM ({facts_sql('few')})""",
                                             [list(lead_ids)]).fetchall():
        out.setdefault(lead, {})[fact] = (value, at)
    return out


def lead_facts(cur: duckdb.DuckDBPyConnection, lead_id: int) -> tuple[dict, dict]:
    """One lead's latest value of each recorded fact, and when it was set."""
    facts = latest_facts(cur, [lead_id]).get(lead_id, {})
    return {f: v for f, (v, _) in facts.items()}, {f: at for f, (_, at) in facts.items()}


def open_leads_by_category(cur: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Open leads per category of their latest assessment (unassessed leads are not counted)."""
    found = dict(cur.execute(f"""SELECT category, count(*) FROM {lead_state(cur)}
                                 WHERE status = 'open' AND category IS NOT NULL GROUP BY ALL""").fetchall())
    return {c.name: int(found.get(c.name, 0)) for c in default_rubric().categories}


def classify_leads(cur: duckdb.DuckDBPyConnection, lead_ids: Sequence[int]) -> dict[int, Classification]:
    """A few leads' stage by their gates, what each gate lacks and any violation of the CRM's stage: the
    lead state's own SQL (``lead_state_sql``) for these leads, with every criterion's verdict."""
    lc = default_lifecycle()
    result = cur.execute(f"WITH few AS {FEW_LEADS} SELECT * FROM ({lead_state_sql(points='few', gates=True)})",
                         [list(lead_ids)])
    names = [d[0] for d in result.description]
    at = {name: k for k, name in enumerate(names)}
    gates = [[(at[gate_column(i, j, "applies")], at[gate_column(i, j, "met")]) for j in range(len(s.gate))]
             for i, s in enumerate(lc.stages)]  # each criterion's two columns, found once
    facts = lc.facts
    out = {}
    for row in result.fetchall():
        r = dict(zip(names, row))
        checks = tuple(tuple((bool(row[a]), bool(row[m])) for a, m in stage) for stage in gates)
        index = int(r["stage_index"])
        stage = lc.stages[index]
        unmet = tuple(c for c, (_, met) in zip(stage.gate, checks[index]) if not met)
        violation = None
        if r["violation"]:
            recorded = int(r["recorded_index"])
            between = tuple(c for i in range(index, recorded) for c, (_, met) in zip(lc.stages[i].gate, checks[i])
                            if not met)
            violation = GateViolation(lc.stages[recorded], stage, between)
        out[int(r["id"])] = Classification(
            stage, index, unmet, not unmet and index == len(lc.stages) - 1, r["status"], violation,
            tuple(c for c, (_, met) in zip(stage.gate, checks[index]) if met),
            {f: r[f"fact_{f}"] for f in facts}, checks)
    return out


def classify_lead(cur: duckdb.DuckDBPyConnection, lead_id: int) -> Classification | None:
    return classify_leads(cur, [lead_id]).get(lead_id)
