"""shell.dashboard and shell.sidebar: a dashboard's opening, the empty state, and the sidebar's store line
and demo offer."""

from sales.store import Store
from tests.pages.conftest import open_page


def test_an_empty_store_offers_the_demo_and_every_dashboard_says_what_is_missing(monkeypatch, tmp_path):
    db = tmp_path / "empty.duckdb"
    Store(db).close()
    at = open_page(monkeypatch, db, "overview")
    assert at.title[0].value == "Overview"
    assert "Nothing to show yet: no leads or time entries in the store." in at.info[0].value
    assert "empty.duckdb` · 0 leads · 0 time entries · 0 h" in " ".join(c.value for c in at.sidebar.caption)
    for name in ("priorities", "funnel"):
        at.switch_page(f"pages/{name}.py").run()
        assert "Nothing to show yet: no leads in the store." in at.info[0].value
        assert len(at.metric) == 0


def test_loading_the_demo_from_the_sidebar_fills_every_page(monkeypatch, tmp_path):
    db = tmp_path / "empty.duckdb"
    Store(db).close()
    at = open_page(monkeypatch, db, "overview")
    next(b for b in at.sidebar.button if b.label == "Load demo data").click().run()
    assert not at.exception
    with Store(db) as s:
        leads = s.cursor().execute("SELECT count(*) FROM leads WHERE is_demo").fetchall()[0][0]
    assert leads > 0
    assert len(at.metric) >= 4  # the rerun after the click already reads them
    at = open_page(monkeypatch, db, "overview")  # (AppTest reruns the page alone: a fresh session for the sidebar)
    assert any("**Demo data.**" in w.value for w in at.sidebar.warning)
    assert "Load demo data" not in [b.label for b in at.sidebar.button]
