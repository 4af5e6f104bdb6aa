"""What-if scoring: move the factors live, see the score, category and what it would take; save it."""

import streamlit as st

import shell
from sales import charts
from sales.leadstate import latest_levels
from sales.rubric import default_rubric
from sales.whatif import compare, contribution_rows, describe_lift, summary
from sales.workbench import save_assessment

shell.routed()

rubric = default_rubric()
OPTIONS = ["unknown", 0, 1, 2]
st.title("What-if scoring")
st.caption("Score a prospect live: every factor 0, 1 or 2, or unknown until you know. Start blank or from a "
           "lead's latest assessment, and save the result as a new assessment.")

with st.container(border=True):
    lead_id = shell.lead_picker("Start from lead")
loaded = st.session_state.get("wf_loaded")
if lead_id != loaded:  # a new starting point: load its latest levels (blank when none)
    levels, comments = shell.query(latest_levels, lead_id) if lead_id else ({}, {})
    for f in rubric.factors:
        value = levels.get(f.key)
        st.session_state[f"wf_{f.key}"] = "unknown" if value is None else int(value)
        st.session_state[f"wfc_{f.key}"] = comments.get(f.key, "")
    st.session_state["wf_loaded"] = lead_id

left, right = st.columns([3, 2], gap="large")
with left:
    chosen = {}
    for f in rubric.factors:
        value = st.select_slider(f"{f.name} · weight {f.weight}", OPTIONS, key=f"wf_{f.key}",
                                 format_func=lambda v: "?" if v == "unknown" else str(v))
        chosen[f.key] = None if value == "unknown" else int(value)
        st.caption(f.levels[chosen[f.key]] if chosen[f.key] is not None else "Not known yet: counts 0, at best "
                   f"{2 * f.weight}.")
score, lift = summary(chosen)
with right:
    c1, c2 = st.columns(2)  # two to a row: a third column cut "Medium" to "Medi…"
    c1.metric("Score", f"{score.total} / {rubric.max_score}")
    c2.metric("Best case", score.score_max)
    st.metric("Category", score.category.name)
    if score.could_change:
        st.info(f"Unknown factors could still make this **{score.category_max.name}** "
                f"(score range {score.total}–{score.score_max}).")
    st.markdown(f"**Stance:** {score.category.stance}  \n**Next action:** {score.category.next_action}.")
    st.altair_chart(charts.contribution_chart(contribution_rows(chosen)), width="stretch")
    if lift is None:
        st.success("Top category already.")
    else:
        st.markdown(f"**What it would take to reach {lift.target.name}** ({lift.steps} level raise"
                    f"{'s' if lift.steps != 1 else ''}, to {lift.new_total}):")
        st.markdown("\n".join(f"- {line}" for line in describe_lift(lift)))

who = shell.actor()
if who.may("assess"):
    with st.expander("Comments and saving", expanded=bool(lead_id)):
        comments = {f.key: st.text_input(f"{f.name}: why this level?", key=f"wfc_{f.key}") for f in rubric.factors}
        st.caption(f"Saved under your name: {shell.plain(who.identity)}.")
        if st.button("Save as a new assessment", type="primary", disabled=lead_id is None,
                     help=None if lead_id else "Choose a lead first"):
            try:
                save_assessment(shell.store(), who, lead_id, chosen, comments)
                st.success(f"Saved: {score.total} ({score.category.name}).")
            except shell.REFUSED as e:
                st.error(shell.refusal(e))

st.subheader("Compare two leads")
a_col, b_col = st.columns(2)
with a_col:
    a = shell.lead_picker("First lead", key="cmp_a", url=False)
with b_col:
    b = shell.lead_picker("Second lead", key="cmp_b", url=False)
if a and b:
    shell.table(shell.query(compare, a, b))
else:
    st.caption("Choose two leads to see their latest assessments side by side.")
