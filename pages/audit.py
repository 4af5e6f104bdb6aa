"""Audit trail (admins): every write, who made it and when, with the values before and after."""

import streamlit as st

import shell
from sales import audit

shell.routed()
who = shell.actor()

st.title("Audit trail")
st.caption("Every change to the store: imports, undo, assessments, gate ticks, notes, offers, demo data and "
           "roles. Rows are only ever added; an undo adds a row of its own.")
LIMIT = 1000
with st.container(border=True):
    c1, c2, c3, c4 = st.columns(4)
    person = c1.selectbox("Person", shell.query(audit.people, who), index=None, key="audit_person",
                          placeholder="anyone")
    kind = c2.selectbox("Kind", list(audit.CHANGE_KINDS), index=None, key="audit_kind", placeholder="any kind",
                        format_func=lambda k: audit.CHANGE_KINDS[k])
    period = c3.date_input("Period", value=(), key="audit_period")
    with c4:
        lead = shell.lead_picker("Lead", key="audit_lead", url=False)
start, end = (period if isinstance(period, (list, tuple)) and len(period) == 2 else (None, None))
f = audit.AuditFilter(person=person, lead_id=lead, kind=kind, start=start, end=end)
rows = shell.query(audit.trail, who, f, LIMIT + 1)
if rows.empty:
    st.info("Nothing matches these filters.", icon=":material/filter_alt_off:")
    st.stop()
st.caption(f"The latest {LIMIT:,} changes; download for them all." if len(rows) > LIMIT else
           f"{len(rows):,} change{'s' if len(rows) != 1 else ''}.")
shell.table(rows.head(LIMIT).drop(columns=["lead_id"]))
shell.download(lambda: shell.query(audit.trail, who, f), "audit.csv")
