"""A lead's stage through the public path: CRM files imported, gates ticked on the workbench, and the stage
``python -m sales report`` prints, every one worked out by hand; and the dashboard's shared state.

tests/fixtures/leads_scores.csv (weights 2, 2, 2, 1, 3, 2, 2; every lead asked and is responsive):

| lead | levels        | score | ticked                          | stage, and why                                  |
|------|---------------|-------|---------------------------------|-------------------------------------------------|
| S-1  | 1110100       | 9     |                                 | Prospect Qualification: Low does not qualify    |
| S-2  | 1111100       | 10    |                                 | Assess Needs: Medium qualifies, needs missing   |
| S-3  | 1111111       | 14    | needs                           | Blueprint                                       |
| S-4  | 1111110       | 12    | needs                           | Blueprint                                       |
| S-5  | none          | -     | scored High or Medium by hand   | Assess Needs: no assessment, so the tick counts |
| S-6  | 1110100       | 9     | scored High or Medium by hand   | Prospect Qualification: the score overrules it  |
| S-7  | all 2, hourly | 28    | everything up to Close          | Development: no delivery milestone yet          |
| S-8  | all 2, fixed  | 28    | everything up to Close          | Development                                     |

tests/fixtures/leads_scores_later.csv re-exports S-3 at 12 (1111110: its score fell, so the Assess Needs gate
closes again: Assess Needs) and S-4 at 14 (rising: still Blueprint). Then a month of work is ticked done on
S-7 and S-8: hourly, that is the delivery milestone (Billing); a fixed-price job is not done by a month of
work (still Development) until the project is complete (Billing).
"""

import json

from sales.cli import main
from sales.ingest import import_file
from sales.leadstate import classify_lead
from sales.store import Store
from sales.workbench import set_fact
from tests.conftest import ADMIN, ROOT

FIX = ROOT / "tests" / "fixtures"


def _stages(db, capsys) -> dict[str, tuple]:
    """Each open lead's stage and score, as ``python -m sales report priorities --format json`` prints them."""
    capsys.readouterr()
    assert main(["report", "priorities", "--db", str(db), "--today", "2026-03-31", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["open leads, best first"]
    return {r["name"]: (r["stage"], r["score"]) for r in rows}


def test_stages_from_imported_levels_and_facts_then_ticks(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    with Store(db) as store:
        assert import_file(store, ADMIN, FIX / "leads_scores.csv").imported == 8
    assert _stages(db, capsys) == {
        "Nine": ("Prospect Qualification", 9), "Ten": ("Assess Needs", 10), "Falling": ("Blueprint", 14),
        "Rising": ("Blueprint", 12), "Ticked by hand": ("Assess Needs", None), "Ticked but Low": (
            "Prospect Qualification", 9), "Hourly delivery": ("Development", 28), "Fixed delivery": ("Development", 28)}

    with Store(db) as store:
        assert import_file(store, ADMIN, FIX / "leads_scores_later.csv").updated == 2
        ids = dict(store.cursor().execute("SELECT name, id FROM leads").fetchall())
        assert set_fact(store, ADMIN, ids["Hourly delivery"], "month_of_work_done", True) == "billing"
        assert set_fact(store, ADMIN, ids["Fixed delivery"], "month_of_work_done", True) is None
    stages = _stages(db, capsys)
    assert (stages["Falling"], stages["Rising"]) == (("Assess Needs", 12), ("Blueprint", 14))
    assert (stages["Hourly delivery"], stages["Fixed delivery"]) == (("Billing", 28), ("Development", 28))

    with Store(db) as store:
        assert set_fact(store, ADMIN, ids["Fixed delivery"], "project_complete", True) == "billing"
        c = classify_lead(store.cursor(), ids["Falling"])  # the drill-down: what the gate lacks, from the same SQL
        assert [u.fact for u in c.unmet] == ["score_not_falling"]
    assert _stages(db, capsys)["Fixed delivery"] == ("Billing", 28)


def test_the_shared_state_is_rebuilt_after_every_write(store):
    """The dashboard keeps one materialised state per data version: a write is seen by the next query."""
    from sales import leadstate, memo
    from sales.workbench import save_assessment
    from tests.conftest import BIZDEV
    from tests.pipeline_store import ALL0, build

    build(store)
    memo.share()
    cur = store.cursor()
    first = leadstate.lead_state(cur)
    assert "memo.lead_state_" in first and leadstate.lead_state(cur) == first  # built once
    assert leadstate.open_leads_by_category(cur) == {"High": 1, "Medium": 1, "Low": 0}
    save_assessment(store, BIZDEV, 1, ALL0, {})  # Alpha, High, is now assessed at 0: Low
    assert leadstate.lead_state(cur) != first
    assert leadstate.open_leads_by_category(cur) == {"High": 0, "Medium": 1, "Low": 1}


def test_of_two_ticks_at_the_same_moment_the_later_one_counts(store, monkeypatch):
    """A fact's latest value is the one with the latest set_at and, at the same set_at, the one written later
    (rulebook.LATEST_FACT): untick after tick leaves it unmet, tick after untick leaves it met, both in the
    drill-down and in the dashboards' shared state."""
    from datetime import datetime

    from sales import leadstate, memo, workbench
    from tests.pipeline_store import build

    build(store)
    monkeypatch.setattr(workbench, "_now", lambda: datetime(2026, 3, 2, 9, 30))  # one instant for every tick
    set_fact(store, ADMIN, 1, "needs_documented", True)
    set_fact(store, ADMIN, 1, "needs_documented", False)
    set_fact(store, ADMIN, 2, "needs_documented", False)
    set_fact(store, ADMIN, 2, "needs_documented", True)
    cur = store.cursor()
    assert [classify_lead(cur, i).facts["needs_documented"] for i in (1, 2)] == [False, True]
    assert leadstate.lead_facts(cur, 1)[0]["needs_documented"] is False
    memo.share()
    got = dict(cur.execute(f"SELECT id, stage_index FROM {leadstate.lead_state(cur)} WHERE id IN (1, 2)").fetchall())
    # Alpha loses its documented needs (back to Assess Needs, 2); Beta gains them (on to Blueprint, 3)
    assert got == {1: 2, 2: 3} == {i: classify_lead(cur, i).index for i in (1, 2)}
