"""The one store this server process opens, shared by every session, and what a page does while an
import holds its file."""

from __future__ import annotations

import contextlib

import streamlit as st

from sales.store import Store, StoreLockedError

IDLE_RELEASE = 2.0  # seconds without a query before the dashboard lets the store file go
WAIT_FOR_STORE = 60.0  # how long a page waits while a command-line import holds the file


@st.cache_resource(on_release=Store.close)  # a cleared cache lets the file and the idle thread go
def _store() -> Store:
    return Store(wait=WAIT_FOR_STORE, idle_release=IDLE_RELEASE)


@contextlib.contextmanager
def stop_when_locked():
    """A command-line import held the store file longer than a page waits: say so and stop the page."""
    try:
        yield
    except StoreLockedError as e:
        st.error(str(e))
        st.stop()


def store() -> Store:
    """The process-wide store; stops the page with an explanation when the file is locked."""
    with stop_when_locked():
        return _store()


def cursor():
    """A fresh cursor: DuckDB connections must not be shared across Streamlit's threads."""
    return store().cursor()
