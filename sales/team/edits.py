"""Changes to the roster by hand (admins, People & roles): a person's row added or changed, taken off, and
time off recorded or removed. Each is one transaction with its audit row; a change adds a row after the one
it replaces, so nothing is lost."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from sales import audit
from sales.access import Actor, authorise
from sales.store import Store, scalar
from sales.team.roster import CURRENT_PEOPLE, PERSON_FIELDS, RosterError, check_person, check_time_off, people


def save_person(store: Store, actor: Actor, row: Mapping) -> dict:
    """Add a person's row, or change the one with the same name and effective_from (the old one is kept
    behind it, so nothing is lost). Returns the stored values."""
    actor.require("see_costs")
    try:
        values = check_person(row)
    except RosterError as e:
        field, reason = e.args if len(e.args) == 2 else (None, str(e))
        raise RosterError(f"{field.replace('_', ' ')}: {reason}" if field else reason) from None
    with store.transaction() as cur:
        authorise(cur, actor, "see_costs")
        before = _current(cur, values["name"], values["effective_from"])
        cur.execute(f"""INSERT INTO people (entered_by, entered_at, name, effective_from, {', '.join(PERSON_FIELDS)})
                        VALUES (?, ?, ?, ?, {', '.join('?' * len(PERSON_FIELDS))})""",  # noqa: S608 (fixed names)
                    [actor.identity, datetime.now(), values["name"], values["effective_from"],
                     *[values[f] for f in PERSON_FIELDS]])
        audit.record(cur, actor, "people", f"{values['name']} from {values['effective_from']}", before=before,
                     after={f: values[f] for f in PERSON_FIELDS})
    return values


def remove_person(store: Store, actor: Actor, name: str, effective_from: date) -> None:
    """Take a person's row (name and effective_from) off the roster; its earlier versions stay in the store."""
    actor.require("see_costs")
    with store.transaction() as cur:
        authorise(cur, actor, "see_costs")
        before = _current(cur, name, effective_from)
        if before is None:
            raise RosterError(f"no row for {name!r} from {effective_from}")
        cur.execute("""INSERT INTO people (entered_by, entered_at, name, effective_from, removed)
                       VALUES (?, ?, ?, ?, true)""", [actor.identity, datetime.now(), name, effective_from])
        audit.record(cur, actor, "people", f"{name} from {effective_from}: removed", before=before)


def _current(cur, name: str, effective_from: date) -> dict | None:
    rows = cur.execute(f"""SELECT {', '.join(PERSON_FIELDS)} FROM {CURRENT_PEOPLE}
                           WHERE name = ? AND effective_from = ?""",  # noqa: S608 (fixed names)
                       [name, effective_from]).fetchall()
    return dict(zip(PERSON_FIELDS, rows[0])) if rows else None


def add_time_off(store: Store, actor: Actor, person: str, start: date, end: date,
                 hours_per_day: float | None = None) -> int:
    """Record time off by hand; returns its id."""
    actor.require("see_costs")
    with store.transaction() as cur:
        authorise(cur, actor, "see_costs")
        known = set(people(cur)["name"])
        try:
            v = check_time_off({"person": person, "from": start, "to": end, "hours_per_day": hours_per_day}, known)
        except RosterError as e:
            raise RosterError(f"{e.args[0]}: {e.args[1]}" if len(e.args) == 2 else str(e)) from None
        new = scalar(cur, """INSERT INTO time_off (entered_by, entered_at, person, from_date, to_date, hours_per_day)
                             VALUES (?, ?, ?, ?, ?, ?) RETURNING id""",
                     [actor.identity, datetime.now(), v["person"], v["from"], v["to"], v["hours_per_day"]])
        audit.record(cur, actor, "people", f"{v['person']}: time off {v['from']} to {v['to']}",
                     after={"hours_per_day": v["hours_per_day"]})
    return int(new)


def remove_time_off(store: Store, actor: Actor, time_off_id: int) -> None:
    """Remove time off entered by hand (an imported one goes with an undo of its import)."""
    actor.require("see_costs")
    with store.transaction() as cur:
        authorise(cur, actor, "see_costs")
        rows = cur.execute("SELECT person, from_date, to_date, hours_per_day, batch_id FROM time_off WHERE id = ?",
                           [time_off_id]).fetchall()
        if not rows:
            raise RosterError(f"no time off {time_off_id}")
        person, start, end, hours, batch = rows[0]
        if batch is not None:
            raise RosterError(f"this time off came with import batch {batch}: undo that import to remove it")
        cur.execute("DELETE FROM time_off WHERE id = ?", [time_off_id])
        audit.record(cur, actor, "people", f"{person}: time off {start} to {end} removed",
                     before={"hours_per_day": hours})
