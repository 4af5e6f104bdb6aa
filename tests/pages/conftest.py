"""Shared by the page tests: a clean Streamlit cache per test, and opening a page the way a link does."""

import pytest
import streamlit as st
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from sales import access
from sales.store import Store
from tests.conftest import ADMIN, ROOT
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


def run_script(monkeypatch, db, script, **params) -> AppTest:
    """``script`` (a function, as AppTest.from_function runs it) on store ``db`` with ``params`` in the URL."""
    monkeypatch.setenv("SALES_DB", str(db))
    at = AppTest.from_function(script, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


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


@pytest.fixture
def team(tmp_path, monkeypatch, pipeline_db):
    """``team(claims, trust, seed)``: app.py with sign-in configured ([auth] in the secrets; ``trust``: the value of
    ``[sales] trust_unverified_email``), signed in with the ID token ``claims`` (None: signed out), on the
    hand-made store with grants: *@viewers.example viewer, boss@agency.example admin, bo@agency.example bizdev
    (CRM owner Bo)."""
    with Store(pipeline_db) as s:
        access.grant(s, ADMIN, "*@viewers.example", "viewer")
        access.grant(s, ADMIN, "boss@agency.example", "admin")
        access.grant(s, ADMIN, "bo@agency.example", "bizdev")
        access.set_crm_owner(s, ADMIN, "bo@agency.example", "Bo", new_owner=True)
    monkeypatch.setenv("SALES_DB", str(pipeline_db))
    before = st_config.get_option("secrets.files")

    def run(claims: dict | None, trust: str | None = None, seed: dict | None = None) -> AppTest:
        secrets = tmp_path / f"secrets-{len(list(tmp_path.iterdir()))}.toml"
        secrets.write_text('[auth]\nredirect_uri = "http://127.0.0.1:8501/oauth2callback"\ncookie_secret = "s"\n'
                           'client_id = "c"\nclient_secret = "s"\nserver_metadata_url = "http://127.0.0.1:9/x"\n'
                           + (f"[sales]\ntrust_unverified_email = {trust}\n" if trust else ""))
        st_config.set_option("secrets.files", [str(secrets)])
        st.secrets._reset()  # Streamlit reads a changed file when its watcher says so; tests have none
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.user = {"is_logged_in": False} if claims is None else {"is_logged_in": True, **claims}
        for k, v in (seed or {}).items():  # what an earlier page or a callback left in the session
            at.session_state[k] = v
        at.run()
        assert not at.exception, at.exception
        return at

    yield run
    st_config.set_option("secrets.files", before)
    st.secrets._reset()
