"""Roles are read at the moment of every write: an admin and a business developer have their pages open, an
admin revokes or lowers their role meanwhile (the command line, on the same store), and their next action from
the page they still have is refused with a sentence, writes nothing, and the next page follows the new role."""

import os
import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from sales.store import Store, scalar
from tests.browser.conftest import BIZDEV_OWNER, NAV, shot, sign_in_as
from tests.conftest import ROOT

ADMIN, BIZDEV = "admin@agency.example", "bizdev@agency.example"
TOGGL = ROOT / "tests" / "fixtures" / "toggl.csv"


def cli(db, *args: str) -> str:
    """``python -m sales`` on the server's store (it waits while the dashboard holds the file)."""
    r = subprocess.run([sys.executable, "-m", "sales", *args, "--db", str(db)], cwd=ROOT, capture_output=True,
                       text=True, timeout=180, env={**os.environ, "SALES_STORE_WAIT": "120"})
    assert r.returncode == 0, r.stderr
    return r.stdout


def held(db, sql: str) -> int:
    with Store(db, wait=120) as s:
        return scalar(s.cursor(), sql)


def set_role(db, email: str, role: str | None) -> None:
    if role is None:
        cli(db, "access", "revoke", email)
    else:  # a revoke forgets their CRM owner name: a grant gives it back
        cli(db, "access", "grant", email, role, *(["--owner", BIZDEV_OWNER] if email == BIZDEV else []))


@pytest.fixture(scope="module")
def stage(own_team_server):
    url, db = own_team_server
    cli(db, "access", "grant", "chief@agency.example", "admin")  # so the admin can be revoked
    batch = int(re.search(r"batch (\d+)", cli(db, "import", str(TOGGL))).group(1))
    return url, db, batch


@pytest.fixture
def person(browser, stage):
    """A signed-in person's own browser (cookies of their own); their grant is put back afterwards."""
    url, db, _ = stage
    opened = []

    def open_as(email: str):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        opened.append((context, email))
        page = context.new_page()
        sign_in_as(page, url, email, "true")
        return page

    yield open_as
    for context, email in opened:
        context.close()
        set_role(db, email, "admin" if email == ADMIN else "bizdev")


def drawn(page, url: str, button: str):
    """The page at ``url`` once it shows ``button`` (what the person is about to press)."""
    page.goto(url)
    target = page.get_by_role("button", name=button).first
    expect(target).to_be_enabled(timeout=60_000)
    return target


def refused(page, pattern: str) -> None:
    """The sentence at the top of the page that follows (an email in it carries an invisible word joiner)."""
    expect(page.locator('[data-testid="stMain"] [data-testid="stAlertContentError"]').first).to_contain_text(
        re.compile("Not done: " + pattern.replace("@", "@\u2060?")), timeout=60_000)


def no_access_next(page, url: str) -> None:
    page.goto(url)
    expect(page.locator('[data-testid="stMain"]').get_by_role("heading", name="No access yet")).to_be_visible(
        timeout=60_000)
    expect(page.locator('[data-testid="stMetric"]')).to_have_count(0)


def test_a_revoked_admin_cannot_grant_from_the_people_page_still_open(person, stage):
    url, db, _ = stage
    page = person(ADMIN)
    page.goto(f"{url}/people")
    form = page.locator('[data-testid="stForm"]').first  # the grant form, the first of the page's forms
    expect(form).to_be_visible(timeout=60_000)
    set_role(db, ADMIN, None)
    form.get_by_label("Email or domain").fill(ADMIN)
    form.get_by_label("Role").click()
    page.get_by_role("option", name="admin").click()
    form.get_by_role("button", name="Grant").click()
    refused(page, "admin@agency.example has no role and may not grant or revoke roles")
    expect(page.locator('[data-testid="stMain"]').get_by_role("heading", name="No access yet")).to_be_visible()
    shot(page, "stale-grant-refused")
    assert held(db, f"SELECT count(*) FROM access_grants WHERE who = '{ADMIN}'") == 0  # they did not grant themself
    no_access_next(page, f"{url}/people")


@pytest.mark.parametrize("now", [None, "viewer"])
def test_a_revoked_or_lowered_admin_cannot_undo_from_the_upload_page_still_open(person, stage, now):
    url, db, batch = stage
    page = person(ADMIN)
    drawn(page, f"{url}/upload", "Undo this import").click()  # asks first: the sentence, then yes or no
    undo = page.get_by_role("button", name="Yes, undo it")
    expect(undo).to_be_enabled(timeout=60_000)
    set_role(db, ADMIN, now)
    undo.click()
    refused(page, f"admin@agency.example has {'the viewer role' if now else 'no role'} and may not undo an import")
    assert held(db, f"SELECT count(*) FROM time_entries WHERE batch_id = {batch}") == 3  # still there
    if now is None:
        no_access_next(page, f"{url}/upload")
    else:  # the pages a viewer has: dashboards, no Upload
        page.goto(url)
        nav = page.locator(NAV)
        expect(nav).to_contain_text("Overview", timeout=60_000)
        expect(nav).not_to_contain_text("Upload")


@pytest.mark.parametrize("now", [None, "viewer"])
def test_a_revoked_or_lowered_bizdev_cannot_save_from_the_what_if_page_still_open(person, stage, now):
    url, db, _ = stage
    page = person(BIZDEV)
    save = drawn(page, f"{url}/whatif?lead=298", "Save as a new assessment")
    before = held(db, "SELECT count(*) FROM assessments WHERE lead_id = 298")
    set_role(db, BIZDEV, now)
    save.click()
    said = "Your role is now viewer (it was bizdev" if now else "Your role was removed (it was bizdev"
    expect(page.locator('[data-testid="stMain"] [data-testid="stAlertContentWarning"]').first).to_contain_text(
        said, timeout=60_000)
    expect(page.get_by_role("button", name="Save as a new assessment")).to_have_count(0)
    shot(page, f"stale-save-{now or 'revoked'}")
    assert held(db, "SELECT count(*) FROM assessments WHERE lead_id = 298") == before
    if now is None:
        no_access_next(page, f"{url}/whatif?lead=298")


def test_a_revoked_bizdev_cannot_log_a_contact_from_this_week_still_open(person, stage):
    url, db, _ = stage
    page = person(BIZDEV)  # lands on This week, on their own leads
    contact = page.get_by_test_id("stMain").get_by_role("button", name="Log contact").first
    expect(contact).to_be_visible(timeout=60_000)
    contact.click()
    submit = page.get_by_test_id("stPopoverBody").get_by_role("button", name="Log contact")
    expect(submit).to_be_visible()
    before = held(db, "SELECT count(*) FROM lead_contacts")
    set_role(db, BIZDEV, None)
    submit.click()
    refused(page, "bizdev@agency.example has no role and may not change a lead on the workbench")
    assert held(db, "SELECT count(*) FROM lead_contacts") == before
    no_access_next(page, url)
