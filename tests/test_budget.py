"""Budget arithmetic: SprintCraft's vectors, change points, status, the burn's pace, caps, invoices."""

import json
from datetime import date

import pandas as pd
import pytest

from sales.budget import account_status, burn, cap_alert, invoice_lines, period_hours, small_projects, status
from sales.cli import main
from sales.ingest import import_file
from sales.store import Store
from tests.cli_runner import cli_fixture as cli  # noqa: F401 (the fixture)
from tests.conftest import ADMIN

# two retainers: Flat has 62 h a month from January 2020; Step 62 h from January, 31 h from March 2020
CHANGE_POINTS = """account,effective_month,monthly_hours,fixed_total_hours,hourly_rate,currency,kind
Flat,2020-01,62,,100,USD,retainer
Step,2020-01,62,,100,USD,retainer
Step,2020-03,31,,100,USD,retainer
"""


@pytest.mark.parametrize("account, start, end, hours", [
    ("Flat", "2020-01-01", "2020-01-10", 20),                 # the guide's vector: 62 / 31 * 10
    ("Flat", "2020-01-01", "2020-03-01", 126),                # 62 + 62 + 62 / 31 * 1
    ("Flat", "2020-02-01", "2020-02-29", 62),                 # a whole leap February
    ("Flat", "2020-02-15", "2020-02-15", 62 / 29),            # one day of February 2020
    ("Flat", "2019-12-01", "2020-01-31", 62),                 # nothing before the first change point
    ("Step", "2020-02-01", "2020-03-31", 62 + 31),            # the change point holds from its month
    ("Step", "2020-03-17", "2020-04-15", 31 / 31 * 15 + 31 / 30 * 15),  # still in force in April
    ("Flat", "2020-01-10", "2020-01-09", None),               # an empty range: no goal, so not listed
])
def test_the_goal_sums_whole_months_and_prorates_partial_ones_by_day(tmp_path, capsys, account, start, end,
                                                                      hours):
    """Budgets imported from a file, the goal as ``python -m sales report budget`` prints it."""
    (tmp_path / "budgets.csv").write_text(CHANGE_POINTS, encoding="utf-8")
    db = tmp_path / "s.duckdb"
    with Store(db) as s:
        assert import_file(s, ADMIN, tmp_path / "budgets.csv").imported == 3
    capsys.readouterr()
    assert main(["report", "budget", "--db", str(db), "--from", start, "--to", end, "--today", "2020-06-30",
                 "--format", "json"]) == 0
    goals = {r["account"]: r["goal"] for r in json.loads(capsys.readouterr().out)["hours against budget"]}
    assert goals.get(account) == (None if hours is None else pytest.approx(hours))


@pytest.mark.parametrize("spent, goal, expected", [
    (0, 100, "on track"), (79.9, 100, "on track"), (80, 100, "warning"), (100, 100, "warning"),
    (100.1, 100, "over"), (5, 0, "no budget"), (0, 0, "no budget"),
])
def test_status(spent, goal, expected):
    assert status(spent, goal) == expected


@pytest.mark.parametrize("spent, cap, alert", [(0, 5, "ok"), (3.9, 5, "ok"), (4, 5, "nearing cap"),
                                               (5, 5, "cap reached"), (12, 10, "cap reached")])
def test_cap_alert(spent, cap, alert):
    assert cap_alert(spent, cap) == alert


def _seed(store):
    with store.transaction() as cur:
        cur.execute("""INSERT INTO budgets (account, effective_month, monthly_hours, hourly_rate, currency, kind,
                       entry_key) VALUES ('Hedera', DATE '2020-01-01', 62, 100, 'USD', 'retainer', 'a'),
                                         ('Hedera', DATE '2020-03-01', 31, 120, 'USD', 'retainer', 'b')""")
        rows = [("2020-01-05", 10, True), ("2020-01-20", 15, True), ("2020-01-21", 4, False),
                ("2020-02-03", 50, True), ("2020-03-02", 40, True), ("2020-03-03", 2, None)]
        for d, h, billable in rows:
            cur.execute("""INSERT INTO time_entries (tool, person, work_date, hours, billable, account)
                           VALUES ('t', 'A', ?, ?, ?, 'Hedera')""", [d, h, billable])
        cur.execute("""INSERT INTO time_entries (tool, person, work_date, hours, billable, account)
                       VALUES ('t', 'B', DATE '2020-02-10', 3, true, 'No budget ltd')""")


