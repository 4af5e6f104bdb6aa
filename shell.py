"""Streamlit glue shared by every page: the one cached store and the sidebar.

Kept outside ``sales/`` because it is the only place that knows about Streamlit's caching.
"""

from __future__ import annotations

import streamlit as st

from sales.queries import StoreSummary, store_summary
from sales.store import Store, StoreLockedError


@st.cache_resource
def _store() -> Store:
    return Store()


def store() -> Store:
    """The process-wide store; stops the page with an explanation when the file is locked."""
    try:
        return _store()
    except StoreLockedError as e:
        st.error(str(e))
        st.stop()


def cursor():
    """A fresh cursor: DuckDB connections must not be shared across Streamlit's threads."""
    return store().cursor()


def summary() -> StoreSummary:
    return store_summary(cursor())


def sidebar() -> None:
    s = summary()
    with st.sidebar:
        if s.is_demo:
            st.warning("**Demo data.** These leads and hours are generated examples, "
                       "not real clients.", icon=":material/science:")
        st.caption(f"Store: `{store().path.name}` · {s.leads:,} leads · "
                   f"{s.time_entries:,} time entries · {s.hours:,.0f} h")
        if s.empty:
            st.info("The store is empty: upload exports, or look around with demo data first.")
            st.button("Load demo data", icon=":material/science:", on_click=_load_demo)


def _load_demo() -> None:
    """A callback, so the rerun that follows already sees the new rows everywhere."""
    from sales.demo import write_demo

    write_demo(store())
