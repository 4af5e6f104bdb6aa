"""Shared by the page tests: a clean Streamlit cache per test, and opening a page the way a link does."""

import pytest
from streamlit.testing.v1 import AppTest

from sales.store import Store
from tests.conftest import ROOT
from tests.pipeline_store import build


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test gets its own store connection and no cached query results from another test."""
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def pipeline_db(tmp_path):
    """A store file holding the six hand-made leads of tests/pipeline_store.py."""
    path = tmp_path / "pipeline.duckdb"
    with Store(path) as s:
        build(s)
    return path


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
