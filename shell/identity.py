"""Who is using a session: local mode's one admin, or a signed-in person with the role the store grants
to the email their identity provider vouches for."""

from __future__ import annotations

import functools
from dataclasses import replace

import streamlit as st

from sales import access, serving
from sales.access import Actor, SignIn
from shell.cache import query
from shell.storage import store


def sign_in_configured() -> bool:
    """An ``[auth]`` section in the secrets: people sign in and roles apply. Otherwise local mode.
    Read once per secrets file set (a restart takes a changed file; every run used to parse it again)."""
    return _secrets_in(tuple(st.get_option("secrets.files") or ()))[0]


def trust_unverified_email() -> object:
    """The value of ``[sales] trust_unverified_email`` in the secrets (only ``True`` trusts)."""
    return _secrets_in(tuple(st.get_option("secrets.files") or ()))[1]


def redirect_uri() -> str | None:
    """``[auth] redirect_uri``: its host is the name a team's server answers to."""
    return _secrets_in(tuple(st.get_option("secrets.files") or ()))[2]


@functools.cache
def _secrets_in(files: tuple) -> tuple[bool, object, str | None]:
    try:
        sales, auth = st.secrets.get("sales") or {}, st.secrets.get("auth")
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return False, False, None
    uri = auth.get("redirect_uri") if auth else None
    return auth is not None, sales.get("trust_unverified_email", False), str(uri) if uri else None


def local_mode_exposed() -> bool:
    """Local mode on an address others can reach, without the documented opt-out: refuse to serve."""
    return (not sign_in_configured() and not serving.is_loopback(st.get_option("server.address"))
            and not serving.open_without_sign_in())


def signed_in() -> SignIn | None:
    """What the signed-in person's ID token establishes (None while signed out or in local mode)."""
    if not sign_in_configured() or not st.user.is_logged_in:
        return None
    return access.from_claims(st.user.to_dict(), trust_unverified_email())


def actor() -> Actor | None:
    """Who is using this session, with the role granted in the store; None while signed out.

    In local mode (no sign-in configured) the one person at the keyboard is the admin. A signed-in person
    whose email the provider does not vouch for has no role (``signed_in().problem`` says why). On a
    read-only store everyone is at most a viewer: no page offers a write the store would refuse."""
    if sign_in_configured():
        token = signed_in()
        if token is None:
            return None
        who = token.actor(query(access.role_of, token.email) if token.email else None)
    else:
        who = access.local()
    if who.may("assess") and store().read_only:
        who = replace(who, role="viewer")
    return who