def test_account_status(store):
    _seed(store)
    df = account_status(store.cursor(), date(2020, 1, 1), date(2020, 1, 31), today=date(2020, 3, 31)).set_index(
        "account")
    h = df.loc["Hedera"]
    # January: goal 62, billable 10 + 15, non-billable 4
    assert (h["goal"], h["billable"], h["non_billable"], h["status"]) == (62, 25, 4, "on track")
    assert h["non_billable_share"] == pytest.approx(4 / 29)
    # year to date (Jan 1 - Mar 31): goal 62 + 62 + 31 = 155, billable 10 + 15 + 50 + 40 = 115
    assert (h["goal_ytd"], h["spent_ytd"], h["remaining_ytd"]) == (pytest.approx(155), 115, pytest.approx(40))
    assert "No budget ltd" not in df.index  # no hours in January, no budget: not listed

    feb = account_status(store.cursor(), date(2020, 2, 1), date(2020, 2, 29), today=date(2020, 3, 31)).set_index(
        "account")
    # February: 50 billable against 62: 81 % → warning; an account with hours and no budget has its own status
    assert (feb.loc["Hedera", "status"], feb.loc["Hedera", "overhead"]) == ("warning", 0)
    assert (feb.loc["No budget ltd", "goal"], feb.loc["No budget ltd", "status"]) == (0, "no budget")
    assert feb.loc["No budget ltd", "overhead"] == 3

    mar = account_status(store.cursor(), date(2020, 3, 1), date(2020, 3, 31), today=date(2020, 3, 31)).set_index(
        "account")
    # March: 40 billable against the new 31: over by 9 (overhead); the unmarked 2 h count as non-billable
    assert (mar.loc["Hedera", "status"], mar.loc["Hedera", "overhead"], mar.loc["Hedera", "non_billable"]) == (
        "over", 9, 2)


@pytest.mark.parametrize("start, end, expected", [
    # January: Hedera 10 + 15 billable of 62 (40 %); the 4 non-billable hours do not count
    ("2020-01-01", "2020-01-31", {"billable": 25, "goal": 62, "over": 0, "warning": 0, "no_budget": 0}),
    # February: Hedera 50 of 62 (81 %: warning), No budget ltd 3 against nothing (no budget, not over)
    ("2020-02-01", "2020-02-29", {"billable": 53, "goal": 62, "over": 0, "warning": 1, "no_budget": 1}),
    # March: Hedera 40 of the new 31 (over); the unmarked 2 h are not billable
    ("2020-03-01", "2020-03-31", {"billable": 40, "goal": 31, "over": 1, "warning": 0, "no_budget": 0}),
])
def test_period_hours_is_the_budget_headline(store, start, end, expected):
    _seed(store)
    got = period_hours(store.cursor(), date.fromisoformat(start), date.fromisoformat(end))
    assert got == pytest.approx(expected)


def test_burn_and_its_pace(store):
    _seed(store)
    df = burn(store.cursor(), date(2020, 1, 1), date(2020, 1, 31), today=date(2020, 1, 20), account="Hedera")
    assert len(df) == 31
    assert df["goal"].iloc[-1] == pytest.approx(62) and df["goal"].iloc[9] == pytest.approx(20)
    assert df["spent"].iloc[3] == 0 and df["spent"].iloc[4] == 10 and df["spent"].iloc[-1] == 25
    # 25 h in 20 days → 1.25 h a day → 38.75 h by the 31st
    assert df["pace"].iloc[19] == 25 and df["pace"].iloc[-1] == pytest.approx(38.75)
    assert df["pace"].iloc[:19].isna().all()


def test_small_projects_and_investment(store):
    with store.transaction() as cur:
        cur.execute("""INSERT INTO budgets (account, effective_month, fixed_total_hours, kind, lead_id, entry_key)
                       VALUES ('Hedera', DATE '2026-01-01', 5, 'discovery', 1, 'd1'),
                              ('Affogato', DATE '2026-01-01', 5, 'discovery', 2, 'd2'),
                              ('Brown', DATE '2026-02-01', 10, 'development', 3, 'd3')""")
        for acc, d, h in [("Hedera", "2026-01-03", 4.5), ("Affogato", "2026-01-04", 2),
                          ("Brown", "2026-01-20", 6), ("Brown", "2026-02-02", 10.5)]:
            cur.execute("""INSERT INTO time_entries (tool, work_date, hours, billable, account)
                           VALUES ('t', ?, ?, true, ?)""", [d, h, acc])
    df = small_projects(store.cursor(), {1: "High", 2: "Medium", 3: "Low"}).set_index("account")
    assert df.loc["Hedera", ["spent", "left", "alert", "billing"]].tolist() == [4.5, 0.5, "nearing cap",
                                                                                "investment (High lead)"]
    assert df.loc["Affogato", ["spent", "alert", "billing"]].tolist() == [2, "ok", "billable"]
    # only hours from the project's start count: 10.5 of the 16.5
    assert df.loc["Brown", ["spent", "left", "alert"]].tolist() == [10.5, 0, "cap reached"]


