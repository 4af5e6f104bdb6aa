"""Chart specifications (Altair) over already-aggregated rows; pages only display them."""

from __future__ import annotations

import altair as alt
import pandas as pd

from sales.budget import STATUSES
from sales.forecast import by_quarter
from sales.lifecycle import default_lifecycle
from sales.movement import BAR_KINDS, Movement
from sales.rubric import NOT_ASSESSED, NOT_ASSESSED_COLOUR, default_rubric
from sales.week import Week


def _category_scale() -> alt.Scale:
    """Colours and order of the categories as the rubric file gives them."""
    cats = default_rubric().categories
    return alt.Scale(domain=[c.name for c in cats] + [NOT_ASSESSED],
                     range=[c.colour for c in cats] + [NOT_ASSESSED_COLOUR])


def _stage_order() -> list[str]:
    return [s.name for s in default_lifecycle().stages]


def category_breakdown(df: pd.DataFrame, dimension: str) -> alt.Chart:
    """Stacked bars: leads per value of ``dimension``, split by category."""
    order = [c.name for c in default_rubric().categories] + [NOT_ASSESSED]
    return alt.Chart(df).mark_bar().encode(
        x=alt.X(f"{dimension}:N", title=dimension.capitalize(), sort=None if dimension == "month" else "-y"),
        y=alt.Y("sum(leads):Q", title="Leads"),
        color=alt.Color("category:N", scale=_category_scale(), sort=order, title="Category"),
        order=alt.Order("category_rank:Q"),
        tooltip=[dimension, "category", "leads"],
    ).transform_calculate(
        category_rank=f"indexof({order}, datum.category)"
    ).properties(height=280)


