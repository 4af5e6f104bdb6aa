"""People & roles (admins): who may sign in and what each role may do."""

import streamlit as st

import shell
from sales import access, targets
from sales.filters import quarter_of
from sales.money import default_currencies

shell.routed()

who = shell.actor()
st.title("People & roles")
st.caption("Sign-in says who someone is; the role given here says what they may do. A grant names one email "
           "(any case) or a whole domain such as `*@agency.example`; a person's own grant wins over their domain's.")
st.dataframe({"Role": list(access.ROLES), "May": [access.ROLE_HELP[r] for r in access.ROLES]}, hide_index=True,
             width="stretch")

if "people_message" in st.session_state:
    kind, text = st.session_state.pop("people_message")
    (st.success if kind == "ok" else st.error)(shell.plain(text))


def change(action: str) -> None:
    email = st.session_state.get("people_who", "")
    try:
        if action == "grant":
            role = st.session_state["people_role"]
            before = access.grant(shell.store(), who, email, role)
            text = f"{access.normalise(email)} is now {role}" + (f" (was {before})" if before else "")
            owner = st.session_state.get("people_owner", "")
            if owner.strip():
                access.set_crm_owner(shell.store(), who, email, owner)
                text += f"; their leads are those of CRM owner '{owner.strip()}'"
        else:
            before = access.revoke(shell.store(), who, email)
            text = f"{access.normalise(email)} no longer has the {before} role"
    except shell.REFUSED as e:  # their role changed after the page was drawn: said on the page that follows
        shell.refused(e)
        return
    except ValueError as e:
        st.session_state["people_message"] = ("error", str(e))
        return
    st.session_state["people_message"] = ("ok", text)


with st.form("grant", border=True):
    left, middle, right = st.columns([3, 2, 1])
    left.text_input("Email or domain", key="people_who", placeholder="name@agency.example or *@agency.example")
    middle.text_input("Lead owner name in the CRM", key="people_owner", placeholder="e.g. Amara Okafor",
                      help="Whose leads are theirs on This week and in the digest; blank keeps what is set "
                           "(their email when nothing is)")
    right.selectbox("Role", access.ROLES, key="people_role")
    g, r = st.columns(2)
    g.form_submit_button("Grant", type="primary", icon=":material/person_add:", on_click=change, args=("grant",))
    r.form_submit_button("Revoke", icon=":material/person_remove:", on_click=change, args=("revoke",))

grants = shell.query(access.grants)
st.subheader("Grants")
if grants.empty:
    st.caption("No grants yet.")
else:
    st.dataframe(grants, hide_index=True, width="stretch", column_config={
        "who": "Email or domain", "role": "Role", "crm_owner": "Lead owner in the CRM", "granted_by": "Granted by",
        "granted_at": st.column_config.DatetimeColumn("Granted", format="YYYY-MM-DD HH:mm")})
    shell.download(grants, "grants.csv")

# ---------------------------------------------------------------- quarter targets

TEAM = "The team"
reporting = default_currencies().reporting
st.subheader("Quarter targets")
st.caption(f"Per lead owner (the name the CRM gives them) and for the team, in {reporting}. The team's target is "
           "its own when set, else the sum of the owners', else [forecast] quarter_target in data/lifecycle.toml. "
           "This week compares each person's forecast with their own target, and everyone's with the team's.")

if "target_message" in st.session_state:
    kind, text = st.session_state.pop("target_message")
    (st.success if kind == "ok" else st.error)(shell.plain(text))


def change_target(action: str) -> None:
    chosen = st.session_state.get("target_owner")
    owner = None if chosen == TEAM else chosen
    quarter = st.session_state.get("target_quarter", "")
    try:
        if action == "set":
            amount = st.session_state.get("target_amount") or 0
            text = targets.said(quarter, owner, amount, targets.set_target(shell.store(), who, quarter, amount, owner))
        else:
            text = targets.said(quarter, owner, None, targets.clear_target(shell.store(), who, quarter, owner))
    except (ValueError, access.AccessDenied) as e:
        st.session_state["target_message"] = ("error", str(e))
        return
    st.session_state["target_message"] = ("ok", text)


with st.form("targets", border=True):
    left, middle, right = st.columns([3, 1.5, 2])
    left.selectbox("Whose", [TEAM, *shell.query(targets.owner_names)], key="target_owner",
                   help="An owner as the CRM names them on the leads (or as set for a person above)")
    middle.text_input("Quarter", value=quarter_of(shell.today()), key="target_quarter", placeholder="2026-Q4")
    right.number_input(f"Amount ({reporting})", min_value=0.0, step=1000.0, format="%.0f", key="target_amount")
    s, c = st.columns(2)
    s.form_submit_button("Set target", type="primary", icon=":material/flag:", on_click=change_target, args=("set",))
    c.form_submit_button("Clear target", icon=":material/close:", on_click=change_target, args=("clear",))

held = shell.query(targets.targets)
if held.empty:
    st.caption("No targets set yet.")
else:
    held = held.assign(owner=held["owner"].fillna(TEAM)).drop(columns="team")
    shell.table(held, "targets.csv", column_config={
        "owner": "Whose", "amount": st.column_config.NumberColumn("Amount", format="%,.0f"),
        "set_at": st.column_config.DatetimeColumn("Set", format="YYYY-MM-DD HH:mm")})