def test_invoice_lines(store):
    _seed(store)
    df = invoice_lines(store.cursor(), date(2020, 1, 1), date(2020, 3, 31))
    rows = df[df["account"] == "Hedera"][["month", "billable_hours", "rate", "amount"]].values.tolist()
    assert rows == [["2020-01", 25, 100, 2500], ["2020-02", 50, 100, 5000], ["2020-03", 40, 120, 4800]]
    other = df[df["account"] == "No budget ltd"]
    assert other["billable_hours"].tolist() == [3] and other["rate"].isna().all()


def test_small_projects_look_up_lead_categories(store):
    from tests.pipeline_store import build

    build(store)  # lead 1 (Alpha) is High, lead 2 (Beta) Medium
    with store.transaction() as cur:
        cur.execute("""INSERT INTO budgets (account, effective_month, fixed_total_hours, kind, lead_id, entry_key)
                       VALUES ('Alpha', DATE '2026-02-01', 5, 'discovery', 1, 'a'),
                              ('Beta', DATE '2026-02-01', 5, 'discovery', 2, 'b')""")
    df = small_projects(store.cursor()).set_index("account")
    assert df["billing"].to_dict() == {"Alpha": "investment (High lead)", "Beta": "billable"}


def test_invoice_lines_do_not_bill_a_high_leads_discovery(store):
    from tests.pipeline_store import build

    build(store)  # Alpha (lead 1) is High, Beta (lead 2) Medium
    with store.transaction() as cur:
        cur.execute("""INSERT INTO budgets (account, effective_month, fixed_total_hours, hourly_rate, currency, kind,
                       lead_id, entry_key) VALUES ('Alpha', DATE '2026-02-01', 5, 120, 'USD', 'discovery', 1, 'a'),
                                              ('Beta', DATE '2026-02-01', 5, 120, 'USD', 'discovery', 2, 'b')""")
        for acc in ["Alpha", "Beta"]:
            cur.execute("""INSERT INTO time_entries (tool, work_date, hours, billable, account)
                           VALUES ('t', DATE '2026-02-10', 3, true, ?)""", [acc])
    df = invoice_lines(store.cursor(), date(2026, 2, 1), date(2026, 2, 28)).set_index("account")
    assert (df.loc["Alpha", "billable_hours"], df.loc["Alpha", "amount"]) == (3, 0)
    assert df.loc["Alpha", "note"].startswith("investment")
    # a Medium lead's discovery is billable, at the rate recorded on its small-project budget
    assert df.loc["Beta", ["billable_hours", "rate", "amount", "currency"]].tolist() == [3, 120, 360, "USD"]
    assert pd.isna(df.loc["Beta", "note"])


def test_no_budget_is_not_over_through_import_and_report(cli, tmp_path):  # noqa: F811
    """Hand-made exports: Hedera has 62 h a month from January 2026 and logs 70 billable hours in January (over:
    113 %); Quill logs 30 (48 %: on track); Nobudget Ltd logs 3 billable hours and has no budget at all."""
    budgets, time = tmp_path / "budgets.csv", tmp_path / "time.csv"
    budgets.write_text("account,effective_month,monthly_hours,fixed_total_hours,hourly_rate,currency,kind\n"
                       "Hedera,2026-01,62,,125,USD,retainer\nQuill,2026-01,62,,100,EUR,retainer\n")
    time.write_text("date,person,hours,billable,client,project,account,issue_key,description\n"
                    "2026-01-05,Ana,40,yes,Hedera,P,Hedera,H-1,Theme\n"
                    "2026-01-06,Ana,30,yes,Hedera,P,Hedera,H-2,Theme\n"
                    "2026-01-07,Bo,30,yes,Quill,P,Quill,Q-1,Course\n"
                    "2026-01-08,Bo,3,yes,Nobudget Ltd,P,Nobudget Ltd,N-1,Call\n")
    db = str(tmp_path / "s.duckdb")
    assert cli("import", str(budgets), "--db", db).returncode == 0
    assert cli("import", str(time), "--db", db).returncode == 0
    ran = cli("report", "budget", "--from", "2026-01-01", "--to", "2026-01-31", "--today", "2026-01-31",
              "--db", db, "--format", "json")
    assert ran.returncode == 0, ran.stderr
    rows = {r["account"]: r for r in json.loads(ran.stdout)["hours against budget"]}
    assert {a: (r["goal"], r["billable"], r["status"]) for a, r in rows.items()} == {
        "Hedera": (62, 70, "over"), "Nobudget Ltd": (0, 3, "no budget"), "Quill": (62, 30, "on track")}
    with Store(db) as s:  # the headline: one account over, one with no budget
        assert period_hours(s.cursor(), date(2026, 1, 1), date(2026, 1, 31)) == {
            "billable": 103, "goal": 124, "over": 1, "warning": 0, "no_budget": 1}
