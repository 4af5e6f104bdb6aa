"""Chart specifications: the right fields, orders and scales, built from aggregated rows only."""

from datetime import date

import pandas as pd

from sales import charts
from sales.filters import Filters
from sales.funnel import cohort_funnel, dropoff, open_by_stage, time_in_stage
from sales.priorities import backtest, counts_by
from tests.pipeline_store import build

STAGES = ["Generating Leads", "Prospect Qualification", "Assess Needs", "Blueprint", "Proposal", "Close",
          "Development", "Billing"]


def spec(chart) -> dict:
    return chart.to_dict()


def encodings(d: dict) -> list[dict]:
    layers = d.get("layer", [d])
    return [layer.get("encoding", {}) for layer in layers] + [d.get("encoding", {})]


def test_category_breakdown_colours_categories_consistently(store):
    build(store)
    d = spec(charts.category_breakdown(counts_by(store.cursor(), Filters(date(2026, 1, 1), date(2026, 3, 31)),
                                                 "source"), "source"))
    enc = d["encoding"]
    assert enc["x"]["field"] == "source" and enc["y"]["aggregate"] == "sum" and enc["y"]["field"] == "leads"
    assert enc["color"]["scale"]["domain"] == ["High", "Medium", "Low", "Not assessed"]
    assert enc["color"]["scale"]["range"] == ["#1a7f37", "#d4a72c", "#8c959f", "#d0d7de"]  # data/rubric.toml
    assert len(d["datasets"][d["data"]["name"]]) == 5  # aggregated rows, not leads


def test_funnel_charts_follow_lifecycle_order(store):
    build(store)
    f = Filters(date(2026, 1, 1), date(2026, 3, 31))
    funnel = cohort_funnel(store.cursor(), f)
    for chart in (charts.funnel_chart(funnel), charts.conversion_chart(funnel)):
        ys = [e["y"] for e in encodings(spec(chart)) if "y" in e]
        assert ys[0]["sort"] == STAGES
    conv = spec(charts.conversion_chart(funnel))
    rule = conv["layer"][0]["encoding"]
    assert (rule["x"]["field"], rule["x2"]["field"]) == ("ci_low", "ci_high")
    data = conv["datasets"][conv["data"]["name"]]
    assert [r["stage"] for r in data] == STAGES[1:]  # no conversion into the first stage
    for chart in (charts.dropoff_chart(dropoff(store.cursor(), f)),
                  charts.time_in_stage_chart(time_in_stage(store.cursor(), f)),
                  charts.open_by_stage_chart(open_by_stage(store.cursor(), f))):
        assert spec(chart)["mark"]["type"] == "bar"


def test_backtest_chart_has_interval(store):
    build(store)
    d = spec(charts.backtest_chart(backtest(store.cursor(), Filters(date(2026, 1, 1), date(2026, 4, 30)))))
    assert d["layer"][0]["encoding"]["y"]["scale"]["domain"] == [0, 1]
    assert d["layer"][1]["encoding"]["y2"]["field"] == "ci_high"


def test_burn_chart_series():
    df = pd.DataFrame({"day": [date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3)], "goal": [2.0, 4.0, 6.0],
                       "spent": [1.0, 3.0, 3.0], "pace": [None, 3.0, 4.5]})
    d = spec(charts.burn_chart(df))
    # the legend names the three lines in words
    assert d["encoding"]["color"]["scale"]["domain"] == ["actual", "pace forecast", "budget"]
    assert d["encoding"]["color"]["legend"] == {"orient": "top", "title": None}
    rows = d["datasets"][d["data"]["name"]]
    assert sorted({r["series"] for r in rows}) == ["actual", "budget", "pace forecast"]
    assert len(rows) == 8  # NaN dropped


def test_score_history_band():
    df = pd.DataFrame({"assessed_at": pd.to_datetime(["2026-01-01", "2026-02-01"]), "score": [10, 14],
                       "best case": [20, 14], "category": ["Medium", "Medium"]})
    d = spec(charts.score_history(df))
    assert d["layer"][0]["encoding"]["y2"]["field"] == "best case"
    assert d["layer"][0]["encoding"]["y"]["scale"]["domain"] == [0, 28]


def test_budget_usage_chart_shows_the_most_used_accounts():
    df = pd.DataFrame({"account": [f"A{i}" for i in range(40)], "goal": [10.0] * 40,
                       "billable": [float(i) for i in range(40)], "status": ["on track"] * 40})
    df["used"] = df["billable"] / df["goal"]
    d = spec(charts.budget_usage_chart(df))
    rows = d["datasets"][d["data"]["name"]]
    assert len(rows) == 25 and rows[0]["account"] == "A39" and rows[0]["used_pct"] == 1.5
    assert d["encoding"]["y"]["axis"]["labelOverlap"] is False  # every account named, none skipped
    assert d["encoding"]["color"]["scale"]["domain"] == ["on track", "warning", "over", "no budget"]
