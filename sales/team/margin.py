"""Does the work pay: revenue against cost per account and month, and per rubric category (admins only).

Revenue, in the account's billing currency (its budget's ``currency``):
- a retainer in force bills every billable hour at the rate in force, over the month's budget included;
- a capped budget (``development``, ``discovery``) bills billable hours up to ``fixed_total_hours`` in date
  order and writes off the rest (``budget.within_cap``, the rule the invoice lines read); a discovery for a
  lead whose category has ``free_discovery`` (High) bills nothing: its hours are an investment;
- a fixed-price budget (``fixed``) earns its fee ``fixed_total_hours × hourly_rate`` by percentage of
  completion, fee × hours ÷ ``fixed_total_hours``, never past the fee: the same hours up to the total.
Billed hours are those that earn revenue; realisation = billed hours ÷ billable hours logged.

Cost = every hour on the account × the person's cost rate in force that day, converted to the account's
currency with data/currencies.toml; hours without a cost rate (or without a rate between the currencies)
are left out of the cost and listed. Totals across accounts are in the reporting currency.

An account's category is the rubric category, at the date it was won, of the latest won lead whose
organisation names the account (ignoring case); otherwise "no lead".
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from sales import memo
from sales.access import Actor
from sales.budget import CAPPED, goal_sql, within_cap
from sales.changes import reads, unchanged
from sales.filters import Filters
from sales.forecast import NOT_ASSESSED
from sales.leadstate import categories_of
from sales.money import Currencies, default_currencies
from sales.rubric import default_rubric
from sales.rulebook import assessments_sql
from sales.store import scalar
from sales.team.roster import CURRENT_PEOPLE
from sales.team.utilisation import period_end, starts_between

NO_LEAD = "no lead"
PRICED_READS = ("time_entries", "people", "budgets")  # every table _priced reads (tests/test_reads.py)
WON_READS = ("leads", "lead_updates")  # and _won_leads, with its leads' rows of the per-lead tables (leads_read)
NO_ACCOUNT = "(no account)"
REPORT_COLUMNS = ["account", "month", "currency", "revenue", "cost", "margin", "effective_rate", "realisation"]
COLUMNS = [*REPORT_COLUMNS[:6], "margin_pct", *REPORT_COLUMNS[6:], "hours", "billable_hours", "billed_hours",
           "written_off_hours", "investment_hours", "category", "note"]


@dataclass(frozen=True)
class Margin:
    """What the Profitability page and ``report margin`` show, from one pass over the time entries."""

    accounts: pd.DataFrame  # per account and month: COLUMNS
    missing_rates: pd.DataFrame  # hours left out of the cost: person, hours, why
    reporting: str  # the reporting currency of the totals
    unconverted: pd.DataFrame  # account months left out of the totals: account, month, currency, why
    by_month: pd.DataFrame | None = None  # in_reporting(…, "month"), computed once
    by_category: pd.DataFrame | None = None  # in_reporting(…, "category")


def leads_read(cur: duckdb.DuckDBPyConnection) -> set[int]:
    """The leads whose assessments a margin reads: every won lead (its category at the win) and every lead a
    budget names (a discovery's investment); an edit of any other lead leaves every margin as it was."""
    return {r[0] for r in cur.execute("""SELECT id FROM leads WHERE status = 'won'
                                         UNION SELECT lead_id FROM budgets WHERE lead_id IS NOT NULL""").fetchall()}


@reads("time_entries", "people", "budgets", "leads", "lead_updates", leads=leads_read)
def margin(cur: duckdb.DuckDBPyConnection, actor: Actor, f: Filters, currencies: Currencies | None = None) -> Margin:
    """Margin per account and month for the months that begin in ``f``'s period, for the accounts whose
    category, and whose won lead's source and owner, the filters keep. Admins only."""
    actor.require("see_costs")
    currencies = currencies or default_currencies()
    months = starts_between(f.start, f.end, "month")
    if not months:
        return Margin(pd.DataFrame(columns=COLUMNS), pd.DataFrame(columns=["person", "hours", "why"]),
                      currencies.reporting, pd.DataFrame(columns=["account", "month", "currency", "why"]))
    first, last = months[0], period_end(months[-1], "month")
    # what reads no lead, kept while the time entries, people and budgets are the same (sales/memo.py)
    rows, frame, no_rate = memo.value(cur, "margin", (first, last, repr(currencies)),
                                      lambda c: _priced(c, first, last, currencies),
                                      same=unchanged(*PRICED_READS))
    leads = won_leads(cur)
    shown = (frame["month"] >= pd.Timestamp(first)) & (frame["month"] <= pd.Timestamp(last))
    frame = _filtered(_invested(frame[shown], leads, cur), leads, f)
    accounts = pd.Index(frame["account"].unique())
    missing = _missing(rows[(rows["month"] >= pd.Timestamp(first)) & _among(rows["account"], accounts)])
    frame = frame.assign(month=_month_names(frame["month"])).sort_values(["account", "month"])
    no_rate = no_rate.assign(month=_month_names(no_rate["month"]))
    shown_months = pd.Index(frame["month"].unique())
    no_rate = no_rate[_among(no_rate["account"], accounts) & _among(no_rate["month"], shown_months)]
    totals = frame.loc[factors(frame["currency"], currencies).isna(), ["account", "month", "currency"]]
    unconverted = pd.concat([no_rate, totals.assign(why="left out of the totals: no rate to the reporting currency")],
                            ignore_index=True)
    done = Margin(frame[COLUMNS].reset_index(drop=True), missing, currencies.reporting, unconverted)
    return replace(done, by_month=in_reporting(done, "month", currencies),
                   by_category=in_reporting(done, "category", currencies))


def _priced(cur, first: date, last: date, currencies: Currencies) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Everything a margin holds that reads no lead: the pass over the time entries (``_hours``), and per account
    and month the revenue (every discovery billed, as if none were an investment), the cost and their ratios,
    with the costs that could not be converted."""
    budgets = cur.execute("""SELECT account, effective_month, kind, monthly_hours, fixed_total_hours, hourly_rate,
                                    upper(currency) AS currency, lead_id FROM budgets ORDER BY account, effective_month
                          """).df()
    rows = _hours(cur, first, last, budgets, currencies)
    frame, no_rate = _cost(_revenue(rows, budgets, cur, last), rows, currencies)
    return rows, frame, no_rate


def _hours(cur, first: date, last: date, budgets: pd.DataFrame, currencies: Currencies) -> pd.DataFrame:
    """One pass over the time entries: per account and month, all and billable hours and the cost in the
    reporting currency; apart, costs in a currency without a rate (``odd_currency``, ``odd_cost``) and the
    hours of people without a cost rate that day (``missing_person``). Capped budgets' accounts also from the
    budget's start, so hours before the period count towards the cap."""
    capped = budgets[budgets["kind"].isin(CAPPED)].groupby("account")["effective_month"].min()
    since = min([first, *[d.date() if hasattr(d, "date") else d for d in capped]])
    codes = [c for c in currencies.rates if currencies.factor(c) is not None] + [currencies.reporting]
    known = [[c, float(currencies.factor(c))] for c in dict.fromkeys(codes)]
    odd = bool(scalar(cur, f"""SELECT count(*) FROM {CURRENT_PEOPLE} WHERE cost_rate IS NOT NULL
                                AND NOT list_contains(?::VARCHAR[], upper(currency))""",  # noqa: S608 (fixed)
                      [[k for k, _ in known]]))
    if odd:  # some cost rate is in a currency without a rate: its costs apart, by the rate rows in force
        prefix = f"""WITH factor AS (SELECT unnest($m_codes::VARCHAR[]) AS currency,
                                            unnest($m_factors::DOUBLE[]) AS factor),
            rates AS (
                SELECT p.name, p.effective_from AS f, p.cost_rate, upper(p.currency) AS currency, x.factor,
                       lead(p.effective_from, 1, DATE '9999-12-31') OVER (PARTITION BY p.name
                                                                          ORDER BY p.effective_from) AS t
                FROM {CURRENT_PEOPLE} p LEFT JOIN factor x ON x.currency = upper(p.currency))"""  # noqa: S608
        params = {"m_codes": [k for k, _ in known], "m_factors": [v for _, v in known]}
        join = "LEFT JOIN rates r ON r.name = e.person AND e.work_date >= r.f AND e.work_date < r.t"
        rate, missing = "r.cost_rate * r.factor", "r.cost_rate IS NULL"
        odd_key = "CASE WHEN r.cost_rate IS NOT NULL AND r.factor IS NULL THEN r.currency END"
        odd_cost = "coalesce(sum(e.hours * r.cost_rate) FILTER (WHERE r.factor IS NULL), 0)"
    else:  # one row a person, the rate's steps in the period as columns: an equality join, cheaper by far
        prefix, params, rate = _steps(cur, since, last, dict(known))
        join, missing, odd_key, odd_cost = "LEFT JOIN steps s ON s.name = e.person", f"{rate} IS NULL", "NULL", "0.0"
    sql = f"""{prefix}
        SELECT coalesce(e.account, $m_none) AS account, date_trunc('month', e.work_date) AS month,
               CASE WHEN {missing} THEN coalesce(e.person, '(no person)') END AS missing_person,
               {odd_key}::VARCHAR AS odd_currency,
               sum(e.hours) AS hours, coalesce(sum(e.hours) FILTER (WHERE e.billable), 0) AS billable_hours,
               coalesce(sum(e.hours * {rate}), 0) AS cost, {odd_cost} AS odd_cost
        FROM time_entries e {join}
        WHERE e.work_date BETWEEN $m_since AND $m_last
          AND (e.work_date >= $m_first OR e.account IN (SELECT unnest($m_capped::VARCHAR[])))
        GROUP BY ALL"""  # noqa: S608 (generated from fixed names; every value bound)
    df = cur.execute(sql, {**params, "m_none": NO_ACCOUNT, "m_since": since, "m_last": last, "m_first": first,
                           "m_capped": list(capped.index)}).df()
    df["month"] = pd.to_datetime(df["month"])
    return df


def _steps(cur, since: date, last: date, factor: dict[str, float]) -> tuple[str, dict, str]:
    """Each person's cost rate (in the reporting currency) as steps over ``since``..``last``: a CTE ``steps``
    with one row a person (``f0``, ``r0``, then ``c1``, ``r1``… each change and the rate from it), its bound
    values (named ``m_p…``), and the SQL of the rate in force on ``e.work_date`` (NULL before the first row: no
    rate)."""
    rows = cur.execute(f"""SELECT name, effective_from, cost_rate, upper(currency) FROM {CURRENT_PEOPLE}
                           ORDER BY name, effective_from""").fetchall()  # noqa: S608 (fixed names)
    people: dict[str, list[tuple]] = {}
    for name, since_day, cost_rate, currency in rows:
        people.setdefault(name, []).append((since_day, None if cost_rate is None else cost_rate * factor[currency]))
    kept = {}
    for name, steps in people.items():  # the steps in force somewhere in the period
        ends = [s[0] for s in steps[1:]] + [date.max]
        kept[name] = [s for s, end in zip(steps, ends) if end > since and s[0] <= last] or steps[:1]
    k = max((len(s) for s in kept.values()), default=1)
    columns = ["name", "f0", "r0", *[f"{c}{i}" for i in range(1, k) for c in ("c", "r")]]
    values, params = [], {}
    for n, (name, steps) in enumerate(kept.items()):
        padded = steps + [(date(9999, 12, 31), None)] * (k - len(steps))
        row = [f"$m_p{n}_name"]
        params[f"m_p{n}_name"] = name
        for i, (day, cost) in enumerate(padded):
            row += [f"$m_p{n}_d{i}::DATE", f"$m_p{n}_r{i}::DOUBLE"]
            params[f"m_p{n}_d{i}"], params[f"m_p{n}_r{i}"] = day, cost
        values.append(f"({', '.join(row)})")
    if not values:
        values = ["(NULL::VARCHAR, NULL::DATE, NULL::DOUBLE" + ", NULL::DATE, NULL::DOUBLE" * (k - 1) + ")"]
    rate = "CASE " + " ".join(f"WHEN e.work_date >= s.c{i} THEN s.r{i}" for i in range(k - 1, 0, -1)) + \
        " WHEN e.work_date >= s.f0 THEN s.r0 END"
    steps = f"WITH steps AS (SELECT * FROM (VALUES {', '.join(values)}) v({', '.join(columns)}))"  # noqa: S608
    return steps, params, rate


def won_leads(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per account name (lower case): the latest won lead whose organisation names it, its category at the
    date it was won (its latest assessment by the end of that day: ``rulebook.assessments_sql``), its source
    and owner. Kept while the leads and the won leads' assessments are the same (a time file leaves it)."""
    return memo.value(cur, "won_leads", (), _won_leads, same=unchanged(*WON_READS, leads=leads_read))


def _won_leads(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return cur.execute(f"""
        WITH won AS (
            SELECT lower(trim(organisation)) AS key, id, closed_on, lead_source, owner,
                   coalesce(closed_on + INTERVAL 1 DAY, 'infinity'::TIMESTAMP) AS as_of FROM leads
            WHERE status = 'won' AND nullif(trim(organisation), '') IS NOT NULL
            QUALIFY row_number() OVER (PARTITION BY lower(trim(organisation))
                                       ORDER BY closed_on DESC NULLS LAST, id DESC) = 1)
        SELECT w.key, w.id AS lead_id, w.lead_source, w.owner, coalesce(a.category, ?) AS category
        FROM won w LEFT JOIN ({assessments_sql("won")}) a ON a.lead_id = w.id AND a.as_of = w.as_of""",  # noqa: S608 (generated)
                       [NOT_ASSESSED]).df()


def _revenue(rows: pd.DataFrame, budgets: pd.DataFrame, cur, last: date) -> pd.DataFrame:
    """Per account and month: billed and written-off hours, revenue and the billing currency, every capped month
    billed up to its cap (``_invested`` then makes a discovery for a High lead an investment); ``project`` and
    ``within`` say which months are capped and their hours within the cap."""
    hours = rows.groupby(["account", "month"], as_index=False)[["hours", "billable_hours"]].sum()
    hours = hours.sort_values(["month", "account"]).reset_index(drop=True)
    b = budgets.assign(month=pd.to_datetime(budgets["effective_month"])).sort_values("month")
    capped = b[b["kind"].isin(CAPPED) & b["fixed_total_hours"].notna()]
    out = hours.merge(_retainers(cur, hours["month"]), on=["account", "month"], how="left")
    out = pd.merge_asof(out, capped[["account", "month", "kind", "fixed_total_hours", "hourly_rate", "currency",
                                     "lead_id"]].rename(columns={"month": "c_since", "hourly_rate": "c_rate",
                                                                 "currency": "c_currency"}),
                        left_on="month", right_on="c_since", by="account")
    out = out.sort_values(["account", "month"]).reset_index(drop=True)
    retainer = out["monthly_hours"].fillna(0) > 0
    project = ~retainer & out["fixed_total_hours"].notna()
    # a capped budget bills its hours in date order up to its total, from its start on: budget.within_cap
    counted = out["billable_hours"].where(project, 0.0)
    days, bound = within_cap(cur, last)
    by_month = cur.execute(f"SELECT account, month, sum(within) AS within FROM {days} GROUP BY ALL",  # noqa: S608
                           bound).df()
    within = out[["account", "month"]].merge(by_month.assign(month=pd.to_datetime(by_month["month"])),
                                             on=["account", "month"], how="left")["within"]
    within = within.fillna(0.0).where(project, 0.0).to_numpy()
    cap = out["fixed_total_hours"].fillna(0.0)
    out["project"], out["within"] = project, within
    out["billed_hours"] = np.where(retainer, out["billable_hours"], np.where(project, within, 0.0))
    out["investment_hours"] = 0.0
    out["written_off_hours"] = np.where(project, counted - within, 0.0)
    rate = np.where(retainer, out["r_rate"], np.where(project, out["c_rate"], np.nan))
    out["revenue"] = np.nan_to_num(out["billed_hours"] * rate)
    latest = budgets.groupby("account")["currency"].last()
    out["currency"] = np.where(retainer, out["r_currency"], np.where(project, out["c_currency"], None))
    out["currency"] = out["currency"].fillna(out["account"].map(latest))
    out["note"] = np.select([retainer, project & (out["kind"] == "fixed"), project],
                            ["retainer", "fixed price", "capped"], "no budget")
    named = out["note"] == "capped"  # few rows: the cap named in words
    out.loc[named, "note"] = [f"{k} capped at {c:g} h" for k, c in zip(out.loc[named, "kind"], cap[named])]
    return out


def _retainers(cur, months: pd.Series) -> pd.DataFrame:
    """The retainer in force in each account month from the first of ``months`` to the last, as the Budget
    page prices its invoice lines (``budget.goal_sql``: a change point holds until the next)."""
    first, last = (months.min().date(), months.max().date()) if len(months) else (None, None)  # None: no rows
    df = cur.execute(f"""SELECT account, month, monthly_hours, hourly_rate AS r_rate, upper(currency) AS r_currency
                         FROM ({goal_sql()})""",  # noqa: S608 (our own SQL)
                     {"start": first, "end": last}).df()
    return df.assign(month=pd.to_datetime(df["month"]))


def _invested(frame: pd.DataFrame, leads: pd.DataFrame, cur) -> pd.DataFrame:
    """``frame`` with its discovery months for a lead whose category has ``free_discovery`` made an investment:
    their hours within the cap are investment hours, billed nothing."""
    free = _investment(frame, frame["project"].astype(bool), leads, cur)
    if not free.any():
        return frame
    frame = frame.copy()
    frame.loc[free, "investment_hours"] = frame.loc[free, "within"]
    frame.loc[free, ["billed_hours", "revenue"]] = 0.0
    frame.loc[free, "note"] = "investment: a discovery we do not bill"
    return _ratios(frame)


def _investment(out: pd.DataFrame, project: pd.Series, leads: pd.DataFrame, cur) -> pd.Series:
    """Discovery months of a lead whose category has ``free_discovery``: the lead the budget names (its
    latest category, as the Budget page judges it), else the account's won lead at its win."""
    free = {c.name for c in default_rubric().categories if c.free_discovery}
    discovery = project & (out["kind"] == "discovery")
    if not discovery.any():
        return pd.Series(False, index=out.index)
    rows = out.loc[discovery, ["lead_id", "account"]]  # a few rows: discovery months only
    named = categories_of(cur, [int(x) for x in rows["lead_id"].dropna().unique()])
    at_win = dict(zip(leads["key"], leads["category"]))
    category = [named.get(int(lead)) if pd.notna(lead) else at_win.get(str(acc).strip().lower())
                for lead, acc in zip(rows["lead_id"], rows["account"])]
    free_rows = pd.Series(False, index=out.index)
    free_rows.loc[rows.index] = [c in free for c in category]
    return free_rows


def _cost(frame: pd.DataFrame, rows: pd.DataFrame, currencies: Currencies) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The cost of each account month in its billing currency (the reporting currency when it has none), and
    the costs that could not be converted into it (left out, listed)."""
    sums = rows.groupby(["account", "month"], as_index=False)["cost"].sum()
    out = frame.merge(sums, on=["account", "month"], how="left")
    out["currency"] = out["currency"].fillna(currencies.reporting)
    to = factors(out["currency"], currencies)
    reporting_cost = out["cost"].fillna(0.0)
    cannot = to.isna() & (reporting_cost > 0)  # an account in a currency without a rate: its cost cannot become it
    lost_to = out.loc[cannot, ["account", "month", "currency"]].assign(lost=reporting_cost[cannot])
    out["cost"] = (reporting_cost / to).fillna(0.0)  # from the reporting currency into the account's
    odd = rows[rows["odd_currency"].notna()].merge(out[["account", "month", "currency"]], on=["account", "month"])
    same = odd[odd["odd_currency"] == odd["currency"]].groupby(["account", "month"])["odd_cost"].sum()
    if len(same):  # a cost rate in the account's own currency counts, rate or no rate to the reporting one
        extra = out.set_index(["account", "month"]).index.map(same).to_numpy(dtype=float)
        out["cost"] += np.nan_to_num(extra)
    lost = odd[odd["odd_currency"] != odd["currency"]]
    out = _ratios(out)
    why = [f"cost of {c:,.2f} {cc} left out: no rate to convert it into {to}"
           for c, cc, to in zip(lost["odd_cost"], lost["odd_currency"], lost["currency"])]
    why_to = [f"cost of {c:,.2f} {currencies.reporting} left out: no rate to convert it into {to}"
              for c, to in zip(lost_to["lost"], lost_to["currency"])]
    return out, pd.DataFrame({"account": [*lost["account"], *lost_to["account"]],
                              "month": [*lost["month"], *lost_to["month"]],
                              "currency": [*lost["currency"], *lost_to["currency"]], "why": [*why, *why_to]})


def _filtered(frame: pd.DataFrame, leads: pd.DataFrame, f: Filters) -> pd.DataFrame:
    by_key = leads.set_index("key")
    key = frame["account"].str.strip().str.lower()
    frame = frame.assign(category=key.map(by_key["category"]).astype(object).fillna(NO_LEAD))  # no leads: float
    keep = pd.Series(True, index=frame.index)
    if f.categories:
        keep &= frame["category"].isin(f.categories)
    if f.sources:
        keep &= key.map(by_key["lead_source"]).isin(f.sources)
    if f.owners:
        keep &= key.map(by_key["owner"]).isin(f.owners)
    return frame[keep]


def _missing(rows: pd.DataFrame) -> pd.DataFrame:
    """Hours left out of the cost because the person had no cost rate that day."""
    gone = rows[rows["missing_person"].notna()]
    out = gone.groupby("missing_person", as_index=False).agg(hours=("hours", "sum"), accounts=("account", "nunique"))
    out = out.rename(columns={"missing_person": "person"}).sort_values(["hours", "person"], ascending=[False, True])
    out["why"] = "no cost rate in force (People & roles)"
    return out.reset_index(drop=True)


def _among(values: pd.Series, kept: pd.Index) -> np.ndarray:
    """Whether each value is one of ``kept`` (distinct values): a hashed lookup, where ``isin`` of a text column
    walks a long list of texts one by one."""
    return kept.get_indexer(values) >= 0


def factors(codes: pd.Series, currencies: Currencies) -> pd.Series:
    """What one unit of each row's currency is worth in the reporting currency (NaN without a rate), looked up
    once per currency."""
    at, distinct = pd.factorize(codes)  # a missing code: -1, the NaN placed last
    worth = [currencies.factor(c) for c in distinct]
    return pd.Series(np.array([np.nan if w is None else w for w in worth] + [np.nan], dtype=float)[at],
                     index=codes.index)


def _month_names(months: pd.Series) -> pd.Series:
    names = {m: m.strftime("%Y-%m") for m in months.dropna().unique()}
    return months.map(names)


def _ratios(frame: pd.DataFrame) -> pd.DataFrame:
    """Margin, margin % of revenue, effective rate (revenue ÷ all hours) and realisation (billed ÷ billable
    hours) of summed revenue, cost and hours; a ratio without its denominator is NaN."""
    frame["margin"] = frame["revenue"] - frame["cost"]
    frame["margin_pct"] = (frame["margin"] / frame["revenue"]).where(frame["revenue"] > 0)
    frame["effective_rate"] = (frame["revenue"] / frame["hours"]).where(frame["hours"] > 0)
    frame["realisation"] = (frame["billed_hours"] / frame["billable_hours"]).where(frame["billable_hours"] > 0)
    return frame


def totals(m: Margin) -> pd.Series:
    """The whole period in the reporting currency (the Profitability page's headline): ``by_month`` summed,
    with its ratios."""
    summed = ["revenue", "cost", "hours", "billable_hours", "billed_hours"]
    return _ratios(m.by_month[summed].astype(float).sum().to_frame().T).iloc[0]


def in_reporting(m: Margin, by: str, currencies: Currencies | None = None) -> pd.DataFrame:
    """Revenue, cost and margin summed per ``by`` (month or category) in the reporting currency, with the
    margin %, effective rate and realisation; account months whose currency has no rate are left out
    (``Margin.unconverted`` names them)."""
    currencies = currencies or default_currencies()
    cols = [by, "revenue", "cost", "margin", "margin_pct", "effective_rate", "realisation", "hours",
            "billable_hours", "billed_hours", "accounts"]
    a = m.accounts
    factor = factors(a["currency"], currencies)
    a = a[factor.notna()].assign(revenue=a["revenue"] * factor, cost=a["cost"] * factor)
    if a.empty:
        return pd.DataFrame(columns=cols)
    g = a.groupby(by, as_index=False).agg(revenue=("revenue", "sum"), cost=("cost", "sum"), hours=("hours", "sum"),
                                          billable_hours=("billable_hours", "sum"),
                                          billed_hours=("billed_hours", "sum"), accounts=("account", "nunique"))
    g = _ratios(g)
    if by == "category":
        order = {c.name: i for i, c in enumerate(default_rubric().categories)}
        g = g.sort_values("category", key=lambda s: s.map(lambda c: order.get(c, len(order))))
    return g[cols].reset_index(drop=True)

