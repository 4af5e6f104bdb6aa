"""Streamlit glue shared by every page: the one cached store and the sidebar.

Kept outside ``sales/`` because it is the only place that knows about Streamlit's caching.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import importlib
import logging
import re
import runpy
import threading
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit import dataframe_util  # the Arrow conversion st.vega_lite_chart itself applies

from sales import access, leadstate, serving
from sales.access import Actor
from sales.export import safe_csv
from sales.filters import Filters, from_params, to_params
from sales.queries import StoreSummary, filter_choices, find_leads, lead_label, store_summary
from sales.queries import data_version as data_version_of
from sales.store import Store, StoreLockedError

APP = Path(__file__).resolve().parent / "app.py"
leadstate.share_state()  # many sessions in this process: the lead state is computed once per data version


def routed() -> None:
    """Every page calls this first. Until app.py has run once on a fresh server, Streamlit serves a
    deep link (``/priorities?owner=Bo``) by running the page file alone, through its legacy
    ``pages/`` discovery: no navigation, layout or sidebar. Such a run hands over to app.py, which
    sets them up and renders the requested page."""
    if st.session_state.get("_via_app"):
        return
    runpy.run_path(str(APP), run_name="__main__")
    st.stop()


IDLE_RELEASE = 2.0  # seconds without a query before the dashboard lets the store file go
WAIT_FOR_STORE = 60.0  # how long a page waits while a command-line import holds the file


@st.cache_resource(on_release=Store.close)  # a cleared cache lets the file and the idle thread go
def _store() -> Store:
    return Store(wait=WAIT_FOR_STORE, idle_release=IDLE_RELEASE)


@contextlib.contextmanager
def _stop_when_locked():
    """A command-line import held the store file longer than a page waits: say so and stop the page."""
    try:
        yield
    except StoreLockedError as e:
        st.error(str(e))
        st.stop()


def store() -> Store:
    """The process-wide store; stops the page with an explanation when the file is locked."""
    with _stop_when_locked():
        return _store()


def cursor():
    """A fresh cursor: DuckDB connections must not be shared across Streamlit's threads."""
    return store().cursor()


def summary() -> StoreSummary:
    """The store's totals, cached until its data changes (the sidebar and pages each ask every run)."""
    return query(store_summary)


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


def sign_in_screen() -> None:
    st.title("Sales & delivery")
    st.write("Sign in with your work account to see the dashboards.")
    st.button("Sign in", type="primary", icon=":material/login:", on_click=st.login)


def no_role_screen() -> None:
    st.title("No access yet")
    who = actor()
    st.write("You are signed in as")
    st.code(who.identity if who else "", language=None)
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


WORD_JOINER = "\u2060"  # invisible; breaks what Markdown would turn into a link by itself


def plain(text: object) -> str:
    """Text from people or files, made safe for Streamlit's Markdown: shown as typed, never as a link,
    image, HTML, formula, colour directive or icon. Punctuation is backslash-escaped; URLs, ``www.``
    and emails, which Markdown links even when escaped, get an invisible word joiner."""
    text = " ".join(str(text).split())
    text = re.sub(r"(?i)(:)(//)|(www)(\.)|(@)", lambda m: WORD_JOINER.join(g for g in m.groups() if g)
                  + (WORD_JOINER if m.group(5) else ""), text)
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&])", r"\\\1", text)


def identity(who: Actor) -> None:
    """Who is signed in, or the local-mode badge, at the top of the sidebar."""
    with st.sidebar:
        if not sign_in_configured():
            opened = serving.open_without_sign_in()
            st.badge("Local mode: no sign-in" + (f" · open to the network ({serving.OPT_OUT})" if opened else ""),
                     icon=":material/lock_open:", color="orange")
            return
        st.caption("Signed in as")
        st.text(f"{who.identity} · {who.role}")  # plain text: no Markdown, no autolink
        st.button("Sign out", icon=":material/logout:", on_click=st.logout, key="sign_out")


def sidebar(who: Actor) -> None:
    s = summary()
    identity(who)
    with st.sidebar:
        if s.is_demo:
            st.warning("**Demo data.** These leads and hours are generated examples, "
                       "not real clients.", icon=":material/science:")
            if who.may("demo"):
                _remove_demo_button(who)
        if message := st.session_state.pop("demo_message", None):
            (st.success if message[0] == "ok" else st.error)(plain(message[1]))
        st.caption(f"Store: `{store().path.name}` · {s.leads:,} leads · "
                   f"{s.time_entries:,} time entries · {s.hours:,.0f} h")
        if s.empty and who.may("demo"):
            st.info("The store is empty: upload exports, or look around with demo data first.")
            st.button("Load demo data", icon=":material/science:", on_click=_load_demo, args=(who,))
        elif s.empty:
            st.info("The store is empty: an admin uploads the exports.")


def _remove_demo_button(who: Actor) -> None:
    """An admin's way from the demo to their own data: what goes is said before anything is removed."""
    from sales.demo_rows import demo_rows

    with st.popover("Remove demo data", icon=":material/delete_sweep:"):
        st.write(query(demo_rows).sentence())
        st.button("Remove the demo data", type="primary", key="remove_demo", on_click=_remove_demo, args=(who,))


