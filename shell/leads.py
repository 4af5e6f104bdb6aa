"""Choosing a lead: by its number in the URL (a shared link) or by searching its name."""

from __future__ import annotations

import re

import streamlit as st

from sales.queries import find_leads, lead_label
from shell.cache import query
from shell.text import plain


def lead_param(key: str = "lead") -> int | None:
    """A lead id from the URL; anything but a plain number is ignored with a notice."""
    raw = st.query_params.get(key)
    if raw is None or raw == "":
        return None
    if re.fullmatch(r"[0-9]{1,9}", raw):
        return int(raw)
    st.info(plain(f"Link: '{key}={raw}' is not a lead number: ignored."), icon=":material/link_off:")
    return None


def lead_picker(label: str = "Lead", key: str = "lead", url: bool = True) -> int | None:
    """Search a lead by name; the choice is kept in the URL (``?lead=ID``) so the view can be shared."""
    current_id = lead_param(key) if url else st.session_state.get(f"{key}_id")
    search = st.text_input(f"Find a {label.lower()}", key=f"{key}_search", placeholder="name or organisation")
    options = query(find_leads, search)
    if current_id is not None and current_id not in [i for i, _ in options]:
        name = query(lead_label, current_id)
        if name:
            options = [(current_id, name), *options]
    ids = [i for i, _ in options]
    names = dict(options)
    chosen = st.selectbox(label, ids, index=ids.index(current_id) if current_id in ids else None,
                          format_func=lambda i: names.get(i, str(i)), key=f"{key}_select",
                          placeholder="Choose a lead")
    if chosen is not None and url and st.query_params.get(key) != str(chosen):
        st.query_params[key] = str(chosen)
    if not url:
        st.session_state[f"{key}_id"] = chosen
    return chosen
