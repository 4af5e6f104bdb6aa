"""Each schema version of the store as frozen text: the statements that migrate version i to i + 1.

Migrating an old store never depends on today's code or configuration (a tuned rubric, say). Columns for
the factors of a rubric tuned since are added on open (``sales.store.match_rubric``), outside the versions.
A new version is a new function appended to ``MIGRATIONS``; a released one is never edited.
"""

from __future__ import annotations


def _schema_v1() -> list[str]:
    """The first store, its assessments with the handbook rubric's seven factors."""
    return [
        "CREATE SEQUENCE batch_seq START 1",
        """CREATE TABLE import_batches (
    id INTEGER PRIMARY KEY DEFAULT nextval('batch_seq'),
    file_name TEXT NOT NULL, sha256 TEXT, kind TEXT NOT NULL, format TEXT NOT NULL,
    rows_read INTEGER NOT NULL DEFAULT 0, imported INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0, rejected INTEGER NOT NULL DEFAULT 0,
    hours DOUBLE, imported_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())""",
        """CREATE TABLE leads (
    id INTEGER PRIMARY KEY,  -- assigned by the writer: max(id) + 1
    source_system TEXT NOT NULL, external_id TEXT, name TEXT NOT NULL, organisation TEXT,
    owner TEXT, lead_source TEXT, created_on DATE, crm_stage TEXT, recorded_stage TEXT,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost')),
    lost_reason TEXT, amount DOUBLE, currency TEXT, closed_on DATE, pricing TEXT,
    is_demo BOOLEAN NOT NULL DEFAULT false, batch_id INTEGER,
    UNIQUE (source_system, external_id))""",
        """CREATE TABLE lead_facts (
    lead_id INTEGER NOT NULL, fact TEXT NOT NULL, value BOOLEAN,
    set_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(), set_by TEXT, batch_id INTEGER)""",
        "CREATE SEQUENCE assessment_seq START 1",
        """CREATE TABLE assessments (
    id INTEGER PRIMARY KEY DEFAULT nextval('assessment_seq'),
    lead_id INTEGER NOT NULL, assessed_at TIMESTAMP NOT NULL, assessed_by TEXT,
    rubric_version TEXT NOT NULL, batch_id INTEGER,
    people_profile TINYINT CHECK (people_profile BETWEEN 0 AND 2),
    need TINYINT CHECK (need BETWEEN 0 AND 2),
    budget TINYINT CHECK (budget BETWEEN 0 AND 2),
    contract_type TINYINT CHECK (contract_type BETWEEN 0 AND 2),
    prestige TINYINT CHECK (prestige BETWEEN 0 AND 2),
    market_niche TINYINT CHECK (market_niche BETWEEN 0 AND 2),
    internal_bias TINYINT CHECK (internal_bias BETWEEN 0 AND 2),
    people_profile_comment TEXT,
    need_comment TEXT,
    budget_comment TEXT,
    contract_type_comment TEXT,
    prestige_comment TEXT,
    market_niche_comment TEXT,
    internal_bias_comment TEXT)""",
        """CREATE TABLE stage_events (
    lead_id INTEGER NOT NULL, stage TEXT NOT NULL, entered_at TIMESTAMP NOT NULL,
    source TEXT NOT NULL, batch_id INTEGER)""",
        """CREATE TABLE lead_notes (
    lead_id INTEGER NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL,
    written_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(), written_by TEXT)""",
        """CREATE TABLE time_entries (
    batch_id INTEGER, source TEXT NOT NULL, person TEXT, work_date DATE NOT NULL,
    started_at TIMESTAMP, hours DOUBLE NOT NULL, billable BOOLEAN, client TEXT, project TEXT,
    account TEXT, issue_key TEXT, description TEXT,
    entry_key UHUGEINT NOT NULL)  -- md5 of source, person, start, hours, description + occurrence""",
        """CREATE TABLE budgets (
    batch_id INTEGER, account TEXT NOT NULL, effective_month DATE NOT NULL,
    monthly_hours DOUBLE, fixed_total_hours DOUBLE, hourly_rate DOUBLE, currency TEXT,
    kind TEXT NOT NULL DEFAULT 'retainer', lead_id INTEGER, entry_key TEXT NOT NULL UNIQUE)""",
        """CREATE TABLE rejected_rows (
    batch_id INTEGER NOT NULL, line INTEGER, "column" TEXT, reason TEXT NOT NULL, raw TEXT)""",
    ]


