"""The host names this server answers to (a second layer behind ``server.allowedHosts``, which
``python -m sales serve`` sets): a page asked for under any other name shows a refusal and no data."""

from __future__ import annotations

import streamlit as st

from sales import serving
from shell.identity import redirect_uri
from shell.text import plain


def refused_host() -> str | None:
    """The ``Host`` this session's page was asked for, when it is not one of ours; else None. A run
    without request headers (a test harness, no browser) has no host to check."""
    headers = st.context.headers
    if not headers:
        return None
    host = headers.get("Host")
    return None if serving.host_allowed(host, _allowed()) else (host or "(none)")


def _allowed() -> list[str]:
    """The names this server answers to; none while SALES_ALLOWED_HOSTS lists something that is no name."""
    try:
        return serving.allowed_hosts(redirect_uri())
    except ValueError:
        return []


def wrong_host_screen() -> None:
    st.title("Not served under this name")
    try:
        names = ", ".join(serving.allowed_hosts(redirect_uri()))
    except ValueError as e:  # a bare `streamlit run app.py`: serve would have refused to start
        st.error(plain(f"{e}. Correct it and restart the dashboard."), icon=":material/dns:")
        return
    st.error(plain(f"This dashboard answers only to {names}; it was asked for as '{refused_host()}'. Use one of "
                   f"those addresses, or ask whoever runs it to add this one to {serving.HOSTS_ENV}."),
             icon=":material/dns:")
