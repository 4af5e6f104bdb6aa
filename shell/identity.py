"""Who is using a session: local mode's one admin, or a signed-in person with the role the store grants."""

from __future__ import annotations

import functools

import streamlit as st

from sales import access, serving
from sales.access import Actor
from shell.cache import query


def sign_in_configured() -> bool:
    """An ``[auth]`` section in the secrets: people sign in and roles apply. Otherwise local mode.
    Read once per secrets file set (a restart takes a changed file; every run used to parse it again)."""
    return _auth_in(tuple(st.get_option("secrets.files") or ()))


@functools.cache
def _auth_in(files: tuple) -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return False


def local_mode_exposed() -> bool:
    """Local mode on an address others can reach, without the documented opt-out: refuse to serve."""
    return (not sign_in_configured() and not serving.is_loopback(st.get_option("server.address"))
            and not serving.open_without_sign_in())


def actor() -> Actor | None:
    """Who is using this session, with the role granted in the store; None while signed out.

    In local mode (no sign-in configured) the one person at the keyboard is the admin."""
    if not sign_in_configured():
        return access.local()
    if not st.user.is_logged_in:
        return None
    email = st.user.get("email") or st.user.get("sub") or "unknown"
    return access.signed_in(str(email), query(access.role_of, str(email)))
