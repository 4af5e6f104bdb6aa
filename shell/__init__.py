"""Streamlit glue shared by every page, one concern per module; pages use the names below as ``shell.X``.

Kept outside ``sales/`` because it is the only place that knows about Streamlit.

- ``routing``: a deep link run before app.py hands over to it
- ``storage``: the one store of this process, the page's answer while an import holds it, and the screen
  for a store that cannot be opened
- ``cache``: the query and chart cache shared by every session, and the data version that keys it
- ``identity``: local mode or sign-in, whom the ID token vouches for, and who the session's actor is
- ``hosts``: the host names this server answers to
- ``screens``: sign in, no role yet, local mode exposed
- ``sidebar``: who is signed in and the store's totals
- ``text``: text from people and files shown as text
- ``errors``: what a visitor sees when something fails or a write is refused
- ``navigation``: every page at its own address, answered for every visitor, and links that carry the filters
- ``forms``: a form's buttons, its write and its result
- ``filters``: the sidebar filters kept in the URL
- ``tables``: tables and their downloads
- ``dashboard``: a dashboard's opening and the empty state
- ``leads``: choosing a lead
"""

from sales.export import safe_csv
from shell.cache import (
    QUERY_CACHE_ENTRIES,
    begin_run,
    cache_key,
    chart,
    data_version,
    forget_results,
    fresh,
    query,
    summary,
)
from shell.dashboard import dashboard, empty_state
from shell.errors import REFUSED, log_error, notices, refusal, refused
from shell.filters import filters, today
from shell.forms import attempt, outcome, submit_buttons
from shell.hosts import refused_host, wrong_host_screen
from shell.identity import actor, local_mode_exposed, sign_in_configured, signed_in
from shell.leads import lead_param, lead_picker
from shell.navigation import Navigation, links_follow, route, shared_params, sidebar_links
from shell.routing import APP, routed
from shell.screens import local_only_screen, no_role_screen, sign_in_screen
from shell.sidebar import sidebar
from shell.storage import IDLE_RELEASE, WAIT_FOR_STORE, cursor, store, store_problem, store_screen
from shell.tables import SHOWN_ROWS, download, static_table, table
from shell.text import WORD_JOINER, plain

__all__ = [
    "APP", "IDLE_RELEASE", "QUERY_CACHE_ENTRIES", "REFUSED", "SHOWN_ROWS", "WAIT_FOR_STORE", "WORD_JOINER",
    "Navigation", "actor", "attempt", "begin_run", "cache_key", "chart", "cursor", "dashboard", "data_version",
    "download", "empty_state", "filters", "forget_results", "fresh", "lead_param", "lead_picker", "links_follow",
    "local_mode_exposed", "local_only_screen", "log_error", "no_role_screen", "notices", "outcome", "plain",
    "query", "refusal", "refused", "refused_host", "route", "routed", "safe_csv", "shared_params", "sidebar",
    "sidebar_links", "sign_in_configured", "sign_in_screen", "signed_in", "static_table", "store", "store_problem",
    "store_screen", "submit_buttons", "summary", "table", "today", "wrong_host_screen",
]
