"""The one store this server process opens, shared by every session; what a page does while an import
holds its file; and the screen for a store that cannot be used at all."""

from __future__ import annotations

import contextlib

import streamlit as st

from sales import memo
from sales.store import Store, StoreError, StoreLockedError
from shell.text import plain

IDLE_RELEASE = 2.0  # seconds without a query before the dashboard lets the store file go
WAIT_FOR_STORE = 60.0  # how long a page waits while a command-line import holds the file


@st.cache_resource(on_release=Store.close)  # a cleared cache lets the file and the idle thread go
def _store() -> Store:
    s = Store(wait=WAIT_FOR_STORE, idle_release=IDLE_RELEASE)
    # once a write is committed, the tables pages read beside the store are built for it (kept, a few rows
    # computed again, or in full: sales/memo.py) before the writer's page goes on, not by the next page view
    s.after_write.append(lambda: memo.refresh(s.cursor()))
    return s


@contextlib.contextmanager
def stop_when_locked():
    """A command-line import held the store file longer than a page waits: say so and stop the page."""
    try:
        yield
    except StoreLockedError as e:
        st.error(plain(e))
        st.stop()


def store() -> Store:
    """The process-wide store; stops the page with an explanation when the file is locked."""
    with stop_when_locked():
        return _store()


def cursor():
    """A fresh cursor: DuckDB connections must not be shared across Streamlit's threads."""
    return store().cursor()


def store_problem() -> str | None:
    """Why the store cannot be used (a sentence that says what to do), or None. A failed open is not
    cached: the next page view tries again, so fixing the file and reloading is enough."""
    try:
        _store()
    except StoreError as e:
        return str(e)
    return None


def store_screen() -> None:
    """Instead of every page while the store cannot be opened."""
    st.title("The store cannot be opened")
    st.error(plain(store_problem() or "The store opens again: reload the page."), icon=":material/database:")
    st.caption("Nothing was changed. Fix what the message names, then reload this page; the dashboard tries the "
               "store again on every page view.")
