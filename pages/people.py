"""People & roles (admins): who may sign in and what each role may do."""

import streamlit as st

import shell
from sales import access

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
