"""Funnel: where the pipeline leaks, by stage, with explicit denominators."""

import streamlit as st

import shell
from sales import charts
from sales.funnel import cohort_funnel, dropoff, open_by_stage, time_in_stage, velocity, violations
from sales.money import default_currencies

shell.routed()

f = shell.dashboard("Funnel")

funnel = shell.query(cohort_funnel, f)
st.caption(f"Cohort: the {int(funnel['reached'].iloc[0]):,} leads created {f.start:%d %b %Y} – {f.end:%d %b %Y}. "
           "A lead has reached a stage when every earlier gate is met.")
left, right = st.columns(2)
with left:
    st.markdown("**Leads that reached each stage**")
    shell.chart(charts.funnel_chart, cohort_funnel, f)
with right:
    st.markdown("**Conversion from the stage before, with 95% intervals**")
    shell.chart(charts.conversion_chart, cohort_funnel, f)
table = funnel.assign(conversion_text=[
    "–" if n == 0 or i == 0 else f"{r}/{n} = {r / n:.0%} ({lo:.0%}–{hi:.0%})"
    for i, (r, n, lo, hi) in enumerate(zip(funnel["reached"], funnel["from_previous"], funnel["ci_low"],
                                           funnel["ci_high"]))])[["stage", "reached", "conversion_text"]]
shell.table(table.rename(columns={"conversion_text": "conversion (95% interval)"}))
shell.download(funnel, "funnel.csv")

left, right = st.columns(2)
with left:
    st.markdown("**Where lost leads dropped out, and why**")
    drop = shell.query(dropoff, f)
    if drop.empty:
        st.caption("No lost leads in this cohort.")
    else:
        shell.chart(charts.dropoff_chart, dropoff, f)
        shell.download(drop, "drop-off.csv")
with right:
    st.markdown("**Median time in stage**")
    tis = shell.query(time_in_stage, f)
    if tis["moves"].sum() == 0:
        st.caption("No recorded stage moves in this cohort.")
    else:
        shell.chart(charts.time_in_stage_chart, time_in_stage, f)
        shell.download(tis, "time-in-stage.csv")

st.markdown("**Open leads by current stage** (any age)")
shell.chart(charts.open_by_stage_chart, open_by_stage, f)

st.subheader("Sales velocity")
vel = shell.query(velocity, f, shell.today())
reporting = default_currencies().reporting
if vel["velocity_per_day"].notna().any():
    shell.chart(charts.velocity_chart, velocity, f, shell.today(), extra=(reporting,))
else:
    st.caption("No quarter has both wins and closed leads yet.")
st.caption(f"Per quarter: qualified leads open at its end × the average amount won in it ({reporting}, converted) "
           "× its win rate ÷ the average days from creation to a win. Money per day; the rubric category is the "
           "lead's current one. " + default_currencies().note(()))
shell.table(vel, "sales-velocity.csv", column_config={
    "win_rate": st.column_config.NumberColumn("Win rate", format="percent"),
    "average_won": st.column_config.NumberColumn(f"Average won, {reporting}", format="%,.0f"),
    "velocity_per_day": st.column_config.NumberColumn(f"Velocity, {reporting} per day", format="%,.0f"),
    "days_to_win": st.column_config.NumberColumn("Days to win", format="%.0f")})

st.subheader("Gate violations")
v = shell.query(violations, f)
if v.empty:
    st.success("Every lead's CRM stage is backed by its gates.")
else:
    st.caption(f"{len(v):,} leads are recorded further along in the CRM than their gates allow.")
    shell.table(v, "gate-violations.csv", column_config={"id": None})
