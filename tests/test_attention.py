"""Follow-up cadences, stuck-lead limits and re-scoring, at their edges, worked by hand.

Today is Wednesday 25 November 2026; the week ends on Sunday the 29th. Cadences (data/rubric.toml): High
every 7 days, Medium 14, Low 30, not assessed the slowest (30). Stage limits (data/lifecycle.toml):
Generating Leads 30 days, Prospect Qualification 21. Re-score after 60 days. A follow-up is due a cadence after
the last contact (logged, or the CRM's last activity date), else after the lead's creation.
"""

import subprocess
import sys
from datetime import date, datetime

import pytest

from sales.attention import changes, followups, stuck_leads, to_rescore, week_end
from sales.contacts import log_contact, undo_contact
from sales.filters import Filters
from tests.conftest import BIZDEV, ROOT

TODAY = date(2026, 11, 25)
HIGH = [2] * 7  # 28
MEDIUM = [1] * 7  # 14
LOW = [0] * 7  # 0
EVERYONE = Filters.everything()


def add(cur, lead_id, name, levels=None, created="2026-01-01", status="open", owner="Ana", notes=(), events=(),
        modified=None, facts=(), assessed="2026-11-20", amount=None, contacts=(), activity=None):
    """A lead; ``contacts``: when contacts were logged with it, ``activity``: its CRM last activity date."""
    cur.execute("""INSERT INTO leads (id, source_system, external_id, name, owner, created_on, status, crm_modified_at,
                   amount, currency, last_activity) VALUES (?, 't', ?, ?, ?, ?, ?, ?, ?, 'USD', ?)""",
                [lead_id, str(lead_id), name, owner, created, status, modified, amount, activity])
    for at in contacts:
        cur.execute("""INSERT INTO lead_contacts (lead_id, channel, contacted_at, logged_by)
                       VALUES (?, 'call', ?, 'ana@agency.example')""", [lead_id, at])
    if levels is not None:
        cur.execute("""INSERT INTO assessments (lead_id, assessed_at, rubric_version, people_profile, need, budget,
                       contract_type, prestige, market_niche, internal_bias) VALUES (?, ?, 't', ?, ?, ?, ?, ?, ?, ?)""",
                    [lead_id, assessed, *levels])
    for at in notes:
        cur.execute("""INSERT INTO lead_activity (lead_id, kind, body, written_at, written_by)
                       VALUES (?, 'log', 'Called', ?, 'ana@agency.example')""", [lead_id, at])
    for stage, at in events:
        cur.execute("INSERT INTO stage_events VALUES (?, ?, ?, 'test', NULL)", [lead_id, stage, at])
    for fact in facts:
        cur.execute("INSERT INTO lead_facts (lead_id, fact, value, set_at) VALUES (?, ?, true, '2026-01-01')",
                    [lead_id, fact])


def test_the_week_ends_on_sunday():
    assert week_end(TODAY) == date(2026, 11, 29)
    assert week_end(date(2026, 11, 29)) == date(2026, 11, 29)
    assert week_end(date(2026, 11, 30)) == date(2026, 12, 6)


def test_cadence_edges(store):
    with store.transaction() as cur:
        add(cur, 1, "contacted today", HIGH, contacts=["2026-11-25 10:00"])  # due 2 December: not this week
        add(cur, 2, "exactly at the limit", HIGH, contacts=["2026-11-18 09:00"])  # due today
        add(cur, 3, "a day over", HIGH, contacts=["2026-11-17 16:00", "2026-11-01 09:00"])  # due the 24th
        add(cur, 4, "due on Friday", MEDIUM, contacts=["2026-11-13 09:00"])  # due the 27th
        add(cur, 5, "due next Monday", MEDIUM, contacts=["2026-11-16 09:00"])  # due the 30th: next week
        add(cur, 6, "never contacted", None, created=None)  # no date to go by at all: overdue
        add(cur, 7, "created a month ago", LOW, created="2026-10-27")  # due the 26th
        add(cur, 8, "the CRM's activity", LOW, activity="2026-11-20")  # due 20 December
        add(cur, 9, "won already", HIGH, status="won", contacts=["2026-01-05 09:00"])  # closed: no follow-up
    due = followups(store.cursor(), EVERYONE, TODAY)
    got = [(r.name, r.state, r.days_overdue, None if r.due is None or r.due != r.due else str(r.due.date()))
           for r in due.itertuples()]
    assert got == [("never contacted", "overdue", 0, None),
                   ("a day over", "overdue", 1, "2026-11-24"),
                   ("exactly at the limit", "due today", 0, "2026-11-25"),
                   ("created a month ago", "due this week", -1, "2026-11-26"),
                   ("due on Friday", "due this week", -2, "2026-11-27")]
    assert due.set_index("name").loc["never contacted", "cadence_days"] == 30  # not assessed: the slowest


