"""Shared by the page tests: a clean Streamlit cache per test, and opening a page the way a link does."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test gets its own store connection and no cached query results from another test."""
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


def open_page(monkeypatch, db, name: str, **params) -> AppTest:
    """Run app.py on store ``db`` with ``params`` in the URL, then switch to ``pages/<name>.py``."""
    monkeypatch.setenv("SALES_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    if name != "overview":
        at.switch_page(f"pages/{name}.py").run()
        assert not at.exception, at.exception
    return at
