"""Streamlit glue shared by every page: the one cached store and the sidebar.

Kept outside ``sales/`` because it is the only place that knows about Streamlit's caching.
"""

from __future__ import annotations

import functools
import importlib
import runpy
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from sales.export import safe_csv
from sales.filters import Filters, from_params, to_params
from sales.queries import StoreSummary, filter_options, find_leads, lead_label, store_summary
from sales.queries import data_version as data_version_of
from sales.rubric import default_rubric
from sales.store import Store, StoreLockedError

APP = Path(__file__).resolve().parent / "app.py"


def routed() -> None:
    """Every page calls this first. Until app.py has run once on a fresh server, Streamlit serves a
    deep link (``/priorities?owner=Bo``) by running the page file alone, through its legacy
    ``pages/`` discovery: no navigation, layout or sidebar. Such a run hands over to app.py, which
    sets them up and renders the requested page."""
    if st.session_state.get("_via_app"):
        return
    runpy.run_path(str(APP), run_name="__main__")
    st.stop()


@st.cache_resource
def _store() -> Store:
    return Store()


def store() -> Store:
    """The process-wide store; stops the page with an explanation when the file is locked."""
    try:
        return _store()
    except StoreLockedError as e:
        st.error(str(e))
        st.stop()


def cursor():
    """A fresh cursor: DuckDB connections must not be shared across Streamlit's threads."""
    return store().cursor()


def summary() -> StoreSummary:
    """The store's totals, cached until its data changes (the sidebar and pages each ask every run)."""
    return query(store_summary)


def sidebar() -> None:
    s = summary()
    with st.sidebar:
        if s.is_demo:
            st.warning("**Demo data.** These leads and hours are generated examples, "
                       "not real clients.", icon=":material/science:")
        st.caption(f"Store: `{store().path.name}` · {s.leads:,} leads · "
                   f"{s.time_entries:,} time entries · {s.hours:,.0f} h")
        if s.empty:
            st.info("The store is empty: upload exports, or look around with demo data first.")
            st.button("Load demo data", icon=":material/science:", on_click=_load_demo)


def _load_demo() -> None:
    """A callback, so the rerun that follows already sees the new rows everywhere."""
    from sales.demo import write_demo

    write_demo(store())


def data_version() -> tuple:
    return data_version_of(cursor())


def today() -> date:
    return date.today()


@st.cache_data(show_spinner=False, max_entries=512)
def _query(name: str, version: tuple, args: tuple):
    module, func = name.rsplit(".", 1)
    return getattr(importlib.import_module(module), func)(cursor(), *args)


def query(fn, *args):
    """Call a ``sales`` query with a fresh cursor, cached until the store's data changes."""
    return _query(f"{fn.__module__}.{fn.__qualname__}", data_version(), args)


def filters(period: bool = True) -> Filters:
    """Sidebar filters, read from and written back to the URL so a view can be shared."""
    f = from_params(st.query_params.to_dict(), today())
    options = query(filter_options)
    with st.sidebar:
        st.subheader("Filters")
        if period:
            chosen = st.date_input("Period (leads created / closed)", value=(f.start, f.end), key="f_period")
            start, end = (chosen if isinstance(chosen, (list, tuple)) and len(chosen) == 2 else (f.start, f.end))
        else:
            start, end = f.start, f.end
        cats = st.multiselect("Category", [c.name for c in default_rubric().categories],
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


def lead_picker(label: str = "Lead", key: str = "lead", url: bool = True) -> int | None:
    """Search a lead by name; the choice is kept in the URL (``?lead=ID``) so the view can be shared."""
    current = st.query_params.get(key) if url else st.session_state.get(f"{key}_id")
    current_id = int(current) if current and str(current).isdigit() else None
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
