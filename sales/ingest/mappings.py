"""Column mappings for layouts no preset knows: proposed from the file, confirmed once by a person,
then kept in the store under the header's fingerprint so the next file with that header is
recognised without asking (the Upload page and ``import --map`` share them)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import duckdb

from sales import audit
from sales.access import Actor, authorise
from sales.ingest.formats import CANONICAL, FILE_KINDS, norm
from sales.ingest.reader import CsvLayout
from sales.ingest.values import sniff_date
from sales.store import Store

if TYPE_CHECKING:
    import pandas as pd


def fingerprint(header: Sequence[str]) -> str:
    """The same columns in the same order, whatever their case, spacing or punctuation."""
    return hashlib.sha256("\x1f".join(norm(h) for h in header).encode()).hexdigest()[:32]


def find(cur: duckdb.DuckDBPyConnection, header: Sequence[str]) -> dict | None:
    """The saved mapping for this header, with who saved it and when; None when there is none."""
    rows = cur.execute("SELECT doc, saved_by, saved_at FROM saved_mappings WHERE fingerprint = ?",
                       [fingerprint(header)]).fetchall()
    if not rows:
        return None
    doc, by, at = rows[0]
    return {**json.loads(doc), "saved_by": by, "saved_at": at}


def save(store: Store, actor: Actor, header: Sequence[str], doc: Mapping) -> None:
    """Keep ``doc`` (kind, columns, optional date_order) for files with this header; replaces an older one."""
    actor.require("import")
    clean = {k: doc[k] for k in ("kind", "columns", "date_order", "hours_unit", "dollar") if k in doc}
    with store.transaction() as cur:
        authorise(cur, actor, "import")
        before = find(cur, header)
        cur.execute("""INSERT OR REPLACE INTO saved_mappings (fingerprint, header, doc, saved_by, saved_at)
                       VALUES (?, ?, ?, ?, ?)""",
                    [fingerprint(header), json.dumps(list(header), ensure_ascii=False),
                     json.dumps(clean, ensure_ascii=False, sort_keys=True), actor.identity, datetime.now()])
        audit.record(cur, actor, "mapping", f"columns of a {clean['kind']} layout: {', '.join(header)[:200]}",
                     before={k: before[k] for k in ("kind", "columns")} if before else None, after=clean)


def listing(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every saved mapping: its kind, header, columns, who saved it and when."""
    import pandas as pd

    frame = cur.execute("""SELECT fingerprint, doc, header, saved_by, saved_at FROM saved_mappings
                           ORDER BY saved_at DESC""").df()
    docs = [json.loads(d) for d in frame["doc"]]
    return pd.DataFrame({
        "kind": [d["kind"] for d in docs],
        "header": [", ".join(json.loads(h)) for h in frame["header"]],
        "columns": ["; ".join(f"{k} ← {v}" for k, v in d["columns"].items()) for d in docs],
        "saved_by": frame["saved_by"], "saved_at": frame["saved_at"], "fingerprint": frame["fingerprint"]})


# ---------------------------------------------------------------- proposals

# header words that usually name a field (compared after ``norm``); the first match wins
HINTS: dict[str, dict[str, tuple[str, ...]]] = {
    "time": {
        "work_date": ("date", "day", "workdate", "worked", "datum", "started", "startdate", "logdate", "when"),
        "person": ("person", "user", "author", "worker", "employee", "member", "loggedby", "name", "fullname", "who"),
        "hours": ("hours", "duration", "timespent", "time", "spent", "logged", "hoursworked", "worklog"),
        "client": ("client", "customer", "company", "account"),
        "project": ("project", "projectname"),
        "issue_key": ("issue", "issuekey", "key", "ticket", "task"),
        "description": ("description", "comment", "notes", "note", "summary", "worklogcomment", "details"),
        "billable": ("billable", "billed"),
        "start_time": ("start", "starttime", "from", "begin"),
        "end_time": ("end", "endtime", "to", "finish"),
    },
    "leads": {
        "name": ("name", "deal", "dealname", "opportunity", "lead", "title", "subject"),
        "organisation": ("organisation", "organization", "company", "account", "customer", "client"),
        "owner": ("owner", "salesperson", "rep", "assignedto", "assignee"),
        "stage": ("stage", "status", "pipelinestage", "phase"),
        "amount": ("amount", "value", "revenue", "dealvalue", "expectedrevenue"),
        "created_on": ("created", "createdon", "createdate", "createddate", "date"),
        "external_id": ("id", "recordid", "dealid", "leadid"),
        "lead_source": ("source", "leadsource", "channel", "origin"),
        "currency": ("currency",),
    },
    "budgets": {
        "account": ("account", "client", "customer"),
        "effective_month": ("month", "from", "effective", "start"),
        "monthly_hours": ("monthlyhours", "hourspermonth", "hours"),
        "hourly_rate": ("rate", "hourlyrate"),
    },
    "people": {
        "name": ("name", "person", "employee", "fullname"),
        "weekly_capacity_hours": ("weeklycapacityhours", "weeklyhours", "hoursperweek", "capacity"),
        "working_days": ("workingdays", "workdays"), "country": ("country", "region"),
        "cost_rate": ("costrate", "internalrate"), "effective_from": ("effectivefrom", "since"),
        "utilisation_target": ("utilisationtarget", "utilizationtarget", "target"),
    },
    "time_off": {
        "person": ("person", "employee", "name"), "from": ("from", "firstday", "startdate"),
        "to": ("to", "lastday", "enddate"), "hours_per_day": ("hoursperday",),
    },
}
_DURATION = re.compile(r"\s*(\d+:\d{2}(:\d{2})?|\d+([.,]\d+)?)\s*")


def propose(layout: CsvLayout) -> dict:
    """A first guess at the mapping, from header words and sampled values, for a person to confirm:
    the kind whose hints fit most columns, then per field the column whose name fits, or else (for
    dates and durations) the column whose values read as such."""
    header = [norm(h) for h in layout.header]
    best_kind, best = "time", {}
    for kind in FILE_KINDS:
        found: dict[str, str] = {}
        taken: set[int] = set()
        for fld, words in HINTS[kind].items():
            for w in words:
                i = next((i for i, h in enumerate(header)
                          if i not in taken and (h == w or (len(w) >= 4 and h.endswith(w)))), None)
                if i is not None:
                    found[fld] = layout.header[i]
                    taken.add(i)
                    break
        if len(found) > len(best):
            best_kind, best = kind, found
    if best_kind == "time":
        used = set(best.values())
        if "work_date" not in best:
            for i, h in enumerate(layout.header):
                if h not in used and sniff_date([v for v in layout.column(i) if v.strip()][:200]).fmt:
                    best["work_date"], _ = h, used.add(h)
                    break
        if "hours" not in best:
            for i, h in enumerate(layout.header):
                values = [v for v in layout.column(i) if v.strip()][:200]
                if h not in used and values and all(_DURATION.fullmatch(v) for v in values):
                    best["hours"] = h
                    break
    known = CANONICAL[best_kind]
    return {"kind": best_kind, "columns": {k: v for k, v in best.items() if k in known}}
