"""The Upload page takes spreadsheets: a workbook of several sheets offers the choice, and the sheet chosen is
previewed and imported (issue 22 item 1)."""

from datetime import datetime

from sales.store import Store, scalar
from tests.ingest.xlsx import write_rows
from tests.pages.conftest import open_page

ODOO = ["Opportunity", "Customer", "Salesperson", "Stage", "Expected Revenue", "Probability", "Expected Closing"]


def test_a_workbook_offers_its_sheets_and_imports_the_one_chosen(monkeypatch, tmp_path):
    db = tmp_path / "upload.duckdb"
    Store(db).close()
    book = write_rows(tmp_path / "pipeline.xlsx", {
        "Notes": [["Exported from Odoo"]],
        "Deals": [ODOO, ["Won (1)", None, None, None, 85000.0, "100", None],
                  ["Hedera microdegrees", "Hedera University", "Amara Okafor", "Won", 85000.0, 100.0,
                   datetime(2026, 3, 31)]],
    })
    at = open_page(monkeypatch, db, "upload")
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    at.file_uploader(key="upload").set_value([("pipeline.xlsx", book.read_bytes(), xlsx)]).run()
    assert not at.exception
    sheet = next(s for s in at.selectbox if s.label == "Sheet")
    assert sheet.options == ["Notes", "Deals"] and sheet.value == "Notes"
    assert "sheet 'Notes' holds no export" in at.error[0].value.replace("\\", "")  # the first sheet is none
    sheet.select("Deals").run()
    assert not at.exception and not at.error
    assert any("Detected: **Odoo CRM**" in m.value for m in at.markdown)
    shown = {m.label: m.value for m in at.metric}
    assert (shown["Records"], shown["New"], shown["Skipped"]) == ("2", "1", "1")  # the group row is skipped
    next(b for b in at.button if b.label.replace("\\", "") == "Import pipeline.xlsx").click().run()
    assert not at.exception
    assert "Batch 1: 1 imported" in at.success[0].value
    with Store(db) as store, store.cursor() as cur:
        assert scalar(cur, "SELECT name FROM leads") == "Hedera microdegrees"


def test_a_rerun_does_not_read_the_workbook_again(monkeypatch, tmp_path):
    """The sheet's header and layout, and its dry run, are kept: a click elsewhere on the page converts nothing."""
    from sales.ingest import sheets

    db = tmp_path / "upload.duckdb"
    Store(db).close()
    book = write_rows(tmp_path / "pipeline.xlsx", {"Deals": [ODOO, ["Hedera microdegrees", "Hedera University",
                                                                    "Amara Okafor", "Won", 85000.0, 100.0,
                                                                    datetime(2026, 3, 31)]]})
    read = []
    real = sheets.write_text
    monkeypatch.setattr(sheets, "write_text", lambda *a, **k: read.append(a[0].name) or real(*a, **k))
    at = open_page(monkeypatch, db, "upload")
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    at.file_uploader(key="upload").set_value([("pipeline.xlsx", book.read_bytes(), xlsx)]).run()
    assert not at.exception and {m.label: m.value for m in at.metric}["New"] == "1"
    first = len(read)
    assert first >= 1
    at.run()
    assert not at.exception and {m.label: m.value for m in at.metric}["New"] == "1"
    assert len(read) == first
