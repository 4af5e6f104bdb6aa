"""The query cache every page reads through: one result per question, shared by all sessions, that no
reader can change for another; and a key that tells apart every question that differs."""

from datetime import date, datetime

import pandas as pd
import pytest

from sales.filters import Filters
from sales.priorities import counts_by

YEAR = Filters(date(2026, 1, 1), date(2026, 12, 31))


def by_source(frame: pd.DataFrame) -> list:
    return sorted(frame[["source", "category", "leads"]].itertuples(index=False, name=None))


def counting(monkeypatch, module, name: str) -> list:
    """Replace ``module.name`` with a wrapper that notes each real computation's arguments (the cache finds a query
    function by its name); returns the list of them."""
    import functools

    calls = []
    real = getattr(module, name)

    @functools.wraps(real)
    def counted(cur, *args):
        calls.append(args)
        return real(cur, *args)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_a_reader_changing_its_result_changes_nothing_another_reads(monkeypatch, pipeline_db):
    monkeypatch.setenv("SALES_DB", str(pipeline_db))
    import shell

    # by hand (tests/pipeline_store.py): Referral holds Alpha and Delta (High) and Epsilon (Medium);
    # Web holds Beta (Medium), Gamma (Low) and Zeta (never assessed)
    expected = [("Referral", "High", 2), ("Referral", "Medium", 1),
                ("Web", "Low", 1), ("Web", "Medium", 1), ("Web", "Not assessed", 1)]
    first = shell.query(counts_by, YEAR, "source")
    assert by_source(first) == expected
    first.loc[first.index[0], "leads"] = 99  # what a careless page might do to its copy
    first["extra"] = "x"
    first.iloc[-1, 0] = "changed"
    second = shell.query(counts_by, YEAR, "source")
    assert by_source(second) == expected and "extra" not in second.columns


def test_the_key_tells_apart_every_question_that_differs():
    import shell

    different = [(1,), (True,), ("1",), (1.0,), (None,), ((1,),), ([1],), ({"a": 1},), ({"a": 1.0},),
                 (date(2026, 1, 1),), (datetime(2026, 1, 1),), (YEAR,), (Filters(YEAR.start, YEAR.end, ("High",)),),
                 (Filters(YEAR.start, YEAR.end, owners=("High",)),), ("a", "b"), ("a,b",), ("'a', 'b'",)]
    keys = [shell.cache_key("sales.x.f", (3, 4), args) for args in different]
    assert len(set(keys)) == len(different)
    assert shell.cache_key("f", (3, 4), (Filters(YEAR.start, YEAR.end),)) == shell.cache_key("f", (3, 4), (YEAR,))


def test_an_argument_whose_text_is_abridged_is_refused():
    import shell

    with pytest.raises(TypeError, match="DataFrame"):
        shell.cache_key("f", (1,), (pd.DataFrame({"a": range(1000)}),))


def test_a_write_elsewhere_keeps_the_results_of_what_it_did_not_touch(monkeypatch, pipeline_db, tmp_path):
    """tests/test_budget.py's Hedera: 10 + 15 billable hours in January 2020. The period's hours read time entries
    and budgets only (``changes.reads``): a lead's assessment or a role reads nothing again; a time file that logs
    5 more billable hours in January is read (30), and so is an undo of it (25)."""
    from sales import budget
    from sales.access import grant
    from sales.ingest import import_file, undo_batch
    from sales.store import Store
    from sales.workbench import save_assessment
    from tests.conftest import ADMIN, BIZDEV
    from tests.pipeline_store import ALL0
    from tests.test_budget import _seed

    with Store(pipeline_db) as s:
        _seed(s)
    monkeypatch.setenv("SALES_DB", str(pipeline_db))
    import shell

    shell.forget_results()
    jan = (date(2020, 1, 1), date(2020, 1, 31))

    def seen() -> float:  # the billable hours a page run reads (app.py begins every run so)
        shell.begin_run()
        return shell.query(budget.period_hours, *jan)["billable"]

    calls = counting(monkeypatch, budget, "period_hours")
    assert seen() == 25 and len(calls) == 1
    save_assessment(shell.store(), BIZDEV, 1, ALL0, {})
    grant(shell.store(), ADMIN, "new@agency.example", "viewer")
    assert seen() == 25 and len(calls) == 1
    more = tmp_path / "more.csv"
    more.write_text("date,person,hours,billable,account\n2020-01-28,A,5,yes,Hedera\n", encoding="utf-8")
    batch = import_file(shell.store(), ADMIN, more).batch
    assert seen() == 30 and len(calls) == 2
    save_assessment(shell.store(), BIZDEV, 2, ALL0, {})
    assert seen() == 30 and len(calls) == 2
    undo_batch(shell.store(), ADMIN, batch)
    assert seen() == 25 and len(calls) == 3


