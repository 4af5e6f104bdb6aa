"""Dashboard pages on hand-made stores: the numbers on screen, filters, drill-down, downloads."""

import pytest

from sales.store import Store
from tests.pages.conftest import open_page as page
from tests.test_budget import _seed as seed_budgets

Q1 = {"from": "2026-01-01", "to": "2026-03-31"}


def test_overview_numbers(monkeypatch, pipeline_db):
    at = page(monkeypatch, pipeline_db, "overview", **Q1)
    shown = {m.label: (m.value, m.proto.delta) for m in at.metric}
    assert shown["Open High leads"] == ("1", "+1")
    assert shown["Open Medium leads"] == ("1", "+1")
    assert shown["Open Low leads"][0] == "0"
    assert shown["Pipeline value, USD"] == ("1,800", "+1,800")
    assert shown["Win rate"][0] == "0%"
    assert shown["Accounts over budget"][0] == "0"


def test_overview_names_the_rates_and_what_it_left_unconverted(monkeypatch, pipeline_db):
    with Store(pipeline_db) as s, s.transaction() as cur:  # Beta in euros; Zeta's amount without a currency
        cur.execute("UPDATE leads SET currency = 'EUR' WHERE name = 'Beta'")
        cur.execute("UPDATE leads SET currency = NULL WHERE name = 'Zeta'")
    at = page(monkeypatch, pipeline_db, "overview", **Q1)
    shown = {m.label: m.value for m in at.metric if m.label.startswith("Pipeline")}
    assert shown == {"Pipeline value, USD": "1,000", "Pipeline value, EUR": "500", "Pipeline value, no currency": "300",
                     "Pipeline value, all in USD (converted)": "1,550"}  # 1,000 + 500 x 1.10
    note = next(c.value for c in at.caption if c.value.startswith("Converted to USD"))
    assert note.startswith("Converted to USD at 1 EUR = 1.1 USD (rate of 2026-01-15) (")
    assert note.endswith(" Not converted (no rate, or no currency): no currency.")


def test_priorities_table_filters_and_drilldown(monkeypatch, pipeline_db):
    at = page(monkeypatch, pipeline_db, "priorities", **Q1)
    ranked = at.dataframe[0].value
    assert ranked["Name"].tolist() == ["Alpha", "Beta", "Zeta"]
    assert ranked["Score range"].tolist()[:2] == ["28", "14–28"]
    assert len(at.get("vega_lite_chart")) == 2  # breakdown and backtest
    # a filter in the URL narrows the table
    at = page(monkeypatch, pipeline_db, "priorities", **Q1, owner="Bo")
    assert at.dataframe[0].value["Name"].tolist() == ["Beta", "Zeta"]
    # drill-down: the handbook's factor table, the score and the gate checklist
    at = page(monkeypatch, pipeline_db, "priorities", **Q1, lead="2")
    assert at.subheader[1].value == "Beta"
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Score"], metrics["Best case"], metrics["Stage (by its gates)"]) == ("14 / 28", "28",
                                                                                         "Assess Needs")
    factors = at.dataframe[1].value.set_index("Factor")
    assert factors.loc["Prestige", "Weighted score"] == "6" and factors.loc["Need", "Weight"] == "2"


def test_priorities_violation_warning(monkeypatch, pipeline_db):
    at = page(monkeypatch, pipeline_db, "priorities", **Q1, lead="6")
    assert "records this lead at **Proposal**" in at.warning[0].value


def test_backtest_on_screen(monkeypatch, pipeline_db):
    at = page(monkeypatch, pipeline_db, "priorities", **{"from": "2026-01-01", "to": "2026-04-30"})
    bt = at.dataframe[-1].value
    assert bt[["Category", "Closed", "Won", "Win rate (%)"]].values.tolist() == [
        ["High", "1", "1", "100.0%"], ["Medium", "1", "0", "0.0%"], ["Low", "1", "0", "0.0%"]]