def backtest_chart(df: pd.DataFrame) -> alt.LayerChart:
    """Win rate per category with its 95 % interval: a rubric that predicts wins slopes downwards."""
    base = alt.Chart(df).encode(x=alt.X("category:N", sort=list(df["category"]), title=None))
    bars = base.mark_bar().encode(
        y=alt.Y("win_rate:Q", title="Win rate", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("category:N", scale=_category_scale(), legend=None),
        tooltip=["category", "closed", "won", alt.Tooltip("win_rate:Q", format=".0%")])
    rules = base.mark_rule(color="#24292f").encode(y="ci_low:Q", y2="ci_high:Q")
    return (bars + rules).properties(height=240)


def score_history(df: pd.DataFrame) -> alt.LayerChart:
    """A lead's score over its assessments, with the best case while factors were unknown."""
    base = alt.Chart(df).encode(x=alt.X("assessed_at:T", title="Assessed"))
    band = base.mark_area(opacity=0.2).encode(y=alt.Y("score:Q", title="Score", scale=alt.Scale(domain=[0, 28])),
                                              y2="best case:Q")
    line = base.mark_line(point=True).encode(y="score:Q", tooltip=["assessed_at", "score", "best case", "category"])
    return (band + line).properties(height=200)


def funnel_chart(df: pd.DataFrame) -> alt.LayerChart:
    """Leads of the cohort that reached each stage, with the conversion from the stage before."""
    base = alt.Chart(df).encode(y=alt.Y("stage:N", sort=_stage_order(), title=None))
    bars = base.mark_bar(color="#1f6feb").encode(
        x=alt.X("reached:Q", title="Leads that reached the stage"),
        tooltip=["stage", "reached", "from_previous", alt.Tooltip("conversion:Q", format=".0%")])
    text = base.mark_text(align="left", dx=4).encode(x="reached:Q", text=alt.Text("reached:Q"))
    return (bars + text).properties(height=300)


def conversion_chart(df: pd.DataFrame) -> alt.LayerChart:
    """Stage-to-stage conversion with 95 % intervals (wide bars mean few leads: read with care)."""
    data = df.iloc[1:]
    base = alt.Chart(data).encode(y=alt.Y("stage:N", sort=_stage_order(), title=None))
    points = base.mark_point(filled=True, size=80, color="#1f6feb").encode(
        x=alt.X("conversion:Q", title="Conversion from the stage before", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        tooltip=["stage", "reached", "from_previous", alt.Tooltip("conversion:Q", format=".0%")])
    rules = base.mark_rule().encode(x="ci_low:Q", x2="ci_high:Q")
    return (rules + points).properties(height=280)


def dropoff_chart(df: pd.DataFrame) -> alt.Chart:
    return alt.Chart(df).mark_bar().encode(
        y=alt.Y("stage:N", sort=_stage_order(), title=None),
        x=alt.X("sum(lost):Q", title="Lost leads"),
        color=alt.Color("reason:N", title="Reason"),
        tooltip=["stage", "reason", "lost"],
    ).properties(height=260)


def time_in_stage_chart(df: pd.DataFrame) -> alt.Chart:
    return alt.Chart(df.dropna(subset=["median_days"])).mark_bar(color="#8250df").encode(
        y=alt.Y("stage:N", sort=_stage_order(), title=None),
        x=alt.X("median_days:Q", title="Median days before moving on"),
        tooltip=["stage", alt.Tooltip("median_days:Q", format=".1f"), "moves"],
    ).properties(height=240)


def open_by_stage_chart(df: pd.DataFrame) -> alt.Chart:
    return alt.Chart(df).mark_bar(color="#0969da").encode(
        x=alt.X("stage:N", sort=_stage_order(), title=None), y=alt.Y("open_leads:Q", title="Open leads"),
        tooltip=["stage", "open_leads"]).properties(height=240)


BURN_SERIES = {"spent": "actual", "pace": "pace forecast", "goal": "budget"}  # burn()'s columns, as the legend says


def burn_chart(df: pd.DataFrame) -> alt.Chart:
    """Cumulative billable hours (actual) against the cumulative budget, and the hours at the pace so far
    (pace forecast), with a legend naming the three."""
    long = df.melt(id_vars="day", value_vars=list(BURN_SERIES), var_name="series", value_name="hours").dropna()
    long["series"] = long["series"].map(BURN_SERIES)
    long["day"] = pd.to_datetime(long["day"])
    long["hours"] = long["hours"].astype(float)
    names = list(BURN_SERIES.values())
    return alt.Chart(long).mark_line().encode(
        x=alt.X("day:T", title=None), y=alt.Y("hours:Q", title="Cumulative hours"),
        color=alt.Color("series:N", scale=alt.Scale(domain=names, range=["#1f6feb", "#cf222e", "#8c959f"]),
                        legend=alt.Legend(title=None, orient="top")),
        strokeDash=alt.StrokeDash("series:N", scale=alt.Scale(domain=names, range=[[1, 0], [6, 3], [4, 2]]),
                                  legend=None),
        tooltip=["day:T", "series", alt.Tooltip("hours:Q", format=",.1f")],
    ).properties(height=300)


def budget_usage_chart(df: pd.DataFrame, top: int = 25) -> alt.Chart:
    """Billable hours against goal for the ``top`` most-used accounts (no budget counts as most used)."""
    ranked = df.assign(rank_by=df["used"].fillna(float("inf"))).nlargest(top, "rank_by")  # no budget first
    # no budget: no share to draw (not 150 %); the colour and the tooltip say "no budget"
    data = ranked.drop(columns="rank_by").assign(used_pct=ranked["used"].fillna(0).clip(upper=1.5))
    return alt.Chart(data).mark_bar().encode(  # every account named: no label is dropped for overlapping
        y=alt.Y("account:N", sort="-x", title=None, axis=alt.Axis(labelOverlap=False, labelLimit=260)),
        x=alt.X("used_pct:Q", title="Billable hours / budget", axis=alt.Axis(format="%")),
        color=alt.Color("status:N", scale=alt.Scale(domain=list(STATUSES),
                                                    range=["#1a7f37", "#d4a72c", "#cf222e", "#8c959f"]),
                        title="Status"),
        tooltip=["account", alt.Tooltip("goal:Q", format=",.1f"), alt.Tooltip("billable:Q", format=",.1f"),
                 "status"],
    ).properties(height=alt.Step(20))


def contribution_chart(df: pd.DataFrame) -> alt.Chart:
    """Points each factor adds now (solid) and could add while unknown (light), out of its maximum."""
    long = df.melt(id_vars=["factor", "max", "level"], value_vars=["points", "possible"], var_name="part",
                   value_name="value")
    long["level"] = long["level"].astype(str)  # a number or "unknown": one type, as the browser's table takes it
    order = list(df["factor"])
    return alt.Chart(long).mark_bar().encode(
        y=alt.Y("factor:N", sort=order, title=None),
        x=alt.X("sum(value):Q", title="Weighted points", scale=alt.Scale(domain=[0, 6])),
        color=alt.Color("part:N", scale=alt.Scale(domain=["points", "possible"], range=["#1f6feb", "#c8e1ff"]),
                        legend=alt.Legend(title=None, labelExpr="datum.label == 'points' ? 'scored' : "
                                                               "'possible while unknown'")),
        tooltip=["factor", "level", alt.Tooltip("value:Q", title="points")],
    ).properties(height=230)


TIER_COLOURS = {"commit": "#1a7f37", "best case": "#d4a72c", "pipeline": "#8c959f"}


def forecast_chart(df: pd.DataFrame, currency: str, target: float | None = None) -> alt.LayerChart | alt.Chart:
    """Weighted forecast per quarter, stacked commit / best case / pipeline, in one currency, with the
    quarter's target as a line when there is one. ``df``: quarter, tier, weighted."""
    tiers = list(TIER_COLOURS)
    bars = alt.Chart(df).mark_bar().encode(
        x=alt.X("quarter:N", title="Expected close", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("sum(weighted):Q", title=f"Weighted amount, {currency}"),
        color=alt.Color("tier:N", scale=alt.Scale(domain=tiers, range=list(TIER_COLOURS.values())), sort=tiers,
                        title="Tier"),
        order=alt.Order("tier_rank:Q"),
        tooltip=["quarter", "tier", alt.Tooltip("sum(weighted):Q", format=",.0f", title=currency)],
    ).transform_calculate(tier_rank=f"indexof({tiers}, datum.tier)").properties(height=260)
    if not target:
        return bars
    line = alt.Chart(pd.DataFrame({"target": [target]})).mark_rule(color="#cf222e", strokeDash=[6, 3]).encode(
        y="target:Q", tooltip=[alt.Tooltip("target:Q", format=",.0f", title="Quarter target")])
    return bars + line


def quarter_forecast_chart(week: Week, currency: str) -> alt.LayerChart | alt.Chart:
    """This week's forecast chart: the quarters from the current one on, against its target."""
    return forecast_chart(by_quarter(week.forecast, week.quarter["quarter"], currency), currency,
                          week.quarter["target"])


def accuracy_chart(acc: pd.DataFrame, currency: str) -> alt.Chart:
    """Forecast at the start of each month against what was won in it. ``acc``: ``forecast.accuracy_report``."""
    df = acc.melt(id_vars="month", value_vars=[f"forecast_{currency}", f"won_{currency}"], var_name="what",
                  value_name="amount")
    df["what"] = df["what"].str.split("_").str[0]
    return alt.Chart(df).mark_bar().encode(
        x=alt.X("month:N", title=None), xOffset="what:N",
        y=alt.Y("amount:Q", title=currency),
        color=alt.Color("what:N", scale=alt.Scale(domain=["forecast", "won"], range=["#8c959f", "#1a7f37"]),
                        title=None),
        tooltip=["month", "what", alt.Tooltip("amount:Q", format=",.0f")],
    ).properties(height=220)


def velocity_chart(df: pd.DataFrame, currency: str) -> alt.Chart:
    """Sales velocity per quarter, a line with points, so the trend reads at a glance."""
    return alt.Chart(df.dropna(subset=["velocity_per_day"])).mark_line(point=True).encode(
        x=alt.X("quarter:N", title=None),
        y=alt.Y("velocity_per_day:Q", title=f"{currency} per day"),
        tooltip=["quarter", "qualified_open", alt.Tooltip("average_won:Q", format=",.0f"),
                 alt.Tooltip("win_rate:Q", format=".0%"), alt.Tooltip("days_to_win:Q", format=".0f"),
                 alt.Tooltip("velocity_per_day:Q", format=",.0f")],
    ).properties(height=220)


def waterfall_chart(moved: Movement, currency: str) -> alt.Chart:
    """The pipeline of one currency from the open value at the start, step by step, to the open value at the
    end: each bar from where the running total was to where the step takes it."""
    bars = moved.bars(currency)
    return alt.Chart(bars).mark_bar().encode(
        x=alt.X("label:N", sort=list(bars["label"]), title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("begin:Q", title=currency), y2="finish:Q",
        color=alt.Color("kind:N", scale=alt.Scale(domain=list(BAR_KINDS), range=["#57606a", "#1a7f37", "#cf222e"]),
                        title=None, legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("label:N", title="Step"), alt.Tooltip("value:Q", format=",.2f", title=currency)],
    ).properties(height=260)
