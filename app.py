"""Entry point: who is here, the pages their role may open, and the shared sidebar."""

import streamlit as st

import shell

st.set_page_config(page_title="Sales & delivery", page_icon=":material/insights:", layout="wide")


def pages_for(who) -> dict:
    """The navigation a role sees; a page left out cannot be opened, even by its URL."""
    if shell.local_mode_exposed():
        return {"": [st.Page(shell.local_only_screen, title="Local mode", url_path="local-only")]}
    if who is None:
        return {"": [st.Page(shell.sign_in_screen, title="Sign in", icon=":material/login:", url_path="sign-in")]}
    if who.role is None:
        return {"": [st.Page(shell.no_role_screen, title="No access yet", url_path="no-access")]}
    lands_on_week = who.role == "bizdev"  # a business developer's Monday starts with their own leads
    nav = {
        "Dashboards": [
            st.Page("pages/week.py", title="This week", icon=":material/event_upcoming:", default=lands_on_week),
            st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=not lands_on_week),
            st.Page("pages/priorities.py", title="Priorities", icon=":material/trending_up:"),
            st.Page("pages/funnel.py", title="Funnel", icon=":material/filter_alt:"),
            st.Page("pages/budget.py", title="Budget", icon=":material/schedule:"),
            st.Page("pages/team.py", title="Team", icon=":material/groups:"),
        ],
        "Prospects": [st.Page("pages/whatif.py", title="What-if scoring", icon=":material/tune:")],
        "Reference": [st.Page("pages/reference.py", title="Rubric & lifecycle", icon=":material/rule:")],
    }
    if who.may("see_costs"):
        nav["Dashboards"].append(st.Page("pages/profitability.py", title="Profitability", icon=":material/savings:"))
    if who.may("work_lead"):
        nav["Prospects"].append(st.Page("pages/workbench.py", title="Lead workbench", icon=":material/handshake:"))
    if who.may("import"):
        nav["Data"] = [st.Page("pages/upload.py", title="Upload", icon=":material/upload_file:")]
    if who.may("manage_access"):
        nav["Admin"] = [st.Page("pages/people.py", title="People & roles", icon=":material/group:"),
                        st.Page("pages/audit.py", title="Audit trail", icon=":material/history:")]
    return nav


shell.begin_run()
who = shell.actor()
nav = st.navigation(pages_for(who))
st.session_state["_via_app"] = True  # see shell.routed()
if who is not None and who.role is not None and not shell.local_mode_exposed():
    shell.sidebar(who)
nav.run()
