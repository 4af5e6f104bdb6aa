"""Hours billed against budget, the way the agency already counts them (SprintCraft's rules).

A budget is a series of change points per account ("from month M, H hours a month") in force
until the next one, with no rollover. The goal over a date range sums whole months and prorates
partial months by day. Small projects are capped budgets (a discovery of at most five hours,
development of "up to X" hours, X at least ten).
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from sales import memo
from sales.changes import reads, unchanged
from sales.rubric import default_rubric

WARNING_AT = 0.8  # share of the goal from which an account is flagged
NON_BILLABLE_LIMIT = 0.3  # SprintCraft's threshold for non-billable / all hours
DISCOVERY_CAP = 5.0
MIN_DEVELOPMENT_CAP = 10.0


STATUSES = ("on track", "warning", "over", "no budget")


def status(spent: float, goal: float) -> str:
    """on track / warning (from 80 % of the goal) / over; an account without a budget in the period has a status
    of its own, "no budget": its hours are not over anything."""
    if goal <= 0:
        return "no budget"
    ratio = spent / goal
    return "over" if ratio > 1 else "warning" if ratio >= WARNING_AT else "on track"


def cap_alert(spent: float, cap: float) -> str:
    """For capped small projects: ok / nearing cap (80 %) / cap reached."""
    if spent >= cap:
        return "cap reached"
    return "nearing cap" if spent >= WARNING_AT * cap else "ok"


# ---------------------------------------------------------------- the same rules over the store

def goal_sql(start: str = "start", end: str = "end") -> str:
    """Per retainer account and month from the parameter named ``start`` to the one named ``end``: the hours in
    force, the rate, and the goal (the month's hours prorated by the days of it the period covers)."""
    return _GOAL_SQL.format(start=start, end=end)


_GOAL_SQL = """
    WITH months AS (
        SELECT unnest(generate_series(date_trunc('month', ${start}::DATE), date_trunc('month', ${end}::DATE),
                                      INTERVAL 1 MONTH))::DATE AS m),
    retainers AS (SELECT * FROM budgets WHERE kind = 'retainer' AND monthly_hours IS NOT NULL),
    grid AS (SELECT DISTINCT account, m FROM retainers, months),
    priced AS (
        SELECT g.account, g.m, b.monthly_hours, b.hourly_rate, b.currency
        FROM grid g ASOF LEFT JOIN retainers b ON g.account = b.account AND g.m >= b.effective_month)
    SELECT account, m AS month, coalesce(monthly_hours, 0) AS monthly_hours, hourly_rate, currency,
           coalesce(monthly_hours, 0) / dayofmonth(last_day(m))
             * (date_diff('day', greatest(m, ${start}::DATE), least(last_day(m), ${end}::DATE)) + 1) AS goal
    FROM priced"""


def _goals(cur: duckdb.DuckDBPyConnection, start: date, end: date, name: str = "goal") -> tuple[str, dict]:
    """Per retainer account, its goal from ``start`` to ``end`` (``goal_sql`` summed), kept beside the store while
    the budgets are the same: what to select FROM (``account``, ``goal``) and the parameters to bind, named
    after ``name`` (two periods in one statement)."""
    sql = f"SELECT account, sum(goal) AS goal FROM ({goal_sql(f'{name}_start', f'{name}_end')}) GROUP BY account"
    return memo.derived(cur, "budget_goals", sql, {f"{name}_start": start, f"{name}_end": end},
                        same=unchanged("budgets"))


def _goal_months(cur: duckdb.DuckDBPyConnection, start: date, end: date) -> tuple[str, dict]:
    """``goal_sql``'s rows from ``start`` to ``end``, kept beside the store while the budgets are the same."""
    return memo.derived(cur, "budget_months", goal_sql("months_start", "months_end"),
                        {"months_start": start, "months_end": end}, same=unchanged("budgets"))


CAPPED = ("discovery", "development", "fixed")  # budgets of a total of hours (``fixed_total_hours``)
_KINDS = ", ".join(f"'{k}'" for k in CAPPED)  # the same, as SQL

# Per account and day, the billable hours that count towards the total of the capped budget in force (the latest
# whose effective_month is at or before the day's month; a month with a retainer's hours in force bills by the
# retainer and does not count) and, of them, those within the total: hours count from the budget's effective_month
# in date order, and those that take the running total past fixed_total_hours are not within, on the day they are
# logged. The one definition the invoice lines and the margin read.
_WITHIN_CAP_SQL = """
    WITH capped AS (
        SELECT account, effective_month AS since, kind, fixed_total_hours AS cap FROM budgets
        WHERE kind IN ({kinds}) AND fixed_total_hours IS NOT NULL),
    logged AS (
        SELECT account, work_date AS day, date_trunc('month', work_date)::DATE AS month, sum(hours) AS hours
        FROM time_entries
        WHERE billable AND work_date BETWEEN $cap_from AND $cap_to AND account IN (SELECT account FROM capped)
        GROUP BY ALL),
    counted AS (
        SELECT l.account, l.day, l.month, c.since, c.kind, c.cap, l.hours
        FROM logged l ASOF JOIN capped c ON c.account = l.account AND l.month >= c.since
        LEFT JOIN ({retainers}) r ON r.account = l.account AND r.month = l.month
        WHERE coalesce(r.monthly_hours, 0) <= 0),
    running AS (SELECT *, sum(hours) OVER (PARTITION BY account, since ORDER BY day) AS total FROM counted)
    SELECT account, day, month, kind, cap, hours, least(total, cap) - least(total - hours, cap) AS within
    FROM running"""


def within_cap(cur: duckdb.DuckDBPyConnection, end: date) -> tuple[str, dict]:
    """Per account with a capped budget and day up to ``end``: ``kind`` and ``cap`` of the capped budget in force,
    the billable ``hours`` that count towards it and the ``within`` of them under the cap (the rest is not
    billed): what to select FROM and the parameters to bind. Hours count from the budget's start, whatever
    period the caller shows."""
    since = cur.execute(f"""SELECT min(effective_month) FROM budgets WHERE kind IN ({_KINDS})
                            AND fixed_total_hours IS NOT NULL""").fetchone()[0]
    sql = _WITHIN_CAP_SQL.format(kinds=_KINDS, retainers=goal_sql("cap_from", "cap_to"))
    return memo.derived(cur, "budget_capped", sql, {"cap_from": since or end, "cap_to": end},
                        same=unchanged("time_entries", "budgets"))


# the period's billable hours per account and month, with the last day billed: the invoice lines (sales/memo.py
# keeps it per data version and period)
SPENT_SQL = """
    SELECT account, date_trunc('month', work_date) AS month, sum(hours) AS billable, max(work_date) AS last_billable
    FROM time_entries WHERE billable AND work_date BETWEEN $spent_start AND $spent_end GROUP BY ALL"""


def _spent(cur: duckdb.DuckDBPyConnection, start: date, end: date) -> tuple[str, dict]:
    """Per account and month with billable hours from ``start`` to ``end``: those hours and the last day with
    some: what to select FROM and the parameters to bind (``memo.derived``)."""
    return memo.derived(cur, "budget_spent", SPENT_SQL, {"spent_start": start, "spent_end": end},
                        same=unchanged("time_entries"))


# the period's time entries per account, for the status and the headline (the Overview's too): a third of the
# per-month pass's work at 5,000,000 entries, since far fewer groups are kept
ACCOUNT_SPENT_SQL = """
    SELECT account, sum(hours) FILTER (WHERE billable) AS billable,
           sum(hours) FILTER (WHERE NOT coalesce(billable, false)) AS non_billable,
           coalesce(bool_or(billable), false) AS any_billable
    FROM time_entries WHERE work_date BETWEEN $acct_start AND $acct_end GROUP BY account"""


def _account_spent(cur: duckdb.DuckDBPyConnection, start: date, end: date) -> tuple[str, dict]:
    """Per account, the billable and non-billable hours from ``start`` to ``end`` and whether any was billable:
    what to select FROM and the parameters to bind (``memo.derived``)."""
    return memo.derived(cur, "budget_accounts", ACCOUNT_SPENT_SQL, {"acct_start": start, "acct_end": end},
                        same=unchanged("time_entries"))


# the billable hours of the year to date per account, when the period on screen is another
YTD_SQL = """SELECT account, sum(hours) AS billable_ytd FROM time_entries
             WHERE billable AND work_date BETWEEN $ytd_start AND $ytd_end GROUP BY account"""
# the billable hours of each day, every account's: the burn chart's
DAILY_SQL = """SELECT work_date AS day, sum(hours) AS hours FROM time_entries
               WHERE billable AND work_date BETWEEN $daily_start AND $daily_end GROUP BY work_date"""


@reads("time_entries", "budgets")
def account_status(cur: duckdb.DuckDBPyConnection, start: date, end: date, today: date) -> pd.DataFrame:
    """Per account: period and year-to-date goal against billable hours, remaining, status, overhead.

    Year to date always runs from 1 January to ``today``, whatever period is on screen.
    """
    ytd_start = date(today.year, 1, 1)
    ytd_end = today
    period, bound = _account_spent(cur, start, end)
    # the year to date: the period's own pass when they are the same days (the default view), else a pass of
    # billable rows per account (a fifth of a per-month pass at 5,000,000 entries)
    if (ytd_start, ytd_end) == (start, end):
        ytd = f"SELECT account, billable AS billable_ytd FROM {period}"
    else:
        table, more = memo.derived(cur, "budget_ytd", YTD_SQL, {"ytd_start": ytd_start, "ytd_end": ytd_end},
                                   same=unchanged("time_entries"))
        ytd, bound = f"SELECT account, billable_ytd FROM {table}", {**bound, **more}
    period_goals, more = _goals(cur, start, end)
    ytd_goals, more_ytd = _goals(cur, ytd_start, ytd_end, "ytd_goal")
    bound = {**bound, **more, **more_ytd}
    sql = f"""
    WITH period_goal AS (SELECT account, goal FROM {period_goals}),
    ytd_goal AS (SELECT account, goal FROM {ytd_goals}),
    in_period AS (SELECT account, billable, non_billable FROM {period}),
    in_ytd AS ({ytd}),
    spent AS (
        SELECT coalesce(p.account, y.account) AS account, p.billable, p.non_billable, y.billable_ytd
        FROM in_period p FULL JOIN in_ytd y ON y.account IS NOT DISTINCT FROM p.account)
    SELECT coalesce(p.account, s.account) AS account, coalesce(p.goal, 0) AS goal,
           coalesce(s.billable, 0) AS billable, coalesce(s.non_billable, 0) AS non_billable,
           coalesce(y.goal, 0) AS goal_ytd, coalesce(s.billable_ytd, 0) AS spent_ytd
    FROM period_goal p FULL JOIN spent s ON s.account = p.account LEFT JOIN ytd_goal y
         ON y.account = coalesce(p.account, s.account)
    WHERE coalesce(p.goal, 0) > 0 OR coalesce(s.billable, 0) + coalesce(s.non_billable, 0) > 0
    ORDER BY account"""
    df = cur.execute(sql, bound).df()
    if df.empty:
        return df.assign(remaining_ytd=[], overhead=[], used=[], status=[], non_billable_share=[])
    df["remaining_ytd"] = df["goal_ytd"] - df["spent_ytd"]
    df["overhead"] = (df["billable"] - df["goal"]).clip(lower=0)
    df["used"] = (df["billable"] / df["goal"]).where(df["goal"] > 0)
    df["status"] = [status(s, g) for s, g in zip(df["billable"], df["goal"])]
    total = df["billable"] + df["non_billable"]
    df["non_billable_share"] = (df["non_billable"] / total).where(total > 0)
    return df


@reads("time_entries", "budgets")
def period_hours(cur: duckdb.DuckDBPyConnection, start: date, end: date) -> dict[str, float]:
    """The period's totals over every account, the headline of the Budget page and the Overview: billable
    hours, the prorated goal, and how many accounts are over budget, how many at 80-100 % and how many logged
    billable hours with no budget (``status`` per account; those are not counted as over)."""
    spent, bound = _account_spent(cur, start, end)
    goals, more = _goals(cur, start, end)
    rows = cur.execute(f"""
        WITH goal AS (SELECT account, goal FROM {goals}),
        spent AS (SELECT account, billable FROM {spent} WHERE any_billable)
        SELECT coalesce(g.goal, 0), coalesce(s.billable, 0)
        FROM goal g FULL JOIN spent s ON s.account = g.account""",  # noqa: S608 (a table name or our own SQL)
                       {**bound, **more}).fetchall()
    statuses = [status(b, g) for g, b in rows if g > 0 or b > 0]
    return {"billable": float(sum(b for _, b in rows)), "goal": float(sum(g for g, _ in rows)),
            "over": statuses.count("over"), "warning": statuses.count("warning"),
            "no_budget": statuses.count("no budget")}


@reads("time_entries", "budgets")
def burn(cur: duckdb.DuckDBPyConnection, start: date, end: date, today: date,
         account: str | None = None) -> pd.DataFrame:
    """Daily cumulative billable hours against the cumulative goal, and from today the hours at the pace so far
    (``pace``) up to ``end``."""
    acc = "AND account = $account" if account else ""
    params = {"start": start, "end": end, "account": account} if account else {"start": start, "end": end}
    months, more = _goal_months(cur, start, end)
    params = {**params, **more}
    if account:  # one account's days: a pass of its own
        spent = f"""SELECT work_date AS day, sum(hours) AS hours FROM time_entries
                    WHERE billable AND work_date BETWEEN $start AND $end {acc} GROUP BY work_date"""
    else:
        table, more = memo.derived(cur, "budget_daily", DAILY_SQL, {"daily_start": start, "daily_end": end},
                                   same=unchanged("time_entries"))
        spent, params = f"SELECT day, hours FROM {table}", {**params, **more}
    sql = f"""
    WITH days AS (SELECT unnest(generate_series($start::DATE, $end::DATE, INTERVAL 1 DAY))::DATE AS day),
    goal AS (SELECT g.month, sum(g.monthly_hours) AS hours FROM {months} g WHERE true {acc} GROUP BY g.month),
    daily AS (SELECT day, coalesce(goal.hours, 0) / dayofmonth(last_day(day)) AS goal
              FROM days LEFT JOIN goal ON goal.month = date_trunc('month', day)),
    spent AS ({spent})
    SELECT d.day, sum(d.goal) OVER w AS goal, sum(coalesce(s.hours, 0)) OVER w AS spent
    FROM daily d LEFT JOIN spent s USING (day) WINDOW w AS (ORDER BY d.day) ORDER BY d.day"""
    df = cur.execute(sql, params).df()
    if df.empty:
        return df
    df["day"] = pd.to_datetime(df["day"]).dt.date
    done = df[df["day"] <= today]
    spent_now = float(done["spent"].iloc[-1]) if len(done) else 0.0
    elapsed = len(done)
    rate = spent_now / elapsed if elapsed else 0.0
    after = df["day"] > today
    df["pace"] = None
    df.loc[after, "pace"] = spent_now + rate * (df.index[after] - (elapsed - 1))
    if elapsed:
        df.loc[elapsed - 1, "pace"] = spent_now
    return df


def small_projects(cur: duckdb.DuckDBPyConnection, category_of: dict[int, str] | None = None) -> pd.DataFrame:
    """Capped budgets (discovery, development): billable hours since they started against the cap.

    Discovery for a lead whose category has ``free_discovery`` (High, in the handbook) is an investment
    (not billed); for others it is billable.
    """
    df = cur.execute("""
        SELECT b.account, b.kind, b.effective_month AS since, b.fixed_total_hours AS cap, b.lead_id,
               coalesce(sum(t.hours) FILTER (WHERE t.billable), 0) AS spent
        FROM budgets b LEFT JOIN time_entries t ON t.account = b.account AND t.work_date >= b.effective_month
        WHERE b.kind IN ('discovery', 'development') AND b.fixed_total_hours IS NOT NULL
        GROUP BY ALL ORDER BY b.account, b.effective_month""").df()
    if df.empty:
        return df.assign(left=[], alert=[], billing=[])
    df["left"] = (df["cap"] - df["spent"]).clip(lower=0)
    df["alert"] = [cap_alert(s, c) for s, c in zip(df["spent"], df["cap"])]
    if category_of is None:  # only the leads these projects belong to
        from sales.leadstate import categories_of

        category_of = categories_of(cur, [int(i) for i in df["lead_id"].dropna()])
    free = {c.name for c in default_rubric().categories if c.free_discovery}
    df["billing"] = [f"investment ({category_of.get(lead)} lead)" if k == "discovery" and category_of.get(lead) in free
                     else "billable" for k, lead in zip(df["kind"], df["lead_id"])]
    return df


def invoice_lines(cur: duckdb.DuckDBPyConnection, start: date, end: date) -> pd.DataFrame:
    """Per account and month: billable hours × the rate in force = the amount to invoice.

    Hours of a discovery for a lead whose category has ``free_discovery``, from its start until a retainer
    is in force, are an investment: listed, but invoiced at nothing. A capped small project (discovery,
    development) bills only its hours within the cap (``within_cap``); ``billable_hours`` stays the hours
    logged and the note says how many past the cap are not billed.
    """
    from sales.leadstate import categories_of

    free = {c.name for c in default_rubric().categories if c.free_discovery}
    discovery = [int(r[0]) for r in cur.execute("SELECT DISTINCT lead_id FROM budgets WHERE kind = 'discovery' "
                                                "AND lead_id IS NOT NULL").fetchall()]
    invested = [lead for lead, category in categories_of(cur, discovery).items() if category in free]
    spent, bound = _spent(cur, start, end)
    capped, more = within_cap(cur, end)
    rates, more_rates = _goal_months(cur, start, end)
    return cur.execute(f"""
        WITH rates AS (SELECT * FROM {rates}),
        past_cap AS (  -- the period's hours of a capped small project past its cap
            SELECT account, date_trunc('month', day) AS m, kind, cap, sum(hours - within) AS hours FROM {capped}
            WHERE day BETWEEN $start AND $end AND kind IN ('discovery', 'development') GROUP BY ALL),
        invested AS (
            SELECT account, min(effective_month) AS since FROM budgets
            WHERE kind = 'discovery' AND list_contains($invested::INTEGER[], lead_id) GROUP BY account),
        project_rates AS (  -- capped small projects carry their own rate, used when no retainer applies
            SELECT account, arg_max(hourly_rate, effective_month) AS rate, arg_max(currency, effective_month) AS cur
            FROM budgets WHERE kind IN ('discovery', 'development') AND hourly_rate IS NOT NULL GROUP BY account),
        billed AS (  -- the month's billable hours (the period's entries, one row per account and month)
            SELECT account, month AS m, billable AS hours, last_billable AS last_day FROM {spent}
            WHERE last_billable IS NOT NULL),
        lines AS (
            SELECT t.account, t.m, t.hours, t.hours - coalesce(c.hours, 0) AS billed, c.kind, c.cap,
                   round(c.hours, 2) AS past, coalesce(r.hourly_rate, p.rate) AS rate,
                   coalesce(r.currency, p.cur) AS currency,
                   coalesce(i.since IS NOT NULL AND t.last_day >= i.since AND r.monthly_hours IS NULL
                            OR r.monthly_hours = 0, false) AS investment
            FROM billed t
            LEFT JOIN rates r ON r.account = t.account AND r.month = t.m
            LEFT JOIN invested i ON i.account = t.account LEFT JOIN project_rates p ON p.account = t.account
            LEFT JOIN past_cap c ON c.account = t.account AND c.m = t.m)
        SELECT account, strftime(m, '%Y-%m') AS month, round(hours, 2) AS billable_hours,
               CASE WHEN investment THEN 0 ELSE rate END AS rate,
               round(billed * CASE WHEN investment THEN 0 ELSE rate END, 2) AS amount, currency,
               CASE WHEN investment THEN 'investment: a discovery we do not bill'
                    WHEN past > 0 THEN printf('%s capped at %g h: %g h past the cap not billed', kind, cap, past)
               END AS note
        FROM lines ORDER BY account, month""",
                       {"start": start, "end": end, "invested": invested, **bound, **more, **more_rates}).df()
