"""What the pages show of the rules kept in sales/: one label for a lead never assessed, and the currencies of the
rates file on the workbench. On tests/pipeline_store.py, where Zeta (lead 6, owned by Bo,
in USD) was never assessed."""

from tests.pages.conftest import open_page


def test_a_lead_never_assessed_is_called_so_on_every_page(monkeypatch, pipeline_db):
    at = open_page(monkeypatch, pipeline_db, "workbench", lead="6")
    assert {m.label: m.value for m in at.metric}["Category"] == "Not assessed"
    # a small project is priced in the lead's currency or one data/currencies.toml (here the tests' copy) knows
    assert at.selectbox(key="sp_currency").options == ["USD", "EUR", "GBP"]
    at = open_page(monkeypatch, pipeline_db, "priorities", lead="6")
    assert "Not assessed." in [c.value for c in at.caption]
    at = open_page(monkeypatch, pipeline_db, "priorities", dimension="source")
    breakdown = at.get("vega_lite_chart")[0].proto.spec
    assert '"Not assessed"' in breakdown  # the category colour scale names it as the tables do
