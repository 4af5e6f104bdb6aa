"""The leads as the CRM had them on a past date, from the versions re-exports left behind.

A CRM re-export that changes a lead keeps the values it replaced in ``lead_updates`` (with the batch
that replaced them), so each lead has versions: the values of its first import, the values each later
update wrote, the current ones in ``leads``. Rules (README: Targets, and what moved since last week):

- A version took effect at its CRM modified time (``crm_modified_at``) when the export has one, else
  when the batch that wrote it was imported, else (a lead written by no import) at its creation date.
- As of a date, meaning at the end of that day, a lead holds its latest version in effect by then;
  when none is yet, its first version, which stands for it since its creation.
- A lead exists from its creation date (``created_on``), else from when its first version took effect.
- A version showing the lead won or lost, with a close date after the day asked about, reads as open
  then: the CRM's own close date is never anticipated.

Only the CRM's fields have versions here; a lead's assessments, gate facts and stage events carry
their own dates.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from sales.ingest.leads import CRM_FIELDS

# the fields of a lead that never change with a re-export
FIXED = ("id", "source_system", "external_id", "created_on", "is_demo")


def leads_as_of_sql(day: date, fields: tuple[str, ...] = CRM_FIELDS) -> tuple[str, list]:
    """A subquery (and its parameters) with one row per lead that existed at the end of ``day``: the
    fixed fields of ``leads`` and the CRM ``fields`` (all by default) as of then, and ``version`` (0 = its
    first).

    Most leads were never changed by a re-export: their one version is the lead itself, read straight
    from ``leads``; only the others are sorted through their versions. Asking for fewer fields reads less."""
    unknown = set(fields) - set(CRM_FIELDS)
    if unknown:
        raise ValueError(f"not a CRM field: {', '.join(sorted(unknown))}")
    wanted = [f for f in CRM_FIELDS if f in fields or f in ("status", "closed_on")]
    crm = [f for f in wanted if f not in ("status", "closed_on", "lost_reason")]
    kept = ", ".join((*FIXED[1:], *wanted))
    reasons = "lost_reason" in wanted

    def cols(alias: str) -> str:
        return ", ".join(f"{alias}.{f}" for f in CRM_FIELDS)

    ahead = "v.status <> 'open' AND v.closed_on > t.day"  # closed on a later day: still open then
    sql = f"""(
    WITH t AS (SELECT ?::DATE AS day, ?::DATE + 1 AS next_day),
    upd AS (
        SELECT u.*, row_number() OVER (PARTITION BY u.lead_id ORDER BY u.batch_id, u.updated_at) AS k,
               count(*) OVER (PARTITION BY u.lead_id) AS n
        FROM lead_updates u),
    versions AS (  -- the values update k replaced, written by update k - 1 (or by the lead's first import)
        SELECT u.lead_id, u.k - 1 AS version, {cols('u')},
               CASE WHEN u.k = 1 THEN l.batch_id ELSE w.batch_id END AS written_by
        FROM upd u JOIN leads l ON l.id = u.lead_id LEFT JOIN upd w ON w.lead_id = u.lead_id AND w.k = u.k - 1
        UNION ALL  -- and the current values, written by the last update
        SELECT l.id, u.n, {cols('l')}, u.batch_id FROM leads l JOIN upd u ON u.lead_id = l.id AND u.k = u.n),
    chosen AS (  -- the latest version in effect by the end of the day, else the first
        SELECT {', '.join(f'l.{f}' for f in FIXED[1:])}, v.*,
               coalesce(v.crm_modified_at, b.imported_at, l.created_on::TIMESTAMP) AS effective_at,
               min(effective_at) OVER (PARTITION BY v.lead_id) AS first_effective
        FROM versions v JOIN leads l ON l.id = v.lead_id LEFT JOIN import_batches b ON b.id = v.written_by, t
        QUALIFY row_number() OVER (PARTITION BY v.lead_id
                                   ORDER BY (effective_at < t.next_day) DESC,
                                            CASE WHEN effective_at < t.next_day THEN v.version END DESC,
                                            v.version) = 1),
    v AS (
        SELECT lead_id, {kept}, version, first_effective FROM chosen
        UNION ALL  -- a lead no re-export changed has one version: itself
        SELECT l.id, {', '.join(f'l.{f}' for f in (*FIXED[1:], *wanted))}, 0,
               coalesce(l.crm_modified_at, b.imported_at, l.created_on::TIMESTAMP)
        FROM leads l LEFT JOIN import_batches b ON b.id = l.batch_id
        WHERE NOT EXISTS (SELECT 1 FROM lead_updates u WHERE u.lead_id = l.id))
    SELECT v.lead_id AS id, {', '.join(f'v.{f}' for f in (*FIXED[1:], *crm))},
           CASE WHEN {ahead} THEN 'open' ELSE v.status END AS status,
           CASE WHEN {ahead} THEN NULL ELSE v.closed_on END AS closed_on,
           {f"CASE WHEN {ahead} THEN NULL ELSE v.lost_reason END AS lost_reason, " if reasons else ""}v.version
    FROM v, t
    WHERE coalesce(v.created_on <= t.day, v.first_effective < t.next_day))"""  # noqa: S608 (names only; the day is bound)
    return sql, [day, day]


def leads_as_of(cur: duckdb.DuckDBPyConnection, day: date) -> pd.DataFrame:
    """The leads as they stood at the end of ``day`` (``leads_as_of_sql`` as a table), by id."""
    sql, params = leads_as_of_sql(day)
    return cur.execute(f"SELECT * FROM {sql} ORDER BY id", params).df()  # noqa: S608 (generated, no values)