def test_what_moved_is_kept_across_an_assessment_and_read_again_after_a_crm_import(monkeypatch, pipeline_db):
    """tests/pipeline_store.py: three leads created in March 2026 (Gamma, Delta, Zeta). What moved reads the leads
    and their CRM versions only: an assessment reads nothing again; a CRM import (which may change any lead) does."""
    from sales import movement
    from sales.ingest import import_file
    from sales.workbench import save_assessment
    from tests.conftest import ADMIN, BIZDEV, ROOT
    from tests.pipeline_store import ALL0

    monkeypatch.setenv("SALES_DB", str(pipeline_db))
    import shell

    shell.forget_results()

    def created() -> int:
        shell.begin_run()
        return shell.query(movement.movement, date(2026, 3, 1), date(2026, 3, 31)).counts()["created"]

    calls = counting(monkeypatch, movement, "movement")
    assert created() == 3 and len(calls) == 1
    save_assessment(shell.store(), BIZDEV, 2, ALL0, {})
    assert created() == 3 and len(calls) == 1
    import_file(shell.store(), ADMIN, ROOT / "tests" / "fixtures" / "leads_canonical.csv")
    created()
    assert len(calls) == 2


def test_a_margin_is_kept_across_an_edit_of_a_lead_it_does_not_read(monkeypatch, tmp_path):
    """tests/team/test_margin.py's Nova Academy: a 5-hour discovery (110 USD an hour) for its High lead, 3 hours
    logged in May, an investment. A margin reads the assessments of won leads and of leads a budget names only:
    assessing Orbit College (open, no budget) reads nothing again; assessing Nova's lead Low (every factor 0) does,
    and its 3 hours are billed: 330 USD."""
    from sales.store import Store
    from sales.team import margin as m
    from sales.workbench import save_assessment
    from tests.conftest import ADMIN, BIZDEV
    from tests.pipeline_store import ALL0
    from tests.team.conftest import build_team_store
    from tests.team.test_margin import nova_discovery

    fresh_team_db = build_team_store(tmp_path / "team.duckdb")
    nova_discovery(fresh_team_db)
    with Store(fresh_team_db) as s:
        nova, orbit = (s.cursor().execute("SELECT id FROM leads WHERE name = ?", [n]).fetchone()[0]
                       for n in ("Nova Academy platform", "Orbit College pilot"))
    monkeypatch.setenv("SALES_DB", str(fresh_team_db))
    import shell

    shell.forget_results()

    def nova_row() -> tuple:
        shell.begin_run()
        row = shell.query(m.margin, ADMIN, Filters(date(2026, 5, 1), date(2026, 5, 31))).accounts.set_index(
            "account").loc["Nova Academy"]
        return row["revenue"], row["billed_hours"], row["investment_hours"]

    calls = counting(monkeypatch, m, "margin")
    assert nova_row() == (0, 0, 3) and len(calls) == 1
    save_assessment(shell.store(), BIZDEV, orbit, ALL0, {})
    assert nova_row() == (0, 0, 3) and len(calls) == 1
    save_assessment(shell.store(), BIZDEV, nova, ALL0, {})
    assert nova_row() == (330, 3, 0) and len(calls) == 2


