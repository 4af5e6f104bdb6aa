"""What a query function declares it reads (``changes.reads``) is what its SQL reads: the dashboard keeps its
results across writes to every other table (shell/cache.py), so a table read but not declared would leave a page
showing what the store no longer holds. Each declared function runs on a small demo store with its statements
recorded; DuckDB's plan of each (optimizer off, so that no empty table is planned away) names the tables scanned,
and every store table among them must be declared (or, with ``leads=``, be one of the per-lead tables).
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from datetime import date

import pytest

import sales
from sales import memo
from sales.changes import PER_LEAD
from sales.demo import write_demo
from sales.filters import Filters
from tests.conftest import ADMIN

TODAY = date(2026, 11, 30)
YEAR = Filters(date(2026, 1, 1), TODAY)


class Recording:
    """A cursor that remembers every statement run through it (and through anything it is handed to)."""

    def __init__(self, cur):
        self._cur, self.statements = cur, []

    def execute(self, sql, params=None):
        self.statements.append((sql, params))
        return self._cur.execute(sql) if params is None else self._cur.execute(sql, params)

    def __getattr__(self, name):
        return getattr(self._cur, name)


def _scanned(plan) -> set[str]:
    out: set[str] = set()
    for node in plan if isinstance(plan, list) else [plan]:
        table = node.get("extra_info", {}).get("Table")
        if table:
            out.add(table.split(".")[-1])
        out |= _scanned(node.get("children", []))
    return out


def tables_read(store, fn, *args) -> set[str]:
    """The store tables ``fn(cursor, *args)``'s statements scan."""
    rec = Recording(store.cursor())
    fn(rec, *args)
    explain = store.cursor()
    store_tables = {r[0] for r in explain.execute("""SELECT table_name FROM duckdb_tables()
                                                     WHERE database_name = current_database()""").fetchall()}
    explain.execute("PRAGMA disable_optimizer")
    read: set[str] = set()
    for sql, params in rec.statements:
        try:
            rows = explain.execute(f"EXPLAIN (FORMAT JSON) {sql}", params or []).fetchall()
        except Exception as e:  # a statement that is no query (SET, ATTACH…)
            assert not sql.lstrip().upper().startswith(("SELECT", "WITH")), (sql, e)
            continue
        for _, plan in rows:
            read |= _scanned(json.loads(plan))
    return read & store_tables


def _declared() -> set:
    """Every function in sales/ that declares what it reads."""
    found = set()
    for info in pkgutil.walk_packages(sales.__path__, "sales."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        found |= {v for v in vars(module).values() if callable(v) and getattr(v, "reads", None)
                  and getattr(v, "__module__", None) == info.name}
    return found


def _calls():
    from sales import budget, funnel, managers, movement, priorities, week
    from sales.team import margin, utilisation

    autumn = Filters(date(2026, 9, 1), TODAY)

    return {
        budget.account_status: (date(2026, 11, 1), TODAY, TODAY),
        budget.period_hours: (date(2026, 11, 1), TODAY),
        budget.burn: (date(2026, 11, 1), TODAY, TODAY),
        utilisation.view: (date(2026, 9, 1), TODAY),
        movement.movement: (date(2026, 11, 1), TODAY),
        margin.margin: (ADMIN, YEAR),
        week.this_week: (TODAY,),
        managers.owner_table: (TODAY,),
        funnel.cohort_funnel: (autumn,), funnel.dropoff: (autumn,), funnel.open_by_stage: (autumn,),
        funnel.time_in_stage: (autumn,), funnel.violations: (autumn,), funnel.velocity: (autumn, TODAY),
        priorities.counts_by: (YEAR, "month"), priorities.ranked_leads: (YEAR,), priorities.backtest: (YEAR,),
        priorities.lead_detail: (1,),
    }


def _forecast_over_probabilities(cur, f):
    from sales import forecast

    return forecast._forecast(cur, f, forecast._win_probabilities(cur))


def _kept():
    """Parts kept as Python results (``memo.value``) with the tables their ``same`` reads."""
    from sales import attention, forecast, funnel
    from sales.team import capacity, margin, utilisation

    weeks = capacity.mondays(TODAY, 4)
    everything = Filters.everything()
    return {
        attention._followups: ((everything, TODAY), attention.FOLLOWUP_READS),
        funnel._time_in_stage: ((Filters(date(2026, 9, 1), TODAY, sources=("Referral",)),), funnel.MOVES_READS),
        attention._stuck_rows: ((everything, TODAY), attention.STUCK_READS),
        attention._to_rescore: ((everything, TODAY), attention.RESCORE_READS),
        forecast._win_probabilities: ((), forecast.PROBABILITY_READS),
        _forecast_over_probabilities: ((everything,), forecast.FORECAST_READS),
        margin._priced: ((date(2026, 1, 1), TODAY, margin.default_currencies()), margin.PRICED_READS),
        margin._won_leads: ((), (*margin.WON_READS, *PER_LEAD)),  # the won leads' rows of these (leads_read)
        utilisation._available: ((date(2026, 9, 1), TODAY, "week"), utilisation.AVAILABLE_READS),
        capacity.capacity_hours: ((weeks,), capacity.CAPACITY_READS),
        capacity.confirmed_hours: ((TODAY, weeks), capacity.CONFIRMED_READS),
    }


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from sales.store import Store

    was = memo.shared()
    memo._SHARED.clear()  # every statement inline, reading the store's own tables
    with Store(tmp_path_factory.mktemp("reads") / "demo.duckdb") as s:
        write_demo(s, ADMIN, leads=300, time_entries=3000)
        yield s
    if was:
        memo.share()


def test_every_declared_function_is_checked_here():
    assert _declared() == set(_calls())


@pytest.mark.parametrize("fn", sorted(_calls(), key=lambda f: f.__qualname__), ids=lambda f: f.__name__)
def test_a_function_reads_only_what_it_declares(demo, fn):
    read = tables_read(demo, fn, *_calls()[fn])
    allowed = set(fn.reads) | (set(PER_LEAD) if getattr(fn, "reads_leads", None) else set())
    assert read, fn  # it reads the store at all: the recording saw its statements
    assert read <= allowed, (fn.__name__, sorted(read - allowed))


@pytest.mark.parametrize("fn", sorted(_kept(), key=lambda f: f.__qualname__), ids=lambda f: f.__name__)
def test_a_kept_part_reads_only_what_its_keeping_names(demo, fn):
    args, tables = _kept()[fn]
    read = tables_read(demo, fn, *args)
    assert read and read <= set(tables), (fn.__name__, sorted(read - set(tables)))
