"""The Team and Profitability pages on the hand-worked team store (tests/fixtures/team; the figures are worked out
in tests/team/test_utilisation.py, test_margin.py and test_capacity.py), who sees costs, the roster on People &
roles, and the earliest start on the workbench."""

from datetime import date

import pytest

import shell
from sales.access import Actor
from sales.store import Store
from tests.pages.conftest import open_page
from tests.team.conftest import build_team_store

MAY = {"from": "2026-05-04", "to": "2026-05-17"}
SPRING = {"from": "2026-04-01", "to": "2026-05-31"}
COSTLY = ("cost", "margin", "cost_rate", "margin_pct")


@pytest.fixture
def team_db(tmp_path, monkeypatch):
    monkeypatch.setattr(shell, "today", lambda: date(2026, 5, 4))
    return build_team_store(tmp_path / "team.duckdb")


def as_role(monkeypatch, role: str) -> None:
    monkeypatch.setattr(shell, "actor", lambda: Actor(f"{role}@agency.example", role))


def test_team_page_worked_by_hand(monkeypatch, team_db):
    at = open_page(monkeypatch, team_db, "team", **MAY)
    assert [t.value for t in at.title] == ["Team"]
    shown = {m.label: m.value for m in at.metric}
    # everyone together: 41 + 36 billable and 43 + 44 logged of 68 + 48 available hours
    assert shown["Billable ÷ available hours"] == f"{77 / 116:.0%}" == "66%"
    assert shown["Logged ÷ available hours"] == "75%"
    assert (shown["Weeks over 100%"], shown["Weeks under target − 20 pts"]) == ("1", "2")
    # next week (11 May): 60 h available, 80 × 5 / 21 + 4.75 = 23.8 h confirmed, nothing from the pipeline yet
    assert (shown["Capacity, week of 2026-05-11"], shown["Confirmed"], shown["Pipeline P90"]) == ("60 h", "24 h", "0 h")
    util = at.dataframe[0].value
    assert util[["Person", "Week", "Available (h)", "Billable (h)", "Logged (h)", "Flag"]].values.tolist() == [
        ["Ana", "2026-05-04", "40.00", "18.00", "20.00", "under target"], ["Ana", "2026-05-11", "28.00", "23.00",
                                                                          "23.00", ""],
        ["Ben", "2026-05-04", "16.00", "6.00", "10.00", "under target"], ["Ben", "2026-05-11", "32.00", "30.00",
                                                                          "34.00", "over"]]
    weeks = at.dataframe[1].value.set_index("Week")
    assert weeks.loc["2026-06-15", ["Capacity (h)", "Expected (h)", "Exposure (h)", "P10 (h)", "P50 (h)",
                                    "P90 (h)"]].tolist() == ["72.00", "12.75", "37.50", "0.00", "15.00", "27.50"]
    assert len(weeks) == 26
    assert "Zoe" in at.warning[0].value  # logs time without a row: listed, never guessed
    assert len(at.get("vega_lite_chart")) == 3  # heat map, capacity, won revenue
    assert not any(c.replace("_", " ") in str(col).lower() for df in at.dataframe for col in df.value.columns
                   for c in COSTLY)


def test_team_page_follows_the_filters(monkeypatch, team_db):
    # only High leads: Nova Academy (0.5) and Orbit College (0.15) are left; Affogato phase 2 is Medium
    at = open_page(monkeypatch, team_db, "team", **MAY, category="High")
    weeks = at.dataframe[1].value.set_index("Week")
    assert weeks.loc["2026-06-15", ["Expected (h)", "Exposure (h)"]].tolist() == ["9.00", "25.00"]  # 7.5 + 1.5
    at = open_page(monkeypatch, team_db, "team", **{"from": "2026-05-11", "to": "2026-05-17"})
    assert at.dataframe[0].value["Week"].unique().tolist() == ["2026-05-11"]


def test_profitability_page_worked_by_hand(monkeypatch, team_db):
    at = open_page(monkeypatch, team_db, "profitability", **SPRING)
    shown = {m.label: m.value for m in at.metric}
    # April and May in USD: revenue 3,142 + 9,154; cost 1,645 + 4,818; 120 h logged, 105 billed of 108 billable
    assert (shown["Revenue, USD"], shown["Cost, USD"], shown["Margin, USD"]) == ("12,296", "6,463", "5,833")
    assert shown["Revenue ÷ all hours, USD"] == f"{12296 / 120:,.2f}" == "102.47"
    assert shown["Billed ÷ billable hours"] == "97%"
    by_category = at.dataframe[1].value.set_index("Category")
    assert by_category.loc["Low", "Margin (USD)"] == "252"
    assert by_category.index.tolist() == ["High", "Medium", "Low", "no lead"]
    accounts = at.dataframe[2].value
    brown = accounts[(accounts["Account"] == "Brown Class") & (accounts["Month"] == "2026-05")].iloc[0]
    assert (brown["Revenue"], brown["Cost"], brown["Written off (h)"]) == ("USD 400", "USD 418", "3.00")
    assert brown["Realisation (%)"] == "57.1%"  # 4 of 7 billable hours billed
    assert "Zoe" in at.warning[0].value
    assert len(at.get("vega_lite_chart")) == 2


