"""Every page at its own address, and links that keep their place.

- Each page has a path of its own (``/week``, ``/overview``, ...); ``/`` only sends a person on to the page
  their role starts with, keeping the link's filters.
- Every address is answered whoever asks: signed out, the sign-in screen (and after signing in, the page the
  link named, with its filters); without a role, the no-access screen; with a role that may not open the page,
  a screen that says which role would.
- The sidebar's links, and links from one page to another, carry the shared filters (``SHARED``) of the page
  they are on, so the next page opens with the same period, categories, sources, owners and lead.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass

import streamlit as st

from sales import access
from sales.week import own_leads
from shell.cache import query
from shell.identity import actor
from shell.screens import no_role_screen, sign_in_screen
from shell.text import plain

SHARED = ("from", "to", "category", "source", "owner", "lead")  # the filters a link carries to the next page


@dataclass(frozen=True)
class Spec:
    """A page: its file, title, icon, address, sidebar section, and the action its role must allow (None:
    every role)."""

    file: str
    title: str
    icon: str
    url: str
    section: str
    action: str | None = None


SPECS = (
    Spec("pages/week.py", "This week", ":material/event_upcoming:", "week", "Dashboards"),
    Spec("pages/overview.py", "Overview", ":material/dashboard:", "overview", "Dashboards"),
    Spec("pages/priorities.py", "Priorities", ":material/trending_up:", "priorities", "Dashboards"),
    Spec("pages/funnel.py", "Funnel", ":material/filter_alt:", "funnel", "Dashboards"),
    Spec("pages/budget.py", "Budget", ":material/schedule:", "budget", "Dashboards"),
    Spec("pages/team.py", "Team", ":material/groups:", "team", "Dashboards"),
    Spec("pages/profitability.py", "Profitability", ":material/savings:", "profitability", "Dashboards",
         "see_costs"),
    Spec("pages/whatif.py", "What-if scoring", ":material/tune:", "whatif", "Prospects"),
    Spec("pages/workbench.py", "Lead workbench", ":material/handshake:", "workbench", "Prospects", "work_lead"),
    Spec("pages/reference.py", "Rubric & lifecycle", ":material/rule:", "reference", "Reference"),
    Spec("pages/upload.py", "Upload", ":material/upload_file:", "upload", "Data", "import"),
    Spec("pages/people.py", "People & roles", ":material/group:", "people", "Admin", "manage_access"),
    Spec("pages/audit.py", "Audit trail", ":material/history:", "audit", "Admin", "manage_access"),
)
BY_URL = {s.url: s for s in SPECS}


def shared_params() -> dict[str, str]:
    """The shared filters of the page being drawn, as they stand in its address now."""
    return {k: st.query_params[k] for k in SHARED if st.query_params.get(k)}


# ---------------------------------------------------------------- where a link asked to go before sign-in

PENDING_SECONDS = 15 * 60  # a sign-in takes minutes at most
PENDING_MAX = 2000  # browsers remembered at once; the oldest go first
_MAX_PARAMS, _MAX_VALUE = 20, 1000


@st.cache_resource(show_spinner=False)
def _pending() -> tuple[dict, threading.Lock]:
    """{browser: (when, page address, query parameters)}, shared by the sessions of this process."""
    return {}, threading.Lock()


def browser_key() -> str | None:
    """This browser, the same before and after the sign-in's round trip (``key_of_xsrf``). None without the
    cookie (no sign-in configured, or a test harness)."""
    return key_of_xsrf((st.context.cookies or {}).get("_streamlit_xsrf", ""))


def key_of_xsrf(cookie: str) -> str | None:
    """The token of Streamlit's XSRF cookie, hashed. The cookie has Tornado's "2|mask|masked token|time" form:
    the mask changes on every page load, the token (the masked bytes XOR the mask) does not."""
    raw = cookie.strip("\"'")
    parts = raw.split("|")
    if len(parts) == 4 and parts[0] == "2":
        try:
            mask, masked = bytes.fromhex(parts[1]), bytes.fromhex(parts[2])
        except ValueError:
            return None
        token = bytes(b ^ mask[i % len(mask)] for i, b in enumerate(masked)) if mask else masked
        raw = token.hex() + "|" + parts[3]
    return hashlib.sha256(raw.encode()).hexdigest() if raw else None


def remember(url: str | None, params: dict[str, str]) -> None:
    """Before sign-in: the page (None: none in particular) and filters this browser's link asked for."""
    key = browser_key()
    if key is None:
        return
    kept = {str(k)[:50]: str(v)[:_MAX_VALUE] for k, v in list(params.items())[:_MAX_PARAMS]}
    pending, lock = _pending()
    with lock:
        pending.pop(key, None)
        if url:
            pending[key] = (time.monotonic(), url, kept)
            while len(pending) > PENDING_MAX:
                pending.pop(next(iter(pending)))


