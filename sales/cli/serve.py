"""``python -m sales serve``: the dashboard, through streamlit run with the host names and sign-in it needs."""

from __future__ import annotations

import argparse
import os
import sys


def cmd_serve(args: argparse.Namespace) -> int:
    from sales import serving

    auth = serving.auth_section(serving.secrets_files(args.streamlit_args))
    configured = auth is not None
    open_anyway = serving.open_without_sign_in()
    try:
        hosts = serving.allowed_hosts(str(auth.get("redirect_uri") or "") if configured else None)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if configured and not hosts:
        print(f"error: [auth] redirect_uri names no host, so no one could reach the dashboard; set it (or list the "
              f"names in {serving.HOSTS_ENV})", file=sys.stderr)
        return 2
    cmd = serving.streamlit_command(sys.executable, args.port, configured, open_anyway, args.streamlit_args, hosts)
    if configured:
        print("Sign-in configured ([auth] in .streamlit/secrets.toml): roles come from `python -m sales access`.")
    elif open_anyway:
        print(f"Local mode WITHOUT sign-in, open to the network ({serving.OPT_OUT} is set).")
    else:
        print(f"Local mode: no sign-in, so only this computer can reach http://localhost:{args.port}")
    print(f"Answers to: {', '.join(hosts)} (others: {serving.HOSTS_ENV})")
    sys.stdout.flush()
    os.execv(sys.executable, cmd)
