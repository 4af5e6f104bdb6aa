"""What a write may have changed, read from the data version and the audit trail: what lets the dashboard keep its
derived tables (sales/memo.py) across writes. The shared lead state (sales/leadstate.py) computes again the rows
of the leads a write names, instead of every lead's from every assessment and fact; a table of time entries is
kept as it is after a write that cannot touch them (an assessment, a gate tick, a role…).

Every write is audited with its change kind, and a write on one lead names the lead. When in doubt (a change
kind not declared below, a row count no audited write explains), the answer is "anything may have changed".
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from sales.queries import VERSION_PARTS

# the tables each change kind (audit.CHANGE_KINDS) writes; None: any table may change (a CRM import, an undo, the
# demo and its removal, a restore). An import writes what its file kind's importer writes (FILE_WRITES).
WRITES = {
    "assessment": ("assessments", "lead_activity"),
    "gate": ("lead_facts", "stage_events", "lead_activity"),
    "note": ("lead_activity",),
    "touch": ("lead_contacts", "lead_activity"),
    "touch_undone": ("lead_contacts", "lead_activity"),
    "offer": ("budgets", "lead_activity"),
    "role": ("access_grants",),
    "mapping": ("saved_mappings",),
    "target": ("sales_targets",),
    "people": ("people", "time_off"),
    "undo": None, "demo": None, "demo_removed": None, "restore": None,
}
# what an import of each file kind writes besides its batch and rejected rows; a leads import may change any lead
# (the leads it names are not in the audit trail)
FILE_WRITES = {"leads": ("leads", "lead_updates", "stage_events", "assessments", "lead_facts"),
               "time": ("time_entries",), "budgets": ("budgets",), "people": ("people",), "time_off": ("time_off",)}
BATCH = ("import_batches", "rejected_rows")  # what every import writes
# what the lead state reads besides ``leads`` (sales/rulebook.py): rows only ever added by audited writes
GROWING = ("assessments", "lead_facts")
# what must not change at all for a kept lead state to be refreshed lead by lead
STILL = ("leads", "lead_updates")
# every table the lead state reads (sales/rulebook.py), for ``reads`` of the queries over it
LEAD_STATE = (*STILL, *GROWING)
MOST = 1000  # more leads than this: build the state again
# tables whose every row belongs to one lead and is written, apart from the writes that may change anything
# (WRITES' None), only by workbench and contact writes that name the lead (sales/workbench.py, sales/contacts.py)
PER_LEAD = ("assessments", "lead_facts", "stage_events", "lead_activity", "lead_contacts")


def written(cur: duckdb.DuckDBPyConnection, before: tuple, now: tuple) -> tuple[set[str] | None, set[int]]:
    """The tables the writes between data versions ``before`` and ``now`` (``queries.data_version``) may have
    written (None: any), and the leads they name."""
    was, came = dict(zip(VERSION_PARTS, before)), dict(zip(VERSION_PARTS, now))
    if came["newest_audit"] < was["newest_audit"] or came["newest_import"] < was["newest_import"]:
        return None, set()
    rows = cur.execute("""SELECT a.kind, a.lead_id, b.kind FROM audit_log a
                          LEFT JOIN import_batches b ON b.id = a.batch_id WHERE a.id > ? AND a.id <= ?""",
                       [was["newest_audit"], came["newest_audit"]]).fetchall()
    tables: set[str] = set()
    leads: set[int] = set()
    for kind, lead, file_kind in rows:
        wrote = FILE_WRITES.get(file_kind) if kind == "import" else WRITES.get(kind)
        if wrote is None:
            return None, set()
        tables.update(wrote, BATCH if kind == "import" else ())
        if lead is not None:
            leads.add(int(lead))
    return tables, leads


def changed_leads(cur: duckdb.DuckDBPyConnection, before: tuple, now: tuple) -> list[int] | None:
    """The leads whose state may differ between data versions ``before`` and ``now``, or None when any may."""
    was, came = dict(zip(VERSION_PARTS, before)), dict(zip(VERSION_PARTS, now))
    if any(was[t] != came[t] for t in STILL) or any(came[t] < was[t] for t in GROWING):
        return None
    tables, leads = written(cur, before, now)
    grew = any(came[t] > was[t] for t in GROWING)
    if tables is None or tables & set(STILL) or (grew and not leads) or len(leads) > MOST:  # a CRM import, rows
        return None  # no audited write explains, or many leads
    return sorted(leads)


def unchanged(*tables: str, leads: Callable[[duckdb.DuckDBPyConnection], set[int]] | None = None):
    """Whether ``tables`` hold the same rows at two data versions (for ``memo.derived``): as many of each the
    data version counts, and no write in between may have written any of them. Only for tables whose rows are
    added and removed by audited writes, never changed in place by an unaudited one. With ``leads`` (the leads
    whose rows of the PER_LEAD tables are read too, at the later version): writes to those tables count only
    when they name one of those leads."""
    def same(cur: duckdb.DuckDBPyConnection, before: tuple, now: tuple) -> bool:
        was, came = dict(zip(VERSION_PARTS, before)), dict(zip(VERSION_PARTS, now))
        if any(was[t] != came[t] for t in tables if t in was):
            return False
        wrote, named = written(cur, before, now)
        if wrote is None or wrote & set(tables):
            return False
        if leads is None:
            return True
        per_lead = wrote & set(PER_LEAD)
        if not per_lead:  # and no row count of theirs changed that no audited write explains
            return all(was[t] == came[t] for t in PER_LEAD if t in was)
        return bool(named) and not named & set(leads(cur))

    return same


def reads(*tables: str, leads: Callable[[duckdb.DuckDBPyConnection], set[int]] | None = None):
    """Declare the store tables a query function reads (every one, config aside), so that the dashboard's cache
    keeps its results across writes to other tables (shell/cache.py): only for functions whose tables suit
    ``unchanged``. ``leads``: the function reads, of the PER_LEAD tables, only these leads' rows."""
    def declared(fn):
        fn.reads = tables
        fn.reads_leads = leads
        return fn

    return declared
