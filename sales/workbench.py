"""What a business developer does with one lead: assess it, tick its gates, prepare the intro meeting,
draft the follow-up, and offer a small project. Every change is logged on the lead. Contacts with the lead
(what resets its follow-up clock) are logged through ``sales.contacts``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import pandas as pd

from sales import audit
from sales.access import Actor, authorise
from sales.budget import DISCOVERY_CAP, MIN_DEVELOPMENT_CAP
from sales.leadstate import classify_lead, latest_levels, lead_facts
from sales.lifecycle import default_lifecycle
from sales.money import NO_CURRENCY, currency_code, default_currencies
from sales.rubric import check_level, default_rubric, score_lead
from sales.store import Store, scalar

PREP_KINDS = {  # the four angles to research before an intro meeting
    "situation": "Situation: what the organisation does, and what is changing in its sector",
    "problem": "Problem: the challenges they have mentioned or that similar clients face",
    "implications": "Implications: how those problems hold back what they want to achieve",
    "need_payoff": "Need payoff: why we in particular can help them succeed",
}
AGENDA = (
    "Offer a short introduction: our Open edX experience, core committers, open-source commitment, "
    "clients, and contributions to the platform",
    "Ask about their organisation, using the questions from your research",
    "Ask which problem they want to solve",
    "Explain our policy of contributing upstream and gauge their appetite for open source",
    "If they have not tried Open edX, suggest the self-serve trial or walk them through the demo instance",
    "Agree next steps: a requirements list, or a discovery (paid, or at no charge where the lead's category "
    "says so in the rubric)",
)


class WorkbenchError(ValueError):
    """A request the lead's data does not allow; the message says why."""


def _now() -> datetime:
    """Full precision: a tick and an untick in the same second must still order correctly."""
    return datetime.now()


def log(cur: duckdb.DuckDBPyConnection, lead_id: int, body: str, actor: Actor, kind: str = "log") -> None:
    cur.execute("INSERT INTO lead_activity (lead_id, kind, body, written_at, written_by) VALUES (?, ?, ?, ?, ?)",
                [lead_id, kind, body, _now(), actor.identity])


def _require_lead(cur: duckdb.DuckDBPyConnection, lead_id: int) -> dict:
    found = cur.execute("SELECT * FROM leads WHERE id = ?", [lead_id]).df()
    if found.empty:
        raise WorkbenchError(f"no lead {lead_id}")
    return found.iloc[0].to_dict()


# ---------------------------------------------------------------- assessments


def save_assessment(store: Store, actor: Actor, lead_id: int, levels: Mapping[str, object],
                    comments: Mapping[str, str]) -> int:
    """A new assessment (the history the "score not falling" gate reads); returns its id."""
    actor.require("assess")
    rubric = default_rubric()
    clean = {k: check_level(levels.get(k)) for k in rubric.keys}
    total = score_lead(clean, rubric)
    keys = list(rubric.keys)
    with store.transaction() as cur:
        authorise(cur, actor, "assess")
        lead = _require_lead(cur, lead_id)
        before, _ = latest_levels(cur, lead_id)
        cols = ", ".join(keys + [k + "_comment" for k in keys])
        new_id = scalar(cur, f"""INSERT INTO assessments (lead_id, assessed_at, assessed_by, rubric_version, {cols})
                                 VALUES (?, ?, ?, ?, {', '.join('?' * 2 * len(keys))}) RETURNING id""",
                        [lead_id, _now(), actor.identity, rubric.version, *[clean[k] for k in keys],
                         *[(comments.get(k) or None) for k in keys]])
        summary = f"{total.total} ({total.category.name})" + (f", best case {total.score_max}" if total.unknown else "")
        log(cur, lead_id, f"Assessed: {summary}", actor)
        audit.record(cur, actor, "assessment", f"{lead['name']}: {summary}", lead_id=lead_id,
                     before=before or None, after=clean)
    return new_id


# ---------------------------------------------------------------- gates


def _stage_key(cur: duckdb.DuckDBPyConnection, lead: dict) -> str:
    return classify_lead(cur, int(lead["id"])).stage.key


