"""Will we have the people: capacity per week against confirmed work and the pipeline, as a range.

- capacity: the available hours (``roster``) of everyone employed that week;
- confirmed: each retainer's monthly hours in force spread evenly over that month's Monday-to-Friday days,
  plus each capped or fixed budget's remaining hours (never negative) spread evenly over the Monday-to-Friday
  days of the 4 weeks from today;
- pipeline: an open lead's hours start ``start_lag_days`` after its expected close (after today when that
  date has passed or is unknown) and are spread evenly over the Monday-to-Friday days of the next
  ``delivery_weeks`` × 7 days. Expected = Σ hours × win probability (the forecast's); exposure = Σ hours;
  P10 / P50 / P90: quantiles of the simulated pipeline demand (``simulation``). Confirmed work is certain
  and shown beside them.

A lead's hours are its ``estimated_hours``, else its amount ÷ the hourly rate of its budget (one that names
the lead, else the latest of the account its organisation names) or ``default_rate`` of data/capacity.toml,
converted between currencies with data/currencies.toml; each lead says which (``basis``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd

from sales import memo
from sales.budget import goal_sql
from sales.changes import unchanged
from sales.filters import Filters, quarter_of
from sales.forecast import _probability_join, win_probabilities
from sales.leadstate import lead_state
from sales.money import Currencies, default_currencies
from sales.team import roster
from sales.team.margin import factors
from sales.team.settings import Capacity, default_capacity
from sales.team.simulation import Outcome, quantiles, simulate

WEEK_COLUMNS = ["week", "capacity_hours", "confirmed_hours", "expected_hours", "exposure_hours", "p10_hours",
                "p50_hours", "p90_hours"]
ESTIMATE, BUDGET_RATE, DEFAULT_RATE = "estimated hours", "amount ÷ its budget's rate", "amount ÷ the default rate"
NO_HOURS, NO_RATE = "no estimate and no amount", "no rate between the currencies"
CONFIRMED_DAYS = 28  # capped and fixed budgets' remaining hours: the 4 weeks from today


@dataclass(frozen=True)
class Forecast:
    today: date
    weeks: pd.DataFrame  # WEEK_COLUMNS, one row per week of the horizon (week: its Monday, ISO)
    revenue: pd.DataFrame  # quarter, currency, expected, p10, p50, p90: won revenue per quarter, per currency
    leads: pd.DataFrame  # the open leads simulated: hours, basis, probability, start
    draws: int
    seed: int
    pooled: bool
    reporting: str  # the currency the converted revenue rows are in ("all, in USD")


def default_period(today: date, settings: Capacity | None = None) -> tuple[date, date]:
    """What ``report capacity`` lists without --from and --to: the weeks from the week of today."""
    weeks = mondays(today, (settings or default_capacity()).weeks)
    return weeks[0], weeks[-1]


def mondays_between(start: date, end: date) -> list[date]:
    """The Mondays from ``start`` to ``end``."""
    first = start + timedelta(days=(7 - start.weekday()) % 7)
    return [first + timedelta(weeks=i) for i in range(max((end - first).days // 7 + 1, 0))]


def mondays(today: date, count: int) -> list[date]:
    """The Mondays of ``count`` weeks from the week of ``today``."""
    first = today - timedelta(days=today.weekday())
    return [first + timedelta(weeks=i) for i in range(count)]


def _weekdays(start: date, days: int) -> np.ndarray:
    """The Monday-to-Friday days among ``days`` days from ``start``."""
    span = np.arange(np.datetime64(start, "D"), np.datetime64(start, "D") + days)
    return span[((span.astype("int64") - 4) % 7) < 5]


def _week_index(days: np.ndarray, first_monday: date) -> np.ndarray:
    return (days - np.datetime64(first_monday, "D")).astype("int64") // 7


CAPACITY_READS = ("people", "time_off")  # every table capacity_hours reads (tests/test_reads.py)
CONFIRMED_READS = ("budgets", "time_entries")  # and confirmed_hours


def capacity_hours(cur: duckdb.DuckDBPyConnection, weeks: list[date]) -> np.ndarray:
    days = roster.available(cur, weeks[0], weeks[-1] + timedelta(days=6))
    out = np.zeros(len(weeks))
    if len(days):
        np.add.at(out, _week_index(days["day"].to_numpy().astype("datetime64[D]"), weeks[0]),
                  days["available_hours"].to_numpy())
    return out


def confirmed_hours(cur: duckdb.DuckDBPyConnection, today: date, weeks: list[date]) -> np.ndarray:
    """Won work per week: retainers' monthly hours in force over their months' weekdays, capped and fixed
    budgets' remaining hours over the weekdays of the 4 weeks from today."""
    out = np.zeros(len(weeks))
    days = _weekdays(weeks[0], 7 * len(weeks))
    months = days.astype("datetime64[M]")
    firsts = np.unique(months)
    in_force = dict(cur.execute(f"SELECT month, sum(monthly_hours) FROM ({goal_sql()}) GROUP BY month",  # noqa: S608
                                {"start": pd.Timestamp(firsts[0]).date(), "end": pd.Timestamp(firsts[-1]).date()}
                                ).fetchall())
    per_month = np.array([float(in_force.get(pd.Timestamp(m).date(), 0.0)) for m in firsts])
    weekdays = np.busday_count(firsts.astype("datetime64[D]"), (firsts + 1).astype("datetime64[D]"))  # Mon-Fri
    at = np.searchsorted(firsts, months)
    np.add.at(out, _week_index(days, weeks[0]), (per_month / weekdays)[at])
    left = float(remaining_hours(cur, today)["remaining"].sum())
    if left > 0:
        soon = _weekdays(today, CONFIRMED_DAYS)
        inside = _week_index(soon, weeks[0])
        keep = (inside >= 0) & (inside < len(weeks))
        np.add.at(out, inside[keep], left / len(soon))
    return out


