"""Tables as people read them (sales.tables.readable), and downloads of what they show, safe to open in a
spreadsheet."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

import pandas as pd
import streamlit as st

from sales.export import safe_csv
from sales.tables import readable

SHOWN_ROWS = 500  # what a person reads on screen; the download holds every row


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
    st.table(readable(frame).set_index(readable(frame[[index]]).columns[0]))


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
    shown_rows = readable(frame.head(limit).drop(columns=[c for c in hidden if c in frame.columns]), units, labels,
                          currency)
    shown = st.dataframe(shown_rows, hide_index=True, width="stretch", **kwargs)
    if download_name:
        download(frame, download_name, units=units, labels=labels, currency=currency)
    return shown
