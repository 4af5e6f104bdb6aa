"""Results several queries read, computed once per data version: derived tables built lazily in an in-memory
database attached beside the store (never in the store file), and rebuilt when the store's data version changes
(an import, an undo, any write), so they can never disagree with the store. The lead state (sales/leadstate.py)
and the Budget page's period hours (sales/budget.py) are kept this way.

Only the dashboard shares them (``share``: many sessions, one process); elsewhere (the command line, one query at
a time) the SQL is read inline, as a subquery with its parameters bound by the caller's statement.
"""

from __future__ import annotations

import hashlib
import threading

import duckdb

_SHARED = threading.Event()  # set by the dashboard
_BUILD = threading.Lock()
KEEP = 8  # tables kept per kind: a few periods of the current and previous data version


def share() -> None:
    """Keep derived tables, once per data version, for every query of this process (the dashboard). Without it
    (the command line), each query computes them inline."""
    _SHARED.set()


def shared() -> bool:
    """Whether derived tables are shared by the queries of this process (the dashboard)."""
    return _SHARED.is_set()


def derived(cur: duckdb.DuckDBPyConnection, kind: str, sql: str, params: dict | None = None,
            keep: int = KEEP) -> tuple[str, dict]:
    """What to select FROM for ``sql`` (named parameters ``params``, whose names the caller's statement must not
    use otherwise), and the parameters the caller's statement must bind for it: the derived table of this data
    version and these parameters (none to bind; the ``keep`` latest of this kind are kept, so a query that began
    on an earlier version still finds its table), or the SQL as a subquery (``params`` to bind)."""
    params = params or {}
    if not shared():
        return f"({sql})", params
    from sales.queries import data_version

    key = repr((data_version(cur), sql, sorted(params.items())))
    name = f"{kind}_{hashlib.sha256(key.encode()).hexdigest()[:16]}"
    with _BUILD:
        cur.execute("ATTACH IF NOT EXISTS ':memory:' AS memo")
        held = [r[0] for r in cur.execute("""SELECT table_name FROM duckdb_tables() WHERE database_name = 'memo'
                                              AND starts_with(table_name, ?) ORDER BY table_oid""",
                                          [f"{kind}_"]).fetchall()]
        if name not in held:
            cur.execute(f"CREATE TABLE memo.{name} AS {sql}", params)
            held.append(name)
            for old in held[:-keep]:
                cur.execute(f"DROP TABLE IF EXISTS memo.{old}")
    return f"memo.{name}", {}


def forget(cur: duckdb.DuckDBPyConnection) -> None:
    """Drop every derived table: a benchmark's "first view after a data change"."""
    with _BUILD:
        cur.execute("ATTACH IF NOT EXISTS ':memory:' AS memo")
        for (name,) in cur.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'memo'").fetchall():
            cur.execute(f"DROP TABLE memo.{name}")
