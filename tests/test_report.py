"""``python -m sales report``: every section in every format, through the command line and in process."""

import csv
import io
import json
import re
import subprocess
import sys

import pytest

from sales.store import Store
from tests.cli_runner import cli_fixture as cli  # noqa: F401 (the fixture)
from tests.conftest import ROOT
from tests.pipeline_store import build


def test_report_funnel_csv_writes_every_section(tmp_path):
    db = tmp_path / "pipeline.duckdb"
    with Store(db) as s:
        build(s)
    r = subprocess.run([sys.executable, "-m", "sales", "report", "funnel", "--db", str(db), "--from", "2026-01-01",
                        "--to", "2026-04-30", "--format", "csv"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    blocks = r.stdout.strip().split("\n\n")
    assert [b.splitlines()[0] for b in blocks] == ["# cohort funnel", "# drop-off", "# time in stage",
                                                   "# gate violations"]
    violations = list(csv.DictReader(io.StringIO(blocks[3].split("\n", 1)[1])))
    # Zeta: the CRM says Proposal, its gates allow only Generating Leads (tests/pipeline_store.py)
    assert [(v["name"], v["recorded"], v["allowed"]) for v in violations] == [("Zeta", "Proposal", "Generating Leads")]


def _report(tmp_path, name: str, start: str, end: str) -> dict:
    import json

    db = tmp_path / "pipeline.duckdb"
    if not db.exists():
        with Store(db) as s:
            build(s)
    r = subprocess.run([sys.executable, "-m", "sales", "report", name, "--db", str(db), "--from", start, "--to", end,
                        "--format", "json"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_report_funnel_gives_the_pages_numbers(tmp_path):
    # the cohort of Q1 (tests/pipeline_store.py), as tests/test_dashboards.py pins it for the Funnel page
    funnel = _report(tmp_path, "funnel", "2026-01-01", "2026-03-31")["cohort funnel"]
    assert [s["reached"] for s in funnel] == [6, 5, 4, 2, 1, 1, 1, 0]
    assert [s["from_previous"] for s in funnel] == [6, 6, 5, 4, 2, 1, 1, 1]


def test_report_priorities_gives_the_pages_numbers(tmp_path):
    # closed January to April: Delta (High) won, Epsilon (Medium) and Gamma (Low) lost
    rates = _report(tmp_path, "priorities", "2026-01-01", "2026-04-30")["win rate by category"]
    assert [(r["category"], r["closed"], r["won"]) for r in rates] == [("High", 1, 1), ("Medium", 1, 0), ("Low", 1, 0)]
    open_leads = _report(tmp_path, "priorities", "2026-01-01", "2026-04-30")["open leads, best first"]
    assert [r["name"] for r in open_leads] == ["Alpha", "Beta", "Zeta"]  # 28, 14 (up to 28), unscored


def test_gates_worked_out_by_hand_through_import_and_report(tmp_path):
    """tests/fixtures/leads_every_stage.csv: twelve leads, created in February, each with the gate columns
    of the stages it passed (all levels 2 = High, but L-11 all 0 = Low):

    L-0 none → Generating (0); L-1 asked → 1; L-2 asked, responsive, High → 2; L-3 + needs → 3;
    L-4 + blueprint → 4; L-5 + proposal delivered → 5; L-6 + everything of Close, the deposit due and
    received, hourly, no delivery milestone → 6; L-7, L-8, L-9 the same with the milestone set, hourly,
    fixed and unpriced → Billing (7); L-10 all of Close but the deposit due and not received → 5;
    L-11 asked and responsive but Low → 1. The CRM records L-1 at Proposal and L-10 at Development
    (both ahead of their gates), and L-3 at Blueprint (where it is)."""
    import json

    db = tmp_path / "s.duckdb"
    fixture = ROOT / "tests" / "fixtures" / "leads_every_stage.csv"
    imported = subprocess.run([sys.executable, "-m", "sales", "import", str(fixture), "--db", str(db), "--json"],
                              cwd=ROOT, capture_output=True, text=True)
    assert json.loads(imported.stdout)["imported"] == 12, imported.stderr
    r = subprocess.run([sys.executable, "-m", "sales", "report", "funnel", "--db", str(db), "--from", "2026-02-01",
                        "--to", "2026-02-28", "--format", "json"], cwd=ROOT, capture_output=True, text=True)
    report = json.loads(r.stdout)
    # reached stage i: leads whose stage is i or later
    assert [s["reached"] for s in report["cohort funnel"]] == [12, 11, 9, 8, 7, 6, 4, 3]
    assert [(v["name"], v["recorded"], v["allowed"]) for v in report["gate violations"]] == [
        ("Qualifying", "Proposal", "Prospect Qualification"), ("Deposit missing", "Development", "Close")]


def _words(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]


def test_report_text_reads_as_words_on_a_hand_made_store(cli, tmp_path):  # noqa: F811
    """Hand-made exports: Hedera (62 h a month, USD 125 an hour) logs 70 billable hours in January, Quill
    (62 h, EUR 100) 30, Nobudget Ltd 3 and has no budget. Alder College is open at USD 12,000 expecting to
    close in February, with no gate passed (Generating Leads: the lifecycle's fallback of 2 %); Cedar Academy
    is open with no amount; Birch School was won in December (EUR 2,000)."""
    (tmp_path / "budgets.csv").write_text(
        "account,effective_month,monthly_hours,fixed_total_hours,hourly_rate,currency,kind\n"
        "Hedera,2026-01,62,,125,USD,retainer\nQuill,2026-01,62,,100,EUR,retainer\n")
    (tmp_path / "time.csv").write_text(
        "date,person,hours,billable,client,project,account,issue_key,description\n"
        "2026-01-05,Ana,40,yes,Hedera,P,Hedera,H-1,Theme\n2026-01-06,Ana,30,yes,Hedera,P,Hedera,H-2,Theme\n"
        "2026-01-07,Bo,30,yes,Quill,P,Quill,Q-1,Course\n2026-01-08,Bo,3,yes,Nobudget Ltd,P,Nobudget Ltd,N-1,Call\n")
    (tmp_path / "leads.csv").write_text(
        "id,name,owner,created_on,stage,status,amount,currency,closed_on,expected_close\n"
        "A1,Alder College,Ana,2025-11-01,proposal,open,12000,USD,,2026-02-15\n"
        "B1,Birch School,Bo,2025-12-01,,won,2000,EUR,2025-12-20,\n"
        "C1,Cedar Academy,Bo,2026-01-02,assess_needs,open,,,,\n")
    db = str(tmp_path / "s.duckdb")
    for name in ("budgets", "time", "leads"):
        assert cli("import", str(tmp_path / f"{name}.csv"), "--db", db).returncode == 0
    text = {}
    for name in ("budget", "forecast"):
        ran = cli("report", name, "--from", "2026-01-01", "--to", "2026-01-31", "--today", "2026-01-31", "--db", db)
        assert ran.returncode == 0, ran.stderr
        text[name] = ran.stdout
        headers = [lines.splitlines()[1] for lines in ran.stdout.split("\n\n") if lines.count("\n") > 1]
        assert headers and not [h for h in headers if re.search(r"[a-z]_[a-z]", h)], headers
        for raw in ("None", "nan", "NaN", "NaT", "00:00", "<NA>"):
            assert raw not in ran.stdout, raw
    budget = _words(text["budget"])
    assert budget[:5] == [
        "== hours against budget ==",
        "Account Budget (h) Billable (h) Non-billable (h) Budget this year (h) Billable this year (h) Left this year "
        "(h) Beyond budget (h) Used (%) Status Non-billable share (%)",
        "Hedera 62.00 70.00 0.00 62.00 70.00 -8.00 8.00 112.9% over 0.0%",  # 70 / 62
        "Nobudget Ltd 0.00 3.00 0.00 0.00 3.00 -3.00 3.00 no budget 0.0%",  # no share of no budget
        "Quill 62.00 30.00 0.00 62.00 30.00 32.00 0.00 48.4% on track 0.0%"]  # 30 / 62
    assert budget[6:] == ["== invoice lines ==", "Account Month Billable (h) Rate Amount Currency Note",
                          "Hedera 2026-01 70.00 USD 125 USD 8,750 USD",  # 70 x 125
                          "Nobudget Ltd 2026-01 3.00",  # no rate: no amount, blank rather than None
                          "Quill 2026-01 30.00 EUR 100 EUR 3,000 EUR"]
    forecast = _words(text["forecast"])
    at = forecast.index("== forecast by month ==")
    assert forecast[at + 1:at + 3] == [
        "Owner Month Quarter Currency Tier Basis Leads Amount Weighted Amount (USD) Weighted (USD)",
        "Ana 2026-02 2026-Q1 USD pipeline fallback 1 USD 12,000 USD 240 12,000 240"]  # 12,000 x 2 %


# ---------------------------------------------------------------- in process: the functions and their rendering


def test_every_report_in_process_on_the_hand_made_store(store):
    from datetime import date

    from sales.filters import Filters
    from sales.report import REPORTS

    build(store)
    f = Filters(date(2026, 1, 1), date(2026, 4, 30))
    got = {name: fn(store.cursor(), f, date(2026, 4, 30)) for name, fn in REPORTS.items()}
    assert {name: list(sections) for name, sections in got.items()} == {
        "priorities": ["open leads, best first", "win rate by category"],
        "funnel": ["cohort funnel", "drop-off", "time in stage", "gate violations"],
        "budget": ["hours against budget", "invoice lines"],
        "forecast": ["win probabilities", "forecast by month", "forecast by owner", "forecast accuracy"],
        "followups": ["follow-ups due", "stuck leads", "to re-score"],
        "movement": ["waterfall", "movements", "waterfall by lead", "listed apart"],
        "owners": ["per owner"],
        "utilisation": ["utilisation", "against the target", "per person", "people without a row"],
        "margin": ["margin", "margin by month, in USD", "margin by category, in USD", "hours per account and month",
                   "hours without a cost rate", "left out"],
        "capacity": ["capacity", "won revenue by quarter", "lead hours by basis"]}
    ranked = got["priorities"]["open leads, best first"][["name", "score_range", "stage"]]
    assert ranked.astype(object).where(ranked.notna(), None).values.tolist() == [
        ["Alpha", "28", "Blueprint"], ["Beta", "14–28", "Assess Needs"], ["Zeta", None, "Generating Leads"]]
    # created January to April, as the Funnel page shows them (tests/test_dashboards.py: Q1 holds all six)
    assert got["funnel"]["cohort funnel"]["reached"].tolist() == [6, 5, 4, 2, 1, 1, 1, 0]
    assert got["budget"]["hours against budget"].empty  # no budgets or time entries in this store
    # open leads weighted by the lifecycle's fallbacks (two closed leads are too few to learn from):
    # Alpha at Blueprint 1,000 x 0.3, Beta at Assess Needs 500 x 0.15, Zeta at Generating Leads 300 x 0.02
    by_owner = got["forecast"]["forecast by owner"].set_index("owner")
    assert by_owner["total"].to_dict() == pytest.approx({"Ana": 300, "Bo": 75 + 6})
    # to re-score on 30 April: Zeta never assessed; Alpha assessed on 1 February (28 + 31 + 29 = 88 days ago) and
    # Beta on 5 February (84 days), both over the rubric's 60 days
    assert got["followups"]["to re-score"][["name", "reason"]].values.tolist() == [
        ["Zeta", "Not assessed"], ["Alpha", "assessed 88 days ago"], ["Beta", "assessed 84 days ago"]]


def test_render_each_format():
    """Text for people (headers in words and units, money with its currency and no cents from 1,000 up, a
    blank for nothing, a day without midnight, one decimal of a percentage); csv and json for scripts (the
    columns' keys, raw values)."""
    import pandas as pd

    from sales.report import render

    sections = {"open": pd.DataFrame({"name": ["=HYPERLINK(1)", "Beta"], "amount": [1234.56, None],
                                      "currency": ["EUR", "USD"],
                                      "created_on": [pd.Timestamp("2026-09-07"), pd.Timestamp("2026-09-08 14:30")],
                                      "win_rate": [0.2482, 0.092]}),
                "nothing": pd.DataFrame({"name": []})}
    assert render(sections, "table").split("\n") == [
        "== open ==",
        "         Name    Amount Currency       Created on Win rate (%)",
        "=HYPERLINK(1) EUR 1,235      EUR       2026-09-07        24.8%",
        "         Beta                USD 2026-09-08 14:30         9.2%",
        "",
        "== nothing ==",
        "(none)"]
    assert render(sections, "csv") == ("# open\nname,amount,currency,created_on,win_rate\n"
                                       "'=HYPERLINK(1),1234.56,EUR,2026-09-07 00:00:00,0.2482\n"  # formula-safe
                                       "Beta,,USD,2026-09-08 14:30:00,0.092\n\n# nothing\nname\n")
    assert json.loads(render(sections, "json")) == {
        "open": [{"name": "=HYPERLINK(1)", "amount": 1234.56, "currency": "EUR",
                  "created_on": "2026-09-07T00:00:00.000", "win_rate": 0.2482},
                 {"name": "Beta", "amount": None, "currency": "USD", "created_on": "2026-09-08T14:30:00.000",
                  "win_rate": 0.092}],
        "nothing": []}
