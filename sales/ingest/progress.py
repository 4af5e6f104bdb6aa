"""Progress of a long import: DuckDB's own progress of the statement that runs, reported to whoever watches."""

from __future__ import annotations

import threading
from collections.abc import Callable

Progress = Callable[[float, str], None]  # (fraction done, what is happening)


def quiet(_fraction: float, _message: str) -> None:
    """No one watches: statements run directly, without progress tracking."""


def unprinted(cur) -> None:
    """DuckDB draws a progress bar of its own on standard output for any statement over two seconds, into what
    a script reads from ``import --json``: never on the importer's cursor (``tracked`` reports progress)."""
    cur.execute("SET enable_progress_bar_print = false")


def tracked(cur, sql: str, params: list, step: Progress, lo: float, hi: float, message: str) -> list:
    """Run one long statement and fetch its result; while it runs, report DuckDB's own progress.

    The statement runs on a helper thread so this one can poll the cursor (which is what DuckDB's
    ``query_progress`` is for) and call ``step`` from the caller's thread, as Streamlit requires.
    """
    if step is quiet:
        return cur.execute(sql, params).fetchall()
    cur.execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false")
    out: list = []

    def work() -> None:
        try:
            out.append(cur.execute(sql, params).fetchall())
        except BaseException as e:  # handed to the caller below
            out.append(e)

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.2)
            done = cur.query_progress()
            if worker.is_alive() and done >= 0:
                step(lo + (hi - lo) * min(done, 100.0) / 100.0, message)
    finally:  # the watcher went away (a rerun, a closed tab): stop the statement before rolling back
        if worker.is_alive():
            cur.interrupt()
            worker.join()
    if isinstance(out[0], BaseException):
        raise out[0]
    return out[0]
