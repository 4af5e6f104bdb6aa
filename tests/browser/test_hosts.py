"""The server answers only the host names it is meant to be reached by: loopback names in local mode, the host
of [auth] redirect_uri with sign-in, and those in SALES_ALLOWED_HOSTS. Real HTTP requests with forged Host
headers against ``python -m sales serve``, a websocket handshake, and a browser that resolves another name to
this machine (DNS rebinding)."""

import base64
import http.client
import os
import re
import urllib.parse

import pytest
from playwright.sync_api import expect

from sales.demo import write_demo
from sales.store import Store
from tests.browser.conftest import REBOUND, _serve, shot
from tests.conftest import ADMIN, ANCHOR

WRONG = ["evil.example", "127.0.0.1.evil.example", "localhost.evil.example", "sales.agency.example", "", "a b"]


def get(url: str, host: str, path: str = "/") -> tuple[int, bytes]:
    """One request to the server at ``url`` with the header ``Host: host``."""
    parts = urllib.parse.urlsplit(url)
    con = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        con.putrequest("GET", path, skip_host=True)
        con.putheader("Host", host)
        con.endheaders()
        r = con.getresponse()
        return r.status, r.read()
    finally:
        con.close()


def handshake(url: str, host: str) -> int:
    """The status a websocket handshake to the app's stream gets (101: the connection is open)."""
    parts = urllib.parse.urlsplit(url)
    con = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        con.putrequest("GET", "/_stcore/stream", skip_host=True)
        for k, v in {"Host": host, "Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
                     "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(),
                     "Sec-WebSocket-Protocol": "streamlit", "Origin": f"http://{host}"}.items():
            con.putheader(k, v)
        con.endheaders()
        return con.getresponse().status
    finally:
        con.close()


def answers(url: str, host: str) -> None:
    status, body = get(url, host)
    assert status == 200 and b"<html" in body.lower(), (host, status)
    assert get(url, host, "/_stcore/health") == (200, b"ok")
    assert handshake(url, host) == 101, host


def refuses(url: str, host: str) -> None:
    for path in ("/", "/priorities?lead=298", "/_stcore/health", "/_stcore/host-config", "/static/index.html"):
        status, body = get(url, host, path)
        assert status == 421 and body == b"This server does not answer to that host name.\n", (host, path, status)
    assert handshake(url, host) != 101, host


def port_of(url: str) -> int:
    return urllib.parse.urlsplit(url).port


def test_local_mode_answers_the_loopback_names_only(server):
    for host in ("127.0.0.1", "localhost", "[::1]", "LOCALHOST"):
        answers(server, f"{host}:{port_of(server)}")
    for host in [*WRONG, f"{REBOUND}:{port_of(server)}"]:
        refuses(server, host)


def test_sign_in_answers_the_host_of_the_redirect_uri(team_server):
    answers(team_server, f"127.0.0.1:{port_of(team_server)}")
    for host in ["localhost", f"localhost:{port_of(team_server)}", "[::1]", *WRONG]:
        refuses(team_server, host)


@pytest.fixture(scope="module")
def listed_server(tmp_path_factory):
    db = tmp_path_factory.mktemp("listed") / "demo.duckdb"
    with Store(db) as s:
        write_demo(s, ADMIN, leads=20, time_entries=50, anchor=ANCHOR)
    yield from _serve(db, env={"SALES_ALLOWED_HOSTS": f"dash.internal, *.agency.example, {REBOUND}"})


def test_names_listed_in_sales_allowed_hosts_are_answered_too(listed_server, page):
    for host in ("127.0.0.1", "dash.internal", "sales.agency.example", REBOUND):
        answers(listed_server, f"{host}:{port_of(listed_server)}")
    for host in ("agency.example", "evil.example", "dash.internal.evil.example"):
        refuses(listed_server, host)
    page.goto(listed_server.replace("127.0.0.1", REBOUND))  # listed: the dashboard itself
    expect(page.locator('[data-testid="stMetric"]').first).to_be_visible(timeout=60_000)


def test_a_rebound_name_gets_no_page_from_the_served_app(page, server):
    response = page.goto(server.replace("127.0.0.1", REBOUND) + "/priorities?lead=298")
    assert response.status == 421
    expect(page.locator("body")).to_have_text(re.compile("does not answer to that host name"))


@pytest.fixture(scope="module")
def bare_server(tmp_path_factory):
    """``streamlit run app.py`` without what ``serve`` adds: app.py's own check is all there is."""
    db = tmp_path_factory.mktemp("bare") / "demo.duckdb"
    with Store(db) as s:
        write_demo(s, ADMIN, leads=20, time_entries=50, anchor=ANCHOR)
    yield from _serve(db, bare=True)


def test_app_py_refuses_a_session_under_another_name_even_when_served_bare(page, bare_server):
    page.goto(bare_server.replace("127.0.0.1", REBOUND) + "/priorities?lead=298")
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_role("heading", name="Not served under this name")).to_be_visible(timeout=60_000)
    expect(main).to_contain_text(f"it was asked for as '{REBOUND}:{port_of(bare_server)}'")
    for selector in ('[data-testid="stMetric"]', '[data-testid="stDataFrame"]', '[data-testid="stSidebarNav"]'):
        expect(page.locator(selector)).to_have_count(0)
    shot(page, "wrong-host")
    page.goto(bare_server + "/priorities")  # the same server under its own name
    expect(page.locator('[data-testid="stMain"]').get_by_role("heading", name="Priorities")).to_be_visible(
        timeout=60_000)
    expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible()
