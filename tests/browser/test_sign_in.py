"""Sign-in through a local OpenID Connect provider, and what each role sees and may do."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import BIZDEV_OWNER, HOSTILE_NAME, NAV, drawn, new_page, shot, title
from tests.conftest import ROOT


def sign_in(page, server: str, email: str) -> None:
    """Through the provider's form; returns once the first page after it is drawn, naming who signed in."""
    page.goto(server)
    drawn(page, page.get_by_role("button", name="Sign in"))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Email").fill(email)  # the test provider's own form
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(re.escape(server)))
    drawn(page, page.get_by_text(re.compile(re.escape(email), re.IGNORECASE)).first)


def nav(page):
    return page.locator(NAV)


def no_data(page) -> None:
    """Nothing of the store on screen: call it once ``drawn`` has proved the page finished drawing."""
    expect(page.get_by_test_id("stMetric")).to_have_count(0)
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
    for word in ("Overview", "Priorities", "Budget", "Upload", "Demo data"):
        expect(nav(page).filter(has_text=word)).to_have_count(0)  # no such entry, or no menu at all


def test_an_anonymous_visitor_sees_a_sign_in_button_and_no_data(page, team_server):
    for path in ("", "priorities?lead=298", "upload", "audit"):
        page.goto(f"{team_server}/{path}")
        drawn(page, page.get_by_role("button", name="Sign in"))
        expect(page.get_by_role("button", name="Sign in")).to_have_count(1)
        no_data(page)
        expect(page.get_by_test_id("stApp")).not_to_contain_text("Hedera")
    shot(page, "sign-in")


def test_a_signed_in_person_without_a_role_sees_no_data(page, team_server):
    sign_in(page, team_server, "stranger@elsewhere.example")
    app = page.get_by_test_id("stApp")
    expect(title(page, "No access yet")).to_be_visible()
    expect(app).to_contain_text("stranger@elsewhere.example")
    expect(app).to_contain_text("admin@agency.example")  # whom to ask
    no_data(page)
    page.goto(f"{team_server}/priorities?lead=298")
    drawn(page, title(page, "No access yet"))
    no_data(page)
    shot(page, "no-role")


def test_a_viewer_sees_dashboards_but_cannot_write_and_signs_out(page, team_server):
    sign_in(page, team_server, "Ana@Viewers.example")  # granted by the domain *@viewers.example
    expect(page.get_by_test_id("stMetric").nth(3)).to_be_visible()  # at least four
    menu = nav(page)
    expect(menu).to_contain_text("Overview")
    expect(menu).to_contain_text("What-if scoring")
    for hidden in ("Upload", "Lead workbench", "People & roles", "Audit trail"):
        expect(menu).not_to_contain_text(hidden)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_contain_text("Ana@Viewers.example")
    expect(sidebar).to_contain_text("viewer")
    page.goto(f"{team_server}/whatif?lead=298")
    drawn(page, title(page, "What-if scoring"))
    expect(page.get_by_role("button", name="Save as a new assessment")).to_have_count(0)
    page.goto(f"{team_server}/upload")  # not theirs: which role it needs (tests/browser/test_links.py)
    drawn(page, title(page, "Upload"))
    expect(page.locator('input[type="file"]')).to_have_count(0)
    # a lead named with Markdown and HTML is shown as the text it is
    page.goto(f"{team_server}/priorities?lead=9001")
    heading = page.get_by_test_id("stHeading").filter(has_text="bold").first
    drawn(page, title(page, "Priorities"), heading)
    assert heading.inner_text().strip().replace("\u2060", "") == HOSTILE_NAME  # invisible joiners stop autolinks
    expect(page.locator('img[src*="127.0.0.1:9"]')).to_have_count(0)
    expect(page.locator('[data-testid="stMain"] a[href*="127.0.0.1:9"]')).to_have_count(0)
    shot(page, "viewer-hostile-name")
    page.get_by_role("button", name="Sign out").click()
    drawn(page, page.get_by_role("button", name="Sign in"))
    no_data(page)


