"""What every ``python -m sales`` command shares: opening the store (waiting while a dashboard or an import
holds it), failing in one line on stderr, the day a command is as of, and a listing's table."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# a running dashboard lets the file go within seconds of its last query; SALES_STORE_WAIT changes the wait
WAIT_FOR_STORE = float(os.environ.get("SALES_STORE_WAIT") or 120)


class Failed(Exception):  # noqa: N818 (not an error to report: what went wrong is said already)
    """The command stops after saying why on stderr: exit status 2."""


@contextmanager
def opened(db: Path | None, writes: bool = False) -> Iterator:
    """The store for a ``with`` block, closed at its end; when it cannot be used (locked, unusable, or
    read-only when the command ``writes``), one line on stderr says why and the command stops (Failed)."""
    from sales.store import Store, StoreError

    def waiting() -> None:
        print(f"waiting for the store: another program (a dashboard or an import) is using it; up to "
              f"{WAIT_FOR_STORE:.0f} s", file=sys.stderr)

    try:
        store = Store(db, wait=WAIT_FOR_STORE, on_wait=waiting, exclusive=True)
    except StoreError as e:
        print(f"error: {e}", file=sys.stderr)
        raise Failed from None
    with store:
        if writes and read_only(store):
            raise Failed
        yield store


@contextmanager
def refusing(*kinds: type[Exception]) -> Iterator[None]:
    """An exception of these kinds is said in one ``error:`` line on stderr and ends the command (Failed)."""
    try:
        yield
    except kinds as e:
        print(f"error: {e}", file=sys.stderr)
        raise Failed from None


def read_only(store) -> bool:
    """A read-only store, said in one line (the command was going to write)."""
    from sales.store import StoreReadOnlyError

    try:
        store.check_writable()
    except StoreReadOnlyError as e:
        print(f"error: {e}", file=sys.stderr)
        return True
    return False


def listing(frame, as_json: bool, empty: str, **how) -> int:
    """A listing command's table: JSON records under the columns' keys (for scripts), or aligned text as people
    read it (``sales.tables.text_table``; ``how``: its units and labels), ``empty`` when there is nothing."""
    if as_json:
        print(frame.to_json(orient="records", date_format="iso"))
    else:
        from sales.tables import text_table

        print(text_table(frame, empty, **how))
    return 0


def as_of(args: argparse.Namespace):
    """The day a report is as of: --today, else today; None (after saying why) when unreadable."""
    from datetime import date

    try:
        return date.fromisoformat(args.today) if args.today else date.today()
    except ValueError as e:
        print(f"error: --today: {e}", file=sys.stderr)
        return None
