"""A lead's rulebook in SQL, written once: its latest assessment, each fact's latest value, the derived facts
(``lifecycle.DERIVED``), whether each gate criterion applies and is met, and so its lifecycle stage, for every
lead at once or for given leads as of given moments. Generated from the rubric and the lifecycle; run by
sales/leadstate.py for the dashboards, a lead's drill-down and the workbench, and by the forecast.

``points``: the name of a relation of ``(id, as_of)`` the caller defines: the leads to judge, each as of ``as_of``
(only what was recorded before that moment counts). Without it: every lead, as of now.
"""

from __future__ import annotations

from sales.lifecycle import DERIVED_FACTS, Criterion, Lifecycle, default_lifecycle
from sales.rubric import Rubric, category_sql, default_rubric, score_sql
from sales.sqltext import literals

# a lead's latest assessment, and each fact's latest value: the later write wins a tie
LATEST_ASSESSMENT = "ORDER BY a.assessed_at DESC, a.id DESC"
# the greatest is the latest: (set_at, rowid) as one number (microseconds, then the row below 2**40), which
# DuckDB compares several times faster than the pair: a fifth of the lead state's build at 100,000 leads
LATEST_FACT = "(epoch_us(f.set_at)::HUGEINT * 1099511627776 + f.rowid)"


def _scope(alias: str, when: str, points: str | None) -> tuple[str, str, str]:
    """How rows of ``alias`` (with a ``lead_id`` and a ``when`` column) meet the points: the join (earlier
    rows only), the key to partition by, and the point's column to carry along."""
    if points is None:
        return "", f"{alias}.lead_id", ""
    join = f" JOIN {points} p ON p.id = {alias}.lead_id AND {alias}.{when} < p.as_of"
    return join, f"{alias}.lead_id, p.as_of", ", p.as_of"


def assessments_sql(points: str | None = None, rubric: Rubric | None = None, comments: bool = False) -> str:
    """One row per lead (per point with ``points``): its latest assessment, with its levels (and comments), when,
    score, best case, category and best-case category, whether that category passes the rubric's gate
    (``qualifies``), the score of the assessment before it (``previous_score``) and how many it has.
    The window runs over the narrow columns only; the latest one's levels are read back by its id."""
    rubric = rubric or default_rubric()
    score = score_sql({k: f"a.{k}" for k in rubric.keys}, rubric)
    join, key, at = _scope("a", "assessed_at", points)
    columns = [f"a.{k}" for k in rubric.keys] + ([f"a.{k}_comment" for k in rubric.keys] if comments else [])
    qualifying = literals(c.name for c in rubric.categories if c.qualifies) or "NULL"
    return f"""
        SELECT *, {category_sql("score", rubric)} AS category, {category_sql("score_max", rubric)} AS category_max,
               coalesce({category_sql("score", rubric)} IN ({qualifying}), false) AS qualifies FROM (
            SELECT w.lead_id{at.replace('p.', 'w.')}, w.assessment_id, a.assessed_at, {', '.join(columns)},
                   w.score, {score['score_max']} AS score_max, w.previous_score, w.assessments
            FROM (
                SELECT a.lead_id{at}, a.id AS assessment_id, {score['score']} AS score,
                       lead({score['score']}) OVER w AS previous_score, count(*) OVER w_all AS assessments
                FROM assessments a{join}
                WINDOW w AS (PARTITION BY {key} {LATEST_ASSESSMENT}), w_all AS (PARTITION BY {key})
                QUALIFY row_number() OVER w = 1) w
            JOIN assessments a ON a.id = w.assessment_id)"""


def facts_sql(points: str | None = None) -> str:
    """Each fact's latest value per lead (per point with ``points``): rows of lead_id(, as_of), fact, value, set_at."""
    join, key, at = _scope("f", "set_at", points)
    return f"""
        SELECT f.lead_id{at}, f.fact, arg_max_null(f.value, {LATEST_FACT}) AS value, max(f.set_at) AS set_at
        FROM lead_facts f{join} GROUP BY {key}, f.fact"""


BITS = 60  # facts per bit mask of the pivot below


