"""How the dashboard is served: with sign-in for a team, or in local mode for one person.

Local mode (no ``[auth]`` section in the secrets) has no sign-in, so it listens on the loopback
interface only unless someone opts out on purpose with ``SALES_OPEN_WITHOUT_SIGN_IN=1``.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

from sales.paths import ROOT

OPT_OUT = "SALES_OPEN_WITHOUT_SIGN_IN"
SECRETS = (ROOT / ".streamlit" / "secrets.toml", Path.home() / ".streamlit" / "secrets.toml")


def auth_configured(files: tuple[Path, ...] = SECRETS) -> bool:
    """True when a secrets file Streamlit reads has an ``[auth]`` section."""
    for path in files:
        try:
            with open(path, "rb") as fh:
                if "auth" in tomllib.load(fh):
                    return True
        except FileNotFoundError:
            continue
        except tomllib.TOMLDecodeError as e:
            raise SystemExit(f"error: {path}: {e}") from None
    return False


def open_without_sign_in(env: Mapping[str, str] = os.environ) -> bool:
    return env.get(OPT_OUT, "").strip().lower() in ("1", "true", "yes")


def is_loopback(address: str | None) -> bool:
    """Whether a server bound to ``address`` is reachable from this computer only ("" or None: everywhere)."""
    if not address:
        return False
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def streamlit_command(python: str, port: int, configured: bool, open_anyway: bool, extra: list[str]) -> list[str]:
    """The ``streamlit run`` command line: loopback only in local mode, unless opted out."""
    cmd = [python, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port)]
    if not configured and not open_anyway and not any(a.startswith("--server.address") for a in extra):
        cmd += ["--server.address", "127.0.0.1"]
    return cmd + extra
