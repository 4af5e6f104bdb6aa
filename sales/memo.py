"""Results several queries read, computed once per data version: derived tables built lazily in an in-memory
database attached beside the store (never in the store file), and built again when the store's data version
changes (an import, an undo, any write), so they can never disagree with the store: in full, or, when the write
cannot have changed them (sales/changes.py), kept as they are or with a few rows computed again. The lead state
(sales/leadstate.py) and the Budget page's period hours (sales/budget.py) are kept this way.

Only the dashboard shares them (``share``: many sessions, one process); elsewhere (the command line, one query at
a time) the SQL is read inline, as a subquery with its parameters bound by the caller's statement.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

import duckdb
import numpy as np
import pandas as pd

_SHARED = threading.Event()  # set by the dashboard
_BUILD = threading.Lock()
# whether what a derived table reads is the same at an earlier data version and now (sales/changes.py)
Changed = Callable[[duckdb.DuckDBPyConnection, tuple, tuple], bool]
# the ids whose rows may differ between an earlier data version and now: none ([]) or any (None)
Rows = Callable[[duckdb.DuckDBPyConnection, tuple, tuple], list[int] | None]
T = TypeVar("T")
KEEP = 8  # tables kept per kind: a few periods of the current and previous data version
_READING = threading.local()  # what a caller told of the computation this thread runs (``reading``)


def share() -> None:
    """Keep derived tables, once per data version, for every query of this process (the dashboard). Without it
    (the command line), each query computes them inline."""
    _SHARED.set()


def shared() -> bool:
    """Whether derived tables are shared by the queries of this process (the dashboard)."""
    return _SHARED.is_set()


@contextlib.contextmanager
def reading(version: tuple):
    """Inside, this thread's queries only read the store, whose data version (``queries.data_version``) the
    caller has just read: kept tables and values take it, and this process's token once found, instead of
    reading them again for every part (a few milliseconds each, a tenth of a page's first view after a write).
    A table kept for ``version`` is handed as it is (a run shows one version throughout); a part built anew may
    read newer data, kept under ``version`` and found again, after, as an earlier version's."""
    before = getattr(_READING, "told", None)
    _READING.told = {"version": version}
    try:
        yield
    finally:
        _READING.told = before


def _version(cur: duckdb.DuckDBPyConnection) -> tuple:
    told = getattr(_READING, "told", None)
    if told is not None:
        return told["version"]
    from sales.queries import data_version

    return data_version(cur)


def derived(cur: duckdb.DuckDBPyConnection, kind: str, sql: str, params: dict | None = None,
            keep: int = KEEP, same: Changed | None = None) -> tuple[str, dict]:
    """What to select FROM for ``sql`` (named parameters ``params``, whose names the caller's statement must not
    use otherwise), and the parameters the caller's statement must bind for it: the derived table of this data
    version and these parameters (none to bind; the ``keep`` latest of this kind are kept, so a query that began
    on an earlier version still finds its table), or the SQL as a subquery (``params`` to bind). With ``same``:
    an earlier version's table, when ``same(cur, earlier, now)`` says what it reads has not changed since."""
    params = params or {}
    if not shared():
        return f"({sql})", params
    rows = None if same is None else (lambda c, earlier, now: [] if same(c, earlier, now) else None)
    return f"memo.{_table(cur, kind, sql, params, keep, rows)}", {}


def kept(cur: duckdb.DuckDBPyConnection, kind: str, sql: str, few_sql: str, changed: Rows, keep: int = KEEP) -> str:
    """What to select FROM for ``sql``, a table with one row per ``id``, kept across writes (``shared()`` only):
    the table of this data version; built, when a table of an earlier version is held and ``changed(cur, earlier,
    now)`` names the ids whose rows may differ (None: any may), as that table with those rows computed again by
    ``few_sql`` (its one ``?`` bound to their list), and otherwise from ``sql`` in full."""
    if not shared():
        return f"({sql})"
    return f"memo.{_table(cur, kind, sql, {}, keep, changed, few_sql)}"


def _table(cur: duckdb.DuckDBPyConnection, kind: str, sql: str, params: dict, keep: int, changed: Rows | None,
           few_sql: str | None = None, asked: bool = True) -> str:
    """The derived table of ``sql`` and ``params`` for the store's current data version: held already; an
    earlier version's as it is, when ``changed`` finds nothing it reads changed and there is no ``few_sql``; that
    table with the changed ids' rows computed again by ``few_sql``; or built in full."""
    version = _version(cur)
    name = _name(kind, version, sql, params)
    what = repr((sql, sorted(params.items())))
    with _BUILD:
        _RECIPES[what] = (kind, sql, params, keep, changed, few_sql)
        if asked:  # by a query (not by ``refresh``)
            _ASKED[what] = time.monotonic()
        held = _held(cur, kind)
        if name in held:
            return _used(name)
        if _SAME.get(name) in held:
            return _used(_SAME[name])
        base = None if changed is None else next(
            (t for t in reversed(held) if _BUILT.get(t, ((), "", None))[1] == what), None)
        ids = None if base is None else changed(cur, _BUILT[base][0], version)
        if ids is not None and few_sql is None:  # nothing it reads has changed: the earlier table, as it is
            _SAME[name] = base
            return _used(base)
        if ids is None:
            cur.execute(f"CREATE TABLE memo.{name} AS {sql}", params)
        else:
            cur.execute(f"""CREATE TABLE memo.{name} AS
                            SELECT * FROM memo.{base} WHERE id NOT IN (SELECT unnest(?::INTEGER[]))
                            UNION ALL BY NAME {few_sql}""", [ids, ids])  # noqa: S608 (our own SQL)
        _BUILT[name] = (version, what, ids)
        _drop(cur, [*held, _used(name)], keep)
        return name


# a derived table → the data version it was built for, what it holds (its SQL and parameters) and, for a kept
# table, the ids computed again (None: built in full); guarded by _BUILD
_BUILT: dict[str, tuple[tuple, str, list[int] | None]] = {}
# what each derived table holds (its SQL and parameters) → how it is built (``_table``'s arguments) and when it
# was last asked for: what ``refresh`` builds again after a write
_RECIPES: dict[str, tuple] = {}
_ASKED: dict[str, float] = {}
RECENT = 900.0  # seconds: a table or value asked for since is in use, and built again at once after a write
# kept Python results (``value``): what identifies one (kind and key) → how it is computed, and its latest version
_VALUE_RECIPES: dict[str, tuple] = {}
_VALUES: OrderedDict[str, tuple[tuple, object]] = OrderedDict()
VALUES_KEPT = 32
_SAME: dict[str, str] = {}  # a later version's name of a derived table → the earlier table it reads
_USED: dict[str, int] = {}  # a derived table → when it was last handed out (``_CLOCK``)
_CLOCK = itertools.count()


def refreshed(table: str) -> list[int] | None:
    """How the kept ``table`` (as ``kept`` returned it) was built: the ids computed again from an earlier
    version's table (none: the table was the same), or None when it was built in full."""
    with _BUILD:
        return _BUILT[table.removeprefix("memo.")][2]


def _name(kind: str, version: tuple, sql: str, params: dict | None = None) -> str:
    key = repr((version, sql, sorted((params or {}).items())))
    return f"{kind}_{hashlib.sha256(key.encode()).hexdigest()[:16]}"


def _held(cur: duckdb.DuckDBPyConnection, kind: str) -> list[str]:
    """The derived tables of ``kind``, oldest first."""
    told = getattr(_READING, "told", None)
    if told is None or "ready" not in told:  # once made, the database and its token stay
        cur.execute("ATTACH IF NOT EXISTS ':memory:' AS memo")
        cur.execute("CREATE TABLE IF NOT EXISTS memo.instance AS SELECT uuid()::VARCHAR AS token")  # _instance
        if told is not None:
            told["ready"] = True
    return [r[0] for r in cur.execute("""SELECT table_name FROM duckdb_tables() WHERE database_name = 'memo'
                                         AND starts_with(table_name, ?) ORDER BY table_oid""", [f"{kind}_"]).fetchall()]


def _used(name: str) -> str:
    """Note that ``name`` was just handed out (or built), and return it."""
    _USED[name] = next(_CLOCK)
    return name


def _drop(cur: duckdb.DuckDBPyConnection, held: list[str], keep: int) -> None:
    """Drop all but the ``keep`` of ``held`` (oldest first) handed out last: a table an earlier version's name
    still reads (``_SAME``) stays while it is in use, however long ago it was built."""
    gone = sorted(held, key=lambda t: _USED.get(t, -1))[:-keep]
    for old in gone:
        cur.execute(f"DROP TABLE IF EXISTS memo.{old}")
        _BUILT.pop(old, None)
        _USED.pop(old, None)
    for later, earlier in list(_SAME.items()):
        if earlier in gone:
            del _SAME[later]


def value(cur: duckdb.DuckDBPyConnection, kind: str, key: tuple, compute: Callable[[duckdb.DuckDBPyConnection], T],
          same: Changed | None = None, asked: bool = True, redo: tuple[Rows, Callable] | None = None) -> T:
    """``compute(cur)``, a Python result kept as ``derived`` keeps a table (``shared()`` only; elsewhere computed
    each time): once per data version for ``(kind, key)``, handed to every caller, or an earlier version's when
    ``same(cur, earlier, now)`` finds what it reads unchanged. ``redo = (changed, again)``: when
    ``changed(cur, earlier, now)`` names the ids whose part may differ, ``again(cur, earlier's result, ids)`` makes
    the result from the earlier one (the leads an edit touched, computed again). Callers never change what they
    are handed."""
    if not shared():
        return compute(cur)
    version, instance = _version(cur), _instance(cur)
    held = None
    if instance is not None:
        ident = _remember(instance, kind, key, compute, same, asked, redo)
        with _BUILD:
            held = _VALUES.get(ident)
    if held is not None and (held[0] == version or same is not None and same(cur, held[0], version)):
        result = held[1]
    elif held is not None and redo is not None and (ids := redo[0](cur, held[0], version)) is not None:
        result = redo[1](cur, held[1], ids)
    else:
        result = compute(cur)
    if instance is None:  # the computation may have built the first derived table, and with it the name
        if getattr(_READING, "told", None) is not None:  # a read (never a write transaction): make it now
            with _BUILD:  # as ``_table`` does: two threads creating the token at once would conflict
                _held(cur, kind)
        instance = _instance(cur)
        if instance is None:
            return result
        ident = _remember(instance, kind, key, compute, same, asked, redo)
    with _BUILD:
        _VALUES[ident] = (version, result)
        _VALUES.move_to_end(ident)
        while len(_VALUES) > VALUES_KEPT:
            _VALUES.popitem(last=False)
    if isinstance(result, pd.DataFrame):  # the caller's own columns and array: what it changes is its own
        return result.copy(deep=False)
    return result.copy() if isinstance(result, np.ndarray) else result


def _remember(instance: str, kind: str, key: tuple, compute: Callable, same: Changed | None, asked: bool,
              redo: tuple | None) -> str:
    """The name of a kept value, noting how it is computed and (``asked``) that a query asked for it now."""
    ident = repr((instance, _settings(), kind, key))
    with _BUILD:
        _VALUE_RECIPES[ident] = (kind, key, compute, same, redo)
        if asked:
            _ASKED[ident] = time.monotonic()
    return ident


def _instance(cur: duckdb.DuckDBPyConnection) -> str | None:
    """What tells apart the databases this process holds (each store's, with the tables kept beside it): values
    live in the process, so one store's are never another's, whatever their data versions. Written with the first
    derived table (``_held``: never inside a write transaction, which may not write two databases); None before.
    Read only here, so that a write transaction may ask too; once per computation (``reading``)."""
    told = getattr(_READING, "told", None)
    if told is not None and "instance" in told:
        return told["instance"]
    if not cur.execute("""SELECT count(*) FROM duckdb_tables() WHERE database_name = 'memo'
                          AND table_name = 'instance'""").fetchall()[0][0]:
        return None
    token = cur.execute("SELECT token FROM memo.instance").fetchall()[0][0]
    if told is not None:
        told["instance"] = token
    return token


def _settings() -> str:
    """The configuration in force (rubric, lifecycle, currencies, capacity), as a fingerprint: a value computed
    under another (a tuning tried, a test's own file) is another value."""
    from sales.lifecycle import default_lifecycle
    from sales.money import default_currencies
    from sales.rubric import default_rubric
    from sales.team.settings import default_capacity

    text = repr((default_lifecycle(), default_rubric(), default_currencies(), default_capacity()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def refresh(cur: duckdb.DuckDBPyConnection, most: int = 2 * KEEP) -> int:
    """Build for the store's current data version the ``most`` derived tables and kept values asked for last
    (within ``RECENT`` seconds): what the dashboard does once a write of its own is committed, so that the first
    page view after it finds them ready (kept, refreshed or built in full, as the next query would). Returns how
    many it went through; one that fails is left to the query that asks for it (which reports the failure)."""
    if not shared():
        return 0
    now = time.monotonic()
    with _BUILD:
        for old in [w for w, at in _ASKED.items() if now - at > RECENT]:  # not asked for lately: forgotten
            del _ASKED[old]
            _RECIPES.pop(old, None)
            _VALUE_RECIPES.pop(old, None)
        recent = sorted(_ASKED, key=lambda w: -_ASKED[w])[:most]
        tables = [_RECIPES[w] for w in recent if w in _RECIPES]
        values = [_VALUE_RECIPES[w] for w in recent if w in _VALUE_RECIPES]
    with reading(_version(cur)):
        for kind, sql, params, keep, changed, few_sql in tables:  # tables first: values read them
            try:
                _table(cur, kind, sql, params, keep, changed, few_sql, asked=False)
            except duckdb.Error:
                logging.getLogger(__name__).warning("a derived table of kind %s was not built after a write", kind,
                                                    exc_info=True)
        for kind, key, compute, same, redo in values:
            try:
                value(cur, kind, key, compute, same, asked=False, redo=redo)
            except duckdb.Error:
                logging.getLogger(__name__).warning("a kept value of kind %s was not computed after a write",
                                                    kind, exc_info=True)
    return len(tables) + len(values)


def forget(cur: duckdb.DuckDBPyConnection) -> None:
    """Drop every derived table: a benchmark's "first view after a data change"."""
    with _BUILD:
        cur.execute("ATTACH IF NOT EXISTS ':memory:' AS memo")
        for (name,) in cur.execute("""SELECT table_name FROM duckdb_tables() WHERE database_name = 'memo'
                                          AND table_name != 'instance'""").fetchall():
            cur.execute(f"DROP TABLE memo.{name}")
        _BUILT.clear()
        _SAME.clear()
        _USED.clear()
        _RECIPES.clear()
        _ASKED.clear()
        _VALUE_RECIPES.clear()
        _VALUES.clear()
