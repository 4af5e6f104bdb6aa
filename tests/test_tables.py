"""sales.tables.readable: result tables in words, each rule pinned by a hand-worked table."""

from datetime import date, datetime

import pandas as pd

from sales.tables import changes, readable


def test_budget_columns_read_as_words_with_their_units():
    frame = pd.DataFrame({"account": ["Atlas", "Brown"], "goal": [160.0, 0.0], "billable": [101.25, 3.0],
                          "non_billable": [14.0, 0.0], "goal_ytd": [1600.0, 0.0], "used": [0.6328125, None],
                          "status": ["on track", "no budget"], "non_billable_share": [0.1214, 0.0]})
    shown = readable(frame)
    assert shown.columns.tolist() == ["Account", "Budget (h)", "Billable (h)", "Non-billable (h)",
                                      "Budget this year (h)", "Used (%)", "Status", "Non-billable share (%)"]
    assert shown.values.tolist() == [
        ["Atlas", "160.00", "101.25", "14.00", "1,600.00", "63.3%", "on track", "12.1%"],
        ["Brown", "0.00", "3.00", "0.00", "0.00", "", "no budget", "0.0%"]]


def test_money_carries_its_currency_and_no_cents_from_a_thousand():
    frame = pd.DataFrame({"name": ["A", "B", "C", "D", "E"], "amount": [85000.0, 950.5, 1234.56, None, 300.0],
                          "currency": ["USD", "EUR", "USD", "USD", "GBP"]})
    assert readable(frame)["Amount"].tolist() == ["USD 85,000", "EUR 950.50", "USD 1,235", "", "GBP 300"]
    # one currency per column: in the header; a frame without a currency column names it once for all
    assert readable(pd.DataFrame({"month": ["2026-01"], "forecast_USD": [48974.67], "won_USD": [201800.0],
                                  "error": [-0.7573]})).values.tolist() == [["2026-01", "48,975", "201,800",
                                                                             "-75.7%"]]
    assert readable(pd.DataFrame({"forecast_USD": [1.0]})).columns.tolist() == ["Forecast (USD)"]
    by_month = readable(pd.DataFrame({"revenue": [72801.25], "margin_pct": [0.32738]}), currency="EUR")
    assert by_month.columns.tolist() == ["Revenue (EUR)", "Margin (%)"]
    assert by_month.values.tolist() == [["72,801", "32.7%"]]


def test_percentages_have_one_decimal():
    frame = pd.DataFrame({"category": ["High", "Low"], "closed": [25, 4], "won": [13, 1], "win_rate": [0.092, 0.2482],
                          "ci_low": [0.33498, 0.0], "ci_high": [0.69969, 1.0]})
    shown = readable(frame)
    assert shown.columns.tolist() == ["Category", "Closed", "Won", "Win rate (%)", "95% low (%)", "95% high (%)"]
    assert shown.values.tolist() == [["High", "25", "13", "9.2%", "33.5%", "70.0%"],
                                     ["Low", "4", "1", "24.8%", "0.0%", "100.0%"]]


def test_dates_without_midnight_and_empty_cells_blank():
    frame = pd.DataFrame({"created_on": pd.to_datetime(["2026-09-07", None]),
                          "touched_at": [datetime(2026, 1, 5, 9, 30), datetime(2026, 1, 6)],
                          "expected_close": [date(2026, 12, 26), None], "note": [None, "retainer"],
                          "leads": [1200, 3], "lead_id": [1234, 8], "batch": pd.array([None, 2], dtype="Int32")})
    shown = readable(frame)
    assert shown.columns.tolist() == ["Created on", "Touched at", "Expected close", "Note", "Leads", "Lead ID",
                                      "Batch"]
    assert shown.values.tolist() == [["2026-09-07", "2026-01-05 09:30", "2026-12-26", "", "1,200", "1234", ""],
                                     ["", "2026-01-06", "", "retainer", "3", "8", "2"]]


def test_hours_days_and_kinds_in_words():
    frame = pd.DataFrame({"week": ["2026-11-30"], "capacity_hours": [294.0], "hours": [31580.24],
                          "days_to_win": [27.4], "limit_days": [21], "kind": ["next_steps"], "met": [True]})
    shown = readable(frame)
    assert shown.columns.tolist() == ["Week", "Capacity (h)", "Hours", "Days to win", "Limit (days)", "Kind", "Met"]
    assert shown.values.tolist() == [["2026-11-30", "294.00", "31,580.24", "27", "21", "next steps", "yes"]]
    # a page's own header wins; a unit a name does not say is given by the page
    # no unit: a plain number, whole from 1,000
    assert readable(frame[["hours"]], units={"hours": None}, labels={"hours": "Pipeline"}).values.tolist() == [
        ["31,580"]]
    assert readable(pd.DataFrame({"pace": [3.5]}), units={"pace": "h"}).columns.tolist() == ["Pace (h)"]


def test_audit_changes_read_field_before_after():
    assert changes('{"responsive": false}', '{"responsive": true}') == "responsive: no → yes"
    assert changes(None, '{"assessments": 548, "leads": 300}') == "assessments: 548; leads: 300"
    assert changes('{"score": 12, "category": "Medium", "by": "ana"}', '{"score": 21, "category": "High", "by": "ana"}'
                   ) == "score: 12 → 21; category: Medium → High"
    assert changes('{"owner": "Bo", "target": 5000}', '{"owner": "Bo"}') == "target: 5000 → –"
    assert changes("viewer", "admin") == "viewer → admin" and changes(None, "bizdev") == "bizdev"
    assert changes(None, None) == ""
    trail = readable(pd.DataFrame({"when": [datetime(2026, 11, 30, 13, 23, 18)], "who": ["boss@agency.example"],
                                   "kind": ["demo_removed"], "what": ["demo data"], "batch": [None],
                                   "before": ['{"leads_count": 300}'], "after": [None]}))
    assert trail.columns.tolist() == ["When", "Who", "Kind", "What", "Batch", "Change"]
    assert trail.values.tolist() == [["2026-11-30 13:23", "boss@agency.example", "demo removed", "demo data", "",
                                      "leads count: 300 → –"]]


def test_a_conversion_is_a_percentage_and_a_target_with_nothing_set_is_not():
    shown = readable(pd.DataFrame({"stage": ["Blueprint"], "conversion": [0.8226], "target": [None]}))
    assert shown.columns.tolist() == ["Stage", "Conversion (%)", "Target"]
    assert shown.values.tolist() == [["Blueprint", "82.3%", ""]]


def test_text_table_is_one_line_a_row_and_says_when_empty():
    from sales.tables import text_table

    frame = pd.DataFrame({"lead_name": ["Acme\nLtd", "Bo  Co"], "sha256": ["ab12", None]})
    assert text_table(frame).splitlines() == ["Lead name SHA-256", " Acme Ltd    ab12", "    Bo Co        "]
    assert text_table(frame.head(0), "no imports yet") == "no imports yet"
