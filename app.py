"""Entry point: navigation over pages/ and the shared sidebar."""

import streamlit as st

import shell

st.set_page_config(page_title="Sales & delivery", page_icon=":material/insights:", layout="wide")

nav = st.navigation({
    "Dashboards": [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/priorities.py", title="Priorities", icon=":material/trending_up:"),
        st.Page("pages/funnel.py", title="Funnel", icon=":material/filter_alt:"),
        st.Page("pages/budget.py", title="Budget", icon=":material/schedule:"),
    ],
    "Prospects": [
        st.Page("pages/whatif.py", title="What-if scoring", icon=":material/tune:"),
        st.Page("pages/workbench.py", title="Lead workbench", icon=":material/handshake:"),
    ],
    "Data": [st.Page("pages/upload.py", title="Upload", icon=":material/upload_file:")],
    "Reference": [st.Page("pages/home.py", title="Rubric & lifecycle", icon=":material/rule:")],
})
st.session_state["_via_app"] = True  # see shell.routed()
shell.sidebar()
nav.run()
