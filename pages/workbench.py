"""Lead workbench: the lead's last contact and "Log contact" (what restarts its follow-up clock), the next gate as a
checklist, intro-meeting preparation, agenda, follow-up draft, small-project offers, and the lead's log."""

import streamlit as st

import shell
from sales.attention import follow_up_sentence, next_follow_up
from sales.contacts import last_contact
from sales.filters import Filters
from sales.lifecycle import default_lifecycle
from sales.priorities import lead_detail
from sales.rubric import NOT_ASSESSED, default_rubric
from sales.team import capacity
from sales.team.settings import default_capacity
from sales.workbench import (
    AGENDA,
    PREP_KINDS,
    WorkbenchError,
    add_note,
    create_small_project,
    followup_email,
    history,
    latest_notes,
    offer_currencies,
    set_fact,
    small_project_offers,
)
from shell.contacts import contact_form, undo_button, undo_offer

shell.routed()

st.title("Lead workbench")
who = shell.actor()
with st.container(border=True):
    lead_id = shell.lead_picker()
if lead_id is None:
    st.info("Choose a lead to work on.", icon=":material/person_search:")
    st.stop()

d = shell.query(lead_detail, lead_id)
c = d.classification
cols = st.columns(4)
cols[0].metric("Stage (by its gates)", c.stage.name)
cols[1].metric("Status", d.lead["status"])
cols[2].metric("Score", "–" if d.score_total is None else f"{d.score_total} / {default_rubric().max_score}")
cols[3].metric("Category", d.category or NOT_ASSESSED)
stages = len(default_lifecycle().stages)
st.progress((c.index + (0 if not c.complete else 1)) / stages, text=f"Stage {c.index + 1} of {stages}: {c.stage.name}")

with st.container(border=True):  # the follow-up clock: only a contact restarts it (sales/contacts.py)
    contacted = shell.query(last_contact, lead_id)
    follow_up = shell.query(next_follow_up, lead_id, shell.today())
    st.markdown(f"**{shell.plain(contacted.sentence())}** · {follow_up_sentence(follow_up, d.lead['status'])}")
    st.caption("Only a contact logged here or on This week, or the CRM's last activity date, restarts the "
               "follow-up clock; notes, gate ticks and assessments do not.")
    undo_offer()
    if who.may("work_lead"):
        with st.expander("Log contact", icon=":material/call:"):
            contact_form(lead_id, d.lead["name"], key=f"contact_{lead_id}")


def tick(fact: str, key: str) -> None:
    try:
        moved = set_fact(shell.store(), who, lead_id, fact, bool(st.session_state[key]))
    except shell.REFUSED as e:
        shell.refused(e)
        return
    except WorkbenchError as e:
        st.session_state["wb_error"] = str(e)
        return
    if moved:
        st.session_state["wb_moved"] = moved


if "wb_error" in st.session_state:
    st.error(st.session_state.pop("wb_error"))
if "wb_moved" in st.session_state:
    st.success(f"Gate met: the lead moved to **{st.session_state.pop('wb_moved').replace('_', ' ')}**.")

gate, prep, agenda, follow, small, start, log = st.tabs(["Next gate", "Meeting prep", "Agenda", "Follow-up",
                                                         "Small project", "Earliest start", "Log"],
                                                        key="workbench_tab", on_change="rerun")
with gate:
    st.markdown(f"**To leave {c.stage.name}**" if not c.complete else "**Every gate is met.**")
    rows = d.gates[(d.gates["Stage"] == c.stage.name) & d.gates["Applies"]]
    for r in rows.itertuples():
        since = f" · since {r.Since:%d %b %Y}" if r.Met and r.Since is not None and str(r.Since) != "NaT" else ""
        if not r.Tickable:
            st.checkbox(f"{r.Criterion} (computed from assessments){since}", value=bool(r.Met), disabled=True,
                        key=f"gate_{lead_id}_{r.Fact}")
        else:
            key = f"gate_{lead_id}_{r.Fact}"
            st.checkbox(f"{r.Criterion}{since}", value=bool(r.Met), key=key, on_change=tick, args=(r.Fact, key))
    if c.violation:
        st.warning(f"The CRM records this lead at {c.violation.recorded.name}; its gates allow {c.stage.name}.")
    with st.expander("Whole lifecycle"):
        shell.table(d.gates[d.gates["Applies"]].drop(columns=["Fact", "Applies", "Tickable"]))

