"""A real Streamlit server and Debian's Chromium (installed by `make test`), no browser downloads."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from sales import access
from sales.demo import write_demo
from sales.store import Store
from tests.browser.oidc_provider import Provider
from tests.conftest import ADMIN, ANCHOR, ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
REBOUND = "rebound.example"  # the browser resolves it to 127.0.0.1, as an attacker's DNS would
ARTIFACTS = ROOT / "test-artifacts"
WAIT_MS = 60_000  # how long a test waits for the page to draw what it asserts: CI machines are busy
expect.set_options(timeout=WAIT_MS)
VIEWPORT = {"width": 1400, "height": 1000}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's package (apt-get install chromium)")
    return {"executable_path": CHROMIUM, "args": ["--no-sandbox", "--disable-background-networking",
                                                  "--disable-component-update", "--no-first-run", "--disable-gpu",
                                                  # a name that resolves to this machine: DNS rebinding
                                                  f"--host-resolver-rules=MAP {REBOUND} 127.0.0.1"]}


@pytest.fixture(scope="session")
def browser_context_args():
    return {"viewport": VIEWPORT}


@pytest.fixture
def context(new_context):
    """pytest-playwright's context, whose clicks and fills wait as long as the expectations do."""
    ctx = new_context()
    ctx.set_default_timeout(WAIT_MS)
    return ctx


def new_page(browser):
    """A page of its own (a second person), waiting as long as the expectations do."""
    page = browser.new_page(viewport=VIEWPORT)
    page.set_default_timeout(WAIT_MS)
    return page


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SERVERS: dict[str, int] = {}  # URL → the server's process id (for its memory)


def rss_mb(url: str) -> float:
    """The server's resident memory."""
    for line in Path(f"/proc/{SERVERS[url]}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def _serve(db: Path, *extra: str, port: int | None = None, env: dict | None = None, bare: bool = False):
    """``python -m sales serve`` (as ``make run`` serves) on store ``db`` and a loopback port; yields its URL
    once healthy. No secrets but those ``extra`` names (``--secrets.files``): local mode otherwise.
    ``bare``: ``streamlit run app.py`` instead, without what ``serve`` adds (app.py's own checks only)."""
    port = port or _free_port()
    env = {**os.environ, "SALES_DB": str(db), **(env or {})}
    if "--secrets.files" not in extra:
        extra = (*extra, "--secrets.files", str(ROOT / "tests" / "no-secrets.toml"))
    command = ["streamlit", "run", str(ROOT / "app.py")] if bare else ["sales", "serve"]
    proc = subprocess.Popen([sys.executable, "-m", *command, "--port" if not bare else "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true", *extra],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    SERVERS[url] = proc.pid
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("the Streamlit server did not start within 60 s")
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def own_server(tmp_path_factory):
    """A local-mode server on a demo store of its own, for tests that change the data."""
    db = tmp_path_factory.mktemp("own") / "own.duckdb"
    with Store(db) as s:
        write_demo(s, ADMIN, anchor=ANCHOR)
    for url in _serve(db):
        yield url, db


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The app in local mode on a demo store; warmed on / so every deep link is routed."""
    db = tmp_path_factory.mktemp("browser") / "demo.duckdb"
    with Store(db) as s:
        write_demo(s, ADMIN, anchor=ANCHOR)
    yield from _serve(db)


HOSTILE_NAME = "![x](http://127.0.0.1:9/t.png) **bold** <b>b</b> :red[red] $x^2$ [link](http://127.0.0.1:9/)"
BIZDEV_OWNER = "Chen Wei"  # a demo lead owner
TEAM = {"admin@agency.example": "admin", "Bizdev@Agency.example": "bizdev", "*@viewers.example": "viewer",
        "*@kagency.example": "viewer"}  # a domain with a k, for its KELVIN SIGN look-alike


def _team(work: Path, provider: dict | None = None, settings: str = ""):
    """A sign-in server on a demo store of its own with the grants of TEAM (and the hostile lead), through a
    local OpenID Connect provider made with ``provider`` (Provider's keyword arguments); ``settings``: more
    secrets (a ``[sales]`` table). Yields (URL, store path, provider)."""
    db = work / "team.duckdb"
    with Store(db) as s:
        write_demo(s, ADMIN, anchor=ANCHOR)
        for who, role in TEAM.items():
            access.grant(s, ADMIN, who, role)
        access.set_crm_owner(s, ADMIN, "bizdev@agency.example", BIZDEV_OWNER)  # their leads on This week
        with s.transaction() as cur:
            cur.execute("""INSERT INTO leads (id, source_system, external_id, name, organisation, status)
                           VALUES (9001, 'test', 'hostile', ?, ?, 'open')""", [HOSTILE_NAME, HOSTILE_NAME])
    port = _free_port()
    with Provider(**(provider or {})) as idp:
        secrets = work / "secrets.toml"
        secrets.write_text(f"""[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "{os.urandom(24).hex()}"
client_id = "{idp.client_id}"
client_secret = "{idp.client_secret}"
server_metadata_url = "{idp.metadata_url}"
{settings}""")
        for url in _serve(db, "--secrets.files", str(secrets), port=port):
            yield url, db, idp


@pytest.fixture(scope="session")
def team_server(tmp_path_factory):
    """The app with sign-in through a local OpenID Connect provider, on a demo store with grants:
    an admin, a business developer (granted with another case), and a whole domain of viewers."""
    for url, _db, _idp in _team(tmp_path_factory.mktemp("team")):
        yield url


@pytest.fixture(scope="module")
def own_team_server(tmp_path_factory):
    """Like team_server, on a store of its own that a test may change (grants revoked meanwhile):
    yields (URL, store path)."""
    for url, db, _idp in _team(tmp_path_factory.mktemp("own-team")):
        yield url, db


@pytest.fixture(scope="module")
def claimless_server(tmp_path_factory):
    """Sign-in through a provider that never sends email_verified, trusted on purpose by the documented
    setting ``[sales] trust_unverified_email = true``."""
    for url, _db, _idp in _team(tmp_path_factory.mktemp("claimless"), {"email_verified": None},
                                "[sales]\ntrust_unverified_email = true\n"):
        yield url


def sign_in_as(page, server: str, email: str, verified: str = "") -> None:
    """Through the test provider's form: ``email`` ("" for an account without one) and what the token says of
    it (``verified``: "true", "false", "no claim", or "" for what the provider says by default). Waits until
    the app shows the person's first page."""
    from playwright.sync_api import expect

    page.goto(server)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Email").fill(email)
    if verified:
        page.get_by_label("Verified").select_option(verified)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("button", name="Sign out").first).to_be_visible(timeout=60_000)


RUN_FINISHED = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def drawn(page, *anchors) -> None:
    """Wait until the page shows every anchor, then until the script run that drew them has finished.

    An anchor is content only the awaited run draws: a page's title after navigating, a message after a
    click (not an element the previous run drew: it stays on screen while the next run is under way).
    The idle state alone proves nothing, as the app reports it before its first run begins. After
    ``drawn`` a test may read the page, and assert that something is absent."""
    for anchor in anchors:
        expect(anchor).to_be_visible()
    expect(page.locator(RUN_FINISHED)).to_be_attached()


def title(page, text: str):
    """A page's title (its one level-1 heading): the anchor that proves a navigation was drawn."""
    return page.get_by_role("heading", name=text, level=1, exact=True)


def wait_idle(page) -> None:
    """The app idle: NOT proof that anything was drawn (see ``drawn``); only for pacing between actions."""
    page.wait_for_selector(RUN_FINISHED, timeout=WAIT_MS)
    page.wait_for_timeout(300)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
