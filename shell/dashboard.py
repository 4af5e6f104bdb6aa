"""A dashboard's opening: its title and filters, or the empty state when the store holds nothing to show."""

from __future__ import annotations

import streamlit as st

from sales.filters import Filters
from shell.cache import summary
from shell.filters import filters


def dashboard(title: str, leads_only: bool = True) -> Filters:
    """A dashboard's opening: title and sidebar filters, or the empty state (and stop) when the store
    holds nothing the page could show: no leads, or (``leads_only=False``) neither leads nor hours."""
    st.title(title)
    f = filters()
    s = summary()
    if s.leads == 0 if leads_only else s.empty:
        empty_state("no leads in the store." if leads_only else "no leads or time entries in the store.")
        st.stop()
    return f


def empty_state(what: str) -> None:
    st.info(f"Nothing to show yet: {what} Upload exports with `python -m sales import FILE` "
            "(or load the demo data from the sidebar).", icon=":material/inbox:")