def set_fact(store: Store, actor: Actor, lead_id: int, fact: str, value: bool) -> str | None:
    """Tick (or untick) a gate criterion. When that moves the lead into a later stage, a stage event
    is recorded; returns the new stage key, or None when the stage did not change."""
    actor.require("work_lead")
    lc = default_lifecycle()
    if fact not in lc.recorded_facts:
        raise WorkbenchError(f"unknown gate fact {fact!r}")
    criterion = lc.criterion(fact)
    if criterion is not None and not criterion.tickable:
        raise WorkbenchError(f"'{fact}' is computed from the lead's assessments, not ticked")
    with store.transaction() as cur:
        authorise(cur, actor, "work_lead")
        lead = _require_lead(cur, lead_id)
        before = _stage_key(cur, lead)
        was = lead_facts(cur, lead_id)[0].get(fact)
        cur.execute("INSERT INTO lead_facts (lead_id, fact, value, set_at, set_by) VALUES (?, ?, ?, ?, ?)",
                    [lead_id, fact, value, _now(), actor.identity])
        after = _stage_key(cur, lead)
        label = criterion.label if criterion else fact
        log(cur, lead_id, f"{'Met' if value else 'Not met'}: {label}", actor)
        audit.record(cur, actor, "gate", f"{lead['name']}: {label}", lead_id=lead_id,
                     before=None if was is None else bool(was), after=bool(value))
        if after == before:
            return None
        if lc.index(after) > lc.index(before):
            for s in lc.stages[lc.index(before) + 1: lc.index(after) + 1]:
                cur.execute("INSERT INTO stage_events VALUES (?, ?, ?, 'workbench', NULL)", [lead_id, s.key, _now()])
        log(cur, lead_id, f"Stage: {lc.stages[lc.index(before)].name} → {lc.stages[lc.index(after)].name}", actor)
        return after


# ---------------------------------------------------------------- notes, meeting, follow-up


def add_note(store: Store, actor: Actor, lead_id: int, kind: str, body: str) -> None:
    actor.require("work_lead")
    if not body.strip():
        raise WorkbenchError("the note is empty")
    with store.transaction() as cur:
        authorise(cur, actor, "work_lead")
        lead = _require_lead(cur, lead_id)
        before = latest_notes(cur, lead_id).get(kind) if kind != "log" else None
        log(cur, lead_id, body.strip(), actor, kind=kind)
        if kind != "log":
            log(cur, lead_id, f"Updated note: {PREP_KINDS.get(kind, kind).split(':')[0]}", actor)
        audit.record(cur, actor, "note", f"{lead['name']}: {kind.replace('_', ' ')}", lead_id=lead_id,
                     before=before, after=body.strip())


def latest_notes(cur: duckdb.DuckDBPyConnection, lead_id: int) -> dict[str, str]:
    """The current text of each note kind (the latest one written)."""
    rows = cur.execute("""SELECT kind, arg_max(body, written_at) FROM lead_activity
                          WHERE lead_id = ? AND kind <> 'log' GROUP BY kind""", [lead_id]).fetchall()
    return dict(rows)


def history(cur: duckdb.DuckDBPyConnection, lead_id: int) -> pd.DataFrame:
    """Everything written on the lead and every contact logged with it, newest first; ``contact``: the id a
    contact's undo takes (blank on other lines)."""
    return cur.execute("""
        SELECT "when", "by", kind, body, contact FROM (
            SELECT written_at AS "when", written_by AS "by", kind, body, NULL::INTEGER AS contact, rowid AS n
            FROM lead_activity WHERE lead_id = ?
            UNION ALL
            SELECT contacted_at, logged_by, 'contact', 'Contact by ' || channel || coalesce(': ' || note, ''), id, id
            FROM lead_contacts WHERE lead_id = ?)
        ORDER BY "when" DESC, n DESC""", [lead_id, lead_id]).df()


