"""Entry point: who is here, the page their link asked for (shell.navigation), and the shared sidebar."""

import streamlit as st

import shell

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


shell.begin_run()
screen = closed()
who = None if screen else shell.actor()
nav = shell.Navigation(st.navigation([screen], position="hidden"), {}) if screen else shell.route(who)
st.session_state["_via_app"] = True  # see shell.routed()
if who is not None and not nav.redirect:
    shell.notices(who)  # a write refused, or a role changed, since this session's last page
    if who.role is not None:
        shell.sidebar_links(nav)
        shell.sidebar(who)
nav.page.run()
shell.links_follow()  # the page may have changed the filters in the address after the links were drawn
