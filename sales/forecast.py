"""What will close, and how far to trust it: win probabilities learned from the store's own closed leads,
the weighted forecast per expected close month, and what past forecasts said against what was won.

The probability of an open lead is that of its rubric category at its stage: among closed leads of the
category that got at least that far, the share won, shrunk toward the stage's rate over every category by
``prior_strength`` imaginary leads (so a cell of three leads says little on its own). While a stage has
fewer than ``min_history`` closed leads, its ``win_probability`` from data/lifecycle.toml is used instead.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from sales import memo
from sales.changes import LEAD_STATE, unchanged
from sales.filters import Filters, period_starts
from sales.leadstate import lead_state
from sales.lifecycle import default_lifecycle
from sales.money import CURRENCY_SQL, NO_CURRENCY, Currencies, default_currencies
from sales.rubric import NOT_ASSESSED, default_rubric
from sales.rulebook import assessments_sql, stage_index_of
from sales.stats import CLOSED, WON, wilson
from sales.targets import Target

LEARNED, FALLBACK = "learned", "fallback"
TIERS = ("commit", "best case", "pipeline")
NO_DATE = "no close date"
NO_OWNER = "(no owner)"  # the owner of leads that have none
# what the kept probabilities and forecast read (tests/test_reads.py checks): kept while it is the same
PROBABILITY_READS = FORECAST_READS = LEAD_STATE


def _reached_sql() -> str:
    """How far a closed lead got: a won lead passed every stage before delivery; a lost one got to its
    computed stage, or to the CRM's recorded stage when that is further (lost leads are seldom ticked)."""
    last = len(default_lifecycle().stages) - 1
    return f"CASE WHEN {WON} THEN {last} ELSE greatest(stage_index, coalesce(recorded_index, 0)) END"


