"""CRM exports → leads, with their rubric levels, gate facts and stage, mapped through stage_map.toml. CRM
files are small (thousands of rows), so after typed staging in SQL the row logic is Python."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

import sales.ingest.quantities as quantities
from sales.ingest.crm_stages import map_stage
from sales.ingest.formats import Detection
from sales.ingest.quantities import AMOUNT, amount_currency, amount_sql, problem_sql, problem_text, sniff_decimal
from sales.ingest.reader import CsvLayout
from sales.ingest.rejects import Rejects
from sales.ingest.results import ImportResult
from sales.ingest.values import bool_sql, date_sql, moment_sql, sniff_date, text_sql
from sales.leadstate import latest_assessments, latest_facts
from sales.rubric import LevelError, check_level, default_rubric
from sales.store import next_lead_id, scalar

TEXT_FIELDS = ("external_id", "name", "organisation", "owner", "lead_source", "stage", "status", "lost_reason",
               "currency", "pricing", "first_name", "last_name", "assessed_by", "email")
DATE_FIELDS = ("created_on", "closed_on", "expected_close", "won_on", "lost_on", "assessed_at", "modified_at",
               "last_activity")
MOMENTS = ("modified_at",)  # kept with their time of day: two exports of one day must tell which is newer


def _stage_sql(det: Detection, layout: CsvLayout, src: str) -> str:
    cols, fills = det.columns, det.format.fills(det.columns)
    exprs = ["rid"]
    for name, i in cols.items():
        c = f"c{i}"
        alias = name.replace(":", "__")
        if name in DATE_FIELDS:
            read = moment_sql if name in MOMENTS else date_sql
            exprs.append(f"{read(c, sniff_date(layout.column(i), det.format.date_order))} AS {alias}")
            exprs.append(f"{text_sql(c)} AS {alias}__raw")
        elif name == "amount":
            value, mark = amount_sql(c, sniff_decimal(layout.column(i)))
            exprs += [f"{value} AS amount", f"{mark} AS amount__mark", f"{text_sql(c)} AS amount__raw",
                      f"{problem_sql(value, c, AMOUNT)} AS amount__problem"]
        elif name == "estimated_hours":
            value = quantities.number_sql(c, sniff_decimal(layout.column(i)))
            exprs += [f"{value} AS estimated_hours", f"{text_sql(c)} AS estimated_hours__raw",
                      f"{problem_sql(value, c, quantities.BUDGET_HOURS)} AS estimated_hours__problem"]
        elif name.startswith("fact:"):
            exprs.append(f"{bool_sql(c)} AS {alias}")
            exprs.append(f"{text_sql(c)} AS {alias}__raw")
        elif name in fills:  # its own cell, else its fallback's when blank (HubSpot's Lifecycle Stage)
            exprs.append(f"coalesce({text_sql(c)}, {text_sql(f'c{cols[fills[name]]}')}) AS {alias}")
        else:
            exprs.append(f"{text_sql(c)} AS {alias}")
    return f"SELECT {', '.join(exprs)} FROM {src}"


def _stale(old: dict, new: dict) -> str | None:
    """Why a row of a re-export must not be applied: it is older than what the store holds, or it would
    reopen a won or lost lead without showing that it is newer than the close."""
    when, held = new.get("crm_modified_at"), old.get("crm_modified_at")
    if when is not None and held is not None and pd.Timestamp(when) < pd.Timestamp(held):
        when, held = pd.Timestamp(when), pd.Timestamp(held)
        shown = "%Y-%m-%d" if when.date() != held.date() else (  # the time when the day is the same
            "%Y-%m-%d %H:%M" if when.second == held.second == 0 else "%Y-%m-%d %H:%M:%S")
        return f"modified {when.strftime(shown)}, older than the stored {held.strftime(shown)}"
    if old.get("status") in ("won", "lost") and new.get("status") == "open":
        closed = held if held is not None else old.get("closed_on")
        if when is None:
            return f"would reopen a {old['status']} lead, and the file has no modified date to show it is newer"
        if closed is not None and pd.Timestamp(when) < pd.Timestamp(closed):
            return f"would reopen a {old['status']} lead with a row modified before it closed"
    return None


def _name(row: dict) -> str | None:
    """What the CRM would show as the lead's name: its own, the person's, the organisation's, or, as
    HubSpot does for a contact who filled in only a form, the email."""
    person = " ".join(filter(None, [_value(row, "first_name"), _value(row, "last_name")]))
    return _value(row, "name") or person or _value(row, "organisation") or _value(row, "email")


def _value(row: dict, name: str):
    v = row.get(name.replace(":", "__"))
    return None if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NaT else v


# what the CRM owns on a lead: a re-export's newer values replace these (and an undo restores them)
CRM_FIELDS = ("name", "organisation", "owner", "lead_source", "crm_stage", "recorded_stage", "status",
              "lost_reason", "amount", "currency", "closed_on", "expected_close", "pricing", "crm_modified_at",
              "estimated_hours", "last_activity")


def _currency(row: dict, det: Detection) -> tuple[str | None, tuple[str, str] | None]:
    """The row's currency as an ISO 4217 code, from its currency column or the sign beside its amount."""
    return amount_currency(_value(row, "amount__raw"), _value(row, "currency"), _value(row, "amount__mark"),
                           det.format.options.get("dollar"))


