"""The audit trail: one row per write, in the same transaction as the write itself.

Rows are only ever inserted: nothing in the application updates or deletes them (an undo adds a
row of its own), so the trail shows every change, who made it, and where a value changed, what
it was before and after.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

import duckdb

if TYPE_CHECKING:
    import pandas as pd


class Actor(Protocol):
    """Who acts, as sales.access.Actor is (access writes through this module, so it is not imported here)."""

    identity: str

    def require(self, action: str) -> None: ...

CHANGE_KINDS = {  # what a change recorded in the trail is
    "assessment": "Assessment saved",
    "gate": "Gate criterion ticked or unticked",
    "note": "Note or meeting preparation",
    "touch": "Contact logged",
    "touch_undone": "Logged contact undone",
    "offer": "Small-project offer",
    "import": "Import",
    "undo": "Undo of an import",
    "demo": "Demo data loaded",
    "demo_removed": "Demo data removed",
    "restore": "Store restored from a backup",
    "role": "Role granted or revoked",
    "mapping": "Column mapping saved",
    "target": "Quarter target set or cleared",
    "people": "Person, cost rate or time off changed",
}


def _text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)


def record(cur: duckdb.DuckDBPyConnection, actor: Actor, kind: str, subject: str, *, lead_id: int | None = None,
           batch_id: int | None = None, before: object = None, after: object = None) -> None:
    """Append one row; ``before`` and ``after`` (text, or anything JSON can write) are the changed values."""
    if kind not in CHANGE_KINDS:
        raise ValueError(f"unknown audit kind {kind!r}")
    cur.execute("""INSERT INTO audit_log (happened_at, actor, kind, subject, lead_id, batch_id, old_value, new_value)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                [datetime.now(), actor.identity, kind, subject, lead_id, batch_id, _text(before), _text(after)])


@dataclass(frozen=True)
class AuditFilter:
    """What the audit page narrows to; every field optional."""

    person: str | None = None
    lead_id: int | None = None
    kind: str | None = None
    start: date | None = None
    end: date | None = None


def trail(cur: duckdb.DuckDBPyConnection, actor: Actor, f: AuditFilter = AuditFilter(),
          limit: int | None = None) -> pd.DataFrame:
    """Audit rows matching ``f``, newest first, with the lead's name where there is one; only for those who
    may read the trail (``access.ACTIONS["audit"]``)."""
    actor.require("audit")
    where, params = ["true"], []
    if f.person:
        where.append("lower(a.actor) = lower(?)")
        params.append(f.person)
    if f.lead_id is not None:
        where.append("a.lead_id = ?")
        params.append(f.lead_id)
    if f.kind:
        where.append("a.kind = ?")
        params.append(f.kind)
    if f.start:
        where.append("a.happened_at >= ?")
        params.append(f.start)
    if f.end:
        where.append("a.happened_at < ?")
        params.append(f.end + timedelta(days=1))
    sql = f"""SELECT a.happened_at AS "when", a.actor AS "who", a.kind, a.subject AS "what", l.name AS lead,
                     a.lead_id, a.batch_id AS batch, a.old_value AS before, a.new_value AS after
              FROM audit_log a LEFT JOIN leads l ON l.id = a.lead_id
              WHERE {' AND '.join(where)} ORDER BY a.id DESC"""  # noqa: S608 (fixed conditions)
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    return cur.execute(sql, params).df()


def people(cur: duckdb.DuckDBPyConnection, actor: Actor) -> list[str]:
    """Everyone who has written something, for the audit page's filter (read as the trail is)."""
    actor.require("audit")
    return [r[0] for r in cur.execute("SELECT DISTINCT actor FROM audit_log ORDER BY 1").fetchall()]
