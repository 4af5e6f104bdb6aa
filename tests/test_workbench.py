"""The lead workbench: assessments, gate ticks that move stages, notes, follow-up, small projects."""

import pytest

from sales.access import Actor
from sales.budget import small_projects
from sales.leadstate import lead_state_sql
from sales.workbench import (
    AGENDA,
    WorkbenchError,
    add_note,
    create_small_project,
    followup_email,
    history,
    latest_levels,
    latest_notes,
    save_assessment,
    set_fact,
    small_project_offers,
)
from tests.pipeline_store import build

ANA = Actor("ana@agency.example", "bizdev")
BO = Actor("Bo@Agency.example", "bizdev")


@pytest.fixture
def built(store):
    build(store)
    return store


def stage_of(store, lead_id):
    return store.cursor().execute(f"WITH s AS ({lead_state_sql()}) SELECT stage FROM s WHERE id = ?",
                                  [lead_id]).fetchall()[0][0]


def test_save_assessment_adds_history_and_logs(built):
    save_assessment(built, ANA, 2, {"people_profile": 2, "need": 2, "budget": 2, "prestige": 2, "contract_type": "1",
                               "market_niche": 1, "internal_bias": None}, {"need": "Urgent now"})
    levels, comments = latest_levels(built.cursor(), 2)
    assert levels["people_profile"] == 2 and levels["internal_bias"] is None and comments == {"need": "Urgent now"}
    # 4 + 4 + 4 + 1 + 6 + 2 = 21: High now, best case 25
    assert history(built.cursor(), 2)["body"][0] == "Assessed: 21 (High), best case 25"
    with pytest.raises(ValueError, match="invalid level 3"):
        save_assessment(built, ANA, 2, {"need": 3}, {})
    with pytest.raises(WorkbenchError, match="no lead 99"):
        save_assessment(built, ANA, 99, {}, {})


def test_falling_score_closes_the_assess_needs_gate(built):
    set_fact(built, BO, 2, "needs_documented", True)
    assert stage_of(built, 2) == "blueprint"
    save_assessment(built, BO, 2, {"need": 2, "budget": 2, "prestige": 1}, {})  # 11 < 14: falling
    assert stage_of(built, 2) == "assess_needs"


def test_ticking_the_last_criterion_records_the_stage(built):
    assert stage_of(built, 2) == "assess_needs"
    assert set_fact(built, BO, 2, "needs_documented", True) == "blueprint"
    events = built.cursor().execute("SELECT stage, source FROM stage_events WHERE lead_id = 2 AND source = "
                                    "'workbench'").fetchall()
    assert events == [("blueprint", "workbench")]
    log = history(built.cursor(), 2)["body"].tolist()
    assert log[:2] == ["Stage: Assess Needs → Blueprint",
                       "Met: Challenges, needs and value proposition are recorded in the CRM"]
    assert set_fact(built, BO, 2, "proposal_delivered", True) is None  # blueprint not done: no move
    assert set_fact(built, BO, 2, "blueprint_completed", True) == "close"  # two stages at once
    assert [r[0] for r in built.cursor().execute("SELECT stage FROM stage_events WHERE lead_id = 2 AND "
                                                 "source = 'workbench' ORDER BY entered_at").fetchall()] == [
        "blueprint", "proposal", "close"]
    assert set_fact(built, BO, 2, "needs_documented", False) == "assess_needs"  # unticking moves back


@pytest.mark.parametrize("fact, message", [("charisma", "unknown gate fact"),
                                           ("scored_high_or_medium", "computed from the lead's assessments")])
def test_facts_that_cannot_be_ticked(built, fact, message):
    with pytest.raises(WorkbenchError, match=message):
        set_fact(built, ANA, 1, fact, True)


def test_notes_and_followup(built):
    add_note(built, ANA, 1, "problem", "Their microdegree site cannot scale")
    add_note(built, ANA, 1, "problem", "Their microdegree platform cannot scale to 50k learners")
    add_note(built, ANA, 1, "need_payoff", "We run the largest Open edX sites")
    notes = latest_notes(built.cursor(), 1)
    assert notes == {"problem": "Their microdegree platform cannot scale to 50k learners",
                     "need_payoff": "We run the largest Open edX sites"}
    with pytest.raises(WorkbenchError, match="empty"):
        add_note(built, ANA, 1, "problem", "  ")
    email = followup_email({"organisation": "Alpha"}, notes, "- Send requirements\n\n• Book discovery", "High", "Ana")
    assert email.splitlines() == [
        "Subject: Following up on our conversation, Alpha", "", "Hello,", "",
        "Thank you for taking the time to talk with us. A short summary of what we discussed:", "",
        "- What you want to solve: Their microdegree platform cannot scale to 50k learners",
        "- How we can help: We run the largest Open edX sites", "", "Next steps:", "- Send requirements",
        "- Book discovery", "", "We would be glad to run a technical discovery with you, at no upfront charge.", "",
        "Best regards,", "Ana"]
    assert "paid technical discovery" in followup_email({"name": "B"}, {}, "", "Medium", "Bo")
    assert len(AGENDA) == 6


def test_small_project_offers_become_capped_budgets(built):
    discovery, development = small_project_offers(12)
    assert (discovery.kind, discovery.hours, development.kind, development.hours) == ("discovery", 5, "development",
                                                                                      12)
    with pytest.raises(WorkbenchError, match="start at 10 hours"):
        small_project_offers(8)
    create_small_project(built, ANA, 1, discovery, 125, "USD")
    with pytest.raises(WorkbenchError, match="already recorded"):
        create_small_project(built, ANA, 1, discovery, 125, "USD")
    create_small_project(built, BO, 2, development, 110, "EUR")
    df = small_projects(built.cursor()).set_index("account")
    assert df.loc["Alpha", ["kind", "cap", "billing"]].tolist() == ["discovery", 5, "investment (High lead)"]
    assert df.loc["Beta", ["kind", "cap", "billing"]].tolist() == ["development", 12, "billable"]
    assert "Small project: discovery capped at 5 h" in history(built.cursor(), 1)["body"][0]
