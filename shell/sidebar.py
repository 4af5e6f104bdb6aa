"""The sidebar every dashboard shares: who is signed in (or the local-mode badge) and the store's totals."""

from __future__ import annotations

import streamlit as st

from sales import serving
from sales.access import Actor
from shell.cache import summary
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


def _load_demo(who: Actor) -> None:
    """A callback, so the rerun that follows already sees the new rows everywhere."""
    from sales.demo import write_demo

    try:
        write_demo(store(), who)
    except REFUSED as e:
        refused(e)
