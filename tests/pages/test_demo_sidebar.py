"""The sidebar's demo banner shows while demo rows exist, and an admin removes them there after reading what
goes."""

from streamlit.testing.v1 import AppTest

from sales.demo import write_demo
from sales.ingest import import_file
from sales.store import Store, scalar
from tests.conftest import ADMIN, ANCHOR, ROOT
from tests.pages.conftest import open_page


def test_the_banner_goes_with_the_demo_rows_and_imported_data_stays(monkeypatch, tmp_path):
    db = tmp_path / "d.duckdb"
    with Store(db) as s:
        import_file(s, ADMIN, ROOT / "tests" / "fixtures" / "leads_canonical.csv")  # L-1 and L-2
        write_demo(s, ADMIN, leads=30, time_entries=20, anchor=ANCHOR)
    at = open_page(monkeypatch, db, "overview")
    assert "Demo data" in at.sidebar.warning[0].value
    assert [p.proto.popover.label for p in at.sidebar.get("popover")] == ["Remove demo data"]
    assert not [m for m in at.sidebar.markdown if m.value.startswith("Removes ")]  # counted only when opened
    # opened ("Remove demo data" keeps its state under this key); read afresh, as below
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["demo_remove_open"] = True
    at.run()
    # the confirmation says what goes before anything does
    sentence = next(m.value for m in at.sidebar.markdown if m.value.startswith("Removes "))
    assert sentence.startswith("Removes 30 demo leads with ")
    assert "20 demo time entries" in sentence and "Grants, the audit trail and imported data stay." in sentence
    at.sidebar.button(key="remove_demo").click().run()
    assert not at.exception
    with Store(db) as s:
        assert scalar(s.cursor(), "SELECT count(*) FROM leads WHERE is_demo") == 0
        assert scalar(s.cursor(), "SELECT count(*) FROM leads") == 2
    # AppTest drops sidebar elements on a second run of one instance under st.navigation (see
    # tests/pages/test_reference.py), so the sidebar is read afresh
    fresh = open_page(monkeypatch, db, "overview")
    assert not fresh.sidebar.warning
    assert not [b for b in fresh.sidebar.button if b.key == "remove_demo"]


def test_a_store_of_imports_only_shows_no_banner(monkeypatch, tmp_path):
    db = tmp_path / "d.duckdb"
    with Store(db) as s:
        import_file(s, ADMIN, ROOT / "tests" / "fixtures" / "leads_canonical.csv")
    at = open_page(monkeypatch, db, "overview")
    assert not at.sidebar.warning
    assert not at.sidebar.get("popover")  # no "Remove demo data"
