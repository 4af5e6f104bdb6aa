"""Logging a contact with a lead, on the workbench and on This week alike: a channel, an optional note, and
for a few seconds after, an Undo (the lead's log offers it later). The rule and the writes: sales/contacts.py."""

from __future__ import annotations

import time
from datetime import timedelta

import streamlit as st

from sales.contacts import CHANNELS, NOTE_LIMIT, UNDO_SECONDS, ContactError, log_contact, undo_contact
from shell.errors import REFUSED, log_error, refused
from shell.identity import actor
from shell.storage import store
from shell.text import plain

_PENDING = "_contact_undo"  # the contact just logged: its id, the lead's name, when the offer was first shown


def _logged(lead_id: int, name: str, key: str) -> None:
    channel = st.session_state.get(f"{key}_channel") or "other"
    note = st.session_state.get(f"{key}_note") or ""
    try:
        new_id = log_contact(store(), actor(), lead_id, channel, note)
    except REFUSED as e:
        refused(e)
        return
    except ContactError as e:
        st.session_state[f"{key}_error"] = str(e)
        return
    except Exception as e:  # noqa: BLE001 (the visitor gets a sentence, the log the traceback)
        log_error(e)
        st.session_state[f"{key}_error"] = "The contact could not be logged; nothing was changed."
        return
    st.session_state[_PENDING] = {"id": new_id, "name": name, "channel": channel, "shown": None}


def contact_form(lead_id: int, name: str, key: str) -> None:
    """A channel, an optional note and "Log contact": the lead's follow-up clock starts again from now."""
    if f"{key}_error" in st.session_state:
        st.error(plain(st.session_state.pop(f"{key}_error")))
    with st.form(key, clear_on_submit=True, border=False):
        st.radio("Channel", CHANNELS, key=f"{key}_channel", horizontal=True, format_func=str.capitalize)
        st.text_input("Note (optional)", key=f"{key}_note", max_chars=NOTE_LIMIT,
                      placeholder="what was said, what comes next")
        st.form_submit_button("Log contact", icon=":material/call:", type="primary", on_click=_logged,
                              args=(lead_id, name, key))


def _undo(contact_id: int) -> None:
    st.session_state.pop(_PENDING, None)
    try:
        gone = undo_contact(store(), actor(), contact_id)
    except REFUSED as e:
        refused(e)
        return
    except ContactError as e:
        st.session_state["_contact_undo_said"] = ("error", str(e))
        return
    st.session_state["_contact_undo_said"] = ("done", f"Undone: {gone.sentence()} with {gone.lead}.")


def undo_button(contact_id: int, key: str, label: str = "Undo") -> None:
    """An undo of one logged contact (the lead's log has one per contact)."""
    st.button(label, key=key, icon=":material/undo:", on_click=_undo, args=(contact_id,))


@st.fragment(run_every=timedelta(seconds=1))
def _offer() -> None:
    pending = st.session_state.get(_PENDING)
    if not pending:
        return
    if pending["shown"] is None:  # the window runs from when the person first sees it
        pending["shown"] = time.monotonic()
    left = UNDO_SECONDS - (time.monotonic() - pending["shown"])
    if left <= 0:
        st.session_state.pop(_PENDING, None)
        st.rerun()  # the whole page once more, without the offer: its one-second timer stops with it
    text, button = st.columns([5, 1], vertical_alignment="center")
    text.success(plain(f"Contact with {pending['name']} logged ({pending['channel']})."), icon=":material/check:")
    if button.button("Undo", key=f"undo_contact_{pending['id']}", icon=":material/undo:"):
        _undo(pending["id"])
        st.rerun()  # the whole page, not only this fragment: its follow-ups and counts change too


def undo_offer() -> None:
    """Right after a contact is logged: a line saying so and an Undo, for ``UNDO_SECONDS``; after an undo, what
    it removed."""
    said = st.session_state.pop("_contact_undo_said", None)
    if said:
        (st.error if said[0] == "error" else st.info)(plain(said[1]), icon=":material/undo:")
    if st.session_state.get(_PENDING):
        _offer()
