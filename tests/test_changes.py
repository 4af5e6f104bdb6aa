"""The dashboard's shared lead state kept across writes (sales/changes.py, memo.kept): after a workbench
edit only the edited lead's row is computed again; after a write that cannot touch a lead's assessments or facts
(a time import, a role) no row is; after anything else (a CRM import, an undo, a write the audit trail does not
explain) the state is built in full. The leads are tests/pipeline_store.py's, worked out by hand there:

- Alpha (1), High at 28 with inquiry, responsive and needs documented: Blueprint (index 3). Assessed again at
  0: Low, with 28 as its previous score; Low does not qualify, so back to Prospect Qualification (1).
- Beta (2), Medium at 14 with inquiry and responsive: Assess Needs (2). Its needs ticked: Blueprint (3).
"""

from datetime import date

import pytest

from sales import memo
from sales.access import grant
from sales.budget import period_hours
from sales.ingest import import_file, undo_batch
from sales.leadstate import open_leads_by_category, state_table
from sales.workbench import save_assessment, set_fact
from tests.conftest import ADMIN, BIZDEV, ROOT
from tests.pipeline_store import ALL0, build

FIX = ROOT / "tests" / "fixtures"


@pytest.fixture
def shared(store):
    was = memo.shared()
    memo.share()
    build(store)
    memo.forget(store.cursor())
    yield store.cursor()
    if not was:
        memo._SHARED.clear()


JAN = (date(2020, 1, 1), date(2020, 1, 31))


@pytest.fixture
def hedera(store, shared):
    """tests/test_budget.py's Hedera beside tests/pipeline_store.py's leads, derived tables shared: a cursor."""
    from tests.test_budget import _seed

    _seed(store)
    return shared


def _row(cur, lead: int) -> tuple:
    return cur.execute(f"""SELECT score, category, assessments, previous_score, stage_index
                           FROM {state_table(cur)} WHERE id = ?""", [lead]).fetchall()[0]


def test_an_edit_computes_its_lead_again_and_nothing_else(store, shared):
    cur = shared
    first = state_table(cur)
    assert memo.refreshed(first) is None  # nothing held yet: built in full
    assert open_leads_by_category(cur) == {"High": 1, "Medium": 1, "Low": 0}
    assert _row(cur, 1) == (28, "High", 1, None, 3)

    save_assessment(store, BIZDEV, 1, ALL0, {})
    after = state_table(cur)
    assert after != first and memo.refreshed(after) == [1]
    assert _row(cur, 1) == (0, "Low", 2, 28, 1)
    assert open_leads_by_category(cur) == {"High": 0, "Medium": 1, "Low": 1}

    set_fact(store, ADMIN, 2, "needs_documented", True)
    assert memo.refreshed(state_table(cur)) == [2]
    assert _row(cur, 2) == (14, "Medium", 1, None, 3)
    assert _row(cur, 1) == (0, "Low", 2, 28, 1)  # kept from the table before


def test_a_time_import_or_a_role_keeps_every_row(store, shared):
    cur = shared
    state_table(cur)
    result = import_file(store, ADMIN, FIX / "time_canonical.csv")
    assert result.imported > 0 and memo.refreshed(state_table(cur)) == []
    grant(store, ADMIN, "new@agency.example", "viewer")
    assert memo.refreshed(state_table(cur)) == []
    assert _row(cur, 1) == (28, "High", 1, None, 3)

    undo_batch(store, ADMIN, result.batch)  # an undo may remove anything: built in full
    assert memo.refreshed(state_table(cur)) is None


def test_a_crm_import_or_an_unexplained_write_builds_in_full(store, shared):
    cur = shared
    state_table(cur)
    assert import_file(store, ADMIN, FIX / "leads_canonical.csv").imported > 0
    assert memo.refreshed(state_table(cur)) is None

    state_table(cur)
    with store.transaction() as w:  # a row no audited write explains (no production code writes this way)
        w.execute("""INSERT INTO assessments (lead_id, assessed_at, assessed_by, rubric_version, need)
                     VALUES (2, TIMESTAMP '2026-03-20 10:00', 'x', 'handbook-1', 0)""")
    assert memo.refreshed(state_table(cur)) is None
    assert _row(cur, 2)[2] == 2  # Beta's second assessment is counted


def test_every_change_kind_and_file_kind_says_what_it_writes():
    """A change kind added later must say which tables it writes before anything is kept across it."""
    from sales.audit import CHANGE_KINDS
    from sales.changes import FILE_WRITES, WRITES
    from sales.ingest.formatdef import FILE_KINDS

    assert set(WRITES) | {"import"} == set(CHANGE_KINDS)
    assert set(FILE_WRITES) == set(FILE_KINDS)


