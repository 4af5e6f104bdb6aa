"""A form's buttons, its write and its result: the write runs in the button's callback, and what it did (or
why nothing was done) is said once where the form is drawn on the page that follows; a write the core
refuses is said at the top of that page (``errors``)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from shell.errors import REFUSED, refused
from shell.text import plain


def attempt(key: str, write: Callable[..., str], *args) -> None:
    """A form's callback: ``write(*args)`` does the write and returns the sentence saying what was done. That
    sentence, or the ValueError saying why nothing was, waits under ``key`` for ``outcome``."""
    try:
        text = write(*args)
    except REFUSED as e:  # their role changed after the page was drawn
        refused(e)
        return
    except ValueError as e:
        st.session_state[key] = ("error", str(e))
        return
    st.session_state[key] = ("ok", text)


def outcome(key: str) -> None:
    """Where the form is drawn: what ``attempt`` kept under ``key``, shown once, as text."""
    if key in st.session_state:
        kind, text = st.session_state.pop(key)
        (st.success if kind == "ok" else st.error)(plain(text))


def submit_buttons(key: str, write: Callable[[str], str], *buttons: tuple[str, str, str]) -> None:
    """Inside ``st.form``: one button per (label, action, icon) side by side, the first primary; each runs
    ``write(action)`` through ``attempt`` under ``key``."""
    for i, (column, (label, action, icon)) in enumerate(zip(st.columns(len(buttons)), buttons, strict=True)):
        column.form_submit_button(label, type="primary" if i == 0 else "secondary", icon=icon, on_click=attempt,
                                  args=(key, write, action))
