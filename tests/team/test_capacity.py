"""Capacity worked by hand on tests/fixtures/team, through import → ``report capacity --today 2026-05-04``.

Capacity: Ana (DE-BY, 40 h) and Ben (GB, 32 h Mon-Thu, employed until 30 September).
  4 May: 40 + (32 − 8 bank holiday − 8 day off) = 56; 11 May: (40 − 8 Ascension − 4 half day) + 32 = 60;
  18 May: 72; 25 May: (40 − 8) + (32 − 8), Whit Monday in both = 56; 1 June: (40 − 8 Corpus Christi, a
  Bavarian holiday) + 32 = 64; 28 September: 40 + 3 days × 8 = 64; from 5 October: 40.
Confirmed: retainers of 60 + 20 = 80 h a month, over the month's weekdays (May 21, June 22, July 23): 80 × 5 / 21
  a week in May; the capped and fixed budgets' remaining hours as of today, Brown Class 10 − 6 and Civic Fixed
  20 − 5 = 19 h, over the 20 weekdays of the 4 weeks from today: 4.75 h in each of the weeks of 4, 11, 18, 25 May.
Pipeline (lifecycle fallback probabilities: too few closed leads to learn from):
  Nova Academy, at Proposal (0.5): estimated 120 h, expected to close 20 May → from 3 June over the 40 weekdays
    to 28 July: 3 h a day (9 h in the week of 1 June, 15 a week until 20 July, 6 in the week of 27 July);
  Affogato phase 2, at Blueprint (0.3): 9,500 EUR ÷ its account's rate of 95 EUR = 100 h; its close date
    (15 April) has passed → from today + 14 = 18 May: 12.5 h a week for 8 weeks;
  Orbit College pilot, at Assess Needs (0.15): 10,000 USD ÷ the default 125 USD = 80 h from 15 June (1 June + 14):
    10 h a week for 8 weeks.
"""

from datetime import date

import numpy as np
import pytest

from sales.store import Store
from sales.team import capacity as c
from sales.team.settings import CapacityError, parse_capacity
from tests.team.conftest import report

TODAY = date(2026, 5, 4)
MAY, JUNE = 80 * 5 / 21, 80 * 5 / 22
# week: capacity, confirmed, expected, exposure
BY_HAND = {
    "2026-05-04": (56, MAY + 4.75, 0, 0),
    "2026-05-11": (60, MAY + 4.75, 0, 0),
    "2026-05-18": (72, MAY + 4.75, 12.5 * 0.3, 12.5),
    "2026-05-25": (56, MAY + 4.75, 12.5 * 0.3, 12.5),
    "2026-06-01": (64, JUNE, 12.5 * 0.3 + 9 * 0.5, 12.5 + 9),
    "2026-06-08": (72, JUNE, 12.5 * 0.3 + 15 * 0.5, 27.5),
    "2026-06-15": (72, JUNE, 3.75 + 7.5 + 1.5, 37.5),
    "2026-06-29": (72, 80 * 2 / 22 + 80 * 3 / 23, 12.75, 37.5),
    "2026-07-13": (72, 80 * 5 / 23, 7.5 + 1.5, 25),
    "2026-07-27": (72, 80 * 5 / 23, 6 * 0.5 + 1.5, 16),
    "2026-08-03": (72, 80 * 5 / 21, 1.5, 10),
    "2026-09-28": (64, JUNE, 0, 0),
    "2026-10-05": (40, 80 * 5 / 22, 0, 0),
}


def test_capacity_worked_by_hand_through_import_and_report(team_db):
    out = report(team_db, "capacity", "--today", TODAY.isoformat())
    rows = out["capacity"]
    assert list(rows[0]) == ["week", "capacity_hours", "confirmed_hours", "expected_hours", "exposure_hours",
                             "p10_hours", "p50_hours", "p90_hours"]
    assert len(rows) == 26 and rows[0]["week"] == "2026-05-04" and rows[-1]["week"] == "2026-10-26"
    weeks = {r["week"]: r for r in rows}
    for week, (capacity, confirmed, expected, exposure) in BY_HAND.items():
        r = weeks[week]
        assert (r["capacity_hours"], r["confirmed_hours"], r["expected_hours"], r["exposure_hours"]) == pytest.approx(
            (capacity, confirmed, expected, exposure), abs=0.005), week
    assert [(r["basis"], r["leads"], r["hours"]) for r in out["lead hours by basis"]] == [
        ("amount ÷ its budget's rate", 1, 100), ("amount ÷ the default rate", 1, 80), ("estimated hours", 1, 120)]