def remaining_hours(cur: duckdb.DuckDBPyConnection, today: date) -> pd.DataFrame:
    """Each capped or fixed budget: its total, the billable hours logged against it up to ``today`` (from its
    start until the account's next capped or fixed budget) and what remains (never negative)."""
    return cur.execute("""
        WITH b AS (
            SELECT account, effective_month, kind, fixed_total_hours,
                   lead(effective_month) OVER (PARTITION BY account ORDER BY effective_month) AS until
            FROM budgets WHERE kind IN ('discovery', 'development', 'fixed') AND fixed_total_hours IS NOT NULL)
        SELECT b.account, b.effective_month, b.kind, b.fixed_total_hours,
               coalesce(sum(t.hours) FILTER (WHERE t.billable), 0) AS logged,
               greatest(b.fixed_total_hours - coalesce(sum(t.hours) FILTER (WHERE t.billable), 0), 0) AS remaining
        FROM b LEFT JOIN time_entries t ON t.account = b.account AND t.work_date >= b.effective_month
         AND (b.until IS NULL OR t.work_date < b.until) AND t.work_date <= ?
        GROUP BY 1, 2, 3, 4 ORDER BY b.account, b.effective_month""", [today]).df()


def pipeline_leads(cur: duckdb.DuckDBPyConnection, f: Filters, today: date, settings: Capacity | None = None,
                   currencies: Currencies | None = None, probabilities: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every open lead the filters keep (categories, sources, owners): its win probability, hours and their
    basis, and the day its work would start."""
    settings, currencies = settings or default_capacity(), currencies or default_currencies()
    join, jparams = _probability_join(win_probabilities(cur) if probabilities is None else probabilities)
    where, params = f.lead_where("s", period_column=None)
    leads = cur.execute(f"""
        WITH s AS (SELECT id, name, organisation, owner, lead_source, category, stage_index, status, expected_close,
                          amount, currency, estimated_hours FROM {lead_state(cur)} WHERE status = 'open'),
        own AS (SELECT lead_id, arg_max(hourly_rate, effective_month) AS rate, arg_max(upper(currency), effective_month)
                       AS currency FROM budgets WHERE lead_id IS NOT NULL AND hourly_rate IS NOT NULL GROUP BY ALL),
        acct AS (SELECT lower(trim(account)) AS key, arg_max(hourly_rate, effective_month) AS rate,
                        arg_max(upper(currency), effective_month) AS currency
                 FROM budgets WHERE hourly_rate IS NOT NULL GROUP BY ALL)
        SELECT s.id, s.name, s.organisation, s.owner, s.category, s.expected_close, s.amount,
               upper(nullif(trim(s.currency), '')) AS currency, s.estimated_hours, p.probability,
               coalesce(own.rate, acct.rate) AS budget_rate, coalesce(own.currency, acct.currency) AS rate_currency
        FROM s JOIN {join} ON p.category IS NOT DISTINCT FROM s.category AND p.stage_index = s.stage_index
        LEFT JOIN own ON own.lead_id = s.id LEFT JOIN acct ON acct.key = lower(trim(s.organisation))
        WHERE s.status = 'open' AND {where} ORDER BY s.id""", [*jparams, *params]).df()  # noqa: S608 (generated)
    return _hours_of(leads, today, settings, currencies)


def _hours_of(leads: pd.DataFrame, today: date, settings: Capacity, currencies: Currencies) -> pd.DataFrame:
    """Each lead's hours, their basis, and the start of its work."""
    has_budget = leads["budget_rate"].notna()
    rate = leads["budget_rate"].where(has_budget, settings.default_rate).astype(float)
    rate_currency = leads["rate_currency"].where(has_budget, settings.default_rate_currency)
    rate_currency = rate_currency.fillna(settings.default_rate_currency)
    amount_currency = leads["currency"].fillna(rate_currency)  # an amount without a currency: the rate's
    same = amount_currency == rate_currency
    factor = np.where(same, 1.0, factors(amount_currency, currencies) / factors(rate_currency, currencies))
    from_amount = leads["amount"].astype(float) * factor / rate
    estimated = leads["estimated_hours"].astype(float)
    leads["hours"] = estimated.where(estimated.notna(), from_amount).fillna(0.0)
    leads["basis"] = np.select(
        [estimated.notna(), leads["amount"].isna(), np.isnan(factor), has_budget],
        [ESTIMATE, NO_HOURS, NO_RATE, BUDGET_RATE], DEFAULT_RATE)
    leads["rate"] = np.where(estimated.notna() | leads["amount"].isna(), np.nan, rate)
    # the day its work is judged from: the expected close, or today when that has passed or is unknown
    close = pd.to_datetime(leads["expected_close"]).to_numpy().astype("datetime64[D]")
    judged = np.where(np.isnat(close), np.datetime64(today, "D"), np.maximum(close, np.datetime64(today, "D")))
    leads["start"] = judged + np.timedelta64(settings.start_lag_days, "D")
    months, month_of = np.unique(judged.astype("datetime64[M]"), return_inverse=True)
    leads["quarter"] = np.array([quarter_of(pd.Timestamp(m).date()) for m in months], dtype=object)[month_of]
    leads["probability"] = leads["probability"].astype(float).fillna(0.0)
    return leads


def hours_by_basis(leads: pd.DataFrame) -> pd.DataFrame:
    """The open leads and their hours per basis of those hours (``pipeline_leads``' ``basis``)."""
    return leads.groupby("basis", as_index=False).agg(leads=("id", "count"), hours=("hours", "sum"))


def _spread(starts: np.ndarray, weeks: list[date], delivery_weeks: int) -> np.ndarray:
    """Per distinct start day, the share of a lead's hours that falls in each week of the horizon: even over
    the Monday-to-Friday days of the ``delivery_weeks`` × 7 days from the start."""
    out = np.zeros((len(starts), len(weeks)))
    for i, s in enumerate(starts):
        days = _weekdays(pd.Timestamp(s).date(), 7 * delivery_weeks)
        w = _week_index(days, weeks[0])
        keep = (w >= 0) & (w < len(weeks))
        np.add.at(out[i], w[keep], 1.0 / len(days))
    return out


def forecast(cur: duckdb.DuckDBPyConnection, today: date, f: Filters | None = None,
             settings: Capacity | None = None, currencies: Currencies | None = None,
             weeks: list[date] | None = None) -> Forecast:
    """The capacity forecast for the ``weeks`` (default: ``settings.weeks`` weeks from the week of today), over
    the open leads the filters' categories, sources and owners keep (not its period)."""
    settings, currencies = settings or default_capacity(), currencies or default_currencies()
    f = f or Filters.everything()
    weeks = mondays(today, settings.weeks) if weeks is None else weeks
    if not weeks:  # no Monday in the period asked for: nothing to forecast
        empty = pd.DataFrame(columns=[*WEEK_COLUMNS, "mean_hours"])
        return Forecast(today, empty, pd.DataFrame(columns=["quarter", "currency", "leads", "expected", "p10", "p50",
                                                            "p90"]), pd.DataFrame(columns=["id", "hours", "basis"]),
                        settings.draws, settings.seed, False, currencies.reporting)
    key = (today, f, repr(settings), repr(currencies), tuple(weeks))
    return memo.value(cur, "capacity_forecast", key, lambda c: _forecast(c, today, f, settings, currencies, weeks),
                      redo=(_from_earlier, lambda c, was, _: _forecast(c, today, f, settings, currencies, weeks,
                                                                         was[1])))[0]


def _from_earlier(cur: duckdb.DuckDBPyConnection, before: tuple, now: tuple) -> list[int]:
    """Whatever changed, a forecast is made from the earlier one: its simulation's cells whose leads are the same
    are taken as they are (``simulation``), the others simulated again."""
    return []


def _forecast(cur: duckdb.DuckDBPyConnection, today: date, f: Filters, settings: Capacity, currencies: Currencies,
              weeks: list[date], earlier: Outcome | None = None) -> tuple[Forecast, Outcome]:
    """The forecast, and what the next one starts from: the simulation's cells, without its draws (kept by
    ``memo.value`` beside the forecast, never handed to a page: the query cache keeps only the forecast)."""
    leads = pipeline_leads(cur, f, today, settings, currencies)
    starts, start_of = np.unique(leads["start"].to_numpy().astype("datetime64[D]"), return_inverse=True)
    shares = _spread(starts, weeks, settings.delivery_weeks)
    codes, code_of = np.unique(leads["currency"].fillna("").to_numpy(str), return_inverse=True)
    # a cell: the leads starting on the same day in the same currency
    cell_ids, cells = np.unique(start_of * len(codes) + code_of, return_inverse=True)
    cell_start, cell_currency = cell_ids // max(len(codes), 1), codes[cell_ids % max(len(codes), 1)]
    hours, p = leads["hours"].to_numpy(float), leads["probability"].to_numpy(float)
    amounts = leads["amount"].fillna(0.0).to_numpy(float)
    keys = [f"{starts[s]}|{c}" for s, c in zip(cell_start, cell_currency)]  # a cell: its start day and currency
    outcome = simulate(p, np.c_[hours, amounts], cells, len(cell_ids), settings.draws, settings.seed,
                       settings.exact_pairs, settings.pooled_draws, keys, earlier)
    demand = outcome.sums[0] @ shares[cell_start] if len(cell_ids) else np.zeros((settings.draws, len(weeks)))
    q = quantiles(demand)
    expected = (hours * p) @ shares[start_of] if len(leads) else np.zeros(len(weeks))
    exposure = hours @ shares[start_of] if len(leads) else np.zeros(len(weeks))
    # what reads no lead, kept while the people and time off (capacity) or the budgets and time entries (won work)
    # are the same (sales/memo.py)
    capacity = memo.value(cur, "capacity_hours", (tuple(weeks),), lambda c: capacity_hours(c, weeks),
                          same=unchanged(*CAPACITY_READS))
    confirmed = memo.value(cur, "confirmed_hours", (today, tuple(weeks)), lambda c: confirmed_hours(c, today, weeks),
                           same=unchanged(*CONFIRMED_READS))
    frame = pd.DataFrame({"week": [w.isoformat() for w in weeks], "capacity_hours": capacity,
                          "confirmed_hours": confirmed, "expected_hours": expected,
                          "exposure_hours": exposure, "p10_hours": q[0], "p50_hours": q[1], "p90_hours": q[2],
                          "mean_hours": demand.mean(axis=0)})  # the simulation's mean: the expected band, give or take
    frame[WEEK_COLUMNS[1:]] = frame[WEEK_COLUMNS[1:]].round(2)
    lag = timedelta(days=settings.start_lag_days)  # a start lies the lag after the day its quarter is judged by
    cell_quarter = np.array([quarter_of(pd.Timestamp(starts[s]).date() - lag) for s in cell_start], dtype=object)
    revenue = _revenue(outcome.sums[1], cell_quarter, cell_currency, leads, currencies)
    return (Forecast(today, frame, revenue, leads, settings.draws, settings.seed, outcome.pooled, currencies.reporting),
            replace(outcome, sums=()))


def _revenue(sums: np.ndarray, cell_quarter: np.ndarray, cell_currency: np.ndarray, leads: pd.DataFrame,
             currencies: Currencies) -> pd.DataFrame:
    """Won revenue per quarter of expected close (the current one for a date passed or unknown): per currency
    and, converted, in the reporting currency (amounts without a currency or a rate are left out of it)."""
    columns = ["quarter", "currency", "leads", "expected", "p10", "p50", "p90"]
    if not len(cell_quarter):
        return pd.DataFrame(columns=columns)
    factor = np.array([currencies.factor(c) if c else np.nan for c in cell_currency], dtype=float)
    groups, rows = [], []  # (quarter, currency label): how each cell counts into it
    for quarter in sorted(set(cell_quarter)):
        here = cell_quarter == quarter
        for code in sorted(set(cell_currency[here])):
            groups.append(((quarter, code or "no currency"), (here & (cell_currency == code)).astype(float)))
        groups.append(((quarter, f"all, in {currencies.reporting}"), np.where(here, np.nan_to_num(factor), 0.0)))
    draws = sums @ np.column_stack([weights for _, weights in groups])  # every draw's amount per row, at once
    q = quantiles(draws)
    lead_factor = factors(leads["currency"], currencies).to_numpy()
    weighted = leads["amount"].fillna(0.0).to_numpy(float) * leads["probability"].to_numpy(float)
    quarter_of_lead, code_of_lead = leads["quarter"].to_numpy(), leads["currency"].fillna("").to_numpy()
    for i, ((quarter, label), _) in enumerate(groups):
        mine = quarter_of_lead == quarter
        if label.startswith("all, in "):
            mine &= ~np.isnan(lead_factor)
            expected = float((weighted[mine] * lead_factor[mine]).sum())
        else:
            mine &= code_of_lead == ("" if label == "no currency" else label)
            expected = float(weighted[mine].sum())
        rows.append((quarter, label, int(mine.sum()), expected, q[0, i], q[1, i], q[2, i]))
    return pd.DataFrame(rows, columns=columns).round({"expected": 2, "p10": 2, "p50": 2, "p90": 2})


@dataclass(frozen=True)
class Start:
    """The earliest week from which ``hours`` over ``weeks`` weeks fit, or None when none within the horizon."""

    week: date | None
    hours: float
    weeks: int
    ceiling: float
    per_week: float


def earliest_week(fc: Forecast, hours: float, weeks: int, lead_id: int | None = None,
                  settings: Capacity | None = None) -> Start:
    """The first week (its Monday on or after today) from which, for ``weeks`` weeks, the expected demand
    (confirmed + expected) plus ``hours`` ÷ ``weeks`` a week stays within capacity × the ceiling. With
    ``lead_id`` (an open lead of ``fc``), that lead's own expected share is taken out of the demand first.
    ``fc``: the whole team's forecast (no filters)."""
    settings = settings or default_capacity()
    weeks = max(int(weeks), 1)
    demand = (fc.weeks["confirmed_hours"] + fc.weeks["expected_hours"]).to_numpy(float)
    if lead_id is not None:
        demand = demand - own_expected(fc, lead_id, settings)
    room = fc.weeks["capacity_hours"].to_numpy(float) * settings.earliest_start_ceiling
    per_week = hours / weeks
    fits = demand + per_week <= room + 1e-9
    for i, monday in enumerate(date.fromisoformat(w) for w in fc.weeks["week"]):
        if monday >= fc.today and i + weeks <= len(fits) and fits[i:i + weeks].all():
            return Start(monday, hours, weeks, settings.earliest_start_ceiling, per_week)
    return Start(None, hours, weeks, settings.earliest_start_ceiling, per_week)


def won_revenue(cur: duckdb.DuckDBPyConnection, today: date, f: Filters | None = None) -> pd.DataFrame:
    """The forecast's won revenue per quarter (``Forecast.revenue``): what its chart draws, as rows, so that a
    write that changes only other figures (a time file: the confirmed hours) draws nothing again."""
    return forecast(cur, today, f).revenue


def earliest_start(cur: duckdb.DuckDBPyConnection, today: date, hours: float, weeks: int,
                   lead_id: int | None = None, settings: Capacity | None = None) -> Start:
    """``earliest_week`` over the whole team's forecast as of ``today``."""
    return earliest_week(forecast(cur, today, Filters.everything(), settings), hours, weeks, lead_id, settings)


def own_expected(fc: Forecast, lead_id: int, settings: Capacity) -> np.ndarray:
    """One open lead's expected hours per week of the forecast (zero when it is not in it)."""
    row = fc.leads[fc.leads["id"] == lead_id]
    if row.empty:
        return np.zeros(len(fc.weeks))
    weeks = [date.fromisoformat(w) for w in fc.weeks["week"]]
    share = _spread(np.array([row["start"].iloc[0]], dtype="datetime64[D]"), weeks, settings.delivery_weeks)[0]
    return float(row["hours"].iloc[0] * row["probability"].iloc[0]) * share


def lead_hours(fc: Forecast, lead_id: int) -> dict | None:
    """An open lead's hours, their basis and its win probability as the forecast counts them; None when the
    lead is not an open lead of ``fc``."""
    row = fc.leads[fc.leads["id"] == lead_id]
    if row.empty:
        return None
    return {"hours": float(row["hours"].iloc[0]), "basis": str(row["basis"].iloc[0]),
            "probability": float(row["probability"].iloc[0]), "start": pd.Timestamp(row["start"].iloc[0]).date()}


def warnings(fc: Forecast, settings: Capacity | None = None) -> list[str]:
    """What the digest says a week ahead: bench time when next week's expected demand (confirmed +
    expected) is under capacity × the bench ceiling, overload when its P50 (confirmed + the median of the
    simulated pipeline) is over capacity × the overload ceiling."""
    settings = settings or default_capacity()
    ahead = fc.weeks[fc.weeks["week"] > fc.today.isoformat()].head(1)
    out = []
    for r in ahead.itertuples():
        expected, p50 = r.confirmed_hours + r.expected_hours, r.confirmed_hours + r.p50_hours
        if r.capacity_hours > 0 and expected < settings.bench_ceiling * r.capacity_hours:
            out.append(f"Bench time in the week of {r.week}: {expected:,.0f} h of expected work for "
                       f"{r.capacity_hours:,.0f} h available ({expected / r.capacity_hours:.0%}, under "
                       f"{settings.bench_ceiling:.0%}).")
        if p50 > settings.overload_ceiling * r.capacity_hours:
            share = f" ({p50 / r.capacity_hours:.0%})" if r.capacity_hours > 0 else ""
            out.append(f"Overload in the week of {r.week}: the median of {p50:,.0f} h of work for "
                       f"{r.capacity_hours:,.0f} h available{share}, over {settings.overload_ceiling:.0%}.")
    return out


def team_warnings(cur: duckdb.DuckDBPyConnection, today: date) -> list[str]:
    """The digest's capacity warnings for the week after ``today`` (the whole team's forecast)."""
    return warnings(forecast(cur, today, Filters.everything()))