def win_probabilities(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per rubric category (and not assessed) and stage: the closed leads behind it, the
    probability, its 95 % interval and whether it was learned or fell back to the lifecycle file (once per data
    version on the dashboard: the forecast, This week, the per-owner table and the capacity forecast read it)."""
    return memo.value(cur, "win_probabilities", (), _win_probabilities, same=unchanged(*PROBABILITY_READS))


def _win_probabilities(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    lc, rules = default_lifecycle(), default_lifecycle().forecast
    rows = cur.execute(f"""
        WITH s AS (SELECT * FROM {lead_state(cur)})
        SELECT category, {_reached_sql()} AS reached, count(*) FILTER (WHERE {WON}) AS won, count(*) AS closed
        FROM s WHERE {CLOSED} GROUP BY ALL""").fetchall()
    names = [c.name for c in default_rubric().categories]
    out = []
    for i, stage in enumerate(lc.stages):
        here = [r for r in rows if r[1] >= i]
        stage_won, stage_closed = sum(r[2] for r in here), sum(r[3] for r in here)
        for category in [*names, None]:
            cell = [r for r in here if r[0] == category]
            won, closed = sum(r[2] for r in cell), sum(r[3] for r in cell)
            if stage_closed < max(rules.min_history, 1):
                p, (low, high), basis = stage.win_probability, (None, None), FALLBACK
            elif category is None:  # no category to learn from: the stage's own rate
                p, (low, high), basis = stage_won / stage_closed, wilson(stage_won, stage_closed), LEARNED
                won, closed = stage_won, stage_closed
            else:
                k, prior = rules.prior_strength, stage_won / stage_closed
                p = (won + k * prior) / (closed + k) if closed + k else prior
                low, high = wilson(won + k * prior, closed + k)
                basis = LEARNED
            out.append({"category": category or NOT_ASSESSED, "stage_index": i, "stage": stage.name,
                        "won": won, "closed": closed, "probability": p, "low": low, "high": high, "basis": basis})
    return pd.DataFrame(out)


def _probability_join(probs: pd.DataFrame) -> tuple[str, list]:
    """The probability table as a VALUES list of bound parameters, to join on category and stage."""
    params: list = []
    for r in probs.itertuples():
        params += [None if r.category == NOT_ASSESSED else r.category, int(r.stage_index),
                   None if pd.isna(r.probability) else float(r.probability), r.basis]
    values = ", ".join(["(?, ?::INTEGER, ?::DOUBLE, ?)"] * len(probs))
    return f"(VALUES {values}) AS p(category, stage_index, probability, basis)", params


def _tier_sql() -> str:
    return "CASE WHEN p.probability >= ? THEN 'commit' WHEN p.probability >= ? THEN 'best case' ELSE 'pipeline' END"


def forecast(cur: duckdb.DuckDBPyConnection, f: Filters, probabilities: pd.DataFrame | None = None) -> pd.DataFrame:
    """Open leads' amounts weighted by their win probability, per owner, expected close month, currency,
    tier (commit / best case / pipeline) and basis; leads with no expected close date under NO_DATE.
    The filters' categories, sources and owners apply (the period does not: open leads of any age).
    ``probabilities``: the table of ``win_probabilities`` when the caller has it already."""
    probs = win_probabilities(cur) if probabilities is None else probabilities
    digest = int(pd.util.hash_pandas_object(probs, index=False).sum())  # the same table, the same forecast
    return memo.value(cur, "forecast", (f, digest), lambda c: _forecast(c, f, probs), same=unchanged(*FORECAST_READS))


def _forecast(cur: duckdb.DuckDBPyConnection, f: Filters, probs: pd.DataFrame) -> pd.DataFrame:
    join, jparams = _probability_join(probs)
    rules = default_lifecycle().forecast
    where, params = f.lead_where("s", period_column=None)
    return cur.execute(f"""
        WITH s AS (SELECT * FROM {lead_state(cur)})
        SELECT coalesce(s.owner, ?) AS owner,
               coalesce(strftime(s.expected_close, '%Y-%m'), ?) AS month,
               coalesce(year(s.expected_close) || '-Q' || quarter(s.expected_close), ?) AS quarter,
               {CURRENCY_SQL.format(column="s.currency")} AS currency, {_tier_sql()} AS tier, p.basis,
               count(*) AS leads, coalesce(sum(s.amount), 0) AS amount,
               coalesce(sum(s.amount * p.probability), 0) AS weighted
        FROM s JOIN {join} ON p.category IS NOT DISTINCT FROM s.category AND p.stage_index = s.stage_index
        WHERE s.status = 'open' AND {where}
        GROUP BY ALL ORDER BY month, owner, currency, tier""",
                       [NO_OWNER, NO_DATE, NO_DATE, NO_CURRENCY, rules.commit, rules.best_case, *jparams, *params]).df()


def converted(frame: pd.DataFrame, columns: tuple[str, ...] = ("amount", "weighted"),
              currencies: Currencies | None = None) -> pd.DataFrame:
    """The frame with each money column also in the reporting currency (NaN where no rate applies)."""
    currencies = currencies or default_currencies()
    out = frame.copy()
    factor = out["currency"].map(currencies.factor) if len(out) else pd.Series(dtype=float)
    for c in columns:
        out[f"{c}_{currencies.reporting}"] = out[c] * factor.astype(float)
    return out


def by_tier(frame: pd.DataFrame, group: str | None = None) -> pd.DataFrame:
    """Weighted amounts per currency (and ``group``, such as owner or quarter) and tier, tiers as columns,
    plus each currency's total; rows in a currency, never added across currencies."""
    keys = [k for k in (group, "currency") if k]
    if frame.empty:
        return pd.DataFrame(columns=[*keys, *TIERS, "total"])
    table = frame.pivot_table(index=keys, columns="tier", values="weighted", aggfunc="sum", fill_value=0.0)
    table = table.reindex(columns=list(TIERS), fill_value=0.0)
    table["total"] = table.sum(axis=1)
    return table.reset_index().rename_axis(columns=None)


def by_quarter(frame: pd.DataFrame, since: str, currency: str) -> pd.DataFrame:
    """What the forecast chart stacks: the weighted amount in ``currency`` (a converted column of ``frame``,
    the reporting currency) per expected close quarter from ``since`` on, and tier. Leads with no close
    date are in no quarter."""
    column = f"weighted_{currency}"
    dated = frame[(frame["quarter"] != NO_DATE) & (frame["quarter"] >= since)]
    return dated.groupby(["quarter", "tier"], as_index=False)[column].sum().rename(columns={column: "weighted"})


def quarter_total(frame: pd.DataFrame, quarter: str, currencies: Currencies | None = None,
                  target: Target | None = None) -> dict:
    """The quarter's weighted forecast in the reporting currency per tier, what could not be converted,
    and the target it is compared with: ``targets.target_for`` the same leads (the team's for everyone's
    leads, an owner's own for theirs), none when not given."""
    currencies = currencies or default_currencies()
    q = frame[frame["quarter"] == quarter] if len(frame) else frame
    tiers = {}
    left: dict[str, float] = {}
    for tier in TIERS:
        part = q[q["tier"] == tier] if len(q) else q
        sums = part.groupby("currency")["weighted"].sum().to_dict() if len(part) else {}
        c = currencies.convert(sums)
        tiers[tier] = c.total
        for code, amount in c.unconverted.items():
            left[code] = left.get(code, 0.0) + amount
    return {"quarter": quarter, "currency": currencies.reporting, **tiers, "total": sum(tiers.values()),
            "target": target.amount if target else None, "target_basis": target.basis if target else "",
            "unconverted": left,
            "codes": sorted(set(q["currency"])) if len(q) else []}


def forecast_accuracy(cur: duckdb.DuckDBPyConnection, today: date, months: int = 12,
                      owners: tuple[str, ...] = (), probabilities: pd.DataFrame | None = None) -> pd.DataFrame:
    """For each of the ``months`` complete months before today: what the forecast said at the month's
    start (leads open then and expected to close in the month, at the stage and rubric category they
    had then, weighted by today's probabilities) against what was won in the month, per currency; only
    ``owners``' leads when given.

    A lead's expected close date is the last one recorded, so a deal that slipped counts in the month it
    was last expected: the figures say how far the method is to be trusted, not what anyone said then.
    ``probabilities``: the table of ``win_probabilities`` when the caller has it already.
    """
    starts = period_starts(today, months + 1)[:-1]  # the complete months before today's
    join, jparams = _probability_join(win_probabilities(cur) if probabilities is None else probabilities)
    mine = "(len(?::VARCHAR[]) = 0 OR list_contains(?::VARCHAR[], l.owner))"
    return cur.execute(f"""
        WITH months AS (SELECT unnest(?::DATE[]) AS m0),
        open_then AS (
            SELECT l.id, l.amount, {CURRENCY_SQL.format(column="l.currency")} AS currency, m0, m0::TIMESTAMP AS as_of
            FROM leads l JOIN months ON l.created_on < m0 AND (l.closed_on IS NULL OR l.closed_on >= m0)
             AND date_trunc('month', l.expected_close) = m0
            WHERE {mine}),
        staged AS (  -- the furthest stage each had entered by then
            SELECT o.id, o.amount, o.currency, o.m0, o.as_of,
                   coalesce(max({stage_index_of("e.stage")}), 0) AS stage_index
            FROM open_then o LEFT JOIN stage_events e ON e.lead_id = o.id AND e.entered_at < o.as_of GROUP BY ALL),
        scored AS (  -- and the category of its latest assessment by then
            SELECT st.id, st.amount, st.currency, st.m0, st.stage_index, a.category
            FROM staged st LEFT JOIN ({assessments_sql("staged")}) a ON a.lead_id = st.id AND a.as_of = st.as_of),
        said AS (
            SELECT m0, l.currency, count(*) AS expected_leads, sum(l.amount * p.probability) AS forecast
            FROM scored l JOIN {join} ON p.category IS NOT DISTINCT FROM l.category
             AND p.stage_index = l.stage_index GROUP BY ALL),
        won AS (
            SELECT date_trunc('month', l.closed_on)::DATE AS m0, {CURRENCY_SQL.format(column="l.currency")} AS currency,
                   count(*) AS won_leads, sum(l.amount) AS won
            FROM leads l WHERE l.status = 'won' AND date_trunc('month', l.closed_on) IN (SELECT m0 FROM months)
             AND {mine} GROUP BY ALL)
        SELECT strftime(m0, '%Y-%m') AS month, currency, coalesce(said.expected_leads, 0) AS expected_leads,
               coalesce(said.forecast, 0) AS forecast, coalesce(won.won_leads, 0) AS won_leads,
               coalesce(won.won, 0) AS won
        FROM said FULL JOIN won USING (m0, currency) ORDER BY month, currency""",
                       [starts, NO_CURRENCY, list(owners), list(owners), *jparams, NO_CURRENCY, list(owners),
                        list(owners)]).df()


def accuracy_in_reporting(acc: pd.DataFrame, currencies: Currencies | None = None) -> pd.DataFrame:
    """Per month: the forecast and what was won, both converted into the reporting currency, and the
    forecast's error as a share of what was won; amounts with no rate are left out and counted."""
    currencies = currencies or default_currencies()
    cols = ["month", "forecast", "won", "error", "left_out"]
    if acc.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    for month, part in acc.groupby("month", sort=True):
        said = currencies.convert(dict(zip(part["currency"], part["forecast"])))
        won = currencies.convert(dict(zip(part["currency"], part["won"])))
        left = sorted(set(said.unconverted) | set(won.unconverted))
        rows.append({"month": month, "forecast": said.total, "won": won.total,
                     "error": (said.total - won.total) / won.total if won.total else None,
                     "left_out": ", ".join(left)})
    out = pd.DataFrame(rows, columns=cols)
    return out.rename(columns={"forecast": f"forecast_{currencies.reporting}", "won": f"won_{currencies.reporting}"})


def accuracy_report(cur: duckdb.DuckDBPyConnection, today: date, months: int = 12, owners: tuple[str, ...] = (),
                    probabilities: pd.DataFrame | None = None) -> pd.DataFrame:
    """Past forecasts against what was won, per month in the reporting currency: what the This week page
    and ``report forecast`` show."""
    return accuracy_in_reporting(forecast_accuracy(cur, today, months, owners, probabilities))
