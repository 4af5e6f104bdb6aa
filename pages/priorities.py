"""Priorities: which leads deserve effort now, one lead in full, and whether the rubric predicts wins."""

import streamlit as st

import shell
from sales import charts
from sales.priorities import backtest, counts_by, lead_detail, ranked_leads
from sales.rubric import NOT_ASSESSED, default_rubric

shell.routed()

f = shell.dashboard("Priorities")

dimension = st.segmented_control("Break down leads created in the period by", ["source", "owner", "month"],
                                 default="source", key="dimension") or "source"
breakdown = shell.query(counts_by, f, dimension)
if breakdown.empty:
    st.info("No leads were created in this period with these filters.")
else:
    shell.chart(charts.category_breakdown, counts_by, f, dimension, extra=(dimension,))

st.subheader("Open leads, best first")
ranked = shell.query(ranked_leads, f)
st.caption(f"{len(ranked):,} open leads (any age). A score range such as 14–28 means factors are still "
           "unknown: the lead could still move up. Select a row to see the lead in full.")
shown = ranked.drop(columns=["id", "score", "score_max", "violation"])
event = shell.table(shown, "open-leads.csv", on_select="rerun", selection_mode="single-row", key="ranked")

selected = event.selection.rows if event and event.selection else []
if selected:
    st.query_params["lead"] = str(int(ranked.iloc[selected[0]]["id"]))
lead_id = shell.lead_param()
if lead_id is not None:
    d = shell.query(lead_detail, lead_id)
    if d is None:
        st.warning(f"No lead {lead_id} in the store.")
    else:
        st.subheader(shell.plain(d.lead["name"]))
        c = d.classification
        cols = st.columns(4)
        cols[0].metric("Score", "–" if d.score_total is None else f"{d.score_total} / {default_rubric().max_score}",
                       help="Unknown factors count 0; the best case counts them at 2.")
        cols[1].metric("Best case", "–" if d.score_max is None else d.score_max)
        cols[2].metric("Stage (by its gates)", c.stage.name)
        cols[3].metric("Status", d.lead["status"])
        if c.violation:
            st.warning(f"The CRM records this lead at **{c.violation.recorded.name}**, but its gates only allow "
                       f"**{c.violation.allowed.name}**. Missing: " + "; ".join(x.label for x in c.violation.unmet))
        left, right = st.columns([3, 2])
        with left:
            st.markdown("**Rubric factors**")
            shell.table(d.factors)
        with right:
            st.markdown("**Score history**")
            if len(d.history):
                st.altair_chart(charts.score_history(d.history), width="stretch")
                shell.table(d.history.iloc[::-1], labels={"assessed_at": "Assessed"})
            else:
                st.caption(f"{NOT_ASSESSED}.")
        st.markdown("**Gate checklist**")
        shell.table(d.gates[d.gates["Applies"]].drop(columns=["Fact", "Applies", "Tickable"]))

st.subheader("Does the rubric predict wins?")
bt = shell.query(backtest, f)
if bt.empty:
    st.caption("No leads were won or lost in this period.")
else:
    left, right = st.columns([2, 3])
    with left:
        shell.chart(charts.backtest_chart, backtest, f)
    with right:
        shell.table(bt)
        st.caption("Leads won or lost in the period, by the category of their latest assessment. "
                   "The interval shows how sure the rate is with this many leads.")
        shell.download(bt, "win-rate-by-category.csv")