def _schema_v2() -> list[str]:
    """Time entries lose their stored md5 key: imports compare the entries' own fields instead.

    Cheaper to import (no hash of every row), exact (no collisions), and independent of any hash
    implementation; undoing one of two batches that hold the same entry no longer confuses matching.
    """
    return [
        """CREATE TABLE time_entries_v2 (
    batch_id INTEGER, source TEXT NOT NULL, person TEXT, work_date DATE NOT NULL,
    started_at TIMESTAMP, hours DOUBLE NOT NULL, billable BOOLEAN, client TEXT, project TEXT,
    account TEXT, issue_key TEXT, description TEXT)""",
        "INSERT INTO time_entries_v2 SELECT * EXCLUDE (entry_key) FROM time_entries ORDER BY rowid",
        "DROP TABLE time_entries",
        "ALTER TABLE time_entries_v2 RENAME TO time_entries",
    ]


def _schema_v3() -> list[str]:
    """A CRM re-export updates the leads it already holds; the values it replaced stay here for undo."""
    return ["""CREATE TABLE lead_updates (
    batch_id INTEGER NOT NULL, lead_id INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    name TEXT, organisation TEXT, owner TEXT, lead_source TEXT, crm_stage TEXT, recorded_stage TEXT,
    status TEXT, lost_reason TEXT, amount DOUBLE, currency TEXT, closed_on DATE, pricing TEXT)""",
            "ALTER TABLE import_batches ADD COLUMN updated INTEGER DEFAULT 0"]


def _schema_v4() -> list[str]:
    """Roles granted to people (emails or whole domains) and the audit trail of every write."""
    return ["""CREATE TABLE access_grants (
    who TEXT PRIMARY KEY,  -- a lower-case email, or *@domain
    role TEXT NOT NULL CHECK (role IN ('viewer', 'bizdev', 'admin')),
    granted_by TEXT NOT NULL, granted_at TIMESTAMP NOT NULL)""",
            "CREATE SEQUENCE audit_seq START 1",
            """CREATE TABLE audit_log (
    id BIGINT PRIMARY KEY DEFAULT nextval('audit_seq'), happened_at TIMESTAMP NOT NULL, actor TEXT NOT NULL,
    kind TEXT NOT NULL, subject TEXT NOT NULL, lead_id INTEGER, batch_id INTEGER, old_value TEXT, new_value TEXT)""",
            "ALTER TABLE import_batches ADD COLUMN imported_by TEXT"]


def _schema_v5() -> list[str]:
    """When the CRM last changed each lead, so an older export cannot roll a closed lead back."""
    return ["ALTER TABLE leads ADD COLUMN crm_modified_at TIMESTAMP",
            "ALTER TABLE lead_updates ADD COLUMN crm_modified_at TIMESTAMP"]


def _schema_v6() -> list[str]:
    """Column mappings people confirmed for layouts no preset knows, by the header's fingerprint."""
    return ["""CREATE TABLE saved_mappings (
    fingerprint TEXT PRIMARY KEY, header TEXT NOT NULL, doc TEXT NOT NULL, saved_by TEXT NOT NULL,
    saved_at TIMESTAMP NOT NULL)"""]


def _schema_v7() -> list[str]:
    """One word per concept: the tracker a time entry came from is its ``tool`` (a lead's ``lead_source``
    is where the lead came from)."""
    return ["ALTER TABLE time_entries RENAME COLUMN source TO tool"]


def _schema_v8() -> list[str]:
    """When an open deal is expected to close (the forecast), and the name each person has as a lead owner
    in the CRM (their own leads on the This week page)."""
    return ["ALTER TABLE leads ADD COLUMN expected_close DATE",
            "ALTER TABLE lead_updates ADD COLUMN expected_close DATE",
            "ALTER TABLE access_grants ADD COLUMN crm_owner TEXT"]