def test_bizdev_saves_an_assessment_and_the_admin_imports_undoes_and_audits(browser, team_server):
    bizdev = new_page(browser)
    sign_in(bizdev, team_server, "bizdev@agency.example")  # granted as Bizdev@Agency.example
    expect(nav(bizdev)).to_contain_text("Lead workbench")
    expect(nav(bizdev)).not_to_contain_text("Upload")
    bizdev.goto(f"{team_server}/whatif?lead=298")
    drawn(bizdev, title(bizdev, "What-if scoring"))
    expect(bizdev.get_by_test_id("stApp")).to_contain_text(  # see shell.plain: joiners after "@"
        re.compile("Saved under your name: bizdev@\u2060*agency\u2060*\\.example"))
    bizdev.get_by_role("button", name="Save as a new assessment").click()
    expect(bizdev.get_by_text("Saved: 24 (High).")).to_be_visible()
    bizdev.goto(f"{team_server}/priorities?lead=298")
    drawn(bizdev, title(bizdev, "Priorities"))
    history = bizdev.get_by_test_id("stColumn").filter(has_text="Score history").get_by_test_id("stDataFrame")
    # the score history, newest first, names who assessed
    expect(_rows(history).first).to_have_text(
        re.compile(r"^\s*\d{4}-\d\d-\d\d \d\d:\d\d\S*?\s*bizdev@agency\.example\s*24\s*24"))
    shot(bizdev, "bizdev-score-history")
    bizdev.close()

    admin = new_page(browser)
    sign_in(admin, team_server, "admin@agency.example")
    admin.goto(f"{team_server}/upload")
    drawn(admin, title(admin, "Upload exports"))
    admin.locator('input[type="file"]').set_input_files(str(ROOT / "tests" / "fixtures" / "toggl.csv"))
    drawn(admin, admin.get_by_role("button", name=re.compile("Import toggl.csv")))
    admin.get_by_role("button", name=re.compile("Import toggl.csv")).click()
    batch = admin.get_by_text(re.compile(r"Batch \d+: 3 imported"))
    drawn(admin, batch)  # and the run finished: the history below lists the new batch for Undo
    number = re.search(r"Batch (\d+)", batch.inner_text()).group(1)
    admin.get_by_role("button", name="Undo this import").click()
    expect(admin.get_by_text(re.compile(r"Undo the import of toggl\.csv \(\d+ \w+, 4 time entries\): removes 3 "
                                        r"time entries"))).to_be_visible()  # asked before anything goes
    admin.get_by_role("button", name="Yes, undo it").click()
    expect(admin.get_by_text(f"Batch {number} undone")).to_be_visible()

    admin.goto(f"{team_server}/audit")
    drawn(admin, title(admin, "Audit trail"))
    trail = admin.get_by_test_id("stDataFrame").first
    for line in (r"admin@agency\.example.*undo.*batch " + number, r"admin@agency\.example.*import.*toggl\.csv",
                 r"bizdev@agency\.example.*assessment.*24 \(High\)"):
        expect(_rows(trail).filter(has_text=re.compile(line)).first).to_be_attached()
    shot(admin, "audit-trail")


def _rows(frame):
    """A table's visible data rows (the grid draws on a canvas; its accessible table holds the cells, one
    row element each, filled a moment after the table scrolls into view). A row's text is its cells' texts
    run together."""
    frame.scroll_into_view_if_needed()
    return frame.locator('[role="row"]').filter(has=frame.page.locator('[role="gridcell"]'))


def _metric(page, label: str):
    """A metric's value once drawn (the element can be there before its text)."""
    value = page.get_by_test_id("stMetric").filter(has_text=label).first.get_by_test_id("stMetricValue")
    expect(value).to_have_text(re.compile(r"\S"))
    return value


def test_a_bizdev_lands_on_this_week_logs_a_contact_the_follow_up_moves_and_undo_brings_it_back(page, team_server):
    sign_in(page, team_server, "bizdev@agency.example")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="This week")).to_have_count(1)  # their landing page
    expect(main).to_contain_text(f"lead owner {BIZDEV_OWNER}")
    overdue = int(_metric(page, "Overdue follow-ups").inner_text().replace(",", ""))
    assert overdue > 0
    rows = main.get_by_test_id("stHorizontalBlock").filter(has=page.get_by_role("button", name="Log contact"))
    first = rows.first
    lead = first.get_by_test_id("stText").first.inner_text()
    expect(first).to_contain_text("overdue")

    def log_contact(note: str) -> None:
        first.get_by_role("button", name="Log contact").click()  # a popover: a channel and a note
        # the open popover: one opened before may still be in the page, hidden
        form = page.get_by_test_id("stPopoverBody").filter(has=page.get_by_role("radiogroup"), visible=True)
        form.get_by_role("radiogroup", name="Channel").get_by_text("Call", exact=True).click()
        form.get_by_role("textbox").fill(note)
        form.get_by_role("button", name="Log contact").click()
        expect(main.get_by_test_id("stAlertContentSuccess")).to_contain_text(f"Contact with {lead} logged (call).")

    log_contact("Wrong lead")
    main.get_by_role("button", name="Undo").click()  # shown for a few seconds after the contact
    expect(main.get_by_test_id("stAlertContentInfo")).to_contain_text("Undone: Contact by call: Wrong lead")
    expect(_metric(page, "Overdue follow-ups")).to_have_text(f"{overdue:,}")
    log_contact("Asked about the pilot")
    expect(_metric(page, "Overdue follow-ups")).to_have_text(f"{overdue - 1:,}")
    drawn(page)  # the run that drew the new count has finished: every row is its own
    names = rows.locator('xpath=.//*[@data-testid="stText"][1]')
    expect(names.filter(has_text=re.compile(f"^{re.escape(lead)}$"))).to_have_count(0)
    shot(page, "this-week-bizdev")