def _remove_demo(who: Actor) -> None:
    from sales.demo_rows import remove_demo

    try:
        removed = remove_demo(store(), who)
    except access.AccessDenied as e:
        st.session_state["demo_message"] = ("error", str(e))
        return
    st.session_state["demo_message"] = ("ok", f"Demo data removed: {removed.total:,} rows.")


def _load_demo(who: Actor) -> None:
    """A callback, so the rerun that follows already sees the new rows everywhere."""
    from sales.demo import write_demo

    write_demo(store(), who)


def log_error(e: BaseException) -> None:
    """Into the server's log with its traceback; the visitor sees only a short message."""
    logging.getLogger("sales").error("%s", e, exc_info=e)


_RUN = threading.local()  # one script run of one session at a time per thread


def begin_run() -> None:
    """app.py calls this first on every run: the data version is read afresh once per run."""
    _RUN.version = None


def data_version() -> tuple:
    """The store's data version, read once per run (a page asks the query cache five to ten times) and
    again after any write this process commits meanwhile."""
    writes = store().writes
    held = getattr(_RUN, "version", None)
    if held is not None and held[0] == writes:
        return held[1]
    version = data_version_of(cursor())
    _RUN.version = (writes, version)
    return version


# query results kept across sessions: enough for a team's filter combinations on every page (a page asks
# for five to ten results; at 128, ten people with different filters evicted each other's), still bounded
QUERY_CACHE_ENTRIES = 2048


def today() -> date:
    return date.today()


@st.cache_resource(show_spinner=False, max_entries=QUERY_CACHE_ENTRIES, ttl=3600)  # bounded: old versions fall out
def _shared(key: str, _name: str, _args: tuple):
    """One result per key, computed once (a second session asking meanwhile waits for it) and read by every
    session: nothing pickled per reader. Only ``key`` is hashed; it holds the name, version and arguments."""
    return _named(_name)(cursor(), *_args)


def _query(name: str, version: tuple, args: tuple):
    return fresh(_shared(cache_key(name, version, args), name, args))


def forget_results() -> None:
    """Drop every cached query result and chart spec: what a data change amounts to (bench/pages.py)."""
    _shared.clear()
    _chart_spec.clear()


_KEY_SCALARS = (str, int, float, bool, type(None), date)  # date covers datetime; each repr tells it apart


def cache_key(*parts) -> str:
    """Query arguments as one text that differs whenever they differ: scalars, dates, and tuples, lists,
    dicts and dataclasses of them. Anything else (a frame, whose text is abridged) is refused."""
    def canonical(v):
        if isinstance(v, _KEY_SCALARS):
            return v
        if isinstance(v, (tuple, list)):
            return type(v).__name__, tuple(canonical(x) for x in v)
        if isinstance(v, dict):
            return "dict", tuple((canonical(k), canonical(x)) for k, x in v.items())
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            return type(v).__qualname__, tuple((f.name, canonical(getattr(v, f.name))) for f in dataclasses.fields(v))
        raise TypeError(f"a query argument of type {type(v).__name__} cannot be part of a cache key")
    return repr(canonical(parts))


def fresh(value):
    """The reader's own handle on a shared result. Frames are shallow copies: pandas copies on write, so a
    page that changes its copy changes nothing another session reads. Containers are rebuilt around them."""
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy(deep=False)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: fresh(getattr(value, f.name))
                                             for f in dataclasses.fields(value) if f.init})
    if isinstance(value, dict):
        return {k: fresh(v) for k, v in value.items()}
    if isinstance(value, list):
        return [fresh(v) for v in value]
    if isinstance(value, tuple):
        items = (fresh(v) for v in value)
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, set):
        return set(value)
    return value


def query(fn, *args):
    """Call a ``sales`` query with a fresh cursor, cached until the store's data changes."""
    with _stop_when_locked():
        return _query(_name_of(fn), data_version(), args)


def _name_of(fn) -> str:
    """A ``sales`` function by its dotted name (a cache key part; ``_named`` finds it again)."""
    return f"{fn.__module__}.{fn.__qualname__}"


def _named(name: str):
    module, func = name.rsplit(".", 1)
    return getattr(importlib.import_module(module), func)


@st.cache_resource(show_spinner=False, max_entries=QUERY_CACHE_ENTRIES, ttl=3600)
def _chart_spec(key: str, _chart_name: str, _query_name: str, _version: tuple, _args: tuple, _extra: tuple) -> dict:
    """The Vega-Lite spec with its data already in the Arrow form the browser receives, as Streamlit's own
    Altair path makes it: st.vega_lite_chart passes such data on as it is (it copies the spec's top level
    before changing it), so no run converts the rows again."""
    frame = _query(_query_name, _version, _args)
    spec = _named(_chart_name)(frame, *_extra).to_dict()
    spec["datasets"] = {name: dataframe_util.convert_anything_to_arrow_bytes(rows)
                        for name, rows in spec.get("datasets", {}).items()}
    return spec