def test_the_budget_figures_are_kept_until_the_time_entries_change(store, hedera, tmp_path):
    """tests/test_budget.py's Hedera: 10 + 15 billable hours in January 2020 against a goal of 62. A role or an
    assessment leaves the entries as they were, so the period's table is read again as it is; a time file that
    logs 5 more billable hours in January is read: 30."""
    cur = hedera
    assert period_hours(cur, *JAN)["billable"] == 25
    tables = _budget_tables(cur)
    grant(store, ADMIN, "new@agency.example", "viewer")
    save_assessment(store, BIZDEV, 1, ALL0, {})
    assert period_hours(cur, *JAN)["billable"] == 25 and _budget_tables(cur) == tables
    more = tmp_path / "more.csv"
    more.write_text("date,person,hours,billable,account\n2020-01-28,A,5,yes,Hedera\n", encoding="utf-8")
    assert import_file(store, ADMIN, more).imported == 1
    assert period_hours(cur, *JAN)["billable"] == 30 and _budget_tables(cur) != tables


def _budget_tables(cur) -> list[str]:
    """The period's entries per account (``budget._account_spent``), one table per period and data version."""
    return [r[0] for r in cur.execute("""SELECT table_name FROM duckdb_tables() WHERE database_name = 'memo'
                                         AND starts_with(table_name, 'budget_accounts_') ORDER BY 1""").fetchall()]


def test_the_kept_state_is_the_state_built_in_full(store, shared):
    """After edits on several leads, every row and column of the kept state equals a build from scratch."""
    from sales.leadstate import COMPUTED
    from sales.rubric import default_rubric
    from sales.rulebook import lead_state_sql

    cur = shared
    state_table(cur)
    save_assessment(store, BIZDEV, 1, ALL0, {})
    set_fact(store, ADMIN, 2, "needs_documented", True)
    set_fact(store, ADMIN, 6, "inquiry_received", True)
    save_assessment(store, BIZDEV, 6, ALL0, {})
    kept = state_table(cur)
    assert memo.refreshed(kept) == [1, 2, 6]  # four writes since the state was last read: their three leads
    cols = ", ".join(("id", *default_rubric().keys, *COMPUTED))
    full = f"(SELECT {cols} FROM ({lead_state_sql()}))"
    assert cur.execute(f"SELECT count(*) FROM (SELECT {cols} FROM {kept} EXCEPT ALL SELECT * FROM {full})"
                       ).fetchall()[0][0] == 0
    assert cur.execute(f"SELECT count(*) FROM (SELECT * FROM {full} EXCEPT ALL SELECT {cols} FROM {kept})"
                       ).fetchall()[0][0] == 0


def test_a_kept_table_in_use_is_not_the_first_dropped(store, hedera):
    """The Budget page's January table, read again across a role change, outlives tables built since: the ones
    not handed out for longest go first (8 are kept per kind)."""
    cur = hedera
    assert period_hours(cur, *JAN)["billable"] == 25
    january = _budget_tables(cur)
    for day in range(2, 9):  # seven more periods: eight tables
        period_hours(cur, date(2020, 1, day), date(2020, 1, 31))
    grant(store, ADMIN, "new@agency.example", "viewer")
    assert period_hours(cur, *JAN)["billable"] == 25  # January's table, read again
    period_hours(cur, date(2020, 1, 9), date(2020, 1, 31))  # a ninth: the least recently used goes
    assert set(january) <= set(_budget_tables(cur)) and len(_budget_tables(cur)) == 8


def test_what_utilisation_reads_changes_with_a_person_or_time_off_not_with_a_lead(store):
    """``unchanged`` for the tables utilisation declares: an assessment leaves them; a person's row, and then a
    day off, each change them."""
    from sales.changes import unchanged
    from sales.queries import data_version
    from sales.team.edits import add_time_off, save_person

    build(store)
    cur = store.cursor()
    same = unchanged("time_entries", "people", "time_off")
    before = data_version(cur)
    save_assessment(store, BIZDEV, 1, ALL0, {})
    assert same(cur, before, data_version(cur))
    save_person(store, ADMIN, {"name": "Ana", "weekly_capacity_hours": 40, "country": "GB",
                               "effective_from": date(2026, 1, 1)})
    assert not same(cur, before, data_version(cur))
    before = data_version(cur)
    add_time_off(store, ADMIN, "Ana", date(2026, 3, 2), date(2026, 3, 2))
    assert not same(cur, before, data_version(cur))


