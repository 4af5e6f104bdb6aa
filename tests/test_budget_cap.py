"""Invoices stop at a development cap: tests/fixtures/capped, worked by hand, through ``python -m sales import``
then ``report budget`` (the invoice lines) and ``report margin`` (the same account's revenue).

Kestrel Labs: development capped at 10 h ("up to X hours", X ≥ 10) at 100 USD from April 2026.
Quill College: a retainer of 20 h a month at 90 EUR from April 2026 (no cap: every billable hour is billed).
Wren Academy: a billable discovery (no lead named, so not a High lead's investment) capped at 5 h at 120 USD:
3.5 h on 14 April and 2.5 h on 15 April, 6 h in all: 3.5 + 1.5 = 5 h billed (600 USD), 1 h not.

  day          Kestrel billable   running total   within the cap   past the cap
  7 April      4                  4               4                0
  21 April     2                  6               2                0            (22 April: 1 h not billable)
  6 May        3                  9               3                0
  14 May       4                  13              1                3
  3 June       2                  15              0                2

  invoice line           logged (h)   billed (h)   amount
  Kestrel 2026-04        6            6            6 × 100 = 600 USD
  Kestrel 2026-05        7            3 + 1 = 4    4 × 100 = 400 USD   (3 h past the cap)
  Kestrel 2026-06        2            0            0                   (2 h past the cap)
  Quill 2026-04          12           12           12 × 90 = 1,080 EUR
  Quill 2026-05          25           25           25 × 90 = 2,250 EUR (over its 20 h budget: still billed)
  Quill 2026-06          8            8            8 × 90 = 720 EUR
  Wren 2026-04           6            5            5 × 120 = 600 USD   (1 h past the cap)

A period from 10 May shows Kestrel's 4 h of 14 May: 9 h were logged before it, so 1 h is billed (100 USD).
A period from 1 June starts after the cap was used up: its 2 h bill nothing.
"""

import json

import pytest

from tests.cli_runner import cli_fixture as cli  # noqa: F401 (the fixture)
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "capped"
NOTE_MAY = "development capped at 10 h: 3 h past the cap not billed"
NOTE_JUNE = "development capped at 10 h: 2 h past the cap not billed"
SPRING = {  # (account, month): billable hours logged, rate, amount, currency, note
    ("Kestrel Labs", "2026-04"): (6, 100, 600, "USD", None),
    ("Kestrel Labs", "2026-05"): (7, 100, 400, "USD", NOTE_MAY),
    ("Kestrel Labs", "2026-06"): (2, 100, 0, "USD", NOTE_JUNE),
    ("Quill College", "2026-04"): (12, 90, 1080, "EUR", None),
    ("Quill College", "2026-05"): (25, 90, 2250, "EUR", None),
    ("Quill College", "2026-06"): (8, 90, 720, "EUR", None),
    ("Wren Academy", "2026-04"): (6, 120, 600, "USD", "discovery capped at 5 h: 1 h past the cap not billed"),
}


@pytest.fixture
def capped_db(cli, tmp_path):  # noqa: F811
    db = str(tmp_path / "s.duckdb")
    for name in ("budgets.csv", "time_entries.csv"):
        ran = cli("import", str(FIXTURES / name), "--db", db)
        assert ran.returncode == 0, ran.stderr
    return db


def _report(cli, db, name, start, end):  # noqa: F811
    ran = cli("report", name, "--db", db, "--from", start, "--to", end, "--today", "2026-06-30", "--format", "json")
    assert ran.returncode == 0, ran.stderr
    return json.loads(ran.stdout)


def _lines(cli, db, start, end):  # noqa: F811
    rows = _report(cli, db, "budget", start, end)["invoice lines"]
    return {(r["account"], r["month"]): (r["billable_hours"], r["rate"], r["amount"], r["currency"], r["note"])
            for r in rows}


def test_invoice_lines_bill_a_development_project_up_to_its_cap(cli, capped_db):  # noqa: F811
    assert _lines(cli, capped_db, "2026-04-01", "2026-06-30") == SPRING


def test_a_period_within_a_month_counts_the_hours_logged_before_it(cli, capped_db):  # noqa: F811
    assert _lines(cli, capped_db, "2026-05-10", "2026-05-31") == {
        ("Kestrel Labs", "2026-05"): (4, 100, 100, "USD", NOTE_MAY),
        ("Quill College", "2026-05"): (25, 90, 2250, "EUR", None)}


def test_a_period_after_the_cap_was_used_up_bills_nothing(cli, capped_db):  # noqa: F811
    assert _lines(cli, capped_db, "2026-06-01", "2026-06-30") == {
        ("Kestrel Labs", "2026-06"): (2, 100, 0, "USD", NOTE_JUNE),
        ("Quill College", "2026-06"): (8, 90, 720, "EUR", None)}


@pytest.mark.parametrize("start, end", [("2026-04-01", "2026-06-30"), ("2026-06-01", "2026-06-30")])
def test_margin_revenue_agrees_with_the_invoice_lines(cli, capped_db, start, end):  # noqa: F811
    out = _report(cli, capped_db, "margin", start, end)
    revenue = {(r["account"], r["month"]): (round(r["revenue"], 2), r["currency"]) for r in out["margin"]}
    expected = {k: (amount, currency) for k, (_, _, amount, currency, _) in SPRING.items() if k[1] >= start[:7]}
    assert revenue == expected
    hours = {(r["account"], r["month"]): (r["billed_hours"], r["written_off_hours"])
             for r in out["hours per account and month"] if r["account"] == "Kestrel Labs"}
    assert hours == {k: v for k, v in {("Kestrel Labs", "2026-04"): (6, 0), ("Kestrel Labs", "2026-05"): (4, 3),
                                       ("Kestrel Labs", "2026-06"): (0, 2)}.items() if k[1] >= start[:7]}