def test_only_contacts_restart_the_clock(store):
    """Created on 1 October, High (every 7 days): overdue since 8 October unless a contact came later. Work on
    the lead that is no contact with its people leaves it overdue."""
    with store.transaction() as cur:
        add(cur, 1, "a note yesterday", HIGH, created="2026-10-01", notes=["2026-11-24 09:00"])
        add(cur, 2, "a stage move yesterday", HIGH, created="2026-10-01", events=[("generating_leads", "2026-11-24")])
        add(cur, 3, "the CRM edited it yesterday", HIGH, created="2026-10-01", modified="2026-11-24 08:00")
        add(cur, 4, "a gate ticked yesterday", HIGH, created="2026-10-01", facts=["inquiry_received"])
        add(cur, 5, "assessed yesterday", HIGH, created="2026-10-01", assessed="2026-11-24 09:00")
        add(cur, 6, "a contact yesterday", HIGH, created="2026-10-01", contacts=["2026-11-24 17:00"])  # due 1 Dec
        add(cur, 7, "the CRM's activity on the 20th", HIGH, created="2026-10-01", activity="2026-11-20")  # the 27th
        add(cur, 8, "CRM activity older than the contact", HIGH, created="2026-10-01", activity="2026-11-10",
            contacts=["2026-11-19 09:00"])  # the later counts: due the 26th
        add(cur, 9, "contact older than the CRM activity", HIGH, created="2026-10-01", activity="2026-11-19",
            contacts=["2026-11-10 09:00"])  # due the 26th
    due = followups(store.cursor(), EVERYONE, TODAY)
    got = [(r.name, str(r.due.date()), r.state,
            None if r.last_contact != r.last_contact else str(r.last_contact.date())) for r in due.itertuples()]
    assert got == [("a note yesterday", "2026-10-08", "overdue", None),
                   ("a stage move yesterday", "2026-10-08", "overdue", None),
                   ("the CRM edited it yesterday", "2026-10-08", "overdue", None),
                   ("a gate ticked yesterday", "2026-10-08", "overdue", None),
                   ("assessed yesterday", "2026-10-08", "overdue", None),
                   ("CRM activity older than the contact", "2026-11-26", "due this week", "2026-11-19"),
                   ("contact older than the CRM activity", "2026-11-26", "due this week", "2026-11-19"),
                   ("the CRM's activity on the 20th", "2026-11-27", "due this week", "2026-11-20")]


def test_logging_a_contact_moves_the_follow_up_and_its_undo_brings_it_back(store):
    today = date.today()
    with store.transaction() as cur:
        add(cur, 1, "Overdue lead", HIGH, contacts=[datetime(2020, 1, 1)])
    assert followups(store.cursor(), EVERYONE, today)["name"].tolist() == ["Overdue lead"]
    contact = log_contact(store, BIZDEV, 1, "call", "  Called about the proposal ")
    assert followups(store.cursor(), EVERYONE, today).empty  # next due in 7 days: after this week's end
    got = store.cursor().execute("SELECT channel, note, logged_by FROM lead_contacts WHERE id = ?",
                                 [contact]).fetchall()
    assert got == [("call", "Called about the proposal", "bizdev@agency.example")]
    gone = undo_contact(store, BIZDEV, contact)
    assert (gone.lead, gone.channel, gone.note) == ("Overdue lead", "call", "Called about the proposal")
    assert followups(store.cursor(), EVERYONE, today)["name"].tolist() == ["Overdue lead"]
    # only that contact went: the one of 2020 stays
    assert store.cursor().execute("SELECT count(*) FROM lead_contacts").fetchall() == [(1,)]


