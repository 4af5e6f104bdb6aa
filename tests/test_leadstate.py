"""The SQL lead state agrees with the Python rubric and lifecycle on every demo lead."""

import pandas as pd
import pytest

from sales.leadstate import lead_state_sql
from sales.lifecycle import classify, default_lifecycle, derive_facts
from sales.rubric import default_rubric, score_lead
from sales.store import Store

KEYS = default_rubric().keys


def python_state(cur):
    """The slow, obviously right way: one lead at a time through the core functions."""
    facts: dict[int, dict] = {}
    for lead_id, fact, value in cur.execute(
            "SELECT lead_id, fact, arg_max(value, set_at) FROM lead_facts GROUP BY ALL").fetchall():
        facts.setdefault(lead_id, {})[fact] = value
    scores: dict[int, list] = {}
    latest: dict[int, object] = {}
    rows = cur.execute(f"SELECT lead_id, {', '.join(KEYS)} FROM assessments ORDER BY lead_id, assessed_at, id"
                       ).fetchall()
    for lead_id, *levels in rows:
        s = score_lead(dict(zip(KEYS, levels)))
        scores.setdefault(lead_id, []).append(s.total)
        latest[lead_id] = s
    out = {}
    for lead_id, pricing, recorded, status in cur.execute(
            "SELECT id, pricing, recorded_stage, status FROM leads").fetchall():
        f = derive_facts({**facts.get(lead_id, {}), "pricing": pricing}, scores.get(lead_id, []))
        c = classify(f, recorded_stage=recorded, status=status)
        s = latest.get(lead_id)
        out[lead_id] = (c.stage.key, c.violation is not None, s.total if s else None,
                        s.category.name if s else None, s.score_max if s else None)
    return out


def test_sql_state_matches_python_on_demo(tmp_path):
    from sales.demo import write_demo
    from tests.conftest import ADMIN, ANCHOR

    with Store(tmp_path / "d.duckdb") as store:
        write_demo(store, ADMIN, leads=600, time_entries=0, anchor=ANCHOR)
        cur = store.cursor()
        expected = python_state(cur)
        got = cur.execute(f"SELECT id, stage, violation, score, category, score_max FROM ({lead_state_sql()})"
                          ).fetchall()
    assert {r[0]: tuple(None if pd.isna(v) else v for v in r[1:]) for r in got} == expected
    assert sum(v[1] for v in expected.values()) > 0  # the demo plants violations: they are found


@pytest.mark.parametrize("facts, pricing, scores, stage", [
    ({}, None, [], "generating_leads"),
    ({"inquiry_received": True}, None, [], "prospect_qualification"),
    ({"inquiry_received": True, "responsive": True}, None, [9], "prospect_qualification"),
    ({"inquiry_received": True, "responsive": True}, None, [10], "assess_needs"),
    ({"inquiry_received": True, "responsive": True, "needs_documented": True}, None, [14, 12], "assess_needs"),
    ({"inquiry_received": True, "responsive": True, "needs_documented": True}, None, [12, 14], "blueprint"),
    # a hand-set derived fact counts when there is no evidence for it
    ({"inquiry_received": True, "responsive": True, "scored_high_or_medium": True}, None, [], "assess_needs"),
    # close: the deposit applies only when required
    ({**dict.fromkeys(["inquiry_received", "responsive", "needs_documented", "blueprint_completed",
                       "proposal_delivered", "proposal_accepted", "onboarding_done", "kickoff_held", "tracking_set",
                       "epics_scheduled"], True), "deposit_required": True}, "fixed", [20], "close"),
    ({**dict.fromkeys(["inquiry_received", "responsive", "needs_documented", "blueprint_completed",
                       "proposal_delivered", "proposal_accepted", "onboarding_done", "kickoff_held", "tracking_set",
                       "epics_scheduled", "month_of_work_done"], True)}, "fixed", [20], "development"),
    ({**dict.fromkeys(["inquiry_received", "responsive", "needs_documented", "blueprint_completed",
                       "proposal_delivered", "proposal_accepted", "onboarding_done", "kickoff_held", "tracking_set",
                       "epics_scheduled", "month_of_work_done"], True)}, "hourly", [20], "billing"),
])
def test_sql_state_cases(store, facts, pricing, scores, stage):
    with store.transaction() as cur:
        cur.execute("INSERT INTO leads (id, source_system, name, pricing) VALUES (1, 't', 'A', ?)", [pricing])
        for fact, value in facts.items():
            cur.execute("INSERT INTO lead_facts (lead_id, fact, value) VALUES (1, ?, ?)", [fact, value])
        for i, total in enumerate(scores):
            # totals built from prestige (3) and people profile (2) etc.: choose levels summing to total
            levels = _levels_for(total)
            cols = ", ".join(levels)
            cur.execute(f"INSERT INTO assessments (lead_id, assessed_at, rubric_version, {cols}) "  # noqa: S608
                        f"VALUES (1, TIMESTAMP '2026-01-01' + INTERVAL (?) DAY, 'v', {', '.join('?' * len(levels))})",
                        [i, *levels.values()])
    got = store.cursor().execute(f"SELECT stage FROM ({lead_state_sql()})").fetchall()[0][0]
    assert got == stage
    py = classify(derive_facts({**facts, "pricing": pricing}, scores)).stage.key
    assert py == stage


def _levels_for(total: int) -> dict[str, int]:
    """Levels whose weighted sum is ``total`` (greedy over the weights)."""
    out, left = {}, total
    for f in sorted(default_rubric().factors, key=lambda f: -f.weight):
        level = min(2, left // f.weight)
        out[f.key] = level
        left -= level * f.weight
    assert left == 0 and score_lead(out).total == total
    return out


def test_facts_are_identifiers():
    for fact in default_lifecycle().facts:
        assert fact.isidentifier() and fact == fact.lower()


def test_the_shared_state_is_rebuilt_after_every_write(store):
    """The dashboard keeps one materialised state per data version: a write is seen by the next query."""
    from sales import leadstate
    from sales.workbench import save_assessment
    from tests.conftest import BIZDEV
    from tests.pipeline_store import ALL0, build

    build(store)
    leadstate.share_state()
    cur = store.cursor()
    first = leadstate.lead_state(cur)
    assert "memo.lead_state_" in first and leadstate.lead_state(cur) == first  # built once
    assert leadstate.open_leads_by_category(cur) == {"High": 1, "Medium": 1, "Low": 0}
    save_assessment(store, BIZDEV, 1, ALL0, {})  # Alpha, High, is now assessed at 0: Low
    assert leadstate.lead_state(cur) != first
    assert leadstate.open_leads_by_category(cur) == {"High": 0, "Medium": 1, "Low": 1}
