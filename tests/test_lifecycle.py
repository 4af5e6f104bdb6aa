"""The lifecycle: every gate criterion, classification, derived facts and gate violations, each case a lead
written into a store and judged by the one rulebook (sales/rulebook.py) as the drill-down reads it."""

import duckdb
import pytest

from sales.leadstate import classify_lead
from sales.lifecycle import LifecycleError, default_lifecycle, load_lifecycle, parse_lifecycle
from sales.rubric import default_rubric
from sales.store import migrate


def _levels_for(total: int) -> dict[str, int]:
    """Levels whose weighted sum is ``total`` (the heaviest factors first)."""
    out, left = {}, total
    for f in sorted(default_rubric().factors, key=lambda f: -f.weight):
        out[f.key] = min(2, left // f.weight)
        left -= out[f.key] * f.weight
    assert left == 0
    return out


def classify(facts: dict, recorded_stage: str | None = None, status: str = "open", scores=()):
    """Lead 1 with these recorded facts (None: nothing recorded; ``pricing`` is the lead's), assessed at these
    totals one day apart (oldest first), as the store's rulebook classifies it."""
    con = duckdb.connect()
    migrate(con)
    facts = dict(facts)
    con.execute("INSERT INTO leads (id, source_system, name, pricing, recorded_stage, status) "
                "VALUES (1, 't', 'A', ?, ?, ?)", [facts.pop("pricing", None), recorded_stage, status])
    for fact, value in facts.items():
        if value is not None:
            con.execute("INSERT INTO lead_facts (lead_id, fact, value) VALUES (1, ?, ?)", [fact, value])
    for day, total in enumerate(scores):
        levels = _levels_for(total)
        con.execute(f"INSERT INTO assessments (lead_id, assessed_at, rubric_version, {', '.join(levels)}) "  # noqa: S608
                    f"VALUES (1, TIMESTAMP '2026-01-01' + INTERVAL (?) DAY, 'v', {', '.join('?' * len(levels))})",
                    [day, *levels.values()])
    return classify_lead(con, 1)


def derive_facts(facts: dict, scores=()) -> dict:
    """The facts the gates read for that lead, derived ones computed."""
    return dict(classify(facts, scores=scores).facts)

LC = default_lifecycle()
STAGE_KEYS = [s.key for s in LC.stages]

# Every criterion of every gate, in order: (stage, fact) exactly as the handbook lists them.
GATES = [
    ("generating_leads", "inquiry_received"),
    ("prospect_qualification", "scored_high_or_medium"),
    ("prospect_qualification", "responsive"),
    ("assess_needs", "needs_documented"),
    ("assess_needs", "score_not_falling"),
    ("blueprint", "blueprint_completed"),
    ("proposal", "proposal_delivered"),
    ("close", "proposal_accepted"),
    ("close", "onboarding_done"),
    ("close", "kickoff_held"),
    ("close", "tracking_set"),
    ("close", "epics_scheduled"),
    ("close", "deposit_received"),
    ("development", "delivery_milestone"),
    ("billing", "invoices_sent"),
]
ALL_MET = {fact: True for _, fact in GATES} | {"deposit_required": True}


def test_stages_in_handbook_order():
    assert [s.name for s in LC.stages] == ["Generating Leads", "Prospect Qualification", "Assess Needs",
                                           "Blueprint", "Proposal", "Close", "Development", "Billing"]
    assert [(s.key, c.fact) for s in LC.stages for c in s.gate] == GATES


@pytest.mark.parametrize("stage, fact", GATES)
def test_each_criterion_holds_its_stage(stage, fact):
    """With every fact true but this one, the lead stops at this criterion's stage, missing only it."""
    facts = {**ALL_MET, fact: False}
    c = classify(facts)
    assert c.stage.key == stage
    assert [u.fact for u in c.unmet] == [fact]
    assert not c.complete
    # unknown is not met either: a gate opens on evidence only
    facts.pop(fact)
    assert classify(facts).stage.key == stage


def test_all_gates_met_is_complete_billing():
    c = classify(ALL_MET)
    assert (c.stage.key, c.unmet, c.complete, c.index) == ("billing", (), True, 7)


def test_nothing_known_is_generating_leads():
    c = classify({})
    assert (c.stage.key, [u.fact for u in c.unmet]) == ("generating_leads", ["inquiry_received"])


def test_the_furthest_stage_whose_earlier_gates_all_pass():
    # later facts do not lift a lead over an unmet earlier gate
    facts = {**ALL_MET, "responsive": None}
    assert classify(facts).stage.key == "prospect_qualification"


@pytest.mark.parametrize("required, received, stage", [
    (True, True, "development"),
    (True, False, "close"),
    (True, None, "close"),
    (False, None, "development"),  # no deposit due: the criterion does not apply
    (None, None, "development"),   # not stated as required: does not apply
])
def test_deposit_only_when_required(required, received, stage):
    facts = {**ALL_MET, "deposit_required": required, "deposit_received": received, "delivery_milestone": None}
    assert classify(facts).stage.key == stage


@pytest.mark.parametrize("scores, high_or_medium, not_falling", [
    ([24], True, True),
    ([14], True, True),
    ([9], False, True),
    ([10, 9], False, False),
    ([12, 12], True, True),
    ([12, 15], True, True),
    ([15, 12], True, False),
    ([20, 8, 9], False, True),  # only the last two matter
])
def test_derived_from_scores(scores, high_or_medium, not_falling):
    out = derive_facts({}, scores)
    assert (out["scored_high_or_medium"], out["score_not_falling"]) == (high_or_medium, not_falling)


def test_score_evidence_overrides_hand_set_fact():
    assert derive_facts({"scored_high_or_medium": True}, [3])["scored_high_or_medium"] is False
    assert derive_facts({"scored_high_or_medium": True})["scored_high_or_medium"] is True


@pytest.mark.parametrize("facts, milestone", [
    ({"pricing": "fixed", "project_complete": True}, True),
    ({"pricing": "fixed", "month_of_work_done": True}, False),  # a month of work does not finish a fixed job
    ({"pricing": "hourly", "month_of_work_done": True}, True),
    ({"pricing": "hourly", "project_complete": None}, False),
    ({"project_complete": True}, True),  # pricing unknown: either milestone counts
    ({"month_of_work_done": True}, True),
    ({}, None),
])
def test_delivery_milestone_by_pricing(facts, milestone):
    assert derive_facts(facts).get("delivery_milestone") == milestone


def test_gate_violation_lists_what_is_missing():
    facts = {"inquiry_received": True, "scored_high_or_medium": True, "responsive": True}
    c = classify(facts, recorded_stage="proposal")
    assert c.stage.key == "assess_needs"
    v = c.violation
    assert (v.recorded.key, v.allowed.key) == ("proposal", "assess_needs")
    assert [u.fact for u in v.unmet] == ["needs_documented", "score_not_falling", "blueprint_completed"]


@pytest.mark.parametrize("recorded", ["generating_leads", "prospect_qualification", "assess_needs"])
def test_no_violation_at_or_behind_computed_stage(recorded):
    facts = {"inquiry_received": True, "scored_high_or_medium": True, "responsive": True}
    assert classify(facts, recorded_stage=recorded).violation is None


def test_status_sits_beside_stage():
    facts = {"inquiry_received": True, "scored_high_or_medium": True, "responsive": True}
    c = classify(facts, status="lost")
    assert (c.stage.key, c.status) == ("assess_needs", "lost")
    with pytest.raises(duckdb.ConstraintException, match="CHECK"):  # the store holds open, won or lost only
        classify(facts, status="paused")
    # a recorded stage the lifecycle does not know (renamed since): nothing to compare, no violation
    assert classify(facts, recorded_stage="signed").violation is None


def test_invalid_lifecycle_files(tmp_path):
    with pytest.raises(LifecycleError, match="lifecycle has no"):
        parse_lifecycle({})
    with pytest.raises(LifecycleError, match="stage 'a' has an empty gate"):
        parse_lifecycle({"stage": [{"key": "a", "name": "A", "gate": []}]})
    with pytest.raises(LifecycleError, match="duplicate stage keys"):
        parse_lifecycle({"stage": [{"key": "a", "name": "A", "gate": [{"fact": "x", "label": "x"}]}] * 2})
    with pytest.raises(LifecycleError, match="fact 'Paid; DROP' must be lower_snake_case"):
        parse_lifecycle({"stage": [{"key": "a", "name": "A", "gate": [{"fact": "Paid; DROP", "label": "x"}]}]})
    bad = tmp_path / "lc.toml"
    bad.write_text("[[stage]]\nkey = 'a'\n")
    with pytest.raises(LifecycleError, match="lc.toml: stage #1: missing 'name'"):
        load_lifecycle(bad)


def test_facts_list_every_fact_a_gate_reads():
    assert set(LC.facts) == {f for _, f in GATES} | {"deposit_required"}


def test_a_file_cannot_make_a_fact_computed_or_ticked_against_its_declaration():
    doc = {"stage": [{"key": "a", "name": "A", "gate": [{"fact": "responsive", "label": "x", "derived": True}]}]}
    with pytest.raises(LifecycleError, match="stage 'a': 'responsive' is not computed"):
        parse_lifecycle(doc)
    doc["stage"][0]["gate"] = [{"fact": "score_not_falling", "label": "x", "derived": False}]
    with pytest.raises(LifecycleError, match="'score_not_falling' is computed"):
        parse_lifecycle(doc)
    doc["stage"][0]["gate"][0]["derived"] = True  # as older files said: agreed, and read as declared
    assert parse_lifecycle(doc).stages[0].gate[0].derived
