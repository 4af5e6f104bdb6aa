"""What a visitor sees when something goes wrong: a sentence; the server's log keeps the traceback."""

from __future__ import annotations

import logging


def log_error(e: BaseException) -> None:
    """Into the server's log with its traceback; the visitor sees only a short message."""
    logging.getLogger("sales").error("%s", e, exc_info=e)