def test_funnel_numbers(monkeypatch, pipeline_db):
    at = page(monkeypatch, pipeline_db, "funnel", **Q1)
    table = at.dataframe[0].value
    assert table["Reached"].tolist() == ["6", "5", "4", "2", "1", "1", "1", "0"]
    assert table["Conversion (95% interval)"][1] == "5/6 = 83% (44%–97%)"
    assert at.dataframe[-1].value["Name"].tolist() == ["Zeta"]
    assert len(at.get("vega_lite_chart")) == 6  # funnel, drop-off, time in stage, open by stage, velocity
    # sales velocity. 2026-Q1: Gamma and Epsilon lost, nothing won, so no velocity; Alpha, Beta and Delta
    # (closed 1 April) qualified and open on 31 March. 2026-Q2: Delta won 5,000 USD, 27 days after its
    # creation on 5 March, the only lead closed: 2 qualified open (Alpha, Beta) × 5,000 × 100 % ÷ 27 days
    vel = at.dataframe[-2].value.set_index("Quarter")
    assert vel.loc["2026-Q1", ["Qualified open", "Win rate"]].tolist() == ["3", "0.0%"]
    assert vel.loc["2026-Q1", "Velocity, USD per day"] == ""  # no velocity: blank
    assert vel.loc["2026-Q2", ["Qualified open", "Average won, USD", "Win rate", "Days to win"]].tolist() == [
        "2", "5,000", "100.0%", "27"]
    assert vel.loc["2026-Q2", "Velocity, USD per day"] == "370.37"  # 2 × 5,000 × 100 % ÷ 27
    at = page(monkeypatch, pipeline_db, "funnel", **Q1, source="Web")
    assert at.dataframe[0].value["Reached"].tolist() == ["3", "2", "1", "0", "0", "0", "0", "0"]


def test_budget_numbers(monkeypatch, tmp_path):
    db = tmp_path / "b.duckdb"
    with Store(db) as s:
        seed_budgets(s)
    at = page(monkeypatch, db, "budget", **{"from": "2020-02-01", "to": "2020-02-29"})
    metrics = {m.label: m.value for m in at.metric}
    # February: Hedera 50 of 62 h (81 %: warning); No budget ltd 3 h against no budget: its own status, not over
    assert metrics == {"Billable hours": "53 h", "Budgeted hours": "62 h", "Accounts over budget": "0",
                       "Accounts at 80–100%": "1", "Accounts with no budget": "1"}
    status = at.dataframe[0].value.set_index("Account")
    assert status.loc["Hedera", ["Budget (h)", "Billable (h)", "Used (%)", "Status"]].tolist() == [
        "62.00", "50.00", "80.6%", "warning"]
    assert status.loc["No budget ltd", ["Budget (h)", "Billable (h)", "Used (%)", "Status"]].tolist() == [
        "0.00", "3.00", "", "no budget"]
    lines = at.dataframe[-1].value
    assert lines[["Account", "Month", "Billable (h)", "Amount"]].values.tolist()[0] == ["Hedera", "2020-02", "50.00",
                                                                                       "USD 5,000"]
    # accounts, not leads: no lead filters; the period is that of the hours
    assert [w.label for w in at.sidebar.multiselect] == []
    assert at.sidebar.date_input(key="f_period").label == "Period (hours worked)"


def test_overview_hours_agree_with_the_budget_page(monkeypatch, tmp_path):
    db = tmp_path / "b.duckdb"
    with Store(db) as s:
        seed_budgets(s)
    at = page(monkeypatch, db, "overview", **{"from": "2020-02-01", "to": "2020-02-29"})
    shown = {m.label: (m.value, m.proto.delta) for m in at.metric}
    # February as on the budget page: 50 h of Hedera and 3 h of No budget ltd against Hedera's 62 h, and
    # No budget ltd with no budget (not over). The period before, 3 to 31 January: 10 + 15 billable hours against
    # 62 x 29/31 = 58
    assert shown["Billable hours"] == ("53 h", "+28 h")
    assert shown["Budgeted hours"] == ("62 h", "+4 h")
    assert shown["Accounts over budget"] == ("0", "+0")