def _carried(cols: dict[str, int]) -> set[str]:
    """The CRM fields this file actually carries: a column it lacks never blanks a stored value (an amount
    may carry its currency beside it)."""
    out = {f for f in ("organisation", "owner", "lead_source", "lost_reason", "amount", "currency", "pricing",
                       "estimated_hours", "last_activity") if f in cols}
    if "amount" in cols:
        out.add("currency")
    if {"name", "first_name", "last_name", "organisation"} & set(cols):
        out.add("name")
    if "stage" in cols:
        out |= {"crm_stage", "recorded_stage", "status", "closed_on"}
    if "status" in cols:
        out |= {"status", "closed_on"}
    if {"closed_on", "won_on", "lost_on"} & set(cols):
        out |= {"closed_on", "expected_close"}
    if "expected_close" in cols:
        out.add("expected_close")
    if "modified_at" in cols:  # a newer export's moment is kept, so that an older one met later is stale
        out.add("crm_modified_at")
    return out


def _plain(v):
    """Staged values as the store returns them, so old and new compare equal when they are."""
    if isinstance(v, pd.Timestamp):
        return v.date()
    return v.item() if hasattr(v, "item") else v


def _latest(cur, ids: list[int]) -> tuple[dict[int, dict], dict[tuple[int, str], bool]]:
    """The latest assessment levels and gate facts of existing leads, to tell what a file changes."""
    levels = {lead: lv for lead, (lv, _) in latest_assessments(cur, ids).items()}
    facts = {(lead, f): v for lead, fs in latest_facts(cur, ids).items() for f, (v, _) in fs.items()}
    return levels, facts


@dataclass
class _LeadImport:
    """One CRM file's import as its steps share it: what the store knows, and what the file adds."""

    det: Detection
    header: list[str]
    batch: int
    result: ImportResult
    rejects: Rejects
    known: dict[str, dict]  # external id → the stored lead's id and CRM fields
    latest_levels: dict[int, dict]
    latest_facts: dict[tuple[int, str], bool]
    next_id: int
    stamp: datetime
    handled: set[str] = field(default_factory=set)
    leads: list[dict] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)
    previous: list[dict] = field(default_factory=list)
    assessments: list[dict] = field(default_factory=list)
    facts: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)

    @property
    def tool(self) -> str:
        return self.det.format.name


def import_rows(cur, det: Detection, layout: CsvLayout, src: str, batch: int, result: ImportResult,
                rejects: Rejects) -> None:
    """New leads are added; a lead the store already has (same CRM and record id) takes the file's
    newer CRM values, levels and facts, its old values kept in ``lead_updates`` for undo."""
    rows = cur.execute(_stage_sql(det, layout, src) + " ORDER BY rid").df().to_dict("records")
    result.rows_read = len(rows)
    job = _start(cur, det, layout.header, batch, result, rejects)
    for row in rows:
        _take_row(job, row)
    _write(cur, job)
    result.imported = len(job.leads)