def followup_email(lead: Mapping, notes: Mapping[str, str], next_steps: str, category: str | None,
                   sender: str) -> str:
    """A plain-text follow-up from the meeting notes, ready to copy into a mail client."""
    org = lead.get("organisation") or lead.get("name")
    lines = [f"Subject: Following up on our conversation, {org}", "", "Hello,", "",
             "Thank you for taking the time to talk with us. A short summary of what we discussed:", ""]
    for kind, intro in (("problem", "What you want to solve"), ("implications", "Why it matters"),
                        ("need_payoff", "How we can help")):
        if notes.get(kind):
            lines.append(f"- {intro}: {notes[kind].strip()}")
    steps = [s.strip(" -•\t") for s in next_steps.splitlines() if s.strip(" -•\t")]
    if steps:
        lines += ["", "Next steps:"] + [f"- {s}" for s in steps]
    offer = next((c.offer for c in default_rubric().categories if c.name == category), "")
    if offer:
        lines += ["", offer]
    lines += ["", "Best regards,", sender]
    return "\n".join(lines)


# ---------------------------------------------------------------- small projects


@dataclass(frozen=True)
class Offer:
    kind: str  # discovery | development
    hours: float
    description: str


def small_project_offers(development_hours: float = MIN_DEVELOPMENT_CAP) -> tuple[Offer, Offer]:
    """The two choices for a small, single-feature request."""
    if development_hours < MIN_DEVELOPMENT_CAP:
        raise WorkbenchError(f"development offers start at {MIN_DEVELOPMENT_CAP:.0f} hours")
    return (Offer("discovery", DISCOVERY_CAP, f"A discovery of up to {DISCOVERY_CAP:.0f} billable hours: a "
                  "blueprint of the feature and a final estimate."),
            Offer("development", float(development_hours), f"Up to {development_hours:g} hours of development "
                  "to get as far as possible on the feature; what is done is delivered."))


def offer_currencies(lead: Mapping) -> tuple[str, ...]:
    """What a small project may be priced in: the lead's own currency first when it has one, then the reporting
    currency and those with a rate in data/currencies.toml."""
    own = currency_code(lead.get("currency")) if isinstance(lead.get("currency"), str) else NO_CURRENCY
    codes = default_currencies().codes
    return codes if own == NO_CURRENCY else (own, *(c for c in codes if c != own))


def create_small_project(store: Store, actor: Actor, lead_id: int, offer: Offer, hourly_rate: float | None,
                         currency: str, start: date | None = None) -> None:
    """The chosen offer becomes a capped budget on the lead's account, tracked on the budget page."""
    actor.require("offer")
    if offer.kind == "discovery" and offer.hours > DISCOVERY_CAP:
        raise WorkbenchError(f"a discovery is capped at {DISCOVERY_CAP:.0f} hours")
    if offer.kind == "development" and offer.hours < MIN_DEVELOPMENT_CAP:
        raise WorkbenchError(f"development offers start at {MIN_DEVELOPMENT_CAP:.0f} hours")
    month = (start or date.today()).replace(day=1)
    with store.transaction() as cur:
        authorise(cur, actor, "offer")
        lead = _require_lead(cur, lead_id)
        account = lead.get("organisation") or lead["name"]
        key = f"small:{lead_id}:{offer.kind}:{month}:{offer.hours}"
        if scalar(cur, "SELECT count(*) FROM budgets WHERE entry_key = ?", [key]):
            raise WorkbenchError("this offer is already recorded for the lead")
        cur.execute("""INSERT INTO budgets (account, effective_month, fixed_total_hours, hourly_rate, currency, kind,
                       lead_id, entry_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                    [account, month, offer.hours, hourly_rate, currency, offer.kind, lead_id, key])
        what = f"{offer.kind} capped at {offer.hours:g} h on account '{account}'"
        log(cur, lead_id, f"Small project: {what}", actor)
        audit.record(cur, actor, "offer", f"{lead['name']}: {what}", lead_id=lead_id,
                     after={"kind": offer.kind, "hours": offer.hours, "account": account, "month": month,
                            "hourly_rate": hourly_rate, "currency": currency})
