"""The screens shown instead of the dashboards: sign in, no role yet, and local mode exposed."""

from __future__ import annotations

import streamlit as st

from sales import access, serving
from shell.cache import query
from shell.identity import actor, signed_in
from shell.text import plain


def sign_in_screen() -> None:
    st.title("Sales & delivery")
    st.write("Sign in with your work account to see the dashboards.")
    st.button("Sign in", type="primary", icon=":material/login:", on_click=st.login)


def no_role_screen() -> None:
    st.title("No access yet")
    who, token = actor(), signed_in()
    st.write("You are signed in as")
    st.code(token.shown if token else who.identity if who else "", language=None)
    problem = token.problem if token else None
    if problem:
        st.warning(plain(problem), icon=":material/gpp_maybe:")  # it quotes what the provider sent
    else:
        st.write("Nobody has given this account a role yet, so there is nothing to show. Ask an admin to "
                 "grant you one (People & roles page, or `python -m sales access grant EMAIL ROLE`).")
    admins = query(access.admins)
    if admins:
        st.write("Admins:")
        st.code("\n".join(admins), language=None)
    st.button("Sign out", icon=":material/logout:", on_click=st.logout)


def local_only_screen() -> None:
    st.title("Local mode is for this computer only")
    st.error(f"No sign-in is configured, yet this server listens on "
             f"'{st.get_option('server.address') or 'every interface'}'. Configure sign-in (README: Running for "
             f"a team), serve on 127.0.0.1 (`make run` does), or set {serving.OPT_OUT}=1 to open it on purpose.")
