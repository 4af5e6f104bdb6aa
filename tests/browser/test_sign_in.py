"""Sign-in through a local OpenID Connect provider, and what each role sees and may do."""

import re

from tests.browser.conftest import BIZDEV_OWNER, HOSTILE_NAME, shot, wait_idle
from tests.conftest import ROOT


def sign_in(page, server: str, email: str) -> None:
    page.goto(server)
    wait_idle(page)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Email").fill(email)  # the test provider's own form
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(re.escape(server)))
    wait_idle(page)


def nav(page) -> str:
    return page.locator('[data-testid="stSidebarNav"]').inner_text() if page.locator(
        '[data-testid="stSidebarNav"]').count() else ""


def no_data(page) -> None:
    assert page.locator('[data-testid="stMetric"]').count() == 0
    assert page.locator('[data-testid="stDataFrame"]').count() == 0
    for word in ("Overview", "Priorities", "Budget", "Upload", "Demo data"):
        assert word not in nav(page)


def test_an_anonymous_visitor_sees_a_sign_in_button_and_no_data(page, team_server):
    for path in ("", "priorities?lead=298", "upload", "audit"):
        page.goto(f"{team_server}/{path}")
        wait_idle(page)
        assert page.get_by_role("button", name="Sign in").count() == 1
        no_data(page)
        assert "Hedera" not in page.locator('[data-testid="stApp"]').inner_text()
    shot(page, "sign-in")


def test_a_signed_in_person_without_a_role_sees_no_data(page, team_server):
    sign_in(page, team_server, "stranger@elsewhere.example")
    text = page.locator('[data-testid="stApp"]').inner_text()
    assert "No access yet" in text and "stranger@elsewhere.example" in text
    assert "admin@agency.example" in text  # whom to ask
    no_data(page)
    page.goto(f"{team_server}/priorities?lead=298")
    wait_idle(page)
    no_data(page)
    shot(page, "no-role")


def test_a_viewer_sees_dashboards_but_cannot_write_and_signs_out(page, team_server):
    sign_in(page, team_server, "Ana@Viewers.example")  # granted by the domain *@viewers.example
    assert page.locator('[data-testid="stMetric"]').count() >= 4
    menu = nav(page)
    assert "Overview" in menu and "What-if scoring" in menu
    for hidden in ("Upload", "Lead workbench", "People & roles", "Audit trail"):
        assert hidden not in menu
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "Ana@Viewers.example" in sidebar and "viewer" in sidebar
    page.goto(f"{team_server}/whatif?lead=298")
    wait_idle(page)
    assert page.get_by_role("button", name="Save as a new assessment").count() == 0
    page.goto(f"{team_server}/upload")
    wait_idle(page)
    assert page.locator('input[type="file"]').count() == 0
    # a lead named with Markdown and HTML is shown as the text it is
    page.goto(f"{team_server}/priorities?lead=9001")
    wait_idle(page)
    heading = page.locator('[data-testid="stHeading"]').filter(has_text="bold").first
    assert heading.inner_text().strip().replace("\u2060", "") == HOSTILE_NAME  # invisible joiners stop autolinks
    assert page.locator('img[src*="127.0.0.1:9"]').count() == 0
    links = page.locator('[data-testid="stMain"] a[href*="127.0.0.1:9"]')
    assert links.count() == 0, [links.nth(i).evaluate("e => e.outerHTML.slice(0, 300)")
                                for i in range(links.count())]
    shot(page, "viewer-hostile-name")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
    wait_idle(page)
    no_data(page)


