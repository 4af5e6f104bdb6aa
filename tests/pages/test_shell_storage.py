"""shell.storage: the one store of the server, and the screen every page shows while it cannot be used."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.pages.conftest import open_page
from tests.test_store import STORE_CONDITIONS


def linked(page: str) -> AppTest:
    """A fresh session opening ``pages/<page>.py`` by its link (SALES_DB already set): the page file runs
    alone and hands over to app.py (shell.routing)."""
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("condition", [c for c, (_, sentence) in STORE_CONDITIONS.items() if sentence])
def test_a_store_that_cannot_be_opened_gets_a_page_that_says_why(monkeypatch, tmp_path, condition):
    make, sentence = STORE_CONDITIONS[condition]
    path = make(tmp_path)
    for at in [open_page(monkeypatch, path, "overview"), *map(linked, ("upload", "people"))]:
        assert at.title[0].value == "The store cannot be opened"
        assert sentence in at.error[0].value.replace("\\", "")
        assert len(at.metric) == 0 and len(at.dataframe) == 0 and len(at.sidebar.markdown) == 0


def test_a_read_only_store_is_read_and_no_page_offers_a_write(monkeypatch, tmp_path):
    make, _ = STORE_CONDITIONS["read-only"]
    path = make(tmp_path)
    at = open_page(monkeypatch, path, "overview")
    assert at.title[0].value == "Overview" and len(at.metric) >= 4  # reads work
    assert any("Read-only store" in w.value for w in at.sidebar.warning)
    assert "Load demo data" not in [b.label for b in at.button]
    for page in ("upload", "people", "audit", "workbench"):  # the pages that write are not offered
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"pages/{page}.py")
    at.switch_page("pages/whatif.py").run()
    assert "Save as a new assessment" not in [b.label for b in at.button]


def test_a_store_fixed_meanwhile_opens_on_the_next_page_view(monkeypatch, tmp_path, pipeline_db):
    path = tmp_path / "later.duckdb"
    path.mkdir()
    at = open_page(monkeypatch, path, "overview")
    assert at.title[0].value == "The store cannot be opened"
    path.rmdir()
    path.write_bytes(pipeline_db.read_bytes())  # someone put the right file in its place
    at.run()
    assert at.title[0].value == "Overview"
