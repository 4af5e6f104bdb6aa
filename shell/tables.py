"""Tables as people read them (sales.tables.readable), and downloads of what they show, safe to open in a
spreadsheet."""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st
from streamlit import dataframe_util

from sales.export import safe_csv
from sales.tables import readable

if TYPE_CHECKING:
    import pyarrow as pa

SHOWN_ROWS = 500  # what a person reads on screen; the download holds every row
KEPT_TABLES = 256  # readable tables remembered by content (a few hundred KB each at most)
_kept: OrderedDict[tuple, list] = OrderedDict()
_keeping = threading.Lock()


def readable_kept(frame: pd.DataFrame, units: Mapping | None = None, labels: Mapping | None = None,
                  currency: str | None = None) -> pd.DataFrame:
    """``readable(frame, units, labels, currency)``, remembered by what the frame holds (its columns, types and
    every value, in order), shared by every session and rerun: a rerun shows the same rows without writing
    each cell out again (a table's text was half of a rerun of This week). Frames whose cells cannot be
    hashed (lists) are written out every time. Nobody changes the frame it returns."""
    return _kept_entry(frame, units, labels, currency)[0]


def _shown(frame: pd.DataFrame, units, labels, currency) -> pa.Table:
    """What st.dataframe is given: the readable rows already in the Arrow form it sends (made by Streamlit's
    own conversion, so the browser receives the same bytes), kept beside them: a rerun only serialises it."""
    entry = _kept_entry(frame, units, labels, currency)
    if entry[1] is None:
        entry[1] = dataframe_util.convert_pandas_df_to_arrow_table(entry[0])
    return entry[1]


def content(frame: pd.DataFrame, index: bool = False) -> tuple | None:
    """What a frame holds (its columns, types and every value in order, and its index when asked), as a key; None
    when its cells cannot be hashed (lists)."""
    try:
        rows = hashlib.sha256(pd.util.hash_pandas_object(frame, index=index).to_numpy().tobytes()).hexdigest()
    except (TypeError, ValueError):
        return None
    return rows, tuple(map(str, frame.columns)), tuple(map(str, frame.dtypes)), len(frame)


def _kept_entry(frame: pd.DataFrame, units, labels, currency) -> list:
    """[the readable frame, its Arrow table once asked for], kept by the frame's content."""
    held = content(frame)
    try:
        key = (held, tuple(sorted((units or {}).items())), tuple(sorted((labels or {}).items())), currency)
        hash(key)
    except TypeError:
        held = None
    if held is None:
        return [readable(frame, units, labels, currency), None]
    with _keeping:
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key]
    entry = [readable(frame, units, labels, currency), None]
    with _keeping:
        entry = _kept.setdefault(key, entry)
        while len(_kept) > KEPT_TABLES:
            _kept.popitem(last=False)
    return entry


def _readable_csv(frame, units, labels, currency) -> bytes:
    return safe_csv(readable(frame() if callable(frame) else frame, units, labels, currency))


def download(frame: pd.DataFrame | Callable[[], pd.DataFrame], name: str, label: str = "Download CSV", *,
             units: Mapping | None = None, labels: Mapping | None = None, currency: str | None = None) -> None:
    """What is on screen, in the same words, as a CSV a spreadsheet opens safely; built only when clicked
    (a callable), so large tables cost nothing on reruns. ``frame`` may itself be a callable (a query run only
    then)."""
    st.download_button(label, functools.partial(_readable_csv, frame, units, labels, currency), file_name=name,
                       mime="text/csv", icon=":material/download:", key=f"dl_{name}", on_click="ignore")


def page_labels(column_config: Mapping) -> tuple[list[str], dict[str, str]]:
    """A page's column settings as the columns it hides (None) and the headers it chose (a text, or a
    column setting's label)."""
    hidden = [c for c, v in column_config.items() if v is None]
    labels = {}
    for c, v in column_config.items():
        label = v if isinstance(v, str) else (v or {}).get("label")
        if label:
            labels[c] = label
    return hidden, labels


def static_table(frame: pd.DataFrame, index: str) -> None:
    """A table that wraps long text (no scrolling, no sorting), as people read it, rows named by ``index``."""
    st.table(readable_kept(frame).set_index(readable(frame[[index]]).columns[0]))


def table(frame: pd.DataFrame, download_name: str | None = None, limit: int = SHOWN_ROWS, *,
          units: Mapping | None = None, labels: Mapping | None = None, currency: str | None = None, **kwargs):
    """A table as people read it (``sales.tables.readable``: words for headers, units, no empty ``None``):
    its first ``limit`` rows on screen (saying so when there are more), every row in the download.
    ``column_config``: None hides a column, a text or a setting's label names it. Returns the dataframe element
    (for selections)."""
    if len(frame) > limit:
        st.caption(f"The first {limit:,} of {len(frame):,} rows" + ("; the download holds them all."
                                                                      if download_name else "."))
    hidden, chosen = page_labels(kwargs.pop("column_config", None) or {})
    labels = {**chosen, **(labels or {})}
    dropped = [c for c in hidden if c in frame.columns]
    part = frame if len(frame) <= limit else frame.head(limit)
    shown_rows = _shown(part.drop(columns=dropped) if dropped else part, units, labels, currency)
    shown = st.dataframe(shown_rows, hide_index=True, width="stretch", **kwargs)
    if download_name:
        download(frame, download_name, units=units, labels=labels, currency=currency)
    return shown
