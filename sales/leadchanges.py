"""Which leads a write may have changed, read from the audit trail: what lets the dashboard keep its shared lead
state (sales/leadstate.py) across writes and recompute the rows of those leads alone, instead of every lead's
from every assessment and fact.

Every write that changes a lead's assessments or gate facts is audited with the lead (the workbench, contacts);
everything else either never touches those tables (a role, a person, a target, a saved layout, an import of time
entries, budgets or people) or may touch any lead (a CRM import, an undo, the demo, a restore), and then the state
is built again. When in doubt, the answer is "any lead".
"""

from __future__ import annotations

import duckdb

from sales.queries import VERSION_PARTS

# what the lead state reads besides ``leads`` (sales/rulebook.py): rows are only ever added by audited writes
GROWING = ("assessments", "lead_facts")
# what must not change at all for a kept state to be refreshed lead by lead
STILL = ("leads", "lead_updates")
# audit kinds whose writes never touch the leads, their assessments or their facts
UNRELATED = ("role", "people", "target", "mapping")
# file kinds whose import never touches them either (a leads import may change any lead)
UNRELATED_FILES = ("time", "budgets", "people", "time_off")
MOST = 1000  # more leads than this: build the state again


def changed_leads(cur: duckdb.DuckDBPyConnection, before: tuple, now: tuple) -> list[int] | None:
    """The leads whose state may differ between data versions ``before`` and ``now`` (``queries.data_version``),
    or None when any may."""
    was, came = dict(zip(VERSION_PARTS, before)), dict(zip(VERSION_PARTS, now))
    if any(was[t] != came[t] for t in STILL) or any(came[t] < was[t] for t in GROWING):
        return None
    if came["newest_audit"] < was["newest_audit"] or came["newest_import"] < was["newest_import"]:
        return None
    rows = cur.execute("""SELECT a.kind, a.lead_id, b.kind FROM audit_log a
                          LEFT JOIN import_batches b ON b.id = a.batch_id WHERE a.id > ? AND a.id <= ?""",
                       [was["newest_audit"], came["newest_audit"]]).fetchall()
    leads = set()
    for kind, lead, file_kind in rows:
        if lead is not None:
            leads.add(int(lead))
        elif not (kind in UNRELATED or (kind == "import" and file_kind in UNRELATED_FILES)):
            return None
    grew = any(came[t] > was[t] for t in GROWING)
    if (grew and not leads) or len(leads) > MOST:  # rows no audited write explains, or too many to refresh
        return None
    return sorted(leads)
