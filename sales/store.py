"""The persistent DuckDB store: one file, schema created and migrated on open.

Every write that must be all-or-nothing goes through ``Store.transaction`` so a crash or
an error leaves the file exactly as it was.
"""

from __future__ import annotations

import atexit
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from sales.paths import default_db_path
from sales.rubric import default_rubric
from sales.storefile import (  # noqa: F401 (the errors are the store's: sales.store.StoreError and its kinds)
    OTHER_STORE,
    StoreError,
    StoreLockedError,
    StoreReadOnlyError,
    StoreUnusableError,
    first_line,
    marked_read_only,
    open_file,
    unusable,
    usable_path,
    use,
)


def scalar(cur: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    """The single value of a query, with the result fully consumed (DuckDB 2 refuses new work
    on a cursor, such as ``register``, while a result is still open)."""
    return cur.execute(sql, params or []).fetchall()[0][0]


# Each schema version's statements are frozen text: migrating an old store never depends on today's code or
# configuration. Columns for the factors of a rubric tuned since are added on open (match_rubric), outside
# the versions.


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


# what makes a time entry itself (GUIDE: the tool + person + start + duration + description), as
# stored columns: a file's n-th identical entry is new when the store holds fewer than n of them
TIME_ENTRY_KEY = ("tool", "person", "work_date", "started_at", "hours", "issue_key", "description")


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


def match_rubric(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Give the assessments a level and a comment column for each factor of the rubric in force that the store
    lacks (a rubric tuned with a factor of its own); returns the factors added. Levels of an added column are
    checked by every writer (``rubric.check_level``): DuckDB adds no CHECK to an existing table. A factor the
    rubric no longer has keeps its column and its history."""
    held = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                      "WHERE table_name = 'assessments'").fetchall()}
    missing = [k for k in default_rubric().keys if k not in held]
    if missing:
        con.execute("BEGIN")
        try:
            for key in missing:  # rubric keys are lower_snake_case (checked on load)
                con.execute(f"ALTER TABLE assessments ADD COLUMN {key} TINYINT")
                con.execute(f"ALTER TABLE assessments ADD COLUMN {key}_comment TEXT")
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    return missing


def _current_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = scalar(con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_info'")
    if not exists:
        con.execute("CREATE TABLE schema_info (version INTEGER NOT NULL)")
        con.execute("INSERT INTO schema_info VALUES (0)")
        return 0
    return scalar(con, "SELECT version FROM schema_info")


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the schema up to ``SCHEMA_VERSION`` in one transaction per step; returns the version."""
    version = _current_version(con)
    if version > SCHEMA_VERSION:
        raise RuntimeError(f"store schema version {version} is newer than this code ({SCHEMA_VERSION})")
    while version < SCHEMA_VERSION:
        con.execute("BEGIN")
        try:
            for stmt in MIGRATIONS[version]():
                con.execute(stmt)
            con.execute("UPDATE schema_info SET version = ?", [version + 1])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        version += 1
    match_rubric(con)
    return version


def _stored_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The schema version the file holds, without writing anything (None: not a store yet)."""
    exists = scalar(con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_info'")
    return scalar(con, "SELECT max(version) FROM schema_info") if exists else None


def connect(path: Path | str | None = None, read_only: bool = False, wait: float = 0.0,
            on_wait: Callable[[], None] | None = None) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) and migrate the store. DuckDB lets one program at a time open a file;
    while another holds it, retry for up to ``wait`` seconds (calling ``on_wait`` once), then raise
    StoreLockedError with a clear message. A file that cannot be a store raises StoreUnusableError."""
    path = Path(path) if path else default_db_path()
    if str(path) != ":memory:":
        usable_path(path)
    deadline, told = time.monotonic() + wait, False
    while True:
        try:
            con = open_file(path, read_only)
            break
        except duckdb.IOException as e:
            if "lock" not in str(e).lower():
                raise unusable(path, e) from None
            if time.monotonic() >= deadline:
                raise StoreLockedError(
                    f"The store {path} is open in another program (for example an import or a dashboard "
                    f"busy for over {wait:.0f} s). Try again, or point SALES_DB / --db at another file."
                ) from None
            if on_wait is not None and not told:
                on_wait()
                told = True
            time.sleep(0.1)
        except duckdb.Error as e:
            raise unusable(path, e) from None
    try:
        _check_version(con, path, read_only)
        if not read_only:
            migrate(con)
    except StoreError:
        con.close()
        raise
    except duckdb.Error as e:
        con.close()
        raise StoreUnusableError(f"The store {path} could not be read or upgraded ({first_line(e)}); "
                                 f"{OTHER_STORE}, or restore it from a backup.") from None
    return con


def _check_version(con: duckdb.DuckDBPyConnection, path: Path, read_only: bool) -> None:
    version = _stored_version(con)
    if version is not None and version > SCHEMA_VERSION:
        raise StoreUnusableError(
            f"The store {path} was written by a newer version of this program (store schema version {version} "
            f"is newer than this code's {SCHEMA_VERSION}): update the program (git pull), or {OTHER_STORE}.")
    if read_only and (version or 0) < SCHEMA_VERSION:
        raise StoreUnusableError(
            f"The store {path} is read-only and was written by an older version of this program (schema "
            f"version {version or 0}, this code needs {SCHEMA_VERSION}); upgrading it writes to it: make it "
            f"writable once (chmod u+w), or {OTHER_STORE}.")


class Store:
    """One connection per process; each thread or query takes its own cursor.

    ``idle_release`` (the dashboard): the file is let go once no cursor has been in use for that
    many seconds, and opened again on the next use, so a command-line import or report can take its
    turn beside a running dashboard. Every cursor holds the connection open while it is alive.
    """

    def __init__(self, path: Path | str | None = None, wait: float = 0.0, idle_release: float | None = None,
                 on_wait: Callable[[], None] | None = None, exclusive: bool = False):
        self.path = Path(path) if path else default_db_path()
        # a read-only file is opened read-only: reads work, every write is refused with StoreReadOnlyError
        self.read_only = str(self.path) != ":memory:" and marked_read_only(self.path)
        # nothing else in this process uses the store (a command-line run): a writer may change DuckDB's
        # process-wide settings for one statement without touching anyone else's queries
        self.exclusive = exclusive
        self.wait, self.on_wait, self.idle_release = wait, on_wait, idle_release
        self._con: duckdb.DuckDBPyConnection | None = None
        self._guard = threading.Lock()  # the connection and its count of live cursors
        self._write_lock = threading.Lock()
        self._cursors, self._last_use = 0, time.monotonic()
        self.writes = 0  # committed write transactions of this process: a reader's cue that data changed
        self._closed = threading.Event()
        self.cursor().close()  # open now: a locked or broken file is reported at once
        if idle_release:
            _RELEASING.add(self)
            threading.Thread(target=self._release_when_idle, daemon=True, name="store-idle").start()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        with self._guard:
            if self._con is None:
                self._con = connect(self.path, read_only=self.read_only, wait=self.wait, on_wait=self.on_wait)
            cur = use(self._con.cursor(), self.read_only)
            self._cursors += 1
        weakref.finalize(cur, self._returned)
        return cur

    def _returned(self) -> None:
        with self._guard:
            self._cursors -= 1
            self._last_use = time.monotonic()

    def _release_when_idle(self) -> None:
        while not self._closed.wait(self.idle_release / 4):
            with self._guard:
                if (self._con is not None and self._cursors == 0
                        and time.monotonic() - self._last_use >= self.idle_release):
                    self._con.close()
                    self._con = None

    @property
    def is_open(self) -> bool:
        """Whether this process holds the file right now."""
        return self._con is not None

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor inside BEGIN … COMMIT; any exception rolls everything back."""
        if self.read_only:
            raise StoreReadOnlyError(f"The store {self.path} is read-only, so writes are off: nothing was "
                                     "changed. Make the file writable (chmod u+w) to change it.")
        with self._write_lock:
            cur = self.cursor()
            cur.execute("BEGIN")
            try:
                yield cur
                cur.execute("COMMIT")
                self.writes += 1
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            finally:
                cur.close()

    def close(self) -> None:
        self._closed.set()
        _RELEASING.discard(self)
        with self._guard:
            if self._con is not None:
                self._con.close()
                self._con = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def is_empty(cur: duckdb.DuckDBPyConnection) -> bool:
    """True when the store holds no leads and no time entries (the demo offer applies)."""
    return scalar(cur, "SELECT (SELECT count(*) FROM leads) + (SELECT count(*) FROM time_entries)") == 0


def next_lead_id(cur: duckdb.DuckDBPyConnection) -> int:
    """The id a new lead gets: above every lead the store holds and every lead the audit trail names, so the
    trail of a removed lead (a demo lead, say) never attaches to a new one."""
    return scalar(cur, """SELECT greatest((SELECT coalesce(max(id), 0) FROM leads),
                                          (SELECT coalesce(max(lead_id), 0) FROM audit_log)) + 1""")


# Stores whose background thread lets the file go when idle. They are closed before the interpreter
# shuts down: a daemon thread still inside DuckDB's close then would abort the whole process (CPython
# ends such a thread by unwinding it through DuckDB's C++ frames).
_RELEASING: set[Store] = set()


@atexit.register
def _close_releasing_stores() -> None:
    for store in list(_RELEASING):
        store.close()