def _start(cur, det: Detection, header: list[str], batch: int, result: ImportResult,
           rejects: Rejects) -> _LeadImport:
    """What the store already holds of this CRM: its leads, their latest levels and facts."""
    known = {r[0]: dict(zip(("id", *CRM_FIELDS), r[1:])) for r in cur.execute(
        f"SELECT external_id, id, {', '.join(CRM_FIELDS)} FROM leads WHERE source_system = ?",
        [det.format.name]).fetchall()}
    levels, facts = _latest(cur, [k["id"] for k in known.values()])
    return _LeadImport(det, header, batch, result, rejects, known, levels, facts,
                       next_lead_id(cur), datetime.now().replace(microsecond=0))


def _take_row(job: _LeadImport, row: dict) -> None:
    """One row: rejected, a repeat within the file, a new lead, an update, stale, or already known."""
    rubric, result, rid = default_rubric(), job.result, int(row["rid"])
    problem = _check_row(row, job.det, job.header, rubric)
    if problem:
        job.rejects.add_record(rid, *problem)
        return
    name, created = _name(row), _value(row, "created_on")
    ext = _value(row, "external_id") or "content:" + hashlib.md5(
        f"{name}|{_value(row, 'organisation')}|{created}".encode()).hexdigest()
    if ext in job.handled:  # the same record twice in one file
        result.duplicates += 1
        return
    job.handled.add(ext)
    values, stage = _crm_values(job, row)
    levels = {f.key: check_level(_value(row, f"level:{f.key}")) for f in rubric.factors
              if f"level:{f.key}" in job.det.columns}
    row_facts = {n[5:]: bool(_value(row, n)) for n in job.det.columns
                 if n.startswith("fact:") and _value(row, n) is not None}
    old = job.known.get(ext)
    entered = pd.Timestamp(created) if created else job.stamp  # a new lead entered its stage when created
    if old is None:
        lead_id = job.next_id
        job.next_id += 1
        job.leads.append(dict(id=lead_id, source_system=job.tool, external_id=ext, created_on=created,
                              batch_id=job.batch, **values))
    else:
        lead_id = old["id"]
        update = _update(job, old, values, levels, row_facts, rid)
        if update is None:
            return
        levels, row_facts, stage = update
        entered = job.stamp  # an event only when the CRM moved the lead, dated at the import
    _history(job, row, lead_id, levels, row_facts, stage, entered)


def _crm_values(job: _LeadImport, row: dict) -> tuple[dict, str | None]:
    """The CRM fields of a row as the store keeps them, and the lifecycle stage its label maps to."""
    result = job.result
    label = _value(row, "stage")
    target = map_stage(label, job.tool)
    if label and target is None:
        result.unmapped_stages[label] = result.unmapped_stages.get(label, 0) + 1
    status = (_value(row, "status") or (target.status if target else None) or "open").lower()
    status = status if status in ("open", "won", "lost") else "open"
    stage = target.stage if target else None
    closed = _value(row, "closed_on") or _value(row, "won_on") or _value(row, "lost_on")
    values = {k: _plain(v) for k, v in dict(
        name=_name(row), organisation=_value(row, "organisation"), owner=_value(row, "owner"),
        lead_source=_value(row, "lead_source"), crm_stage=label, recorded_stage=stage, status=status,
        lost_reason=_value(row, "lost_reason"), amount=_value(row, "amount"), currency=_currency(row, job.det)[0],
        closed_on=closed if status != "open" else None, pricing=_value(row, "pricing"),
        # an open deal's close date is when the CRM expects it to close (kept once it closes, for the
        # forecast's accuracy)
        expected_close=_value(row, "expected_close") or (closed if status == "open" else None),
        estimated_hours=_value(row, "estimated_hours"), last_activity=_value(row, "last_activity")).items()}
    modified = _value(row, "modified_at")  # a moment, not a day: two exports of one day are told apart
    values["crm_modified_at"] = None if modified is None else pd.Timestamp(modified).to_pydatetime()
    return values, stage


