"""The persistent DuckDB store: one file, schema created and migrated on open (each version's statements are
frozen text in ``sales.migrations``).

Every write that must be all-or-nothing goes through ``Store.transaction`` so a crash or
an error leaves the file exactly as it was.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from sales.migrations import MIGRATIONS, SCHEMA_VERSION  # noqa: F401 (also sales.store's names)
from sales.paths import default_db_path
from sales.rubric import default_rubric
from sales.storefile import (  # noqa: F401 (the errors are the store's: sales.store.StoreError and its kinds)
    OTHER_STORE,
    StoreError,
    StoreLockedError,
    StoreReadOnlyError,
    StoreUnusableError,
    first_line,
    let_go,
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


# what makes a time entry itself (GUIDE: the tool + person + start + duration + description), as
# stored columns: a file's n-th identical entry is new when the store holds fewer than n of them
TIME_ENTRY_KEY = ("tool", "person", "work_date", "started_at", "hours", "issue_key", "description")


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
    version = stored_version(con)
    if version is None:
        con.execute("CREATE TABLE schema_info (version INTEGER NOT NULL)")
        con.execute("INSERT INTO schema_info VALUES (0)")
        return 0
    return version


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


def stored_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The schema version the file holds, without writing anything (None: not a store yet, no schema_info)."""
    exists = scalar(con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_info'")
    return scalar(con, "SELECT max(version) FROM schema_info") if exists else None


def connect(path: Path | str | None = None, read_only: bool = False, wait: float = 0.0,
            on_wait: Callable[[], None] | None = None, into: duckdb.DuckDBPyConnection | None = None
            ) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) and migrate the store: attached to the in-memory database ``into`` when given.
    DuckDB lets one program at a time open a file; while another holds it, retry for up to ``wait`` seconds
    (calling ``on_wait`` once), then raise StoreLockedError with a clear message. A file that cannot be a store
    raises StoreUnusableError."""
    path = Path(path) if path else default_db_path()
    if str(path) != ":memory:":
        usable_path(path)
    deadline, told = time.monotonic() + wait, False
    while True:
        try:
            con = open_file(path, read_only, into)
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
        let_go(con, into is not None)
        raise
    except duckdb.Error as e:
        let_go(con, into is not None)
        raise StoreUnusableError(f"The store {path} could not be read or upgraded ({first_line(e)}); "
                                 f"{OTHER_STORE}, or restore it from a backup.") from None
    return con


def _check_version(con: duckdb.DuckDBPyConnection, path: Path, read_only: bool) -> None:
    version = stored_version(con)
    if version is not None and version > SCHEMA_VERSION:
        raise StoreUnusableError(
            f"The store {path} was written by a newer version of this program (store schema version {version} "
            f"is newer than this code's {SCHEMA_VERSION}): update the program (git pull), or {OTHER_STORE}.")
    if read_only and (version or 0) < SCHEMA_VERSION:
        raise StoreUnusableError(
            f"The store {path} is read-only and was written by an older version of this program (schema "
            f"version {version or 0}, this code needs {SCHEMA_VERSION}); upgrading it writes to it: make it "
            f"writable once (chmod u+w), or {OTHER_STORE}.")


class _Held:
    """A store file as this process holds it: an in-memory database the file is attached to while in use, shared
    by every Store of the path (as DuckDB shares one database per file within a process). It outlives each release
    of the file, so what is kept beside the store (sales/memo.py) stays across releases."""

    def __init__(self, path: Path, read_only: bool):
        self.path, self.read_only = path, read_only
        self.base = duckdb.connect(":memory:")
        if str(path) != ":memory:" and not read_only:  # what spills to disk goes beside the store, as a file
            # database's would (a read-only store's folder may not be writable: DuckDB's default there)
            self.base.execute("SET temp_directory = ?", [str(path) + ".tmp"])
        self.attached = False
        self.guard = threading.Lock()  # the attachment and its count of live cursors
        self.cursors, self.last_use, self.stores = 0, time.monotonic(), 0

    def cursor(self, wait: float, on_wait: Callable[[], None] | None) -> duckdb.DuckDBPyConnection:
        with self.guard:
            if not self.attached:
                connect(self.path, read_only=self.read_only, wait=wait, on_wait=on_wait, into=self.base)
                self.attached = True
            cur = use(self.base.cursor(), True)
            self.cursors += 1
        weakref.finalize(cur, self._returned)
        return cur

    def _returned(self) -> None:
        with self.guard:
            self.cursors -= 1
            self.last_use = time.monotonic()

    def release_if_idle(self, idle: float) -> None:
        with self.guard:
            if self.attached and self.cursors == 0 and time.monotonic() - self.last_use >= idle:
                let_go(self.base, True)
                self.attached = False

    def close(self) -> None:
        with self.guard:
            if self.attached:
                let_go(self.base, True)
                self.attached = False
            self.base.close()


_HELD: dict[Path, _Held] = {}  # per resolved path: the file this process holds, while a Store of it is open
_HELD_LOCK = threading.Lock()


def _hold(path: Path, read_only: bool) -> _Held:
    if str(path) == ":memory:":  # every in-memory store is a store of its own
        held = _Held(path, read_only)
        held.stores = 1
        return held
    with _HELD_LOCK:
        held = _HELD.get(path.resolve())
        if held is None:
            held = _HELD[path.resolve()] = _Held(path, read_only)
        held.stores += 1
        return held


def _unhold(held: _Held) -> None:
    with _HELD_LOCK:
        held.stores -= 1
        if held.stores:
            return
        if str(held.path) != ":memory:" and _HELD.get(held.path.resolve()) is held:
            del _HELD[held.path.resolve()]
    held.close()


class Store:
    """The store file, held once per process whatever the number of Stores (``_Held``); each thread or query
    takes its own cursor.

    ``idle_release`` (the dashboard): the file is let go once no cursor has been in use for that
    many seconds, and opened again on the next use, so a command-line import or report can take its
    turn beside a running dashboard. Every cursor holds the file while it is alive. Tables kept beside the store
    in the in-memory database (sales/memo.py) stay across releases.
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
        self._held = _hold(self.path, self.read_only)
        self._write_lock = threading.Lock()
        self.writes = 0  # committed write transactions of this process: a reader's cue that data changed
        # called once each write transaction is committed (the dashboard builds the tables its pages read then)
        self.after_write: list[Callable[[], object]] = []
        self._closed = threading.Event()
        try:
            self.cursor().close()  # open now: a locked or broken file is reported at once
        except BaseException:
            self.close()
            raise
        if idle_release:
            _RELEASING.add(self)
            threading.Thread(target=self._release_when_idle, daemon=True, name="store-idle").start()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self._held.cursor(self.wait, self.on_wait)

    def _release_when_idle(self) -> None:
        while not self._closed.wait(self.idle_release / 4):
            self._held.release_if_idle(self.idle_release)

    @property
    def is_open(self) -> bool:
        """Whether this process holds the file right now."""
        return self._held.attached

    def check_writable(self) -> None:
        """Refuse a write to a read-only store (StoreReadOnlyError, saying what to do): every transaction's first
        step, and a command's before it reads its input."""
        if self.read_only:
            raise StoreReadOnlyError(f"The store {self.path} is read-only, so writes are off: nothing was "
                                     "changed. Make the file writable (chmod u+w) to change it.")

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor inside BEGIN … COMMIT; any exception rolls everything back."""
        self.check_writable()
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
        for then in list(self.after_write):  # committed: what follows a write never undoes or fails it
            try:
                then()
            except Exception:
                logging.getLogger(__name__).exception("after a write to %s", self.path)

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        _RELEASING.discard(self)
        _unhold(self._held)

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