def take() -> tuple[str, dict[str, str]] | None:
    """After sign-in: the page and filters this browser asked for before it, once, while still fresh."""
    key = browser_key()
    if key is None:
        return None
    pending, lock = _pending()
    with lock:
        held = pending.pop(key, None)
    if held is None or time.monotonic() - held[0] > PENDING_SECONDS or held[1] not in BY_URL:
        return None
    return held[1], held[2]


# ---------------------------------------------------------------- the pages of each kind of visitor


def _screen(name: str, draw):
    """A callable page that draws ``draw()``; Streamlit names a callable page after its function."""
    def page():
        draw()
    page.__name__ = name
    return page


def _signed_out(spec: Spec | None):
    def draw():
        params = dict(st.query_params.to_dict())
        sign_in_screen(spec.title if spec else None, lambda: remember(spec.url if spec else None, params))
    return draw


def _closed_to_role(spec: Spec):
    def draw():
        who = actor()
        st.title(spec.title)
        st.warning(plain(access.needs_role(spec.title, spec.action, who.role if who else None) + "."),
                   icon=":material/lock:")
        admins = query(access.admins)
        if admins:
            st.write("An admin can change your role on People & roles:")
            st.code("\n".join(admins), language=None)
    return draw


@dataclass
class Navigation:
    """What app.py runs: the page asked for, and the sidebar links of the pages the person may open."""

    page: object  # the StreamlitPage to run
    sections: dict  # section → [StreamlitPage]
    redirect: bool = False  # ``/`` of a person with a role: it only sends them on (app.py draws nothing around it)


def route(who) -> Navigation:
    """The pages for ``who`` (None: signed out), every address answered (see the module's docstring)."""
    if who is None:
        pages = [st.Page(_screen("sign_in", _signed_out(None)), title="Sign in", icon=":material/login:",
                         url_path="sign-in", default=True)]
        pages += [st.Page(_screen(f"sign_in_{s.url}", _signed_out(s)), title="Sign in", url_path=s.url)
                  for s in SPECS]
        return Navigation(st.navigation(pages, position="hidden"), {})
    if who.role is None:
        pages = [st.Page(no_role_screen, title="No access yet", url_path="no-access", default=True)]
        pages += [st.Page(_screen(f"no_access_{s.url}", no_role_screen), title="No access yet", url_path=s.url)
                  for s in SPECS]
        return Navigation(st.navigation(pages, position="hidden"), {})
    by_url, sections = {}, {}
    for s in SPECS:
        if s.action is None or who.may(s.action):
            by_url[s.url] = st.Page(s.file, title=s.title, icon=s.icon, url_path=s.url)
            sections.setdefault(s.section, []).append(by_url[s.url])
        else:
            by_url[s.url] = st.Page(_screen(f"closed_{s.url}", _closed_to_role(s)), title=s.title, url_path=s.url)
    def home():
        """``/``: on to the page a link asked for before sign-in, else to the role's first page: whoever has
        leads of their own starts with them, as does whoever works leads but is not tied to theirs yet (This
        week says what to ask for); everyone else with the overview."""
        asked = take()
        if asked is None:
            start = "week" if query(own_leads, who) or query(access.needs_owner, who) else "overview"
            asked = start, st.query_params.to_dict()
        st.switch_page(by_url[asked[0]], query_params=asked[1])

    pages = [st.Page(home, title="Sales & delivery", icon=":material/insights:", url_path="home", default=True),
             *by_url.values()]
    page = st.navigation(pages, position="hidden")
    return Navigation(page, sections, redirect=page.url_path == "")


# ---------------------------------------------------------------- the sidebar's links

_RUN = threading.local()  # this run's sidebar slot and sections (one script run per thread at a time)


def sidebar_links(nav: Navigation) -> None:
    """app.py, before the page runs: a place at the top of the sidebar for the links, drawn now with the
    address's filters and again (``links_follow``) whenever the page changes them."""
    _RUN.slot = st.sidebar.container(key="nav").empty() if nav.sections else None
    _RUN.sections, _RUN.drawn = nav.sections, None
    links_follow()


def links_follow() -> None:
    """Redraw the sidebar's links when the shared filters in the address changed since they were drawn:
    shell.filters and shell.lead_picker call it after writing the address, app.py after the page ran."""
    slot = getattr(_RUN, "slot", None)
    params = shared_params()
    if slot is None or params == _RUN.drawn:
        return
    _RUN.drawn = params
    with slot.container():
        for section, pages in _RUN.sections.items():
            st.caption(section)
            for page in pages:
                st.page_link(page, query_params=params)
        st.divider()
