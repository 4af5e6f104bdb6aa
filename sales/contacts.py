"""Touches are contacts: when a lead was last contacted, the one rule the follow-up clock runs on.

A lead's last contact is the later of the latest contact someone logged with it here (``lead_contacts``: the
workbench's and This week's "Log contact", with a channel and an optional note) and the last activity date its
CRM export carries (``leads.last_activity``). Nothing else counts: notes, gate ticks, assessments, stage moves
and CRM edits are work on the lead, not a word with its people. Never contacted, the clock runs from the lead's
creation. ``sales.attention`` turns this into follow-ups for This week, the digest, the per-owner table and
``report followups``; the workbench shows it for one lead.

A logged contact can be undone (a slip of the finger, the wrong lead): only that contact goes, and the audit
trail and the lead's log say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from sales import audit
from sales.access import Actor, authorise
from sales.store import Store

CHANNELS = ("email", "call", "meeting", "message", "other")
UNDO_SECONDS = 10  # how long the page offers "Undo" right after logging (the lead's log offers it after)
NOTE_LIMIT = 2000  # characters of a contact's note


class ContactError(ValueError):
    """A contact that cannot be logged or undone; the message says why."""


def last_contact_sql(leads: str) -> str:
    """Rows of ``id, last_contact`` (a DATE, NULL when never contacted) for each lead of the relation ``leads``
    (which has ``id`` and ``last_activity``): the one definition of "when was this lead last contacted"."""
    return f"""SELECT o.id, greatest(max(c.contacted_at)::DATE, any_value(o.last_activity)) AS last_contact
               FROM {leads} o LEFT JOIN lead_contacts c ON c.lead_id = o.id GROUP BY o.id"""  # noqa: S608 (names)


def clock_start_sql(last_contact: str, created_on: str) -> str:
    """What a lead's follow-up clock runs from: its last contact, else its creation (NULL: no date at all)."""
    return f"coalesce({last_contact}, {created_on}::DATE)"


def _describe(channel: str, note: str | None) -> str:
    return f"Contact by {channel}" + (f": {note}" if note else "")


def log_contact(store: Store, actor: Actor, lead_id: int, channel: str, note: str = "",
                at: datetime | None = None) -> int:
    """Record a contact with the lead (``at``: when, now by default); returns its id for an undo. The lead's
    next follow-up is then due a cadence from this contact."""
    actor.require("work_lead")
    if channel not in CHANNELS:
        raise ContactError(f"unknown channel {channel!r}: one of {', '.join(CHANNELS)}")
    note = (note or "").strip()
    if len(note) > NOTE_LIMIT:
        raise ContactError(f"the note has {len(note):,} characters; at most {NOTE_LIMIT:,}")
    when = at or datetime.now()
    with store.transaction() as cur:
        authorise(cur, actor, "work_lead")
        found = cur.execute("SELECT name FROM leads WHERE id = ?", [lead_id]).fetchall()
        if not found:
            raise ContactError(f"no lead {lead_id}")
        new_id = cur.execute("""INSERT INTO lead_contacts (lead_id, channel, note, contacted_at, logged_by)
                                VALUES (?, ?, ?, ?, ?) RETURNING id""",
                             [lead_id, channel, note or None, when, actor.identity]).fetchall()[0][0]
        audit.record(cur, actor, "touch", f"{found[0][0]}: {_describe(channel, note)}", lead_id=lead_id,
                     after={"contact": new_id, "channel": channel, "note": note or None, "at": when})
    return int(new_id)


@dataclass(frozen=True)
class Contact:
    id: int
    lead_id: int
    lead: str
    channel: str
    note: str | None
    at: datetime
    by: str

    def sentence(self) -> str:
        return f"{_describe(self.channel, self.note)} ({self.at:%d %b %Y %H:%M}, {self.by})"


def undo_contact(store: Store, actor: Actor, contact_id: int) -> Contact:
    """Remove one logged contact (and nothing else); the audit trail keeps what it was, the lead's log gains a
    line. Returns the contact removed."""
    actor.require("work_lead")
    with store.transaction() as cur:
        authorise(cur, actor, "work_lead")
        found = cur.execute("""SELECT c.id, c.lead_id, coalesce(l.name, '#' || c.lead_id), c.channel, c.note,
                                      c.contacted_at, c.logged_by
                               FROM lead_contacts c LEFT JOIN leads l ON l.id = c.lead_id WHERE c.id = ?""",
                            [contact_id]).fetchall()
        if not found:
            raise ContactError("that contact is no longer logged (undone already?): nothing was changed")
        gone = Contact(*found[0])
        cur.execute("DELETE FROM lead_contacts WHERE id = ?", [contact_id])
        cur.execute("""INSERT INTO lead_activity (lead_id, kind, body, written_at, written_by)
                       VALUES (?, 'log', ?, ?, ?)""",
                    [gone.lead_id, f"Undone: {gone.sentence()}", datetime.now(), actor.identity])
        audit.record(cur, actor, "touch_undone", f"{gone.lead}: {_describe(gone.channel, gone.note)}",
                     lead_id=gone.lead_id, before={"contact": gone.id, "channel": gone.channel, "note": gone.note,
                                                   "at": gone.at, "by": gone.by})
    return gone


@dataclass(frozen=True)
class LastContact:
    """A lead's follow-up clock as the workbench shows it."""

    last: date | None  # the lead's last contact (``last_contact_sql``)
    logged: datetime | None  # the latest contact logged here, and its channel
    channel: str | None
    created_on: date | None

    def sentence(self) -> str:
        if self.last is None:
            return "Never contacted" + (f" (created {self.created_on:%d %b %Y})" if self.created_on else "")
        if self.logged is not None and self.logged.date() == self.last:
            return f"Last contact {self.last:%d %b %Y}, by {self.channel}"
        return f"Last contact {self.last:%d %b %Y} (the CRM's last activity date)"


def last_contact(cur: duckdb.DuckDBPyConnection, lead_id: int) -> LastContact:
    row = cur.execute(f"""
        WITH t AS ({last_contact_sql("(SELECT id, last_activity FROM leads WHERE id = ?)")})
        SELECT t.last_contact, max(c.contacted_at), arg_max(c.channel, c.contacted_at), any_value(l.created_on)
        FROM t JOIN leads l ON l.id = t.id LEFT JOIN lead_contacts c ON c.lead_id = t.id
        GROUP BY t.last_contact""", [lead_id]).fetchall()  # noqa: S608 (fixed text; the lead is bound)
    if not row:
        raise ContactError(f"no lead {lead_id}")
    return LastContact(*row[0])