def test_budget_offers_a_hundred_accounts_and_finds_the_others(monkeypatch, tmp_path):
    db = tmp_path / "many.duckdb"
    with Store(db) as s, s.transaction() as cur:  # 130 accounts, an hour each on 10 Feb 2020
        cur.executemany("""INSERT INTO time_entries (tool, person, work_date, hours, billable, account)
                           VALUES ('t', 'A', DATE '2020-02-10', 1, true, ?)""",
                        [[f"Client {i:03d}"] for i in range(130)])
    at = page(monkeypatch, db, "budget", **{"from": "2020-02-01", "to": "2020-02-29"})
    assert at.metric[0].value == "130 h"
    picker = at.selectbox(key="burn_account")
    assert picker.options[:3] == ["All accounts", "Client 000", "Client 001"] and len(picker.options) == 101
    assert "130 accounts match; the first 100 are offered." in [c.value for c in at.caption]
    at.text_input(key="burn_search").input("12").run()  # Client 012, 112 and 120 to 129
    picker = at.selectbox(key="burn_account")
    assert picker.options == ["All accounts", "Client 012", "Client 112", *[f"Client {i}" for i in range(120, 130)]]
    picker.set_value("Client 125").run()
    assert not at.exception and at.selectbox(key="burn_account").value == "Client 125"
    at.text_input(key="burn_search").input("nobody").run()
    assert at.selectbox(key="burn_account").options == ["All accounts"]
    assert "No account of this period matches." in [c.value for c in at.caption]


def test_empty_budget_says_what_to_upload(monkeypatch, pipeline_db):
    at = page(monkeypatch, pipeline_db, "budget", **Q1)
    assert "Nothing to show yet" in at.info[0].value and "python -m sales import" in at.info[0].value


TITLES = {"overview": "Overview", "priorities": "Priorities", "funnel": "Funnel",
          "budget": "Hours billed against budget", "reference": "Lead prioritization and the customer lifecycle"}


@pytest.mark.parametrize("name", list(TITLES))
def test_every_page_on_demo_store(monkeypatch, demo_db, name):
    at = page(monkeypatch, demo_db, name, **{"from": "2026-01-01", "to": "2026-11-24"})
    assert [t.value for t in at.title] == [TITLES[name]]  # the page itself, not the empty state
    assert not any("Nothing to show yet" in i.value for i in at.info)
    if name != "reference":
        assert len(at.get("vega_lite_chart")) >= 1
    assert not at.error


BAD_LINKS = [({"category": "Bogus"}, "unknown category 'Bogus' ignored"),
             ({"from": "0001-01-01"}, "the period is limited to the dates the store holds"),
             ({"to": "9999-12-31"}, "the period is limited to the dates the store holds"),
             ({"from": "yesterday"}, "'from=yesterday' is not a date"),
             ({"owner": "<script>"}, "unknown owner '<script>' ignored")]


@pytest.mark.parametrize("params, notice", BAD_LINKS)
@pytest.mark.parametrize("name", ["overview", "priorities", "funnel", "budget"])
def test_a_bad_link_shows_a_notice_not_an_exception(monkeypatch, pipeline_db, name, params, notice):
    at = page(monkeypatch, pipeline_db, name)
    for k, v in params.items():  # as a link opening this page would (the first run wrote clean ones)
        at.query_params[k] = v
    at.run()
    assert not at.exception
    shown = " ".join(i.value for i in at.info).replace("\\", "")
    assert notice in shown


def test_a_link_in_another_case_still_filters(monkeypatch, pipeline_db):
    at = page(monkeypatch, pipeline_db, "priorities", category="high", lead="²")
    assert not at.exception
    assert at.multiselect(key="f_category").value == ["High"]
    assert "'lead=²' is not a lead number" in " ".join(i.value for i in at.info).replace("\\", "")
