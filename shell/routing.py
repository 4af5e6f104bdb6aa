"""Deep links: a page file run on its own hands over to app.py, which sets up navigation and sidebar."""

from __future__ import annotations

import runpy
from pathlib import Path

import streamlit as st

APP = Path(__file__).resolve().parent.parent / "app.py"


def routed() -> None:
    """Every page calls this first. Until app.py has run once on a fresh server, Streamlit serves a
    deep link (``/priorities?owner=Bo``) by running the page file alone, through its legacy
    ``pages/`` discovery: no navigation, layout or sidebar. Such a run hands over to app.py, which
    sets them up and renders the requested page."""
    if st.session_state.get("_via_app"):
        return
    runpy.run_path(str(APP), run_name="__main__")
    st.stop()
