"""Where the pipeline leaks: cohort funnel, conversions with honest intervals, drop-off, time in stage."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from sales import memo
from sales.changes import LEAD_STATE, changed_leads, reads, unchanged
from sales.filters import Filters, period_starts, quarter_of
from sales.leadstate import classify_leads, lead_state
from sales.lifecycle import default_lifecycle
from sales.money import CURRENCY_SQL, NO_CURRENCY, Currencies, default_currencies
from sales.rubric import default_rubric
from sales.rulebook import stage_index_of
from sales.stats import CLOSED, WON, wilson, win_rate


def _stages() -> pd.DataFrame:
    return pd.DataFrame({"stage_index": range(len(default_lifecycle().stages)),
                         "stage": [s.name for s in default_lifecycle().stages]})


@reads(*LEAD_STATE)
def cohort_funnel(cur: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Leads created in the period and how many reached each stage, with the conversion from the
    stage before: its numerator, denominator and 95 % interval."""
    where, params = f.lead_where("s")
    reached = cur.execute(f"""
        WITH s AS (SELECT * FROM {lead_state(cur)})
        SELECT i AS stage_index, count(*) FILTER (WHERE s.stage_index >= i) AS reached
        FROM s, range({len(default_lifecycle().stages)}) r(i) WHERE {where} GROUP BY i ORDER BY i""", params).df()
    df = _stages().merge(reached, on="stage_index", how="left").fillna({"reached": 0})
    df["reached"] = df["reached"].astype(int)
    df["from_previous"] = df["reached"].shift(1).fillna(0).astype(int)
    df.loc[0, "from_previous"] = df.loc[0, "reached"]
    df["conversion"] = (df["reached"] / df["from_previous"]).where(df["from_previous"] > 0)
    bounds = [wilson(int(r), int(n)) for r, n in zip(df["reached"], df["from_previous"])]
    df["ci_low"], df["ci_high"] = [b[0] for b in bounds], [b[1] for b in bounds]
    return df


