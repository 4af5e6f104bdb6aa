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
