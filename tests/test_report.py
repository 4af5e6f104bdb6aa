"""``python -m sales report``: every section in every format, through the command line."""

import csv
import io
import subprocess
import sys

from sales.store import Store
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
