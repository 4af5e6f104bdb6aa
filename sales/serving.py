"""How the dashboard is served: with sign-in for a team, or in local mode for one person.

Local mode (no ``[auth]`` section in the secrets) has no sign-in, so it listens on the loopback
interface only unless someone opts out on purpose with ``SALES_OPEN_WITHOUT_SIGN_IN=1``.

Either way the server answers only the host names it is meant to be reached by (a page on another
name that resolves to this server, DNS rebinding, gets nothing): the loopback names in local mode, the
host of ``[auth] redirect_uri`` with sign-in, and any listed in ``SALES_ALLOWED_HOSTS``.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from sales.paths import ROOT

OPT_OUT = "SALES_OPEN_WITHOUT_SIGN_IN"
HOSTS_ENV = "SALES_ALLOWED_HOSTS"  # further host names, comma-separated; "*.agency.example" for subdomains
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
SECRETS = (ROOT / ".streamlit" / "secrets.toml", Path.home() / ".streamlit" / "secrets.toml")


def auth_section(files: Sequence[Path] = SECRETS) -> dict | None:
    """The ``[auth]`` section of the first secrets file Streamlit reads that has one, else None."""
    for path in files:
        try:
            with open(path, "rb") as fh:
                auth = tomllib.load(fh).get("auth")
        except FileNotFoundError:
            continue
        except tomllib.TOMLDecodeError as e:
            raise SystemExit(f"error: {path}: {e}") from None
        if auth is not None:
            return auth if isinstance(auth, dict) else {}
    return None


def auth_configured(files: Sequence[Path] = SECRETS) -> bool:
    """True when a secrets file Streamlit reads has an ``[auth]`` section."""
    return auth_section(files) is not None


def secrets_files(extra: Sequence[str]) -> tuple[Path, ...]:
    """The secrets files a ``streamlit run`` with the options ``extra`` reads."""
    files = [a.split("=", 1)[1] for a in extra if a.startswith("--secrets.files=")]
    files += [extra[i + 1] for i, a in enumerate(extra[:-1]) if a == "--secrets.files"]
    return tuple(Path(f) for f in files) or SECRETS


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


def allowed_hosts(redirect_uri: str | None, env: Mapping[str, str] = os.environ) -> list[str]:
    """The host names the server answers to: with sign-in (``redirect_uri`` set) that address's host, in
    local mode the loopback names; then those listed in ``SALES_ALLOWED_HOSTS``. Raises ValueError for a
    listed name that would let any host in."""
    if redirect_uri:
        host = urlsplit(redirect_uri.replace("{port}", "0")).hostname
        names = [host] if host else []
    else:
        names = list(LOOPBACK_NAMES)
    names += [_host_name(n) for n in env.get(HOSTS_ENV, "").split(",") if n.strip()]
    return list(dict.fromkeys(names))


_LABEL = r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?"
_NAME = re.compile(rf"(\*\.)?{_LABEL}(\.{_LABEL})*")


def _host_name(text: str) -> str:
    """One entry of ``SALES_ALLOWED_HOSTS``: a host name, an IP address, or ``*.domain``."""
    name = text.strip().lower().rstrip(".")
    try:
        return str(ipaddress.ip_address(name.strip("[]")))
    except ValueError:
        pass
    if not _NAME.fullmatch(name):
        raise ValueError(f"{HOSTS_ENV}: {text.strip()!r} is not a host name (a name, an IP address, or *.domain "
                         "for its subdomains; no port, no bare *)")
    return name


def host_allowed(host: str | None, allowed: Sequence[str]) -> bool:
    """Whether a request's ``Host`` header (port ignored) names one of ``allowed`` (``*.domain``: any
    subdomain of it), as Streamlit's ``server.allowedHosts`` decides."""
    if not host:
        return False
    try:
        parts = urlsplit(f"//{host}")
        name, _ = parts.hostname, parts.port  # .port checks the port is a number
    except ValueError:
        return False
    if not name or parts.username is not None or parts.password is not None or parts.path or parts.query:
        return False
    name = name.lower().rstrip(".")
    return any(name.endswith(a[1:]) if a.startswith("*.") else name == a for a in allowed)


class HostCheck:
    """ASGI middleware in front of the whole server (every page, file, health check and websocket): a request
    whose ``Host`` is not one of ``hosts()`` gets 421 Misdirected Request, or its websocket is closed, and
    nothing else. Streamlit's own ``server.allowedHosts`` guards only the websocket."""

    def __init__(self, app, hosts):
        self.app, self.hosts = app, hosts

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
            allowed = self.hosts()
            if allowed and not host_allowed(host, allowed):
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                else:
                    body = b"This server does not answer to that host name.\n"
                    await send({"type": "http.response.start", "status": 421, "headers": [
                        (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
                    await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def streamlit_command(python: str, port: int, configured: bool, open_anyway: bool, extra: list[str],
                      hosts: Sequence[str] = ()) -> list[str]:
    """The ``streamlit run`` command line: server.py (app.py behind HostCheck), loopback only in local mode
    unless opted out, answering only the host names ``hosts``."""
    cmd = [python, "-m", "streamlit", "run", str(ROOT / "server.py"), "--server.port", str(port)]
    if not configured and not open_anyway and not any(a.startswith("--server.address") for a in extra):
        cmd += ["--server.address", "127.0.0.1"]
    for host in hosts:
        cmd += ["--server.allowedHosts", host]
    return cmd + extra
