"""What a visitor sees when something goes wrong: a sentence; the server's log keeps the traceback.

A write the core refuses (the person's role changed after their page was drawn, or the store is read-only)
is said in one sentence at the top of the next page they see, whichever page that is: a callback runs
before app.py decides which pages the person may open now.
"""

from __future__ import annotations

import logging

import streamlit as st

from sales.access import AccessDenied, Actor
from sales.store import StoreReadOnlyError
from shell.text import plain

REFUSED = (AccessDenied, StoreReadOnlyError)  # what a page's write catches: ``except shell.REFUSED as e``
_PENDING, _ROLE = "_refused_write", "_role_seen"


def log_error(e: BaseException) -> None:
    """Into the server's log with its traceback; the visitor sees only a short message."""
    logging.getLogger("sales").error("%s", e, exc_info=e)


def refusal(e: Exception) -> str:
    """The sentence for a refused write, Markdown-safe (it quotes an email)."""
    if isinstance(e, AccessDenied):
        return plain(f"Not done: {e}. Your role changed after this page was drawn; nothing was written.")
    return plain(f"Not done: {e}")


def refused(e: Exception) -> None:
    """From a page's callback: the refusal is said at the top of the page that follows."""
    logging.getLogger("sales").info("write refused: %s", e)
    st.session_state[_PENDING] = refusal(e)


def notices(who: Actor) -> None:
    """app.py, on every run of a signed-in or local session: a write just refused, else a role that
    changed since this session's last page (what the person just tried may not have been done)."""
    pending = st.session_state.pop(_PENDING, None)
    seen = st.session_state.get(_ROLE)
    st.session_state[_ROLE] = (who.identity, who.role)
    if pending:
        st.error(pending, icon=":material/block:")
    elif seen and seen[0] == who.identity and seen[1] != who.role:
        now = f"Your role is now {who.role}" if who.role else "Your role was removed"
        was = f"it was {seen[1]}" if seen[1] else "you had none"
        st.warning(plain(f"{now} ({was} when your last page was drawn): the pages and buttons follow it from "
                         "here, and anything it does not allow that you just tried was not done."),
                   icon=":material/manage_accounts:")
