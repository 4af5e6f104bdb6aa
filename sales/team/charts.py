"""Chart specifications (Altair) for the Team and Profitability pages, over rows already aggregated in sales/team.
Each takes what a ``sales.team`` query returns, so ``shell.chart`` builds it once per data version."""

from __future__ import annotations

import altair as alt
import pandas as pd

from sales.team.capacity import Forecast
from sales.team.margin import Margin
from sales.team.settings import default_capacity
from sales.team.utilisation import View, heat

BANDS = {"confirmed": "#57606a", "expected": "#1f6feb", "exposure (every open lead won)": "#c8e1ff",
         "P10–P90 of the simulation": "#bf8700"}
LINES = {"capacity": "#24292f", "ceiling": "#cf222e", "P50": "#9a6700"}


def utilisation_heatmap(seen: View) -> alt.LayerChart:
    """Person × week (or month): billable utilisation against the person's target (blue above, red below),
    with the flagged periods marked."""
    frame = seen.table
    period = "week" if "week" in frame.columns else "month"
    data = heat(frame)
    data = data.assign(against=(data["billable_utilisation"] - data["target"]).clip(-0.6, 0.6),
                       mark=data["flag"].map({"over": "▲", "under target": "▼", "no available hours": "·"}).fillna(""))
    base = alt.Chart(data).encode(
        x=alt.X(f"{period}:O", title=None, axis=alt.Axis(labelAngle=-60)),
        y=alt.Y("row:N", title=None, sort=sorted(data["row"].unique())))
    cells = base.mark_rect().encode(
        color=alt.Color("against:Q", title="Billable utilisation − target",
                        scale=alt.Scale(scheme="redblue", domain=[-0.6, 0.6]), legend=alt.Legend(format="+.0%")),
        tooltip=["person", f"{period}:O", alt.Tooltip("available_hours:Q", format=",.1f", title="available h"),
                 alt.Tooltip("billable_hours:Q", format=",.1f", title="billable h"),
                 alt.Tooltip("logged_hours:Q", format=",.1f", title="logged h"),
                 alt.Tooltip("billable_utilisation:Q", format=".0%", title="billable ÷ available"),
                 alt.Tooltip("utilisation:Q", format=".0%", title="logged ÷ available"),
                 alt.Tooltip("target:Q", format=".0%"), "flag"])
    marks = base.mark_text(fontSize=10, color="#24292f").encode(text="mark:N")
    return (cells + marks).properties(height=alt.Step(22))


def capacity_chart(fc: Forecast) -> alt.LayerChart:
    """Per week: confirmed work, expected and exposure bands on top of it, the simulation's P10–P90 ribbon and
    its P50, against capacity and capacity × the earliest-start ceiling."""
    w = fc.weeks.assign(week=pd.to_datetime(fc.weeks["week"]))
    c = w["confirmed_hours"]
    ceiling = default_capacity().earliest_start_ceiling
    bands = pd.concat([
        pd.DataFrame({"week": w["week"], "band": "confirmed", "low": 0.0, "high": c}),
        pd.DataFrame({"week": w["week"], "band": "expected", "low": c, "high": c + w["expected_hours"]}),
        pd.DataFrame({"week": w["week"], "band": "exposure (every open lead won)", "low": c + w["expected_hours"],
                      "high": c + w["exposure_hours"]}),
        pd.DataFrame({"week": w["week"], "band": "P10–P90 of the simulation", "low": c + w["p10_hours"],
                      "high": c + w["p90_hours"]})], ignore_index=True)
    lines = pd.concat([
        pd.DataFrame({"week": w["week"], "line": "capacity", "hours": w["capacity_hours"]}),
        pd.DataFrame({"week": w["week"], "line": "ceiling", "hours": w["capacity_hours"] * ceiling}),
        pd.DataFrame({"week": w["week"], "line": "P50", "hours": c + w["p50_hours"]})], ignore_index=True)
    x = alt.X("week:T", title=None)
    area = alt.Chart(bands).mark_area(opacity=0.55, interpolate="step-after").encode(
        x=x, y=alt.Y("low:Q", title="Hours per week"), y2="high:Q",
        color=alt.Color("band:N", scale=alt.Scale(domain=list(BANDS), range=list(BANDS.values())), title=None),
        tooltip=[alt.Tooltip("week:T", title="week of"), "band", alt.Tooltip("low:Q", format=",.0f"),
                 alt.Tooltip("high:Q", format=",.0f")])
    line = alt.Chart(lines).mark_line(interpolate="step-after").encode(
        x=x, y="hours:Q",
        color=alt.Color("line:N", scale=alt.Scale(domain=list(LINES), range=list(LINES.values())), title=None),
        strokeDash=alt.StrokeDash("line:N", scale=alt.Scale(domain=list(LINES), range=[[1, 0], [6, 3], [2, 2]]),
                                  legend=None),
        tooltip=[alt.Tooltip("week:T", title="week of"), "line", alt.Tooltip("hours:Q", format=",.0f")])
    return (area + line).resolve_scale(color="independent").properties(height=320)


