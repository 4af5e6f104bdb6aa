"""Funnel: where the pipeline leaks, by stage, with explicit denominators."""

import streamlit as st

import shell
from sales import charts
from sales.funnel import cohort_funnel, dropoff, open_by_stage, time_in_stage, violations

shell.routed()

f = shell.dashboard("Funnel")

funnel = shell.query(cohort_funnel, f)
st.caption(f"Cohort: the {int(funnel['reached'].iloc[0]):,} leads created {f.start:%d %b %Y} – {f.end:%d %b %Y}. "
           "A lead has reached a stage when every earlier gate is met.")
left, right = st.columns(2)
with left:
    st.markdown("**Leads that reached each stage**")
    st.altair_chart(charts.funnel_chart(funnel), width="stretch")
with right:
    st.markdown("**Conversion from the stage before, with 95% intervals**")
    st.altair_chart(charts.conversion_chart(funnel), width="stretch")
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
        st.altair_chart(charts.dropoff_chart(drop), width="stretch")
        shell.download(drop, "drop-off.csv")
with right:
    st.markdown("**Median time in stage**")
    tis = shell.query(time_in_stage, f)
    if tis["moves"].sum() == 0:
        st.caption("No recorded stage moves in this cohort.")
    else:
        st.altair_chart(charts.time_in_stage_chart(tis), width="stretch")
        shell.download(tis, "time-in-stage.csv")

st.markdown("**Open leads by current stage** (any age)")
st.altair_chart(charts.open_by_stage_chart(shell.query(open_by_stage, f)), width="stretch")

st.subheader("Gate violations")
v = shell.query(violations, f)
if v.empty:
    st.success("Every lead's CRM stage is backed by its gates.")
else:
    st.caption(f"{len(v):,} leads are recorded further along in the CRM than their gates allow.")
    shell.table(v, "gate-violations.csv", column_config={"id": None})
