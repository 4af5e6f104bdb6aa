"""Tables as people read them, and downloads of what they show, safe to open in a spreadsheet."""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from sales.export import safe_csv


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
