"""Entry point: navigation over pages/ and the shared sidebar."""

import streamlit as st

import shell

st.set_page_config(page_title="Sales & delivery", page_icon=":material/insights:", layout="wide")

home = st.Page("pages/home.py", title="Rubric & lifecycle", icon=":material/rule:", default=True)
nav = st.navigation({"Reference": [home]})
shell.sidebar()
nav.run()
