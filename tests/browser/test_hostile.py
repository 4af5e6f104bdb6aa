"""Broken uploads, bad links and the command line beside a running dashboard, in a real browser."""

import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import drawn, rss_mb, shot, title
from tests.conftest import ROOT

FIX = ROOT / "tests" / "fixtures"
BATCH = re.compile(r"Batch \d+: \d+ imported")


def _file_box(page, name: str):
    """The bordered box the Upload page draws for one file (the innermost block holding its Import button)."""
    return page.get_by_test_id("stVerticalBlock").filter(
        has=page.get_by_role("button", name=f"Import {name}")).last


def test_an_unreadable_file_between_two_good_ones_stops_nothing(page, own_server, tmp_path):
    url, _ = own_server
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)  # a spreadsheet saved with a .csv name
    page.goto(f"{url}/upload")
    drawn(page, title(page, "Upload exports"))
    page.locator('input[type="file"]').set_input_files([str(FIX / "toggl.csv"), str(broken),
                                                         str(FIX / "clockify.csv")])
    drawn(page, page.get_by_text("Detected: Clockify"), page.get_by_role("button", name="Import clockify.csv"))
    app = page.get_by_test_id("stApp")
    expect(app).to_contain_text("Detected: Toggl Track detailed")
    expect(app).to_contain_text(re.compile(r"broken\\?\.csv: this is a binary file"))
    expect(page.get_by_test_id("stException")).to_have_count(0)
    for name in ("toggl.csv", "clockify.csv"):
        box = _file_box(page, name)
        box.get_by_role("button", name=f"Import {name}").click()
        drawn(page, box.get_by_text(BATCH))  # this file's own message, not the one before
    expect(page.get_by_text("Import history")).to_have_count(1)
    shot(page, "upload-three-files")


BAD_LINKS = ["budget?to=9999-12-31", "overview?category=Bogus", "priorities?category=high&lead=%C2%B2",
             "funnel?from=0001-01-01", "priorities?lead=99999999"]


@pytest.mark.parametrize("link", BAD_LINKS)
def test_a_bad_link_shows_a_notice_and_no_exception(page, server, link):
    before = rss_mb(server)
    page.goto(f"{server}/{link}")
    main = page.get_by_test_id("stMain")
    drawn(page, main.get_by_text(re.compile(r"Link\\?:|No lead 99999999")).first)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(main).not_to_contain_text("Traceback")
    assert rss_mb(server) - before < 300  # the 9999-12-31 link once took 3 GB


def _entries(page) -> int:
    """The sidebar's count of time entries, once drawn."""
    caption = page.get_by_test_id("stSidebar").get_by_text(re.compile(r"[\d,]+ time entries"))
    expect(caption).to_be_visible()
    return int(re.search(r"([\d,]+) time entries", caption.inner_text()).group(1).replace(",", ""))


def test_a_command_line_import_beside_the_running_dashboard(page, own_server):
    url, db = own_server
    page.goto(f"{url}/budget")
    drawn(page, title(page, "Hours billed against budget"))
    entries = _entries(page)
    r = subprocess.run([sys.executable, "-m", "sales", "import", str(FIX / "tempo.csv"), "--db", str(db)],
                       cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr
    page.reload()
    drawn(page, title(page, "Hours billed against budget"))
    expect(page.get_by_test_id("stSidebar")).to_contain_text(f"{entries + 4:,} time entries")  # tempo.csv: four
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_tables_offer_only_the_formula_safe_download(page, server):
    page.goto(f"{server}/priorities")
    drawn(page, title(page, "Priorities"))
    table = page.get_by_test_id("stDataFrame").first
    table.hover()
    toolbar = page.locator('[data-testid="stElementContainer"]:has([data-testid="stDataFrame"]) '
                           '[data-testid="stElementToolbar"]').first
    expect(toolbar).to_be_visible()
    buttons = toolbar.get_by_role("button")
    expect(buttons.first).to_be_visible()
    labels = [b.get_attribute("aria-label") or "" for b in buttons.all()]
    assert labels and not any("Download" in label for label in labels), labels
    expect(page.get_by_role("button", name="Download CSV").first).to_be_visible()


def test_an_unknown_layout_is_named_once_then_recognised(page, own_server):
    url, _ = own_server
    page.goto(f"{url}/upload")
    drawn(page, title(page, "Upload exports"))
    page.locator('input[type="file"]').set_input_files(str(FIX / "worklog_other_app.csv"))
    expect(page.get_by_text("the header matches no known layout")).to_be_visible()
    # the proposal filled the required columns from the names and values, so the preview is there
    drawn(page, page.get_by_role("button", name="Import worklog_other_app.csv"))
    used = re.search(r"Columns used: (.*)", page.get_by_text(re.compile("^Columns used: ")).inner_text())
    assert set(used.group(1).replace("\\", "").split(", ")) == {"Worklog date", "Logged by", "Time spent (h)",
                                                              "Issue", "Worklog comment"}
    page.get_by_role("button", name="Import worklog_other_app.csv").click()
    drawn(page, page.get_by_text(re.compile(r"Batch \d+: 2 imported")))
    page.goto(f"{url}/upload")  # a new visit: the second file with the same columns
    drawn(page, title(page, "Upload exports"))
    page.locator('input[type="file"]').set_input_files(str(FIX / "worklog_other_app_july.csv"))
    drawn(page, page.get_by_text("Recognised: saved time mapping"),
          page.get_by_role("button", name="Import worklog_other_app_july.csv"))
    expect(page.get_by_text("the header matches no known layout")).to_have_count(0)
    page.get_by_role("button", name="Import worklog_other_app_july.csv").click()
    expect(page.get_by_text(re.compile(r"Batch \d+: 2 imported"))).to_be_visible()
    shot(page, "upload-saved-mapping")