def fact_pivot_sql(facts: tuple[str, ...], points: str | None = None) -> str:
    """One row per lead (per point with ``points``) with each fact's latest value as a column (NULL when never
    recorded or recorded as unknown): ``facts_sql``'s rows folded into bit masks (which facts are known, which
    are true), a few integers per lead instead of a column each while grouping."""
    if not facts:
        return f"SELECT lead_id{', as_of' if points else ''} FROM ({facts_sql(points)}) GROUP BY ALL"
    k = f"list_position([{literals(facts)}], fact) - 1"
    masks = range((len(facts) + BITS - 1) // BITS)
    folds = ", ".join(f"bit_or(1::BIGINT << (k % {BITS})) FILTER (WHERE k // {BITS} = {m} AND value IS NOT NULL) "
                      f"AS known_{m}, bit_or(1::BIGINT << (k % {BITS})) FILTER (WHERE k // {BITS} = {m} AND value) "
                      f"AS true_{m}" for m in masks)
    columns = ", ".join(f"CASE WHEN known_{i // BITS} & {1 << (i % BITS)} <> 0 "
                        f"THEN coalesce(true_{i // BITS}, 0) & {1 << (i % BITS)} <> 0 END AS {fact}"
                        for i, fact in enumerate(facts))
    return f"""
        SELECT lead_id{', as_of' if points else ''}, {columns} FROM (
            SELECT lead_id{', as_of' if points else ''}, {folds}
            FROM (SELECT *, {k} AS k FROM ({facts_sql(points)})) GROUP BY ALL)"""


def fact_value_sql(fact: str) -> str:
    """A fact's value as the gates read it: a derived fact from its evidence (or what was recorded for it, as
    its declaration says), any other fact as recorded. Over ``a`` (the latest assessment), ``l`` (the lead)
    and ``fx`` (the latest recorded facts)."""
    d = DERIVED_FACTS.get(fact)
    if d is None:
        return f"fx.{fact}"
    return f"coalesce(fx.{fact}, {d.evidence})" if d.recorded_wins else f"coalesce({d.evidence}, fx.{fact})"


def applies_sql(c: Criterion) -> str:
    """A criterion applies unless it names a condition that does not hold (``required_if``)."""
    return "true" if c.required_if is None else f"coalesce(v_{c.required_if}, false)"


def met_sql(c: Criterion) -> str:
    """Met: it does not apply, or its fact is true. Unknown is not met: a gate opens on evidence only."""
    met = f"coalesce(v_{c.fact}, false)"
    return met if c.required_if is None else f"(NOT {applies_sql(c)} OR {met})"


def stage_index_sql(lifecycle: Lifecycle | None = None) -> str:
    """CASE giving the 0-based index of the furthest stage whose earlier gates all pass."""
    lifecycle = lifecycle or default_lifecycle()
    whens = [f"WHEN NOT ({' AND '.join(met_sql(c) for c in stage.gate)}) THEN {i}"
             for i, stage in enumerate(lifecycle.stages[:-1])]
    return f"CASE {' '.join(whens)} ELSE {len(lifecycle.stages) - 1} END"


def stage_index_of(column: str, lifecycle: Lifecycle | None = None) -> str:
    """The 0-based lifecycle index of a column holding stage keys (NULL for anything else)."""
    lifecycle = lifecycle or default_lifecycle()
    return f"(list_position([{literals(s.key for s in lifecycle.stages)}], {column}) - 1)"


def stage_labels(index: str, lifecycle: Lifecycle | None = None) -> str:
    """The stage key and name of a 0-based stage index column, as ``stage`` and ``stage_name``."""
    lifecycle = lifecycle or default_lifecycle()
    keys, names = literals(s.key for s in lifecycle.stages), literals(s.name for s in lifecycle.stages)
    return f"[{keys}][{index} + 1] AS stage, [{names}][{index} + 1] AS stage_name"


def gate_column(i: int, j: int, what: str) -> str:
    """The column of ``lead_state_sql(gates=True)`` saying whether criterion j of stage i applies or is met."""
    return f"gate_{i}_{j}_{what}"


def lead_state_sql(lifecycle: Lifecycle | None = None, rubric: Rubric | None = None, points: str | None = None,
                   gates: bool = False) -> str:
    """A SELECT with one row per lead (per point with ``points``): the lead's columns, its latest levels,
    score, category and stage, the CRM's recorded stage as an index and whether it is ahead of the gates.
    ``gates``: also every criterion's ``applies`` and ``met`` (``gate_column``) and each gate fact's value
    (``fact_<name>``), for a lead's drill-down."""
    lifecycle, rubric = lifecycle or default_lifecycle(), rubric or default_rubric()
    values = ", ".join(f"{fact_value_sql(f)} AS v_{f}" for f in lifecycle.facts)
    levels = ", ".join(f"a.{k}" for k in rubric.keys)
    if points is None:
        source, on, at = "leads l", "", ""
    else:
        source, on, at = f"leads l JOIN {points} p ON p.id = l.id", " AND {0}.as_of = p.as_of", "p.as_of, "
    shown = ", ".join(f"v_{f}" for f in lifecycle.facts)
    extra = ""
    if gates:
        extra = "".join(f", {applies_sql(c)} AS {gate_column(i, j, 'applies')}, "
                        f"{met_sql(c)} AS {gate_column(i, j, 'met')}"
                        for i, stage in enumerate(lifecycle.stages) for j, c in enumerate(stage.gate))
        extra += "".join(f", v_{f} AS fact_{f}" for f in lifecycle.facts)
    return f"""
    WITH fx AS ({fact_pivot_sql(lifecycle.recorded_facts, points)}),
    a AS ({assessments_sql(points, rubric)}),
    judged AS (
        SELECT l.*, {at}{levels}, a.score, a.score_max, a.category, a.category_max, a.assessed_at,
               coalesce(a.assessments, 0) AS assessments, a.previous_score, {values}
        FROM {source} LEFT JOIN fx ON fx.lead_id = l.id{on.format('fx')}
        LEFT JOIN a ON a.lead_id = l.id{on.format('a')}),
    state AS (SELECT *, {stage_index_sql(lifecycle)} AS stage_index FROM judged)
    SELECT * EXCLUDE ({shown}), {stage_labels("stage_index", lifecycle)},
           {stage_index_of("recorded_stage", lifecycle)} AS recorded_index,
           coalesce({stage_index_of("recorded_stage", lifecycle)} > stage_index, false) AS violation{extra}
    FROM state"""