def _update(job: _LeadImport, old: dict, values: dict, levels: dict, row_facts: dict,
            rid: int) -> tuple[dict, dict, str | None] | None:
    """What a re-exported row changes on a stored lead (levels, facts, the stage it moved to), or None
    when it is stale or changes nothing."""
    result, lead_id = job.result, old["id"]
    why = _stale(old, values)
    if why:
        result.stale += 1
        result.stale_lines.append((job.rejects.lines(rid), why))
        return None
    # a blank never erases what is stored (an unmapped stage, an owner left out), except a close
    # date or lost reason, which a reopened deal really loses
    news = {f: values[f] for f in _carried(job.det.columns) if values[f] != old[f]
            and (values[f] is not None or f in ("closed_on", "lost_reason"))}
    was = job.latest_levels.get(lead_id, {})
    if not any(v is not None for v in levels.values()) or all(was.get(k) == v for k, v in levels.items()):
        levels = {}  # no levels, or the ones already latest: no new assessment
    row_facts = {f: v for f, v in row_facts.items() if job.latest_facts.get((lead_id, f)) != v}
    if not (news or levels or row_facts):
        result.duplicates += 1
        return None
    result.updated += 1
    if news and values["crm_modified_at"] is not None:  # when the CRM made the change (what moved, and when)
        news["crm_modified_at"] = values["crm_modified_at"]
    if news:
        job.previous.append(dict(batch_id=job.batch, lead_id=lead_id, **{f: old[f] for f in CRM_FIELDS}))
        job.changed.append(dict(id=lead_id, **{f: news.get(f, old[f]) for f in CRM_FIELDS}))
    return levels, row_facts, news.get("recorded_stage")


def _history(job: _LeadImport, row: dict, lead_id: int, levels: dict, row_facts: dict, stage: str | None,
             entered) -> None:
    """The assessment, gate facts and stage event a row adds to its lead's history."""
    rubric = default_rubric()
    if any(v is not None for v in levels.values()):
        job.assessments.append(dict(lead_id=lead_id, assessed_at=_value(row, "assessed_at") or job.stamp,
                                    assessed_by=_value(row, "assessed_by") or "import",
                                    rubric_version=rubric.version, batch_id=job.batch, **levels,
                                    **{f"{k}_comment": _value(row, f"comment:{k}") for k in rubric.keys
                                       if f"comment:{k}" in job.det.columns}))
    job.facts += [dict(lead_id=lead_id, fact=f, value=v, set_at=job.stamp, set_by="import", batch_id=job.batch)
                  for f, v in row_facts.items()]
    if stage:
        job.events.append(dict(lead_id=lead_id, stage=stage, entered_at=entered, source="crm", batch_id=job.batch))


def _write(cur, job: _LeadImport) -> None:
    """Everything the file adds and changes, in bulk, inside the import's transaction."""
    _insert(cur, "lead_updates", job.previous)
    if job.changed:
        cur.register("changed", pd.DataFrame(job.changed))
        cur.execute(f"""UPDATE leads SET {', '.join(f'{f} = c.{f}' for f in CRM_FIELDS)}
                        FROM changed c WHERE leads.id = c.id""")  # noqa: S608 (fixed column names)
        cur.unregister("changed")
    for table, data in (("leads", job.leads), ("assessments", job.assessments), ("lead_facts", job.facts),
                        ("stage_events", job.events)):
        _insert(cur, table, data)


def _insert(cur, table: str, data: list[dict]) -> None:
    if data:
        cur.register("incoming", pd.DataFrame(data))
        cur.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming")  # noqa: S608 (fixed names)
        cur.unregister("incoming")


def _check_row(row: dict, det: Detection, header: list[str], rubric) -> tuple[str, str] | None:
    """(column, reason) for the first problem in a staged lead row, or None."""
    cols = det.columns
    if not _name(row):
        col = next(cols[n] for n in ("name", "last_name", "first_name", "organisation", "email", "external_id")
                   if n in cols)
        return header[col], "no name, person, organisation or email"
    for f in rubric.factors:
        key = f"level:{f.key}"
        if key in cols:
            try:
                check_level(_value(row, key))
            except LevelError as e:
                return header[cols[key]], str(e)
    for name in DATE_FIELDS:
        if name in cols and _value(row, f"{name}__raw") and _value(row, name) is None:
            return header[cols[name]], f"cannot read {_value(row, name + '__raw')!r} as a date"
    if "amount" in cols and _value(row, "amount__problem"):
        return header[cols["amount"]], problem_text(int(row["amount__problem"]), _value(row, "amount__raw"), AMOUNT)
    _, why = _currency(row, det)
    if why:
        return header[cols["currency" if why[0] == "currency" else "amount"]], why[1]
    if "estimated_hours" in cols and _value(row, "estimated_hours__problem"):
        why, raw = int(row["estimated_hours__problem"]), _value(row, "estimated_hours__raw")
        return header[cols["estimated_hours"]], problem_text(why, raw, quantities.BUDGET_HOURS)
    for name in cols:
        if name.startswith("fact:") and _value(row, f"{name}__raw") and _value(row, name) is None:
            return header[cols[name]], f"cannot read {_value(row, name + '__raw')!r} as yes or no"
    return None


