"""Results several queries of one page read, computed once per data version: a derived table built lazily in the
in-memory database the shared lead state lives in (sales/leadstate.py), never in the store file, and rebuilt when
the store's data version changes (an import, an undo, any write), so it can never disagree with the store.

Only the dashboard shares them (``leadstate.share_state``); elsewhere (the command line, one query at a time) the
SQL is read inline, as a subquery with its parameters bound by the caller's statement.
"""

from __future__ import annotations

import hashlib
import threading

import duckdb

from sales import leadstate

_BUILD = threading.Lock()
KEEP = 8  # tables kept per kind: a few periods of the current and previous data version


def derived(cur: duckdb.DuckDBPyConnection, kind: str, sql: str, params: dict) -> tuple[str, dict]:
    """What to select FROM for ``sql`` (named parameters ``params``, whose names the caller's statement must not
    use otherwise), and the parameters the caller's statement must bind for it: the derived table of this data
    version and these parameters (none to bind), or the SQL as a subquery (``params`` to bind)."""
    if not leadstate.shared():
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
            for old in held[:-KEEP]:
                cur.execute(f"DROP TABLE IF EXISTS memo.{old}")
    return f"memo.{name}", {}


def forget(cur: duckdb.DuckDBPyConnection, kinds: tuple[str, ...] = ()) -> None:
    """Drop every derived table of these ``kinds`` (all of them when none is named, the lead state's own
    excepted): a benchmark's "first view after a data change"."""
    with _BUILD:
        cur.execute("ATTACH IF NOT EXISTS ':memory:' AS memo")
        for (name,) in cur.execute("""SELECT table_name FROM duckdb_tables() WHERE database_name = 'memo'
                                      AND NOT starts_with(table_name, 'lead_state_')""").fetchall():
            if not kinds or any(name.startswith(f"{k}_") for k in kinds):
                cur.execute(f"DROP TABLE memo.{name}")