def revenue_chart(revenue: pd.DataFrame, reporting: str) -> alt.LayerChart:
    """Won revenue per quarter in the reporting currency (``capacity.won_revenue``'s rows converted into it): the
    expected amount and the P10–P90 range."""
    data = revenue[revenue["currency"] == f"all, in {reporting}"]
    base = alt.Chart(data).encode(x=alt.X("quarter:N", title="Expected close", axis=alt.Axis(labelAngle=0)))
    rule = base.mark_rule(strokeWidth=3, color="#bf8700").encode(y=alt.Y("p10:Q", title=reporting), y2="p90:Q")
    median = base.mark_tick(color="#9a6700", thickness=2, size=24).encode(y="p50:Q")
    point = base.mark_point(filled=True, size=70, color="#1f6feb").encode(
        y="expected:Q", tooltip=["quarter", "leads", alt.Tooltip("expected:Q", format=",.0f"),
                                 alt.Tooltip("p10:Q", format=",.0f"), alt.Tooltip("p50:Q", format=",.0f"),
                                 alt.Tooltip("p90:Q", format=",.0f")])
    return (rule + median + point).properties(height=220)


def margin_month_chart(m: Margin) -> alt.LayerChart:
    """Revenue and cost per month (bars side by side) and the margin (line), in the reporting currency."""
    months = m.by_month
    long = months.melt(id_vars="month", value_vars=["revenue", "cost"], var_name="what", value_name="amount")
    bars = alt.Chart(long).mark_bar().encode(
        x=alt.X("month:N", title=None), xOffset="what:N", y=alt.Y("amount:Q", title=m.reporting),
        color=alt.Color("what:N", scale=alt.Scale(domain=["revenue", "cost"], range=["#1a7f37", "#cf222e"]),
                        title=None),
        tooltip=["month", "what", alt.Tooltip("amount:Q", format=",.0f")])
    line = alt.Chart(months).mark_line(point=True, color="#24292f").encode(
        x="month:N", y="margin:Q", tooltip=["month", alt.Tooltip("margin:Q", format=",.0f"),
                                            alt.Tooltip("margin_pct:Q", format=".0%", title="margin %")])
    return (bars + line).properties(height=260)


def margin_category_chart(m: Margin) -> alt.Chart:
    """Margin % per rubric category at the win: does High pay better than Low?"""
    data = m.by_category
    return alt.Chart(data).mark_bar(color="#8250df").encode(
        x=alt.X("category:N", sort=list(data["category"]), title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("margin_pct:Q", title="Margin %", axis=alt.Axis(format="%")),
        tooltip=["category", "accounts", alt.Tooltip("revenue:Q", format=",.0f"), alt.Tooltip("cost:Q", format=",.0f"),
                 alt.Tooltip("margin_pct:Q", format=".0%", title="margin %"),
                 alt.Tooltip("effective_rate:Q", format=",.2f", title="revenue ÷ hours"),
                 alt.Tooltip("realisation:Q", format=".0%")]).properties(height=220)