def _schema_v9() -> list[str]:
    """Each weekly digest's result per recipient, so running the same digest again mails only those who did
    not get it."""
    return ["""CREATE TABLE digest_deliveries (
    digest_date DATE NOT NULL, recipient TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('sent', 'refused', 'failed', 'not sent')),
    error TEXT, attempted_at TIMESTAMP NOT NULL)"""]


def _schema_v10() -> list[str]:
    """Quarter sales targets per lead owner (their CRM owner name), or the team's own (owner NULL), each in
    the reporting currency it was set in."""
    return ["""CREATE TABLE sales_targets (
    quarter TEXT NOT NULL,  -- 2026-Q4
    owner TEXT,  -- NULL: the team's own target
    amount DOUBLE NOT NULL CHECK (amount >= 0), currency TEXT NOT NULL,
    set_by TEXT NOT NULL, set_at TIMESTAMP NOT NULL)"""]


def _schema_v11() -> list[str]:
    """One word per concept: everything written on a lead (its notes, logged contacts, and the line each change
    adds) is its activity log."""
    return ["ALTER TABLE lead_notes RENAME TO lead_activity"]


def _schema_v12() -> list[str]:
    """The team behind the hours (issue 24): people with one row per cost-rate change, their time off, and a
    lead's own estimate of its hours. Rows are added, never changed in place: a person's current row for an
    ``effective_from`` is the newest one (``removed`` marks one taken off by hand), so undoing an import
    brings back what it replaced and a hand-made change is never lost to a machine operation."""
    return ["CREATE SEQUENCE people_seq START 1",
            """CREATE TABLE people (
    id INTEGER PRIMARY KEY DEFAULT nextval('people_seq'), batch_id INTEGER, entered_by TEXT,
    entered_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    name TEXT NOT NULL, effective_from DATE NOT NULL, email TEXT, weekly_capacity_hours DOUBLE,
    working_days TEXT, country TEXT, start_date DATE, end_date DATE, cost_rate DOUBLE, currency TEXT,
    utilisation_target DOUBLE, removed BOOLEAN NOT NULL DEFAULT false)""",
            "CREATE SEQUENCE time_off_seq START 1",
            """CREATE TABLE time_off (
    id INTEGER PRIMARY KEY DEFAULT nextval('time_off_seq'), batch_id INTEGER, entered_by TEXT,
    entered_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    person TEXT NOT NULL, from_date DATE NOT NULL, to_date DATE NOT NULL, hours_per_day DOUBLE)""",
            "ALTER TABLE leads ADD COLUMN estimated_hours DOUBLE",
            "ALTER TABLE lead_updates ADD COLUMN estimated_hours DOUBLE"]


def _schema_v13() -> list[str]:
    """Touches are contacts (issue 21.6): a contact someone logged with a lead, its channel and note, in a table of
    its own (the follow-up clock reads it; an undo removes one row). The log's touches written before become
    contacts of channel 'other'. The CRM's own last activity date of each lead, carried by its exports."""
    return ["CREATE SEQUENCE contact_seq START 1",
            """CREATE TABLE lead_contacts (
    id INTEGER PRIMARY KEY DEFAULT nextval('contact_seq'), lead_id INTEGER NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'call', 'meeting', 'message', 'other')),
    note TEXT, contacted_at TIMESTAMP NOT NULL, logged_by TEXT NOT NULL)""",
            """INSERT INTO lead_contacts (lead_id, channel, note, contacted_at, logged_by)
    SELECT lead_id, 'other', nullif(trim(CASE WHEN starts_with(body, 'Contacted: ') THEN body[12:] ELSE '' END), ''),
           written_at, coalesce(written_by, 'unknown') FROM lead_activity WHERE kind = 'touch' ORDER BY written_at""",
            "DELETE FROM lead_activity WHERE kind = 'touch'",
            "ALTER TABLE leads ADD COLUMN last_activity DATE",
            "ALTER TABLE lead_updates ADD COLUMN last_activity DATE"]


# index i migrates schema version i → i + 1
MIGRATIONS: list = [_schema_v1, _schema_v2, _schema_v3, _schema_v4, _schema_v5, _schema_v6, _schema_v7,
                    _schema_v8, _schema_v9, _schema_v10, _schema_v11, _schema_v12, _schema_v13]
SCHEMA_VERSION = len(MIGRATIONS)
