"""Links that keep their place (issue 21, items 2 and 3): filters travel with the sidebar's links and from page to
page, a shared link survives signing in, a page the role may not open says which role would, and a business
developer is tied to their leads by the owner name given with ``access grant --owner``."""

import re
import subprocess
import sys
from urllib.parse import quote_plus

from playwright.sync_api import expect

from tests.browser.conftest import BIZDEV_OWNER, NAV, drawn, new_page, shot, sign_in_as, title
from tests.conftest import ROOT

FILTERS = {"from": "2026-02-01", "to": "2026-10-31", "category": "High", "source": "Referral",
           "owner": BIZDEV_OWNER}
QUERY = "&".join(f"{k}={quote_plus(v)}" for k, v in FILTERS.items())


def has_filters(page, **more) -> None:
    """The address holds every filter of FILTERS (and ``more``), whatever their order."""
    for key, value in {**FILTERS, **more}.items():
        expect(page).to_have_url(re.compile(rf"[?&]{key}={re.escape(quote_plus(value))}(&|$)"))


def chips(page, label: str):
    """The chosen values of the sidebar's multiselect ``label``."""
    return page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").filter(has_text=label)


def test_filters_travel_with_the_sidebar_links_and_from_page_to_page(page, server):
    page.goto(f"{server}/priorities?{QUERY}&lead=298")
    drawn(page, title(page, "Priorities"))
    link = page.locator(NAV).get_by_role("link", name="Funnel")
    expect(link).to_have_attribute("href", re.compile(r"^/?funnel\?.*category=High"))  # a link to copy or share
    link.click()
    drawn(page, title(page, "Funnel"))
    has_filters(page, lead="298")
    expect(chips(page, "Category")).to_contain_text("High")
    expect(chips(page, "Source")).to_contain_text("Referral")
    expect(chips(page, "Owner")).to_contain_text(BIZDEV_OWNER)
    # on to Overview by the sidebar, and from there to Priorities by its own link: the same filters again
    page.locator(NAV).get_by_role("link", name="Overview").click()
    drawn(page, title(page, "Overview"))
    has_filters(page)
    page.get_by_role("link", name="Open priorities").first.click()
    drawn(page, title(page, "Priorities"))
    has_filters(page)
    expect(chips(page, "Category")).to_contain_text("High")
    # a filter changed on this page travels too: the links follow what the page shows
    chips(page, "Source").get_by_role("button", name=re.compile("Remove Referral|Delete")).first.click()
    expect(page).not_to_have_url(re.compile(r"source="))
    page.locator(NAV).get_by_role("link", name="Funnel").click()
    drawn(page, title(page, "Funnel"))
    expect(page).to_have_url(re.compile(r"category=High"))
    expect(page).not_to_have_url(re.compile(r"source="))
    shot(page, "links-filters-travel")


def test_every_page_has_its_own_address_and_slash_sends_on_to_it(page, server):
    page.goto(f"{server}/?{QUERY}")
    drawn(page, title(page, "Overview"))
    expect(page).to_have_url(re.compile(r"/overview\?"))  # what a person shares names the page
    has_filters(page)


def test_a_shared_link_opened_signed_out_opens_after_sign_in_with_its_filters(page, team_server):
    page.goto(f"{team_server}/priorities?{QUERY}&lead=298")
    drawn(page, page.get_by_role("button", name="Sign in"))
    expect(page.get_by_test_id("stApp")).to_contain_text("goes on to Priorities once you are signed in")
    expect(page.get_by_text("Page not found")).to_have_count(0)  # no dialog covers the button
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Email").fill("admin@agency.example")  # the test provider's own form
    page.get_by_role("button", name="Continue").click()
    drawn(page, title(page, "Priorities"))
    expect(page).to_have_url(re.compile(re.escape(team_server) + r"/priorities\?"))
    has_filters(page, lead="298")
    expect(chips(page, "Owner")).to_contain_text(BIZDEV_OWNER)
    shot(page, "links-after-sign-in")


def test_a_viewer_opening_upload_reads_which_role_it_needs(page, team_server):
    sign_in_as(page, team_server, "Ana@Viewers.example")
    page.goto(f"{team_server}/upload")
    drawn(page, title(page, "Upload"))
    expect(page.get_by_test_id("stMain")).to_contain_text(
        "Upload needs the admin role (to import files); you are signed in with the viewer role.")
    expect(page.get_by_text("Page not found")).to_have_count(0)
    expect(page.locator('input[type="file"]')).to_have_count(0)
    expect(page.locator(NAV)).not_to_contain_text("Upload")
    shot(page, "links-needs-role")


def _grant(db, *args) -> subprocess.CompletedProcess:
    """README step 5, beside the running dashboard."""
    return subprocess.run([sys.executable, "-m", "sales", "access", "grant", *args, "--db", str(db)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_a_bizdev_granted_with_an_owner_sees_their_leads_one_without_sees_what_to_ask(browser, own_team_server):
    url, db = own_team_server
    typo = _grant(db, "owned@agency.example", "bizdev", "--owner", "Chen Wie")
    assert typo.returncode == 2 and "did you mean 'Chen Wei'?" in typo.stderr
    assert _grant(db, "owned@agency.example", "bizdev", "--owner", BIZDEV_OWNER).returncode == 0
    assert _grant(db, "unowned@agency.example", "bizdev").returncode == 0

    owned = new_page(browser)
    sign_in_as(owned, url, "owned@agency.example")
    drawn(owned, title(owned, "This week"))  # their own leads first
    main = owned.get_by_test_id("stMain")
    expect(main).to_contain_text(f"Your leads by default: lead owner {BIZDEV_OWNER}")
    expect(main.get_by_test_id("stMultiSelect").filter(has_text="Lead owner")).to_contain_text(BIZDEV_OWNER)
    expect(main).not_to_contain_text("No lead owner name is recorded for you")
    owned.close()

    unowned = new_page(browser)
    sign_in_as(unowned, url, "unowned@agency.example")
    drawn(unowned, title(unowned, "This week"))  # where they start, to read what to ask for
    main = unowned.get_by_test_id("stMain")
    expect(main).to_contain_text("No lead owner name is recorded for you, so nothing ties you to your leads")
    expect(main).to_contain_text("People & roles")
    expect(main.get_by_test_id("stCode")).to_contain_text(
        'python -m sales access grant unowned@agency.example bizdev --owner "NAME AS THE CRM WRITES IT"')
    shot(unowned, "links-bizdev-without-owner")
    unowned.close()
