"""The dashboard as ``python -m sales serve`` runs it: app.py behind a host-name check on every request.

Streamlit's ``server.allowedHosts`` (set by ``serve``) refuses the websocket to other host names; the check
here refuses everything else too (the page itself, static files, health), so a name that merely resolves to
this server (DNS rebinding) gets nothing. app.py checks the host of each session once more.
"""

import streamlit as st
from starlette.middleware import Middleware

from sales.serving import HostCheck

app = st.App("app.py", middleware=[Middleware(HostCheck, hosts=lambda: st.get_option("server.allowedHosts"))])
