"""The sidebar every dashboard shares: who is signed in (or the local-mode badge) and the store's totals."""

from __future__ import annotations

import streamlit as st

from sales import serving
from sales.access import Actor
from shell.cache import query, summary
from shell.errors import REFUSED, refused
from shell.identity import sign_in_configured, signed_in
from shell.storage import store


def signed_in_as(who: Actor) -> None:
    """Who is signed in, or the local-mode badge, at the top of the sidebar."""
    with st.sidebar:
        if not sign_in_configured():
            opened = serving.open_without_sign_in()
            st.badge("Local mode: no sign-in" + (f" · open to the network ({serving.OPT_OUT})" if opened else ""),
                     icon=":material/lock_open:", color="orange")
            return
        st.caption("Signed in as")
        shown = getattr(signed_in(), "shown", who.identity)  # the address as the provider wrote it
        st.text(f"{shown} · {who.role}")  # plain text: no Markdown, no autolink
        st.button("Sign out", icon=":material/logout:", on_click=st.logout, key="sign_out")


def sidebar(who: Actor) -> None:
    s = summary()
    signed_in_as(who)
    with st.sidebar:
        if s.is_demo:
            st.warning("**Demo data.** These leads and hours are generated examples, "
                       "not real clients.", icon=":material/science:")
            if who.may("demo") and not store().read_only:
                _remove_demo_button(who)
        if message := st.session_state.pop("demo_message", None):
            st.success(message)  # plain text of our own: counts only
        st.caption(f"Store: `{store().path.name}` · {s.leads:,} leads · "
                   f"{s.time_entries:,} time entries · {s.hours:,.0f} h")
        if store().read_only:
            st.warning("**Read-only store**: writes are off, so every role can only read. Make the file "
                       "writable (chmod u+w) and restart the dashboard to change data.", icon=":material/lock:")
        if s.empty and who.may("demo"):
            st.info("The store is empty: upload exports, or look around with demo data first.")
            st.button("Load demo data", icon=":material/science:", on_click=_load_demo, args=(who,))
        elif s.empty:
            st.info("The store is empty: an admin uploads the exports.")


def _remove_demo_button(who: Actor) -> None:
    """An admin's way from the demo to their own data: what goes is said before anything is removed."""
    from sales.demo_rows import demo_rows

    pop = st.popover("Remove demo data", icon=":material/delete_sweep:", key="demo_remove_open", on_change="rerun")
    if pop.open:  # counted when someone opens it: every table is read, on no first view of a page
        with pop:
            st.write(query(demo_rows).sentence())  # our own sentence: counts and table names only
            st.button("Remove the demo data", type="primary", key="remove_demo", on_click=_remove_demo,
                      args=(who,))


def _remove_demo(who: Actor) -> None:
    from sales.demo_rows import remove_demo

    try:
        removed = remove_demo(store(), who)
    except REFUSED as e:
        refused(e)
        return
    st.session_state["demo_message"] = f"Demo data removed: {removed.total:,} rows."


def _load_demo(who: Actor) -> None:
    """A callback, so the rerun that follows already sees the new rows everywhere."""
    from sales.demo import write_demo

    try:
        write_demo(store(), who)
    except REFUSED as e:
        refused(e)
