"""shell.routing: a page file run on its own (a deep link before app.py has run on a fresh server) hands over
to app.py, so what app.py decides (here: local mode on a network address serves nothing) holds for every link."""

import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


@pytest.fixture
def exposed(monkeypatch):
    monkeypatch.delenv("SALES_OPEN_WITHOUT_SIGN_IN", raising=False)
    st_config.set_option("server.address", "0.0.0.0")
    yield
    st_config.set_option("server.address", "127.0.0.1")


@pytest.mark.parametrize("page", ["people", "upload", "priorities", "audit"])
def test_a_page_opened_by_its_link_alone_goes_through_app_py(monkeypatch, pipeline_db, exposed, page):
    monkeypatch.setenv("SALES_DB", str(pipeline_db))
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Local mode is for this computer only"
    assert len(at.metric) == 0 and len(at.dataframe) == 0 and len(at.button) == 0
