"""Entry point: who is here, the pages their role may open, and the shared sidebar."""

import streamlit as st

import shell
from sales.week import own_leads

st.set_page_config(page_title="Sales & delivery", page_icon=":material/insights:", layout="wide")


def closed() -> st.Page | None:
    """The one screen shown instead of the dashboards, before anything reads the store: a page asked for
    under a host name this server does not answer to, local mode on a network address, or a store that
    cannot be opened."""
    if shell.refused_host():
        return st.Page(shell.wrong_host_screen, title="Not served here", url_path="wrong-host")
    if shell.local_mode_exposed():
        return st.Page(shell.local_only_screen, title="Local mode", url_path="local-only")
    if shell.store_problem():
        return st.Page(shell.store_screen, title="Store", url_path="store")
    return None


def pages_for(who) -> dict:
    """The navigation a role sees; a page left out cannot be opened, even by its URL."""
    if who is None:
        return {"": [st.Page(shell.sign_in_screen, title="Sign in", icon=":material/login:", url_path="sign-in")]}
    if who.role is None:
        return {"": [st.Page(shell.no_role_screen, title="No access yet", url_path="no-access")]}
    lands_on_week = bool(shell.query(own_leads, who))  # whoever has leads of their own starts the week with them
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
screen = closed()
who = None if screen else shell.actor()
nav = st.navigation({"": [screen]} if screen else pages_for(who))
st.session_state["_via_app"] = True  # see shell.routed()
if who is not None:
    shell.notices(who)  # a write refused, or a role changed, since this session's last page
    if who.role is not None:
        shell.sidebar(who)
nav.run()
