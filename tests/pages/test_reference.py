"""The reference page (rubric and lifecycle) on an empty store and on the demo store."""

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def app(monkeypatch, db) -> AppTest:
    monkeypatch.setenv("SALES_DB", str(db))
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def test_open_leads_per_category_on_the_hand_made_store(monkeypatch, pipeline_db):
    at = app(monkeypatch, pipeline_db).run()
    at.switch_page("pages/reference.py").run()
    # open: Alpha 28 (High), Beta 14 (Medium), Zeta never assessed (not counted); the rest are closed
    assert [m.value for m in at.metric] == ["1 open lead", "1 open lead", "0 open leads"]


def test_reference_on_demo_store(monkeypatch, demo_db):
    at = app(monkeypatch, demo_db).run()
    assert "Demo data" in at.sidebar.warning[0].value  # sidebar: checked on the first run (see below)
    at.switch_page("pages/reference.py").run()
    assert not at.exception
    assert [m.label for m in at.metric] == ["High priority · 20–28", "Medium priority · 10–19", "Low priority · 0–9"]
    categories, examples, lifecycle = (d.value for d in at.dataframe)
    rubric = at.table[0].value
    assert rubric["Weight"].tolist() == ["2", "2", "2", "1", "3", "2", "2"]
    assert rubric.index.tolist()[4] == "Prestige"
    assert categories["Score range"].tolist() == ["20–28", "10–19", "0–9"]
    assert examples[["Score", "Category", "Handbook total"]].values.tolist() == [
        ["24", "High", "24"], ["14", "Medium", "18"], ["4", "Low", "2"]]
    assert lifecycle["Stage"].nunique() == 8 and len(lifecycle) == 15
    chart = at.get("vega_lite_chart")[0]
    assert '"Max points"' in chart.proto.spec


def test_empty_store_offers_demo(monkeypatch, tmp_path):
    db = tmp_path / "empty.duckdb"
    at = app(monkeypatch, db).run()
    assert not at.exception
    assert "Nothing to show yet" in at.info[0].value
    assert "store is empty" in at.sidebar.info[0].value
    at.sidebar.button[0].click().run()
    assert not at.exception
    at.switch_page("pages/reference.py").run()
    assert sum(int(m.value.split()[0].replace(",", "")) for m in at.metric) > 0
    # AppTest drops sidebar elements on a second run of the same instance when st.navigation is used
    # (reproduced with a five-line app; a real browser shows them), so the sidebar is checked afresh
    fresh = app(monkeypatch, db)
    fresh.session_state["demo_remove_open"] = True  # "Remove demo data" opened: its button is drawn then
    fresh.run()
    assert "Demo data" in fresh.sidebar.warning[0].value
    assert [b.key for b in fresh.sidebar.button] == ["remove_demo"]  # no more loading: removing instead