def test_each_change_kind_writes_only_the_tables_it_declares(store):
    """Every writer, run for real on a small demo store: the tables whose rows change (besides the audit trail) are
    among those its change kind declares (``WRITES``), and an import's among its file kind's (``FILE_WRITES``,
    with its batch and rejected rows). A writer that starts writing another table fails here first."""
    from sales import access, contacts, targets, workbench
    from sales.changes import BATCH, FILE_WRITES, WRITES
    from sales.demo import write_demo
    from sales.team import edits

    write_demo(store, ADMIN, leads=50, time_entries=500)
    cur = store.cursor()

    def snapshot() -> dict:
        tables = [r[0] for r in cur.execute("""SELECT table_name FROM duckdb_tables()
                                               WHERE database_name = current_database()""").fetchall()]
        return {t: cur.execute(f'SELECT count(*), coalesce(sum(hash(x)), 0) FROM "{t}" x').fetchall()[0]
                for t in tables}

    def changed(write) -> set[str]:
        before = snapshot()
        write()
        after = snapshot()
        return {t for t in after if after[t] != before.get(t)} - {"audit_log"}

    lead = cur.execute("SELECT min(id) FROM leads").fetchall()[0][0]
    person = cur.execute("SELECT min(name) FROM people").fetchall()[0][0]
    writes = [
        ("assessment", lambda: workbench.save_assessment(store, BIZDEV, lead, ALL0, {})),
        ("gate", lambda: workbench.set_fact(store, ADMIN, lead, "needs_documented", True)),
        ("note", lambda: workbench.add_note(store, ADMIN, lead, "situation", "Budget set in March")),
        ("offer", lambda: workbench.create_small_project(store, ADMIN, lead, workbench.small_project_offers()[0],
                                                          100.0, "EUR")),
        ("touch", lambda: contacts.log_contact(store, ADMIN, lead, "email", "Sent the proposal")),
        ("touch_undone", lambda: contacts.undo_contact(
            store, ADMIN, cur.execute("SELECT max(id) FROM lead_contacts").fetchall()[0][0])),
        ("role", lambda: grant(store, ADMIN, "new@agency.example", "viewer")),
        ("role", lambda: access.set_crm_owner(store, ADMIN, "new@agency.example", "Bo", new_owner=True)),
        ("role", lambda: access.revoke(store, ADMIN, "new@agency.example")),
        ("target", lambda: targets.set_target(store, ADMIN, "2026-Q1", 1000)),
        ("target", lambda: targets.clear_target(store, ADMIN, "2026-Q1")),
        ("people", lambda: edits.add_time_off(store, ADMIN, person, date(2026, 1, 5), date(2026, 1, 6))),
        ("people", lambda: edits.remove_time_off(
            store, ADMIN, cur.execute("SELECT max(id) FROM time_off").fetchall()[0][0])),
    ]
    for kind, write in writes:
        wrote = changed(write)
        assert wrote and wrote <= set(WRITES[kind]), (kind, wrote)
    for name, kind in (("time_canonical.csv", "time"), ("toggl.csv", "time"), ("budgets.csv", "budgets"),
                       ("team/people.csv", "people"), ("team/time_off.csv", "time_off")):
        wrote = changed(lambda n=name: import_file(store, ADMIN, FIX / n))
        assert set(FILE_WRITES[kind]) <= wrote <= {*FILE_WRITES[kind], *BATCH}, (name, wrote)
    for name in ("leads_canonical.csv", "leads_every_stage.csv", "zoho_leads.csv", "leads_canonical.csv"):  # the
        wrote = changed(lambda n=name: import_file(store, ADMIN, FIX / n))  # second time: the CRM's new versions
        assert "leads" in wrote and wrote <= {*FILE_WRITES["leads"], *BATCH}, (name, wrote)


def test_the_kept_state_outlives_a_release_of_the_store_file(tmp_path):
    """The dashboard lets the store file go after two idle seconds (a command-line import may take its turn), and
    what it keeps beside the store stays: the next query finds the lead state as it was, and so does a second
    Store of the same file, while another program may open the file between the two."""
    import time

    import duckdb

    from sales.store import Store

    was = memo.shared()
    memo.share()
    try:
        with Store(tmp_path / "s.duckdb") as s:
            build(s)
        with Store(tmp_path / "s.duckdb", idle_release=0.05) as dashboard:
            table = state_table(dashboard.cursor())
            deadline = time.monotonic() + 60
            while dashboard.is_open and time.monotonic() < deadline:
                time.sleep(0.02)
            assert not dashboard.is_open
            other = duckdb.connect(str(tmp_path / "s.duckdb"))  # the file is free: another program takes its turn
            assert other.execute("SELECT count(*) FROM leads").fetchall() == [(6,)]
            other.close()
            cur = dashboard.cursor()
            held = [r[0] for r in cur.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'memo'"
                                              ).fetchall()]
            assert table.removeprefix("memo.") in held  # there before anything asked for it again
            assert state_table(cur) == table and _row(cur, 1) == (28, "High", 1, None, 3)
            with Store(tmp_path / "s.duckdb") as second:
                assert state_table(second.cursor()) == table
    finally:
        if not was:
            memo._SHARED.clear()