def test_bizdev_saves_an_assessment_and_the_admin_imports_undoes_and_audits(browser, team_server):
    bizdev = browser.new_page(viewport={"width": 1400, "height": 1000})
    sign_in(bizdev, team_server, "bizdev@agency.example")  # granted as Bizdev@Agency.example
    assert "Lead workbench" in nav(bizdev) and "Upload" not in nav(bizdev)
    bizdev.goto(f"{team_server}/whatif?lead=298")
    wait_idle(bizdev)
    shown = bizdev.locator('[data-testid="stApp"]').inner_text().replace("\u2060", "")  # see shell.plain
    assert "Saved under your name: bizdev@agency.example" in shown
    bizdev.get_by_role("button", name="Save as a new assessment").click()
    bizdev.get_by_text("Saved: 24 (High).").wait_for(timeout=60_000)
    bizdev.goto(f"{team_server}/priorities?lead=298")
    wait_idle(bizdev)
    tables = bizdev.locator('[data-testid="stDataFrame"]')
    shown = [_grid_text(tables.nth(i)) for i in range(tables.count())]
    # the score history, newest first, names who assessed
    assert any(re.search(r"^\s*\d{4}-\d\d-\d\d \d\d:\d\d\S* bizdev@agency\.example 24 24", t) for t in shown), shown
    shot(bizdev, "bizdev-score-history")
    bizdev.close()

    admin = browser.new_page(viewport={"width": 1400, "height": 1000})
    sign_in(admin, team_server, "admin@agency.example")
    admin.goto(f"{team_server}/upload")
    wait_idle(admin)
    admin.locator('input[type="file"]').set_input_files(str(ROOT / "tests" / "fixtures" / "toggl.csv"))
    admin.get_by_text("Detected:").wait_for(timeout=60_000)
    wait_idle(admin)
    admin.get_by_role("button", name=re.compile("Import toggl.csv")).click()
    batch = admin.get_by_text(re.compile(r"Batch \d+: 3 imported"))
    batch.wait_for(timeout=60_000)
    number = re.search(r"Batch (\d+)", batch.inner_text()).group(1)
    wait_idle(admin)
    admin.get_by_role("button", name="Undo this import").click()
    admin.get_by_text(f"Batch {number} undone").wait_for(timeout=60_000)

    admin.goto(f"{team_server}/audit")
    wait_idle(admin)
    trail = admin.locator('[data-testid="stDataFrame"]').first
    trail.wait_for(timeout=60_000)
    csv = _grid_text(trail)
    assert re.search(r"admin@agency\.example.*undo.*batch " + number, csv)
    assert re.search(r"admin@agency\.example.*import.*toggl\.csv", csv)
    assert re.search(r"bizdev@agency\.example.*assessment.*24 \(High\)", csv)
    shot(admin, "audit-trail")


def _grid_text(frame) -> str:
    """A table's visible rows as text, one line per row (the grid draws on a canvas; its
    accessible table holds the cells, filled a moment after the table scrolls into view)."""
    frame.scroll_into_view_if_needed()
    cells = frame.locator('[role="gridcell"]').filter(has_text=re.compile(r"\S"))
    cells.first.wait_for(state="attached", timeout=30_000)
    rows = frame.locator('[role="row"]')
    return "\n".join(" ".join(rows.nth(i).locator('[role="gridcell"]').all_inner_texts())
                     for i in range(rows.count()))


def _metric(page, label: str) -> int:
    box = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return int(box.locator('[data-testid="stMetricValue"]').inner_text().replace(",", ""))


def test_a_bizdev_lands_on_this_week_logs_a_touch_and_the_follow_up_moves(page, team_server):
    sign_in(page, team_server, "bizdev@agency.example")
    main = page.locator('[data-testid="stMain"]')
    assert main.get_by_role("heading", name="This week").count() == 1  # their landing page
    assert f"lead owner {BIZDEV_OWNER}" in main.inner_text()
    overdue = _metric(page, "Overdue follow-ups")
    assert overdue > 0
    first = main.locator('[data-testid="stHorizontalBlock"]').filter(
        has=page.get_by_role("button", name="Log touch")).first
    lead = first.locator('[data-testid="stText"]').first.inner_text()
    assert "overdue" in first.inner_text()
    first.get_by_role("button", name="Log touch").click()
    page.locator('[data-testid="stToast"]').filter(has_text="logged").wait_for(timeout=60_000)
    wait_idle(page)
    assert _metric(page, "Overdue follow-ups") == overdue - 1
    rows = main.locator('[data-testid="stHorizontalBlock"]').filter(has=page.get_by_role("button", name="Log touch"))
    assert lead not in [rows.nth(i).locator('[data-testid="stText"]').first.inner_text() for i in range(rows.count())]
    shot(page, "this-week-bizdev")