def test_a_write_on_the_dashboard_builds_the_lead_state_before_the_next_page_view(monkeypatch, pipeline_db):
    """tests/test_changes.py's Alpha (lead 1): High at 28 on Blueprint; assessed again at 0 it is Low with 28 as its
    previous score, back on Prospect Qualification. The dashboard's write computes its row again as it commits:
    the next page view finds the table there, and reads Alpha's new row from it."""
    from sales import memo
    from sales.leadstate import state_table
    from sales.workbench import save_assessment
    from tests.conftest import BIZDEV
    from tests.pipeline_store import ALL0

    monkeypatch.setenv("SALES_DB", str(pipeline_db))
    import shell

    memo.forget(shell.cursor())
    first = state_table(shell.cursor())  # a page asked for it: in use
    save_assessment(shell.store(), BIZDEV, 1, ALL0, {})
    cur = shell.cursor()
    held = {r[0] for r in cur.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'memo'")
            .fetchall()}
    after = state_table(cur)
    assert after != first and after.removeprefix("memo.") in held  # built by the write, not by this query
    assert memo.refreshed(after) == [1]
    assert cur.execute(f"SELECT score, category, previous_score, stage_index FROM {after} WHERE id = 1"
                       ).fetchall() == [(0, "Low", 28, 1)]


def test_a_crm_import_keeps_the_results_that_read_no_lead(monkeypatch, pipeline_db):
    """tests/test_budget.py's Hedera (25 billable hours in January 2020): a CRM file writes leads, their versions,
    stage events, assessments and facts (changes.FILE_WRITES), never time entries or budgets, so the period's hours
    are not read again after it."""
    from sales import budget
    from sales.ingest import import_file
    from sales.store import Store
    from tests.conftest import ADMIN, ROOT
    from tests.test_budget import _seed

    with Store(pipeline_db) as s:
        _seed(s)
    monkeypatch.setenv("SALES_DB", str(pipeline_db))
    import shell

    shell.forget_results()

    def seen() -> float:
        shell.begin_run()
        return shell.query(budget.period_hours, date(2020, 1, 1), date(2020, 1, 31))["billable"]

    calls = counting(monkeypatch, budget, "period_hours")
    assert seen() == 25 and len(calls) == 1
    import_file(shell.store(), ADMIN, ROOT / "tests" / "fixtures" / "leads_canonical.csv")
    assert seen() == 25 and len(calls) == 1


def test_a_chart_whose_rows_a_write_left_as_they_were_is_not_drawn_again(monkeypatch, pipeline_db):
    """The Funnel's drop-off chart (tests/pipeline_store.py: one lead lost at Prospect Qualification, one at Assess
    Needs): Alpha assessed again changes the data version and the query runs again, but its rows are the same, so
    the chart is not drawn again; the Web leads alone are other rows, drawn."""
    from sales import charts, funnel
    from sales.funnel import dropoff
    from sales.workbench import save_assessment
    from tests.conftest import BIZDEV
    from tests.pipeline_store import ALL0

    monkeypatch.setenv("SALES_DB", str(pipeline_db))
    import shell

    shell.forget_results()
    q1 = Filters(date(2026, 1, 1), date(2026, 3, 31))
    drawn = counting(monkeypatch, charts, "dropoff_chart")
    read = counting(monkeypatch, funnel, "dropoff")

    def view(f: Filters) -> None:
        shell.begin_run()
        shell.chart(charts.dropoff_chart, dropoff, f)

    view(q1)
    assert len(drawn) == 1 and len(read) == 1
    save_assessment(shell.store(), BIZDEV, 1, ALL0, {})
    view(q1)
    assert len(drawn) == 1 and len(read) == 2  # read again, the same two rows: the same chart
    view(Filters(q1.start, q1.end, sources=("Web",)))
    assert len(drawn) == 2 and len(read) == 3