def test_the_simulated_range_worked_by_hand(team_db):
    """Quantiles of the pipeline alone, by the probability of each outcome (10,000 draws tell them apart):
    18 May, Affogato alone: 0 (0.7) or 12.5 → P10 0, P50 0, P90 12.5.
    1 June, Affogato 12.5 (0.3) and Nova 9 (0.5): 0 .35, 9 .35 (cumulative .70), 12.5 .15 (.85), 21.5 .15
    → 0, 9, 21.5. 15 June, also Orbit 10 (0.15): 0 .2975, 10 .0525 (.35), 12.5 .1275 (.4775), 15 .2975 (.775),
    22.5 (.7975), 25 (.85), 27.5 .1275 (.9775), 37.5 → 0, 15, 27.5."""
    weeks = {r["week"]: r for r in report(team_db, "capacity", "--today", TODAY.isoformat())["capacity"]}
    for week, quantiles in {"2026-05-04": (0, 0, 0), "2026-05-18": (0, 0, 12.5), "2026-06-01": (0, 9, 21.5),
                            "2026-06-15": (0, 15, 27.5)}.items():
        r = weeks[week]
        assert (r["p10_hours"], r["p50_hours"], r["p90_hours"]) == quantiles, week


def test_won_revenue_by_quarter_worked_by_hand(team_db):
    """All three close in 2026-Q2 (Affogato's passed date counts as today's quarter). USD: Nova 8,000 (0.5) and
    Orbit 10,000 (0.15): 0 .425, 8,000 .425 (.85), 10,000 .075 (.925), 18,000 → P10 0, P50 8,000, P90 10,000;
    expected 4,000 + 1,500. EUR: Affogato 9,500 (0.3) → 0, 0, 9,500; expected 2,850. In USD (9,500 EUR =
    10,450 USD): 0 .2975, 8,000 (.595), 10,000 (.6475), 10,450 (.775), 18,000 (.8275), 18,450 (.955) …
    → 0, 8,000, 18,450; expected 5,500 + 2,850 × 1.1 = 8,635."""
    rows = report(team_db, "capacity", "--today", TODAY.isoformat())["won revenue by quarter"]
    got = [(r["quarter"], r["currency"], r["leads"], r["expected"], r["p10"], r["p50"], r["p90"]) for r in rows]
    assert got == [("2026-Q2", "EUR", 1, 2850, 0, 0, 9500), ("2026-Q2", "USD", 2, 5500, 0, 8000, 10000),
                   ("2026-Q2", "all, in USD", 3, 8635, 0, 8000, 18450)]


def test_the_period_of_the_report(team_db):
    rows = report(team_db, "capacity", "--today", "2026-05-04", "--from", "2026-05-05", "--to", "2026-05-25")
    assert [r["week"] for r in rows["capacity"]] == ["2026-05-11", "2026-05-18", "2026-05-25"]


def test_earliest_start_worked_by_hand(team_db):
    """120 h over 4 weeks = 30 h a week, within capacity × 0.85, on top of confirmed + expected:
    4 May 23.8 + 30 > 47.6; 11 May 23.8 + 30 > 51; 18 May 27.55 + 30 ≤ 61.2 but 25 May 27.55 + 30 > 47.6;
    1 June 26.43 + 30 > 54.4; from 8 June 29.43, 30.93, 30.93, 30.46 (+ 30) ≤ 61.2: the week of 8 June.
    For Nova Academy itself, its own expected share (4.5 h, then 7.5) comes out first: 1 June 21.93 + 30 ≤ 54.4."""
    with Store(team_db) as s:
        fc = c.forecast(s.cursor(), TODAY)
        nova = int(fc.leads.loc[fc.leads["name"] == "Nova Academy platform", "id"].iloc[0])
        assert c.earliest_week(fc, 120, 4).week == date(2026, 6, 8)
        assert c.earliest_start(s.cursor(), TODAY, 120, 4).week == date(2026, 6, 8)
        assert c.earliest_week(fc, 120, 4, nova).week == date(2026, 6, 1)
        assert c.earliest_week(fc, 2000, 4).week is None  # 500 h a week never fit
        assert c.lead_hours(fc, nova) == {"hours": 120, "basis": c.ESTIMATE, "probability": 0.5,
                                          "start": date(2026, 6, 3)}