def test_stuck_leads_against_each_stage_limit(store):
    with store.transaction() as cur:
        add(cur, 1, "thirty days, the limit", events=[("generating_leads", "2026-10-26 09:00")], amount=100)
        add(cur, 2, "thirty-one days", events=[("generating_leads", "2026-10-25 09:00")], amount=200)
        add(cur, 3, "qualifying for 24 days", facts=["inquiry_received"],
            events=[("generating_leads", "2026-09-01 09:00"), ("prospect_qualification", "2026-11-01 09:00")])
        add(cur, 4, "qualifying, no event of its stage", facts=["inquiry_received"],
            events=[("generating_leads", "2026-11-20 09:00")])  # the latest move counts: 5 days
        add(cur, 5, "no moves at all", created="2026-09-01")  # since its creation: 85 days
        add(cur, 6, "lost long ago", status="lost", created="2025-01-01")
    stuck, total = stuck_leads(store.cursor(), EVERYONE, TODAY)
    got = [(r.name, r.stage, r.days, r.limit_days) for r in stuck.itertuples()]
    assert total == 3
    assert got == [("no moves at all", "Generating Leads", 85, 30),
                   ("qualifying for 24 days", "Prospect Qualification", 24, 21),
                   ("thirty-one days", "Generating Leads", 31, 30)]
    # what the stage's gate still lacks: no assessment yet, and nobody ticked "responsive"
    assert stuck.set_index("name").loc["qualifying for 24 days", "unmet"] == (
        "Rubric score is High or Medium; Lead is responsive and a serious prospect")
    assert stuck_leads(store.cursor(), EVERYONE, TODAY, limit=1)[0]["name"].tolist() == ["no moves at all"]


def test_rescoring_by_age_unknown_factors_and_none(store):
    medium_unknown = [None, 2, 2, None, 2, None, None]  # 14 now, 28 at best: could be High
    with store.transaction() as cur:
        add(cur, 1, "61 days old", HIGH, assessed="2026-09-25")
        add(cur, 2, "60 days old", HIGH, assessed="2026-09-26")
        add(cur, 3, "unknowns could lift it", medium_unknown, assessed="2026-11-01")
        add(cur, 4, "never assessed")
        add(cur, 5, "closed", None, status="won")
    got = [(r.name, r.reason) for r in to_rescore(store.cursor(), EVERYONE, TODAY).itertuples()]
    assert got == [("never assessed", "Not assessed"), ("61 days old", "assessed 61 days ago"),
                   ("unknowns could lift it", "unknown factors could make it High")]


def test_changes_over_the_last_seven_days(store):
    with store.transaction() as cur:
        add(cur, 1, "new on the 19th", created="2026-11-19", events=[("generating_leads", "2026-11-19 09:00")])
        add(cur, 2, "new on the 18th, one day too early", created="2026-11-18")
        add(cur, 3, "won", HIGH, status="won", amount=900, assessed="2026-11-24 10:00")
        cur.execute("UPDATE leads SET closed_on = '2026-11-25' WHERE id = 3")
    got = changes(store.cursor(), EVERYONE, TODAY)
    assert (got["from"], got["new_leads"], got["won"], got["lost"], got["stage_moves"], got["assessments"]) == (
        date(2026, 11, 19), 1, 1, 0, 1, 1)
    assert got["won_amount"] == {"USD": 900}


@pytest.mark.parametrize("owner, expected", [("Ana", ["Ana's"]), ("Bo", ["Bo's"])])
def test_report_followups_for_one_owner(store, owner, expected):
    """The public path: ``report followups --owner`` reads the same functions."""
    with store.transaction() as cur:
        add(cur, 1, "Ana's", HIGH, owner="Ana", contacts=["2026-11-01 09:00"])
        add(cur, 2, "Bo's", HIGH, owner="Bo", contacts=["2026-11-01 09:00"])
    db = store.path
    store.close()
    r = subprocess.run([sys.executable, "-m", "sales", "report", "followups", "--db", str(db), "--today",
                        "2026-11-25", "--owner", owner, "--format", "csv"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    block = r.stdout.split("# stuck leads")[0]
    assert [line.split(",")[1] for line in block.splitlines()[2:] if line] == expected
