"""People & roles (admins): who may sign in and what each role may do."""

import pandas as pd
import streamlit as st

import shell
from sales import access, owners, targets
from sales.filters import quarter_of
from sales.money import default_currencies
from sales.team import edits, roster

shell.routed()

who = shell.actor()
st.title("People & roles")
st.caption("Sign-in says who someone is; the role given here says what they may do. A grant names one email "
           "(any case) or a whole domain such as `*@agency.example`; a person's own grant wins over their domain's.")
shell.table(pd.DataFrame({"Role": list(access.ROLES), "May": [access.ROLE_HELP[r] for r in access.ROLES]}))

shell.outcome("people_message")


def change(action: str) -> str:
    email = st.session_state.get("people_who", "")
    typed = (st.session_state.get("people_new_owner") or "").strip()
    owner = typed or st.session_state.get("people_owner")  # a name typed as new wins over one chosen
    if action == "grant":
        role = st.session_state["people_role"]
        before = access.grant(shell.store(), who, email, role, owner, new_owner=bool(typed))
        text = f"{access.normalise(email)} is now {role}" + (f" (was {before})" if before else "")
        if owner:
            text += f"; their leads are those of CRM owner '{' '.join(owner.split())}'"
        return text
    before = access.revoke(shell.store(), who, email)
    return f"{access.normalise(email)} no longer has the {before} role"


with st.form("grant", border=True):
    left, middle, right = st.columns([3, 2, 1])
    left.text_input("Email or domain", key="people_who", placeholder="name@agency.example or *@agency.example")
    middle.selectbox("Lead owner name in the CRM", shell.query(owners.known_owners), index=None, key="people_owner",
                     placeholder="Keep what is set", help="Whose leads are theirs on This week and in the digest: "
                     "the owner names on the store's leads and already given to people")
    right.selectbox("Role", access.ROLES, key="people_role")
    left, middle, _ = st.columns([3, 2, 1])
    middle.text_input("Or a new owner name", key="people_new_owner", placeholder="no lead carries it yet",
                      help="For someone whose leads are still to come; a name chosen above cannot be a typo")
    shell.submit_buttons("people_message", change, ("Grant", "grant", ":material/person_add:"),
                         ("Revoke", "revoke", ":material/person_remove:"))

grants = shell.query(access.grants)
st.subheader("Grants")
if grants.empty:
    st.caption("No grants yet.")
else:
    shell.table(grants, "grants.csv", labels={
        "who": "Email or domain", "crm_owner": "Lead owner in the CRM", "granted_at": "Granted"})

# ---------------------------------------------------------------- quarter targets

TEAM = "The team"
reporting = default_currencies().reporting
st.subheader("Quarter targets")
st.caption(f"Per lead owner (the name the CRM gives them) and for the team, in {reporting}. The team's target is "
           "its own when set, else the sum of the owners', else [forecast] quarter_target in data/lifecycle.toml. "
           "This week compares each person's forecast with their own target, and everyone's with the team's.")

shell.outcome("target_message")


def change_target(action: str) -> str:
    chosen = st.session_state.get("target_owner")
    owner = None if chosen == TEAM else chosen
    quarter = st.session_state.get("target_quarter", "")
    if action == "set":
        amount = st.session_state.get("target_amount") or 0
        return targets.said(quarter, owner, amount, targets.set_target(shell.store(), who, quarter, amount, owner))
    return targets.said(quarter, owner, None, targets.clear_target(shell.store(), who, quarter, owner))


with st.form("targets", border=True):
    left, middle, right = st.columns([3, 1.5, 2])
    left.selectbox("Whose", [TEAM, *shell.query(owners.known_owners)], key="target_owner",
                   help="An owner as the CRM names them on the leads (or as set for a person above)")
    middle.text_input("Quarter", value=quarter_of(shell.today()), key="target_quarter", placeholder="2026-Q4")
    right.number_input(f"Amount ({reporting})", min_value=0.0, step=1000.0, format="%.0f", key="target_amount")
    shell.submit_buttons("target_message", change_target, ("Set target", "set", ":material/flag:"),
                         ("Clear target", "clear", ":material/close:"))