@reads(*LEAD_STATE)
def dropoff(cur: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Lost leads of the cohort by the stage they were lost at, with their reasons."""
    where, params = f.lead_where("s")
    return cur.execute(f"""
        WITH s AS (SELECT * FROM {lead_state(cur)})
        SELECT stage_index, stage_name AS stage, coalesce(lost_reason, '(no reason given)') AS reason,
               count(*) AS lost
        FROM s WHERE status = 'lost' AND {where} GROUP BY ALL ORDER BY stage_index, lost DESC, reason""",
                       params).df()


@reads(*LEAD_STATE)
def open_by_stage(cur: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Open leads (any age) by their computed stage."""
    where, params = f.lead_where("s", period_column=None)
    counts = cur.execute(f"""
        WITH s AS (SELECT * FROM {lead_state(cur)})
        SELECT stage_index, count(*) AS open_leads FROM s WHERE status = 'open' AND {where} GROUP BY ALL""",
                         params).df()
    df = _stages().merge(counts, on="stage_index", how="left").fillna({"open_leads": 0})
    df["open_leads"] = df["open_leads"].astype(int)
    return df


# what the time in stage reads when no category is asked for (the leads' own columns and their stage moves): kept
# while those are the same, so an assessment leaves it (tests/test_reads.py checks)
MOVES_READS = ("leads", "lead_updates", "stage_events")


@reads(*LEAD_STATE, "stage_events")
def time_in_stage(cur: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Median days from entering a stage to entering the next, over the cohort's completed moves."""
    read = (*LEAD_STATE, "stage_events") if f.categories else MOVES_READS
    return memo.value(cur, "time_in_stage", (f,), lambda c: _time_in_stage(c, f), same=unchanged(*read))


def _time_in_stage(cur: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    where, params = f.lead_where("s")  # a category only from the lead state; the rest are the leads' own columns
    df = cur.execute(f"""
        WITH s AS (SELECT * FROM {lead_state(cur) if f.categories else "leads"}),
        entered AS (
            SELECT e.lead_id, {stage_index_of('e.stage')} AS stage_index, min(e.entered_at) AS at
            FROM stage_events e JOIN s ON s.id = e.lead_id WHERE {where} GROUP BY ALL),
        moves AS (
            SELECT a.stage_index, date_diff('hour', a.at, b.at) / 24.0 AS days
            FROM entered a JOIN entered b ON b.lead_id = a.lead_id AND b.stage_index = a.stage_index + 1)
        SELECT stage_index, median(days) AS median_days, count(*) AS moves FROM moves GROUP BY ALL""",
                     params).df()
    out = _stages().merge(df, on="stage_index", how="left").fillna({"moves": 0})
    out["moves"] = out["moves"].astype(int)
    return out.iloc[:-1].reset_index(drop=True)  # nothing follows the last stage


VIOLATION_COLUMNS = ["id", "name", "owner", "recorded", "allowed", "missing"]


@reads(*LEAD_STATE)
def violations(cur: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Leads the CRM records further along than their gates allow, with what is missing."""
    every = memo.value(cur, "violations", (), _violations, redo=(changed_leads, _violations_again))
    if every.empty:
        return pd.DataFrame(columns=VIOLATION_COLUMNS)
    where, params = f.lead_where("s", period_column=None)
    kept = cur.execute(f"WITH s AS (SELECT * FROM {lead_state(cur)}) SELECT id FROM s WHERE violation AND {where}",
                       params).df()["id"]
    return every[every["id"].isin(kept)].reset_index(drop=True)


def _violations(cur: duckdb.DuckDBPyConnection, ids: list[int] | None = None) -> pd.DataFrame:
    """Every lead in violation (of ``ids`` only, when given) with what its gates lack, by id: kept on the
    dashboard and, after an edit, computed again only for the leads it touched (``_violations_again``)."""
    only = "" if ids is None else "AND id IN (SELECT unnest(?::INTEGER[]))"
    leads = cur.execute(f"""
        WITH s AS (SELECT * FROM {lead_state(cur)})
        SELECT id, name, owner, recorded_stage, stage FROM s WHERE violation {only} ORDER BY id""",  # noqa: S608
                        [] if ids is None else [list(ids)]).df()
    if leads.empty:
        return pd.DataFrame(columns=VIOLATION_COLUMNS)
    classes = classify_leads(cur, [int(i) for i in leads["id"]])
    lc = default_lifecycle()
    rows = []
    for r in leads.to_dict("records"):
        c = classes[int(r["id"])]
        missing = "; ".join(x.label for x in c.violation.unmet) if c.violation else ""
        rows.append({"id": int(r["id"]), "name": r["name"], "owner": r["owner"],
                     "recorded": lc.stages[lc.index(r["recorded_stage"])].name, "allowed": c.stage.name,
                     "missing": missing})
    return pd.DataFrame(rows, columns=VIOLATION_COLUMNS)


def _violations_again(cur: duckdb.DuckDBPyConnection, earlier: pd.DataFrame, ids: list[int]) -> pd.DataFrame:
    """``earlier`` with the rows of ``ids`` computed again."""
    if not ids:
        return earlier
    again = _violations(cur, ids)
    parts = [p for p in (earlier[~earlier["id"].isin(ids)], again) if len(p)]
    if not parts:
        return pd.DataFrame(columns=VIOLATION_COLUMNS)
    return pd.concat(parts, ignore_index=True).sort_values("id", ignore_index=True)


@reads(*LEAD_STATE)
def velocity(cur: duckdb.DuckDBPyConnection, f: Filters, today: date, quarters: int = 8,
             currencies: Currencies | None = None) -> pd.DataFrame:
    """Sales velocity per quarter, up to today's: qualified leads open at the quarter's end × the average
    amount won in it × its win rate ÷ the average days from creation to a win; money per day in the
    reporting currency. Qualified: a category that passes the rubric gate (its current one). Won amounts
    in a currency with no rate are left out of the average and counted."""
    currencies = currencies or default_currencies()
    starts = period_starts(today, quarters, months=3)
    qualifying = [c.name for c in default_rubric().categories if c.qualifies]
    where, params = f.lead_where("s", period_column=None)
    # one pass: the cohort's leads counted by the quarter they were created and closed in (calendar quarters, as
    # period_starts gives them), whence each quarter's figures
    groups = cur.execute(f"""
        WITH s AS (SELECT * FROM {lead_state(cur)})
        SELECT date_trunc('quarter', s.created_on)::DATE AS created_q,
               date_trunc('quarter', s.closed_on)::DATE AS closed_q, coalesce(s.status = 'open', false) AS open,
               coalesce(list_contains(?::VARCHAR[], s.category), false) AS qualifies, coalesce({WON}, false) AS won,
               coalesce({CLOSED}, false) AS closed, count(*) AS n,
               coalesce(sum(date_diff('day', s.created_on, s.closed_on)), 0) AS days,  -- dates unknown: none
               count(date_diff('day', s.created_on, s.closed_on)) AS timed
        FROM s WHERE {where} GROUP BY ALL""", [qualifying, *params]).fetchall()  # noqa: S608 (generated)
    money = cur.execute(f"""
        WITH s AS (SELECT * FROM {lead_state(cur)})
        SELECT date_trunc('quarter', s.closed_on)::DATE AS q0, {CURRENCY_SQL.format(column="s.currency")} AS currency,
               count(*) AS n, sum(s.amount) AS amount
        FROM s WHERE {WON} AND s.closed_on >= ? AND s.closed_on < ? AND s.amount IS NOT NULL AND {where}
        GROUP BY ALL""", [NO_CURRENCY, starts[0], _quarter_after(starts[-1]), *params]).fetchall()  # noqa: S608
    rows = []
    for q0 in starts:
        here = [g for g in groups if g[1] == q0]  # closed in the quarter
        won_here = [g for g in here if g[4]]
        won, closed, timed = sum(g[6] for g in won_here), sum(g[6] for g in here if g[5]), sum(g[8] for g in won_here)
        days = sum(g[7] for g in won_here) / timed if timed else None
        qualified = sum(g[6] for g in groups if g[3] and g[0] is not None and g[0] <= q0  # created by its end
                        and (g[2] or (g[1] is not None and g[1] > q0)))  # and open at it
        total, n, left = 0.0, 0, 0
        for mq, code, count, amount in money:
            if mq != q0:
                continue
            factor = currencies.factor(code)
            if factor is None:
                left += count
            else:
                total, n = total + amount * factor, n + count
        avg_won = total / n if n else None
        rate = win_rate(won, closed)
        speed = qualified * avg_won * rate / days if avg_won is not None and rate is not None and days else None
        rows.append({"quarter": quarter_of(q0), "qualified_open": qualified,
                     "average_won": avg_won, "win_rate": rate, "days_to_win": days, "velocity_per_day": speed,
                     "won_left_out": left})
    return pd.DataFrame(rows)


def _quarter_after(q0: date) -> date:
    return date(q0.year + (q0.month + 2) // 12, (q0.month + 2) % 12 + 1, 1)
