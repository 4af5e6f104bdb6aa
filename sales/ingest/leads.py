"""CRM exports → leads, with their rubric levels, gate facts and stage, mapped through stage_map.toml.

CRM files are small (thousands of rows), so after typed staging in SQL the row logic is Python.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

import pandas as pd

from sales.ingest.formats import Detection, norm
from sales.ingest.reader import CsvLayout
from sales.ingest.results import Reject
from sales.ingest.values import bool_sql, date_sql, number_sql, sniff_date, sniff_decimal, text_sql
from sales.leadstate import latest_assessments, latest_facts
from sales.lifecycle import default_lifecycle
from sales.paths import DATA_DIR
from sales.rubric import LevelError, check_level, default_rubric
from sales.store import next_lead_id

DEFAULT_STAGE_MAP = DATA_DIR / "stage_map.toml"
TEXT_FIELDS = ("external_id", "name", "organisation", "owner", "lead_source", "stage", "status", "lost_reason",
               "currency", "pricing", "first_name", "last_name", "assessed_by", "email")
DATE_FIELDS = ("created_on", "closed_on", "expected_close", "won_on", "lost_on", "assessed_at", "modified_at",
               "last_activity")


@dataclass(frozen=True)
class StageTarget:
    stage: str | None
    status: str | None


@cache
def load_stage_map(path: Path = DEFAULT_STAGE_MAP) -> dict[str, dict[str, StageTarget]]:
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    stage_keys = {s.key for s in default_lifecycle().stages}
    out: dict[str, dict[str, StageTarget]] = {}
    for section, labels in doc.items():
        table = {}
        for label, target in labels.items():
            t = StageTarget(target, None) if isinstance(target, str) else StageTarget(target.get("stage"),
                                                                                      target.get("status"))
            if t.stage is not None and t.stage not in stage_keys:
                raise ValueError(f"{path.name}: [{section}] {label!r} → unknown stage {t.stage!r}")
            table[norm(label)] = t
        out[section] = table
    return out


def map_stage(label: str | None, fmt: str) -> StageTarget | None:
    """A CRM label → lifecycle stage and status; None when no table knows it."""
    if not label:
        return None
    tables = load_stage_map()
    key = norm(label)
    for section in (fmt, "default"):
        if key in tables.get(section, {}):
            return tables[section][key]
    if key in {norm(s.key) for s in default_lifecycle().stages} | {norm(s.name) for s in default_lifecycle().stages}:
        stage = next(s.key for s in default_lifecycle().stages if key in (norm(s.key), norm(s.name)))
        return StageTarget(stage, None)
    return None


def _stage_sql(det: Detection, layout: CsvLayout, src: str) -> str:
    cols = det.columns
    exprs = ["rid"]
    for name, i in cols.items():
        c = f"c{i}"
        alias = name.replace(":", "__")
        if name in DATE_FIELDS:
            exprs.append(f"{date_sql(c, sniff_date(layout.column(i), det.format.date_order))} AS {alias}")
            exprs.append(f"{text_sql(c)} AS {alias}__raw")
        elif name in ("amount", "estimated_hours"):
            exprs.append(f"{number_sql(c, sniff_decimal(layout.column(i)))} AS {name}")
            exprs.append(f"{text_sql(c)} AS {name}__raw")
        elif name.startswith("fact:"):
            exprs.append(f"{bool_sql(c)} AS {alias}")
            exprs.append(f"{text_sql(c)} AS {alias}__raw")
        else:
            exprs.append(f"{text_sql(c)} AS {alias}")
    return f"SELECT {', '.join(exprs)} FROM {src}"


def _stale(old: dict, new: dict) -> str | None:
    """Why a row of a re-export must not be applied: it is older than what the store holds, or it would
    reopen a won or lost lead without showing that it is newer than the close."""
    when, held = new.get("crm_modified_at"), old.get("crm_modified_at")
    if when is not None and held is not None and pd.Timestamp(when) < pd.Timestamp(held):
        return f"modified {pd.Timestamp(when):%Y-%m-%d}, older than the stored {pd.Timestamp(held):%Y-%m-%d}"
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


def _carried(cols: dict[str, int]) -> set[str]:
    """The CRM fields this file actually carries: a column it lacks never blanks a stored value."""
    out = {f for f in ("organisation", "owner", "lead_source", "lost_reason", "amount", "currency", "pricing",
                       "estimated_hours", "last_activity") if f in cols}
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
    result: object  # the ImportResult being filled
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


def import_leads(cur, det: Detection, layout: CsvLayout, src: str, batch: int, result, lines) -> None:
    """New leads are added; a lead the store already has (same CRM and record id) takes the file's
    newer CRM values, levels and facts, its old values kept in ``lead_updates`` for undo."""
    rows = cur.execute(_stage_sql(det, layout, src) + " ORDER BY rid").df().to_dict("records")
    result.rows_read = len(rows)
    job = _start(cur, det, layout.header, batch, result)
    for row in rows:
        _take_row(job, row, lines(int(row["rid"])))
    _write(cur, job)
    result.imported = len(job.leads)


def _start(cur, det: Detection, header: list[str], batch: int, result) -> _LeadImport:
    """What the store already holds of this CRM: its leads, their latest levels and facts."""
    known = {r[0]: dict(zip(("id", *CRM_FIELDS), r[1:])) for r in cur.execute(
        f"SELECT external_id, id, {', '.join(CRM_FIELDS)} FROM leads WHERE source_system = ?",
        [det.format.name]).fetchall()}
    levels, facts = _latest(cur, [k["id"] for k in known.values()])
    return _LeadImport(det, header, batch, result, known, levels, facts,
                       next_lead_id(cur), datetime.now().replace(microsecond=0))


def _take_row(job: _LeadImport, row: dict, line: int) -> None:
    """One row: rejected, a repeat within the file, a new lead, an update, stale, or already known."""
    rubric, result = default_rubric(), job.result
    problem = _check_row(row, job.det, job.header, rubric)
    if problem:
        result.rejects.append(Reject(line, *problem))
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
        update = _update(job, old, values, levels, row_facts, line)
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
        lost_reason=_value(row, "lost_reason"), amount=_value(row, "amount"), currency=_value(row, "currency"),
        closed_on=closed if status != "open" else None, pricing=_value(row, "pricing"),
        # an open deal's close date is when the CRM expects it to close (kept once it closes, for the
        # forecast's accuracy)
        expected_close=_value(row, "expected_close") or (closed if status == "open" else None),
        crm_modified_at=_value(row, "modified_at"), estimated_hours=_value(row, "estimated_hours"),
        last_activity=_value(row, "last_activity")).items()}
    return values, stage


def _update(job: _LeadImport, old: dict, values: dict, levels: dict, row_facts: dict,
            line: int) -> tuple[dict, dict, str | None] | None:
    """What a re-exported row changes on a stored lead (levels, facts, the stage it moved to), or None
    when it is stale or changes nothing."""
    result, lead_id = job.result, old["id"]
    why = _stale(old, values)
    if why:
        result.stale += 1
        result.stale_lines.append((line, why))
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
    if "amount" in cols and _value(row, "amount__raw") and _value(row, "amount") is None:
        return header[cols["amount"]], f"cannot read {_value(row, 'amount__raw')!r} as an amount"
    hours = _value(row, "estimated_hours")
    if "estimated_hours" in cols and _value(row, "estimated_hours__raw") and (hours is None or hours < 0):
        return header[cols["estimated_hours"]], f"cannot read {_value(row, 'estimated_hours__raw')!r} as hours"
    for name in cols:
        if name.startswith("fact:") and _value(row, f"{name}__raw") and _value(row, name) is None:
            return header[cols[name]], f"cannot read {_value(row, name + '__raw')!r} as yes or no"
    return None

