"""Home: the rubric and the lifecycle the whole product rests on."""

import altair as alt
import streamlit as st

import shell
from sales.leadstate import open_leads_by_category
from sales.reference import categories_table, handbook_examples_table, lifecycle_table, rubric_table
from sales.rubric import default_rubric

shell.routed()

rubric = default_rubric()
st.title("Lead prioritization and the customer lifecycle")
st.caption(f"Rubric version `{rubric.version}` · seven factors, each 0, 1 or 2, weighted; "
           f"composite 0–{rubric.max_score}.")

counts = shell.query(open_leads_by_category)
cols = st.columns(len(rubric.categories))
for col, cat in zip(cols, rubric.categories):
    with col:
        n = counts[cat.name]
        st.metric(f"{cat.name} priority · {cat.min}–{cat.max}", f"{n:,} open lead{'' if n == 1 else 's'}")
        st.caption(f"{cat.stance} **Next:** {cat.next_action}.")

st.subheader("The rubric")
factors = rubric_table(rubric)
left, right = st.columns([4, 1])
with left:
    shell.static_table(factors, "Factor")  # a static table wraps the level descriptions
with right:
    chart = alt.Chart(factors).mark_bar().encode(
        x=alt.X("Max points:Q", title="Max points"),
        y=alt.Y("Factor:N", sort="-x", title=None),
        tooltip=["Factor", "Weight", "Max points"],
    ).properties(height=260, title="Where the points are")
    st.altair_chart(chart, width="stretch")
shell.table(categories_table(rubric))

st.subheader("The handbook's examples, scored by the table")
st.caption("The handbook's printed totals contain arithmetic slips; the rubric table is authoritative.")
shell.table(handbook_examples_table(rubric))

st.subheader("Customer lifecycle and its gates")
st.caption("A lead's stage is the furthest one whose earlier gates all pass. "
           "Computed criteria come from scores and hours, the rest are ticked on the lead.")
shell.table(lifecycle_table())