def test_the_digest_warns_a_week_ahead(team_db):
    # next week (11 May): 23.8 h expected for 60 available, under 70 %: bench time
    with Store(team_db) as s:
        fc = c.forecast(s.cursor(), TODAY)
    assert c.warnings(fc) == ["Bench time in the week of 2026-05-11: 24 h of expected work for 60 h available (40%, "
                              "under 70%)."]
    # overload: the P50 (confirmed + the pipeline's median) over capacity
    busy = fc.weeks.copy()
    busy.loc[1, ["confirmed_hours", "p50_hours"]] = [50, 20]
    from dataclasses import replace

    assert c.warnings(replace(fc, weeks=busy)) == ["Overload in the week of 2026-05-11: the median of 70 h of work "
                                                   "for 60 h available (117%), over 100%."]


def test_the_mean_of_the_simulation_is_the_expected_band(team_db):
    with Store(team_db) as s:
        weeks = c.forecast(s.cursor(), TODAY).weeks
    busy = weeks[weeks["expected_hours"] > 0]
    assert np.allclose(busy["mean_hours"], busy["expected_hours"], rtol=0.03)  # three leads: a few % of noise
    assert (weeks["p10_hours"] <= weeks["p50_hours"]).all() and (weeks["p50_hours"] <= weeks["p90_hours"]).all()


def test_the_same_store_gives_the_same_figures(team_db):
    with Store(team_db) as s:
        first, again = c.forecast(s.cursor(), TODAY), c.forecast(s.cursor(), TODAY)
    assert first.weeks.equals(again.weeks) and first.revenue.equals(again.revenue)


@pytest.mark.parametrize("doc, message", [
    ({"start_lag_days": -1}, "start_lag_days must be a whole number of days"),
    ({"delivery_weeks": 0}, "delivery_weeks must be a whole number of weeks, 1 or more"),
    ({"delivery_weeks": True}, "delivery_weeks must be"),
    ({"default_rate": "125"}, "default_rate must be a positive number"),
    ({"default_rate": float("nan")}, "default_rate must be a positive number"),
    ({"default_rate_currency": "usd"}, "three-letter currency code"),
    ({"ceilings": {"earliest_start": 0}}, "[ceilings] earliest_start must be a ratio above 0"),
    ({"ceilings": {"bench": 0.9, "overload": 0.8}}, "bench must not be above"),
    ({"ceilings": 3}, "[ceilings] must be a table"),
    ({"simulation": {"draws": 10}}, "draws must be a whole number from 100"),
    ({"utilisation": {"default_target": 1.5}}, "default_target must be a ratio from 0 to 1"),
    ({"bogus'; DROP TABLE leads; --": 1}, "unknown setting bogus'; DROP TABLE leads; --"),
    ({"ceilings": {"💥": 1}}, "unknown setting [ceilings] 💥"),
])
def test_the_capacity_file_names_the_setting_at_fault(doc, message):
    with pytest.raises(CapacityError) as e:
        parse_capacity(doc)
    assert message in str(e.value)


def test_the_shipped_capacity_file_holds_the_documented_defaults():
    from sales.paths import DATA_DIR
    from sales.team.settings import Capacity, load_capacity

    shipped = load_capacity(DATA_DIR / "capacity.toml")
    assert (shipped.start_lag_days, shipped.delivery_weeks, shipped.earliest_start_ceiling, shipped.draws) == (
        14, 8, 0.85, 10_000)
    assert {k: v for k, v in vars(shipped).items() if k != "source"} == {
        k: v for k, v in vars(Capacity()).items() if k != "source"}


