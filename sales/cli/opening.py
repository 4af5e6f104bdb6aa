"""What every ``python -m sales`` command shares: opening the store (waiting while a dashboard or an import
holds it), the day a command is as of, and a listing's table."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

# a running dashboard lets the file go within seconds of its last query; SALES_STORE_WAIT changes the wait
WAIT_FOR_STORE = float(os.environ.get("SALES_STORE_WAIT") or 120)


def open_store(db: Path | None, writes: bool = False):
    """The store, or None after one line on stderr saying why it cannot be used (locked, unusable, or
    read-only when the command ``writes``)."""
    from sales.store import Store, StoreError

    def waiting() -> None:
        print(f"waiting for the store: another program (a dashboard or an import) is using it; up to "
              f"{WAIT_FOR_STORE:.0f} s", file=sys.stderr)

    try:
        store = Store(db, wait=WAIT_FOR_STORE, on_wait=waiting, exclusive=True)
    except StoreError as e:
        print(f"error: {e}", file=sys.stderr)
        return None
    if writes and read_only(store):
        store.close()
        return None
    return store


def read_only(store) -> bool:
    """A read-only store, said in one line (the command was going to write)."""
    if store.read_only:
        print(f"error: the store {store.path} is read-only, so writes are off: nothing was changed. Make the "
              "file writable (chmod u+w) to change it.", file=sys.stderr)
    return store.read_only


def listing(frame, as_json: bool, empty: str) -> int:
    """A listing command's table: JSON records, or aligned text (``empty`` when there is nothing)."""
    if as_json:
        print(frame.to_json(orient="records", date_format="iso"))
    else:
        print(frame.to_string(index=False) if len(frame) else empty)
    return 0


def as_of(args: argparse.Namespace):
    """The day a report is as of: --today, else today; None (after saying why) when unreadable."""
    from datetime import date

    try:
        return date.fromisoformat(args.today) if args.today else date.today()
    except ValueError as e:
        print(f"error: --today: {e}", file=sys.stderr)
        return None
