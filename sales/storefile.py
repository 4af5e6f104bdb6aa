"""The store file itself, before any schema: whether it can be a store at all, whether it is read-only, how
a read-only one is opened, and DuckDB's refusals said as one sentence with what to do (``StoreError``)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import duckdb


class StoreError(RuntimeError):
    """The store cannot do what was asked; the message says what is wrong and what to do, in one sentence."""


class StoreLockedError(StoreError):
    """Another process holds the store file open for writing."""


class StoreUnusableError(StoreError):
    """The store file cannot be opened at all: not a DuckDB file, written by a newer version of this code,
    a folder or special file, or read-only while it needs upgrading."""


class StoreReadOnlyError(StoreError):
    """A write asked of a store opened read-only (its file is read-only): reads still work."""


OTHER_STORE = "point SALES_DB (or --db) at another file"


def usable_path(path: Path) -> None:
    """Refuse what is not a regular file (a FIFO would block the open forever) and a folder that cannot
    hold one, before DuckDB touches it."""
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):  # not there yet: created below, if its folder can be
        mode = None
    except OSError as e:
        raise StoreUnusableError(f"The store {path} cannot be read ({e.strerror}); {OTHER_STORE}.") from None
    if mode is not None and not stat.S_ISREG(mode):
        what = ("a folder" if stat.S_ISDIR(mode) else "a named pipe (FIFO)" if stat.S_ISFIFO(mode) else
                "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode)
                else "not a regular file")
        raise StoreUnusableError(f"The store {path} is {what}, not a store file; {OTHER_STORE}.")
    if mode is None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreUnusableError(f"The store {path} cannot be created in {path.parent} ({e.strerror}); "
                                     f"{OTHER_STORE}.") from None


def marked_read_only(path: Path) -> bool:
    """Whether an existing store file is read-only: this user may not write it or its folder (DuckDB writes a
    journal beside it), or nobody may (no write permission bits: honoured even by root)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return (not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK | os.X_OK)
            or not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


STORE_NAME = "store"  # the store file, attached to an in-memory database (sales/store.py) or read-only


def open_file(path: Path, read_only: bool, into: duckdb.DuckDBPyConnection | None = None
              ) -> duckdb.DuckDBPyConnection:
    """A connection to ``path``: the file attached, as the default database (``use``), to the in-memory database
    ``into`` (a Store's, which outlives each release of the file) or, read-only, to a new one (a read-only
    database refuses to attach even an in-memory one, and queries keep working state beside the store)."""
    if into is None and (not read_only or str(path) == ":memory:"):
        return duckdb.connect(str(path), read_only=read_only)
    con = into or duckdb.connect(":memory:")
    try:
        con.execute(f"ATTACH ? AS {STORE_NAME}{' (READ_ONLY)' if read_only else ''}", [str(path)])
        use(con, True)
    except BaseException:
        let_go(con, into is not None)
        raise
    return con


def let_go(con: duckdb.DuckDBPyConnection, attached: bool) -> None:
    """Let the store file go: detach it from the in-memory database that outlives it, or close the connection."""
    if not attached:
        con.close()
        return
    con.execute("USE memory")
    con.execute(f"DETACH DATABASE IF EXISTS {STORE_NAME}")


def use(cur: duckdb.DuckDBPyConnection, attached: bool) -> duckdb.DuckDBPyConnection:
    """A new cursor's default database: the attached store, when it is attached (each cursor has its own)."""
    if attached:
        cur.execute(f"USE {STORE_NAME}")
    return cur


def first_line(e: BaseException) -> str:
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__


def unusable(path: Path, e: BaseException) -> StoreUnusableError:
    """DuckDB's refusal to open ``path``, as a sentence saying what is wrong and what to do."""
    text = str(e)
    if any(sign in text for sign in ("not a valid DuckDB database file", "Corrupt database file",
                                     "Could not read enough bytes")):
        return StoreUnusableError(f"The store {path} is not a DuckDB store file (it is damaged or another kind "
                                  f"of file); restore it from a backup, or {OTHER_STORE}.")
    if "Permission denied" in text or "Read-only file system" in text:
        return StoreUnusableError(f"The store {path} cannot be opened: permission denied; give this user "
                                  f"access to it, or {OTHER_STORE}.")
    return StoreUnusableError(f"The store {path} cannot be opened ({first_line(e)}); {OTHER_STORE}.")
