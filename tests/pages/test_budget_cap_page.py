"""The Budget page's invoice lines stop at a development cap: tests/fixtures/capped (worked by hand in
tests/test_budget_cap.py's docstring) imported through the public importer, May 2026 on screen."""

from sales.ingest import import_file
from sales.store import Store
from tests.conftest import ADMIN
from tests.pages.conftest import open_page as page
from tests.test_budget_cap import FIXTURES


def test_the_budget_page_shows_the_hours_worked_and_bills_those_within_the_cap(monkeypatch, tmp_path):
    db = tmp_path / "c.duckdb"
    with Store(db) as s:
        for name in ("budgets.csv", "time_entries.csv"):
            assert import_file(s, ADMIN, FIXTURES / name).rejected == 0
    at = page(monkeypatch, db, "budget", **{"from": "2026-05-01", "to": "2026-05-31"})
    lines = at.dataframe[-1].value
    # Kestrel Labs: 7 h worked in May, 4 within its 10 h cap (6 were billed in April) × 100 = 400; Quill College's
    # retainer bills all 25 h × 90 = 2,250
    assert lines[["Account", "Month", "Billable (h)", "Amount", "Note"]].values.tolist() == [
        ["Kestrel Labs", "2026-05", "7.00", "USD 400", "development capped at 10 h: 3 h past the cap not billed"],
        ["Quill College", "2026-05", "25.00", "EUR 2,250", ""]]
    assert any("bills no hours past its cap" in c.value for c in at.caption)