def chart(chart_fn, query_fn, *args, extra: tuple = ()) -> None:
    """``chart_fn`` (from ``sales.charts``) over what ``query_fn(*args)`` returns: the Vega-Lite spec is
    built once per data version and reused by every session and rerun (building it from Altair, and
    converting its data, was a fifth of a busy server's time). ``extra``: the chart function's own
    further arguments."""
    chart_name, query_name, extra = _name_of(chart_fn), _name_of(query_fn), tuple(extra)
    with _stop_when_locked():
        version = data_version()
        spec = _chart_spec(cache_key(chart_name, query_name, version, args, extra), chart_name, query_name, version,
                           args, extra)
    st.vega_lite_chart(spec, width="stretch")


def filters(period: bool = True) -> Filters:
    """Sidebar filters, read from and written back to the URL so a view can be shared."""
    choices = query(filter_choices)
    f, notices = from_params(st.query_params.to_dict(), today(), choices)
    for notice in notices:
        st.info(plain(f"Link: {notice}."), icon=":material/link_off:")
    options = {"lead_source": list(choices.sources), "owner": list(choices.owners)}
    with st.sidebar:
        st.subheader("Filters")
        if period:
            chosen = st.date_input("Period (leads created / closed)", value=(f.start, f.end), key="f_period")
            start, end = (chosen if isinstance(chosen, (list, tuple)) and len(chosen) == 2 else (f.start, f.end))
        else:
            start, end = f.start, f.end
        cats = st.multiselect("Category", list(choices.categories),
                              default=[c for c in f.categories if c], key="f_category")
        sources = st.multiselect("Source", options["lead_source"],
                                 default=[s for s in f.sources if s in options["lead_source"]], key="f_source")
        owners = st.multiselect("Owner", options["owner"],
                                default=[o for o in f.owners if o in options["owner"]], key="f_owner")
    chosen_f = Filters(start, end, tuple(cats), tuple(sources), tuple(owners))
    keep = {k: v for k, v in st.query_params.to_dict().items() if k not in ("from", "to", "category", "source",
                                                                              "owner")}
    wanted = {**keep, **to_params(chosen_f)}
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)
    return chosen_f


def download(frame: pd.DataFrame, name: str, label: str = "Download CSV") -> None:
    """What is on screen, as a CSV a spreadsheet opens safely; built only when clicked (a callable), so
    large tables cost nothing on reruns."""
    st.download_button(label, functools.partial(safe_csv, frame), file_name=name, mime="text/csv",
                       icon=":material/download:", key=f"dl_{name}", on_click="ignore")


SHOWN_ROWS = 500  # what a person reads on screen; the download holds every row


def people_columns(frame: pd.DataFrame) -> dict:
    """Column settings people read easily: "Created on" for ``created_on``, dates without a midnight
    time, numbers with thousands separators. A page's own settings win over these."""
    config = {}
    for col in frame.columns:
        label = str(col).replace("_", " ")
        label = label[:1].upper() + label[1:]
        series = frame[col]
        if pd.api.types.is_datetime64_any_dtype(series):
            midnight = series.dropna().dt.normalize().eq(series.dropna()).all()
            config[col] = (st.column_config.DateColumn(label, format="YYYY-MM-DD") if midnight else
                           st.column_config.DatetimeColumn(label, format="YYYY-MM-DD HH:mm"))
        elif pd.api.types.is_float_dtype(series):
            config[col] = st.column_config.NumberColumn(label, format="%,.2f")
        elif pd.api.types.is_integer_dtype(series) and not str(col).endswith(("id", "batch", "line")):
            config[col] = st.column_config.NumberColumn(label, format="%,d")
        else:
            config[col] = st.column_config.Column(label)
    return config


def table(frame: pd.DataFrame, download_name: str | None = None, limit: int = SHOWN_ROWS, **kwargs):
    """A table as people read it: its first ``limit`` rows on screen (saying so when there are more),
    every row in the download. Returns the dataframe element (for selections)."""
    if len(frame) > limit:
        st.caption(f"The first {limit:,} of {len(frame):,} rows" + ("; the download holds them all."
                                                                      if download_name else "."))
    shown_rows = frame.head(limit)
    config = {**people_columns(shown_rows), **(kwargs.pop("column_config", None) or {})}
    shown = st.dataframe(shown_rows, hide_index=True, width="stretch", column_config=config, **kwargs)
    if download_name:
        download(frame, download_name)
    return shown


def dashboard(title: str, leads_only: bool = True) -> Filters:
    """A dashboard's opening: title and sidebar filters, or the empty state (and stop) when the store
    holds nothing the page could show: no leads, or (``leads_only=False``) neither leads nor hours."""
    st.title(title)
    f = filters()
    s = summary()
    if s.leads == 0 if leads_only else s.empty:
        empty_state("no leads in the store." if leads_only else "no leads or time entries in the store.")
        st.stop()
    return f


def empty_state(what: str) -> None:
    st.info(f"Nothing to show yet: {what} Upload exports with `python -m sales import FILE` "
            "(or load the demo data from the sidebar).", icon=":material/inbox:")


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