@pytest.mark.parametrize("role", ["viewer", "bizdev"])
def test_a_viewer_and_a_business_developer_get_no_cost_or_margin(monkeypatch, team_db, role):
    as_role(monkeypatch, role)
    at = open_page(monkeypatch, team_db, "team", **MAY)
    assert not at.exception and [t.value for t in at.title] == ["Team"]
    assert not any(c.replace("_", " ") in str(col).lower() for df in at.dataframe for col in df.value.columns
                   for c in COSTLY)
    # the navigation holds no Profitability for them; the page itself refuses too, before any figure
    at.switch_page("pages/profitability.py").run()
    assert not at.exception and at.error[0].value == "Cost rates and margins are for admins."
    assert len(at.metric) == 0 and len(at.dataframe) == 0 and len(at.get("vega_lite_chart")) == 0


def test_people_and_time_off_on_people_and_roles(monkeypatch, team_db):
    at = open_page(monkeypatch, team_db, "people")
    roster = at.dataframe[-2].value
    assert roster[["Name", "Cost rate", "Currency"]].values.tolist() == [["Ana", "EUR 50", "EUR"],
                                                                         ["Ana", "EUR 60", "EUR"],
                                                                         ["Ben", "GBP 40", "GBP"]]
    at.text_input(key="roster_name").set_value("Cy")
    at.number_input(key="roster_weekly_capacity_hours").set_value(24.0)
    at.text_input(key="roster_working_days").set_value("Mon,Wed,Fri")
    at.text_input(key="roster_country").set_value("FR")
    at.number_input(key="roster_cost_rate").set_value(45.0)
    at.text_input(key="roster_currency").set_value("eur")
    at.text_input(key="roster_utilisation_target").set_value("70%")
    next(b for b in at.button if b.label == "Save person").click().run()
    assert not at.exception
    assert "Cy from 1900-01-01 saved" in at.success[0].value.replace("\\", "")
    with Store(team_db) as s:
        row = s.cursor().execute("""SELECT working_days, country, cost_rate, currency, utilisation_target, entered_by
                                    FROM people WHERE name = 'Cy'""").fetchall()
    assert row == [("Mon,Wed,Fri", "FR", 45.0, "EUR", 0.7, "local")]
    at.text_input(key="roster_name").set_value("Di")
    at.text_input(key="roster_working_days").set_value("Mon-Fry")
    next(b for b in at.button if b.label == "Save person").click().run()
    assert "working days: cannot read 'Mon-Fry'" in at.error[0].value.replace("\\", "")


def test_earliest_start_on_the_workbench(monkeypatch, team_db):
    with Store(team_db) as s:
        nova = s.cursor().execute("SELECT id FROM leads WHERE name = 'Nova Academy platform'").fetchall()[0][0]
    at = open_page(monkeypatch, team_db, "workbench", lead=str(nova))
    assert not [m for m in at.metric if m.label == "Earliest start"]  # forecast only once its tab is open
    at.session_state["workbench_tab"] = "Earliest start"  # what choosing the tab does
    at.run()
    assert at.number_input(key=f"es_hours_{nova}").value == 120  # its estimated hours
    at.number_input(key=f"es_weeks_{nova}").set_value(4).run()
    # tests/team/test_capacity.py: 120 h over 4 weeks for Nova itself fit from the week of 1 June
    assert next(m.value for m in at.metric if m.label == "Earliest start") == "week of 01 Jun 2026"
    assert any("estimated hours" in c.value for c in at.caption)


@pytest.mark.parametrize("name, title", [("team", "Team"), ("profitability", "Profitability")])
def test_the_demo_shows_the_team(monkeypatch, demo_db, name, title):
    # `make run` writes the demo: its developers have rows, rates and time off, so both pages show figures
    at = open_page(monkeypatch, demo_db, name, **{"from": "2026-01-01", "to": "2026-11-24"})
    assert [t.value for t in at.title] == [title]
    assert not any("Nothing to show yet" in i.value for i in at.info) and not at.warning
    assert len(at.get("vega_lite_chart")) >= 2 and len(at.metric) >= 5