notes = shell.query(latest_notes, lead_id)
with prep:
    st.caption("Research the organisation and its contact before the meeting; bring these four angles.")
    with st.form(f"prep_{lead_id}"):
        texts = {kind: st.text_area(label, value=notes.get(kind, ""), key=f"prep_{lead_id}_{kind}", height=80)
                 for kind, label in PREP_KINDS.items()}
        if st.form_submit_button("Save notes"):
            changed = [k for k, v in texts.items() if v.strip() and v.strip() != notes.get(k, "").strip()]
            try:
                for kind in changed:
                    add_note(shell.store(), who, lead_id, kind, texts[kind])
                st.success(f"Saved {len(changed)} note(s)." if changed else "Nothing changed.")
            except shell.REFUSED as e:
                st.error(shell.refusal(e))

with agenda:
    st.caption("Anchor points for a fluid conversation; tick them as you go (each tick is logged).")
    done = set(shell.query(history, lead_id).query("kind == 'agenda'")["body"])
    for i, item in enumerate(AGENDA):
        if st.checkbox(item, value=item in done, key=f"agenda_{lead_id}_{i}") and item not in done:
            try:
                add_note(shell.store(), who, lead_id, "agenda", item)
            except shell.REFUSED as e:
                st.error(shell.refusal(e))
                break
            st.rerun()

with follow:
    steps = st.text_area("Next steps (one per line)", value=notes.get("next_steps", ""), key=f"steps_{lead_id}")
    if st.button("Keep these next steps", key=f"keep_steps_{lead_id}") and steps.strip():
        try:
            add_note(shell.store(), who, lead_id, "next_steps", steps)
            st.rerun()
        except shell.REFUSED as e:
            st.error(shell.refusal(e))
    st.caption("The draft below updates from your notes; copy it with the button in its corner.")
    st.code(followup_email(d.lead, notes, steps, d.category, who.identity), language=None, wrap_lines=True)

with small:
    st.caption("For a single small feature: offer a capped discovery, or capped development to see how far "
               "the budget goes. The chosen offer becomes a budget tracked on the Budget page.")
    hours = st.number_input("Development cap (hours)", min_value=10.0, value=10.0, step=1.0, key="sp_hours")
    discovery, development = small_project_offers(hours)
    choice = st.radio("Offer", [discovery, development], format_func=lambda o: o.description, key="sp_choice")
    rate = st.number_input("Hourly rate", min_value=0.0, value=125.0, step=5.0, key="sp_rate")
    currency = st.selectbox("Currency", offer_currencies(d.lead), key="sp_currency")
    if st.button("Record this offer as the lead's budget", key="sp_create"):
        try:
            create_small_project(shell.store(), who, lead_id, choice, rate, currency)
            st.success(f"Recorded: {choice.kind} capped at {choice.hours:g} h.")
        except WorkbenchError as e:
            st.error(str(e))
        except shell.REFUSED as e:
            st.error(shell.refusal(e))

if start.open:  # when the team could take this work on (sales/team/capacity.py): forecast once the tab is open
    with start:
        fc = shell.query(capacity.forecast, shell.today(), Filters.everything())
        own = capacity.lead_hours(fc, lead_id)
        c1, c2 = st.columns(2)
        estimate = round(own["hours"], 1) if own and own["hours"] >= 1 else 40.0
        hours = c1.number_input("Hours", min_value=1.0, value=estimate, step=5.0, key=f"es_hours_{lead_id}")
        weeks = c2.number_input("Over weeks", min_value=1, value=default_capacity().delivery_weeks, step=1,
                                key=f"es_weeks_{lead_id}")
        found = capacity.earliest_week(fc, hours, int(weeks), lead_id if own else None)
        st.metric("Earliest start", f"week of {found.week:%d %b %Y}" if found.week else f"not in the next "
                  f"{len(fc.weeks)} weeks")
        own_note = (f" This lead's hours: {own['hours']:,.1f} ({own['basis']}); its own expected share is left out "
                    "of the demand.") if own else ""
        st.caption(f"The first week from which {hours:,.0f} h over {int(weeks)} weeks ({found.per_week:,.1f} h a "
                   "week) plus the expected demand (confirmed work and the pipeline × win probabilities) stays "
                   f"within capacity × {found.ceiling:.0%}." + own_note)

with log:
    entries = shell.query(history, lead_id)
    shell.table(entries, labels={"body": "What"}, column_config={"contact": None})
    logged = entries[entries["contact"].notna()].head(10)
    if len(logged) and who.may("work_lead"):
        st.caption("Logged by mistake? Undo removes only that contact (the audit trail keeps it).")
        for row in logged.itertuples():
            text, button = st.columns([5, 1], vertical_alignment="center")
            text.text(f"{row.when:%d %b %Y %H:%M} · {row.by} · {row.body}")  # plain text: a note is never Markdown
            with button:
                undo_button(int(row.contact), key=f"undo_log_{int(row.contact)}")
