"""The query and chart cache every page reads through: one result per question and data version,
computed once and shared by every session of this process, that no reader can change for another."""

from __future__ import annotations

import dataclasses
import importlib
import threading
from datetime import date

import pandas as pd
import streamlit as st
from streamlit import dataframe_util  # the Arrow conversion st.vega_lite_chart itself applies

from sales import memo
from sales.changes import unchanged
from sales.queries import StoreSummary, store_summary
from sales.queries import data_version as data_version_of
from shell.storage import cursor, stop_when_locked, store
from shell.tables import content

memo.share()  # many sessions in this process: the lead state (and more) is computed once per data version

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


# what a function reads (its tables, and the function naming the leads whose rows it reads) → (the data version
# results reading only them are kept under, the latest version they were found unchanged at): a write elsewhere
# (an assessment, for the Budget page's figures) reads nothing again
_EPOCHS: dict[tuple, tuple[tuple, tuple]] = {}
_EPOCH_LOCK = threading.Lock()


def version_for(fn) -> tuple:
    """The data version ``fn``'s results are cached under: the store's, or for a function that declares what it
    reads (``changes.reads``) the earliest version since which those tables are unchanged."""
    version = data_version()
    tables = getattr(fn, "reads", None)
    if not tables:
        return version
    leads = getattr(fn, "reads_leads", None)
    with _EPOCH_LOCK:
        kept, seen = _EPOCHS.get((tables, leads), (None, None))
        if seen == version:
            return kept
        if kept is not None and unchanged(*tables, leads=leads)(cursor(), seen, version):
            _EPOCHS[(tables, leads)] = (kept, version)
            return kept
        _EPOCHS[(tables, leads)] = (version, version)
        return version


# query results kept across sessions: enough for a team's filter combinations on every page (a page asks
# for five to ten results; at 128, ten people with different filters evicted each other's), still bounded
QUERY_CACHE_ENTRIES = 2048


@st.cache_resource(show_spinner=False, max_entries=QUERY_CACHE_ENTRIES, ttl=3600)  # bounded: old versions fall out
def _shared(key: str, _name: str, _args: tuple, _now: tuple):
    """One result per key, computed once (a second session asking meanwhile waits for it) and read by every
    session: nothing pickled per reader. Only ``key`` is hashed; it holds the name, version and arguments.
    ``_now``: the store's data version this run read, which the computation's kept parts take (memo.reading)."""
    with memo.reading(_now):
        return _named(_name)(cursor(), *_args)


def _query(name: str, version: tuple, args: tuple):
    return fresh(_shared(cache_key(name, version, args), name, args, data_version()))


def forget_results() -> None:
    """Drop every cached query result and chart spec: what a data change amounts to (bench/pages.py)."""
    _shared.clear()
    _chart_spec.clear()
    _drawn.clear()
    with _EPOCH_LOCK:
        _EPOCHS.clear()


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
    with stop_when_locked():
        return _query(_name_of(fn), version_for(fn), args)


def summary() -> StoreSummary:
    """The store's totals, cached until its data changes (the sidebar and pages each ask every run)."""
    return query(store_summary)


def _name_of(fn) -> str:
    """A ``sales`` function by its dotted name (a cache key part; ``_named`` finds it again)."""
    return f"{fn.__module__}.{fn.__qualname__}"


def _named(name: str):
    module, func = name.rsplit(".", 1)
    return getattr(importlib.import_module(module), func)


@st.cache_resource(show_spinner=False, max_entries=QUERY_CACHE_ENTRIES, ttl=3600)
def _chart_spec(key: str, _chart_name: str, _query_name: str, _version: tuple, _args: tuple, _extra: tuple) -> dict:
    """The chart of this data version: the spec drawn for the same rows, whichever version drew it (``_drawn``),
    else drawn now."""
    frame = _query(_query_name, _version, _args)
    rows = content(frame, index=True) if isinstance(frame, pd.DataFrame) else None
    if rows is None:
        return _draw(_chart_name, frame, _extra)
    return _drawn(repr((_chart_name, rows, _extra)), _chart_name, frame, _extra)


@st.cache_resource(show_spinner=False, max_entries=QUERY_CACHE_ENTRIES, ttl=3600)
def _drawn(key: str, _chart_name: str, _frame: pd.DataFrame, _extra: tuple) -> dict:
    """A chart by what it shows (its function, its rows, its further arguments): a write that leaves a query's
    rows as they were (an edit of one lead, for most of the Funnel's charts) draws nothing again."""
    return _draw(_chart_name, _frame, _extra)


def _draw(chart_name: str, frame, extra: tuple) -> dict:
    """The Vega-Lite spec with its data already in the Arrow form the browser receives, as Streamlit's own
    Altair path makes it: st.vega_lite_chart passes such data on as it is (it copies the spec's top level
    before changing it), so no run converts the rows again."""
    spec = _named(chart_name)(frame, *extra).to_dict(validate=False)  # validated once, by tests/test_charts.py
    spec["datasets"] = {name: dataframe_util.convert_anything_to_arrow_bytes(rows)
                        for name, rows in spec.get("datasets", {}).items()}
    return spec


def chart(chart_fn, query_fn, *args, extra: tuple = ()) -> None:
    """``chart_fn`` (from ``sales.charts``) over what ``query_fn(*args)`` returns: the Vega-Lite spec is
    built once per data version, or found again when the rows are the same, and reused by every session and
    rerun (building it from Altair, and converting its data, was a fifth of a busy server's time). ``extra``:
    the chart function's own further arguments."""
    chart_name, query_name, extra = _name_of(chart_fn), _name_of(query_fn), tuple(extra)
    with stop_when_locked():
        version = version_for(query_fn)
        spec = _chart_spec(cache_key(chart_name, query_name, version, args, extra), chart_name, query_name, version,
                           args, extra)
    st.vega_lite_chart(spec, width="stretch")