def test_another_capacity_file_by_environment(tmp_path, monkeypatch, team_db):
    # a longer lag moves Orbit College (close 1 June) to start on 22 June: nothing of it in the week of 15 June
    other = tmp_path / "capacity.toml"
    other.write_text("start_lag_days = 21\n", encoding="utf-8")
    monkeypatch.setenv("SALES_CAPACITY", str(other))
    weeks = {r["week"]: r for r in report(team_db, "capacity", "--today", TODAY.isoformat())["capacity"]}
    # Nova from 10 June: 3 days in the week of 8 June; Affogato from 25 May; Orbit from 22 June
    assert weeks["2026-06-15"]["exposure_hours"] == pytest.approx(15 + 12.5)


def test_the_digest_says_it_through_the_command_line(team_db):
    import subprocess
    import sys

    from tests.conftest import ROOT

    r = subprocess.run([sys.executable, "-m", "sales", "digest", "--db", str(team_db), "--today", TODAY.isoformat()],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "## Capacity next week\n\nBench time in the week of 2026-05-11: 24 h of expected work for 60 h available" \
        in r.stdout


def test_a_pooled_forecast_after_a_write_simulates_only_the_cells_it_changed(fresh_team_db, monkeypatch,
                                                                              shared_memo):
    """Pooled (every pipeline, however small, with ``exact_pairs`` 0), on the dashboard: the three leads start on
    three days, three cells simulated. Orbit College's needs documented moves it to Blueprint (0.15 → 0.3): its
    cell alone is simulated again, and the forecast is the one a fresh simulation of the store gives."""
    from dataclasses import replace as changed

    from sales import memo
    from sales.team import simulation
    from sales.team.settings import default_capacity
    from sales.workbench import set_fact
    from tests.conftest import ADMIN

    pooled = changed(default_capacity(), exact_pairs=0)
    simulated = []
    real = simulation._cell
    monkeypatch.setattr(simulation, "_cell", lambda *a: simulated.append(len(a[1])) or real(*a))
    with Store(fresh_team_db) as s:
        first = c.forecast(s.cursor(), TODAY, settings=pooled)
        assert first.pooled and sorted(simulated) == [1, 1, 1]
        orbit = s.cursor().execute("SELECT id FROM leads WHERE name = 'Orbit College pilot'").fetchall()[0][0]
        assert set_fact(s, ADMIN, orbit, "needs_documented", True) == "blueprint"
        after = c.forecast(s.cursor(), TODAY, settings=pooled)
        assert len(simulated) == 4
        assert after.leads.set_index("name").loc["Orbit College pilot", "probability"] == 0.3
        memo._SHARED.clear()  # as the command line computes: nothing kept, nothing to start from
        fresh = c.forecast(s.cursor(), TODAY, settings=pooled)
    assert after.weeks.equals(fresh.weeks) and after.revenue.equals(fresh.revenue)
    assert not after.weeks.equals(first.weeks)


def test_the_team_charts_are_valid_vega_lite_and_the_revenue_chart_draws_the_converted_row(team_db):
    """The dashboard draws without validating (shell/cache.py); here each Team chart is validated against the
    Vega-Lite schema, and the won-revenue chart draws 2026-Q2 in USD alone: expected 8,635, P10 0, P90 18,450
    (test_won_revenue_by_quarter_worked_by_hand)."""
    from sales.team import charts, utilisation

    with Store(team_db) as s:
        cur = s.cursor()
        fc = c.forecast(cur, TODAY)
        drawn = charts.revenue_chart(c.won_revenue(cur, TODAY), fc.reporting).to_dict()  # validates
        charts.capacity_chart(fc).to_dict()
        charts.utilisation_heatmap(utilisation.view(cur, TODAY, date(2026, 5, 17))).to_dict()
    rows = [r for data in drawn["datasets"].values() for r in data]
    assert [(r["quarter"], r["currency"], r["expected"], r["p10"], r["p90"]) for r in rows] == [
        ("2026-Q2", "all, in USD", 8635, 0, 18450)]
