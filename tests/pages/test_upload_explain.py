"""The Upload page says why a file was read as it was (issue 22 item 5): the same lines as
``python -m sales import --explain``, in an expander; a report we cannot import is named with the export to
download instead, and nothing is offered for import."""

from sales.store import Store, scalar
from tests.conftest import ROOT
from tests.pages.conftest import open_page

FIX = ROOT / "tests" / "fixtures"


def _upload(monkeypatch, db, path):
    at = open_page(monkeypatch, db, "upload")
    at.file_uploader(key="upload").set_value([(path.name, path.read_bytes(), "text/csv")]).run()
    assert not at.exception, at.exception
    return at


def test_upload_explains_the_layout(monkeypatch, pipeline_db):
    at = _upload(monkeypatch, pipeline_db, FIX / "toggl_2024.csv")
    why = next(e for e in at.expander if e.label == "Why this layout")
    lines = why.text[0].value.splitlines()
    assert lines[0] == "toggl_2024.csv: read as Toggl Track detailed (toggl), a time file"
    assert lines[2] == "  columns ignored: none"
    assert lines[3] == ("  runner-up: Clockify detailed (clockify), which lacked column 'User', "
                        "column 'Duration (decimal)'")


def test_upload_of_a_summary_report_names_it_and_offers_no_import(monkeypatch, pipeline_db):
    at = _upload(monkeypatch, pipeline_db, FIX / "reports" / "toggl_summary.csv")
    assert at.error[0].value.replace("\\", "") == (  # shown as plain text (Markdown escaped)
        "toggl_summary.csv: line 1: this is a Toggl Track summary report, which holds totals, "
                                 "not time entries; download the Detailed report instead (Reports → Detailed → "
                                 "Export → Download CSV)")
    why = next(e for e in at.expander if e.label == "Why this layout")
    assert why.text[0].value.splitlines()[0] == "toggl_summary.csv: no known layout fits"
    assert not [b for b in at.button if b.key and b.key.endswith("_go")]
    with Store(pipeline_db) as s:
        assert scalar(s.cursor(), "SELECT count(*) FROM import_batches") == 0
