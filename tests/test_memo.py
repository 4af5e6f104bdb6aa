"""Derived tables per data version (sales/memo.py): the Budget page's figures read once per period, the same as
computed inline, and never stale after a write."""

from datetime import date

import pytest

from sales import memo
from sales.budget import account_status, invoice_lines, period_hours
from tests.test_budget import _seed

JAN = (date(2020, 1, 1), date(2020, 1, 31))


@pytest.fixture
def shared():
    was = memo.shared()
    memo.share()
    yield
    if not was:
        memo._SHARED.clear()


def _tables(cur) -> list[str]:
    return [r[0] for r in cur.execute("""SELECT table_name FROM duckdb_tables() WHERE database_name = 'memo'
                                         AND starts_with(table_name, 'budget_') ORDER BY table_name""").fetchall()]


def test_the_period_is_read_once_for_the_status_and_headline_and_once_for_the_invoice_lines(store, shared):
    _seed(store)
    cur = store.cursor()
    memo.forget(cur)
    # the period's entries per account: one derived table for the status and the headline
    h = account_status(cur, *JAN, today=date(2020, 1, 31)).set_index("account").loc["Hedera"]
    assert (h["goal"], h["billable"], h["non_billable"], h["spent_ytd"]) == (62, 25, 4, 25)
    assert period_hours(cur, *JAN) == pytest.approx({"billable": 25, "goal": 62, "over": 0, "warning": 0,
                                                     "no_budget": 0})
    assert sorted(t.split("_")[1] for t in _tables(cur)) == ["accounts", "goals", "goals"]  # the period's, the year's
    # per account and month for the invoice lines, and the capped projects' days (none here)
    lines = invoice_lines(cur, *JAN)
    assert lines[["account", "month", "billable_hours", "amount"]].values.tolist() == [["Hedera", "2020-01", 25, 2500]]
    assert sorted(t.split("_")[1] for t in _tables(cur)) == ["accounts", "capped", "goals", "goals", "months", "spent"]
    # a year to date other than the period (Jan 1 - Mar 31: 10 + 15 + 50 + 40 billable): its own table per
    # account, kept like the others until the time entries change
    h = account_status(cur, *JAN, today=date(2020, 3, 31)).set_index("account").loc["Hedera"]
    assert (h["billable"], h["spent_ytd"]) == (25, 115)
    assert sorted(t.split("_")[1] for t in _tables(cur)) == ["accounts", "capped", "goals", "goals", "goals", "months",
                                                             "spent", "ytd"]


def test_a_write_is_seen_by_the_next_query(store, shared):
    _seed(store)
    cur = store.cursor()
    assert period_hours(cur, *JAN)["billable"] == 25
    with store.transaction() as w:
        w.execute("""INSERT INTO time_entries (tool, person, work_date, hours, billable, account)
                     VALUES ('t', 'A', DATE '2020-01-30', 7.5, true, 'Hedera')""")
    assert period_hours(cur, *JAN)["billable"] == 32.5
    assert invoice_lines(cur, *JAN)["billable_hours"].tolist() == [32.5]


def test_a_computation_told_the_data_version_reads_it_once_and_still_sees_a_later_write(store, shared, monkeypatch):
    import sales.queries

    _seed(store)
    cur = store.cursor()
    memo.forget(cur)
    asked = []
    real = sales.queries.data_version
    monkeypatch.setattr(sales.queries, "data_version", lambda c: asked.append(1) or real(c))
    version = sales.queries.data_version(cur)
    asked.clear()
    with memo.reading(version):  # what the dashboard's query cache tells each computation
        assert period_hours(cur, *JAN)["billable"] == 25
        assert account_status(cur, *JAN, today=date(2020, 1, 31)).set_index("account").loc["Hedera", "billable"] == 25
    assert asked == []  # the kept tables took the version they were told, not reading it per part
    with store.transaction() as w:
        w.execute("""INSERT INTO time_entries (tool, person, work_date, hours, billable, account)
                     VALUES ('t', 'A', DATE '2020-01-30', 7.5, true, 'Hedera')""")
    assert period_hours(cur, *JAN)["billable"] == 32.5  # untold: the version is read again, the write seen
    assert asked
    with memo.reading(version):  # a run that began before the write: the tables kept for its version, as the
        assert period_hours(cur, *JAN)["billable"] == 25  # rest of what it shows (the next run reads the new one)