# ---------------------------------------------------------------- undo


def undo_refusal(cur, batch: int) -> str | None:
    """Why undoing ``batch`` is refused, or None: a later batch changed its leads, or people worked on them."""
    later = scalar(cur, """SELECT max(u.batch_id) FROM lead_updates u WHERE u.batch_id > ?
                           AND u.lead_id IN (SELECT lead_id FROM lead_updates WHERE batch_id = ?
                                             UNION ALL SELECT id FROM leads WHERE batch_id = ?)""",
                   [batch, batch, batch])
    later = max(filter(None, [later, scalar(cur, """SELECT max(batch_id) FROM (
        SELECT lead_id, batch_id FROM assessments UNION ALL SELECT lead_id, batch_id FROM lead_facts
        UNION ALL SELECT lead_id, batch_id FROM stage_events)
        WHERE batch_id > ? AND lead_id IN (SELECT id FROM leads WHERE batch_id = ?)""", [batch, batch])]),
                default=None)
    return (f"batch {later} changed leads of batch {batch} afterwards; undo batch {later} first" if later
            else _people_worked_on(cur, batch))


def undo(cur, batch: int) -> dict[str, int]:
    """Remove the leads a batch created with their history, and put back the CRM values it replaced (once
    ``undo_refusal`` found nothing against it: ``undo_batch`` asks it first)."""
    fields = ", ".join(f"{f} = u.{f}" for f in CRM_FIELDS)
    cur.execute(f"UPDATE leads SET {fields} FROM lead_updates u WHERE u.lead_id = leads.id AND u.batch_id = ?",
                [batch])  # noqa: S608 (fixed column names)
    # DuckDB's DELETE returns how many rows it removed
    removed = {"lead_updates": scalar(cur, "DELETE FROM lead_updates WHERE batch_id = ?", [batch])}
    leads = "SELECT id FROM leads WHERE batch_id = ?"
    for table in ("assessments", "lead_facts", "stage_events"):  # the import's own, and its leads' history
        removed[table] = scalar(cur, f"DELETE FROM {table} WHERE batch_id = ? OR lead_id IN ({leads})",  # noqa: S608
                                [batch, batch])
    removed["leads"] = scalar(cur, "DELETE FROM leads WHERE batch_id = ?", [batch])
    return removed


def _people_worked_on(cur, batch: int) -> str | None:
    """The leads ``batch`` created that people have since worked on (notes, assessments, gate ticks, offers),
    named with that work: undo would remove it, so it is refused."""
    rows = cur.execute("""
        WITH mine AS (SELECT id, name FROM leads WHERE batch_id = ?),
        work AS (SELECT lead_id, 'note' AS kind FROM lead_activity
                 UNION ALL SELECT lead_id, 'logged contact' FROM lead_contacts
                 UNION ALL SELECT lead_id, 'assessment' FROM assessments WHERE batch_id IS NULL
                 UNION ALL SELECT lead_id, 'gate tick' FROM lead_facts WHERE batch_id IS NULL
                 UNION ALL SELECT lead_id, 'small project' FROM budgets WHERE batch_id IS NULL AND lead_id IS NOT NULL)
        SELECT m.name, w.kind, count(*) FROM mine m JOIN work w ON w.lead_id = m.id
        GROUP BY ALL ORDER BY m.name, w.kind""", [batch]).fetchall()
    if not rows:
        return None
    by_lead: dict[str, list[str]] = {}
    for name, kind, n in rows:
        by_lead.setdefault(name, []).append(f"{n} {kind}{'s' if n != 1 else ''}")
    named = "; ".join(f"{name} ({', '.join(kinds)})" for name, kinds in list(by_lead.items())[:5])
    more = f" and {len(by_lead) - 5} more leads" if len(by_lead) > 5 else ""
    return (f"batch {batch} created leads that people have worked on since: {named}{more}. "
            "Undo would remove their work, so nothing was changed.")