held = shell.query(targets.targets)
if held.empty:
    st.caption("No targets set yet.")
else:
    held = held.assign(owner=held["owner"].fillna(TEAM)).drop(columns="team")
    shell.table(held, "targets.csv", labels={"owner": "Whose", "set_at": "Set"})


# ---------------------------------------------------------------- people and their time (sales/team)


st.subheader("People and their time")
st.caption("One row per person and cost-rate change: a new effective_from adds a row, the same one replaces it (the "
           "old row is kept behind it). Names as they appear in the time entries. Import many at once with "
           "people.csv and time_off.csv (data/templates).")
shell.outcome("roster_message")


def roster_change(action: str) -> str:
    s = st.session_state
    if action == "save":
        row = {k: s.get(f"roster_{k}") for k in roster.PEOPLE_COLUMNS}
        v = edits.save_person(shell.store(), who, row)
        return f"{v['name']} from {v['effective_from']} saved"
    if action == "remove":
        name, since = s["roster_pick"]
        edits.remove_person(shell.store(), who, name, since)
        return f"{name} from {since} taken off the roster"
    edits.add_time_off(shell.store(), who, s["off_person"], s["off_from"], s["off_to"], s.get("off_hours") or None)
    return f"time off for {s['off_person']} from {s['off_from']} to {s['off_to']} recorded"


if not who.may("see_costs"):  # the navigation shows this page to admins only; cost rates are checked in sales/ too
    st.stop()
rates = shell.query(roster.cost_rates, who)
people = shell.query(roster.roster)
shown = people.merge(rates[["name", "effective_from", "cost_rate", "currency"]], on=["name", "effective_from"])
shell.table(shown, "people-with-cost-rates.csv")
with st.form("roster_form", border=True):
    a, b, c, d = st.columns(4)
    a.text_input("Name", key="roster_name")
    b.text_input("Email", key="roster_email")
    c.number_input("Weekly capacity (hours)", min_value=0.0, max_value=168.0, value=40.0,
                   key="roster_weekly_capacity_hours")
    d.text_input("Working days", value="Mon-Fri", key="roster_working_days", help="Mon-Fri, Mon-Thu or Mon,Tue,Thu")
    a, b, c, d = st.columns(4)
    a.text_input("Country or region", key="roster_country", help="ISO code, e.g. DE or DE-BY (public holidays)")
    b.date_input("Start", value=None, key="roster_start")
    c.date_input("End", value=None, key="roster_end")
    d.text_input("Utilisation target", key="roster_utilisation_target", placeholder="80% or 0.8")
    a, b, c, _ = st.columns(4)
    a.number_input("Cost rate per hour", min_value=0.0, value=None, key="roster_cost_rate")
    b.text_input("Currency", key="roster_currency", placeholder="EUR")
    c.date_input("Effective from", value=None, key="roster_effective_from", help="Blank: from the start")
    st.form_submit_button("Save person", type="primary", icon=":material/person_add:", on_click=shell.attempt,
                          args=("roster_message", roster_change, "save"))
if len(people):
    keys = list(dict.fromkeys(zip(people["name"], people["effective_from"].dt.date)))
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    left.selectbox("Row", keys, format_func=lambda k: f"{k[0]} from {k[1]}", key="roster_pick")
    right.button("Take off the roster", icon=":material/person_remove:", on_click=shell.attempt,
                 args=("roster_message", roster_change, "remove"))
    st.markdown("**Time off**")
    with st.form("time_off_form", border=True):
        a, b, c, d = st.columns(4)
        a.selectbox("Person", sorted(people["name"].unique()), key="off_person")
        b.date_input("From", key="off_from")
        c.date_input("To", key="off_to")
        d.number_input("Hours per day", min_value=0.0, max_value=24.0, value=None, key="off_hours",
                       help="Blank: the whole day")
        st.form_submit_button("Record time off", icon=":material/beach_access:", on_click=shell.attempt,
                              args=("roster_message", roster_change, "time_off"))
    shell.table(shell.query(roster.time_off), "time-off.csv")
