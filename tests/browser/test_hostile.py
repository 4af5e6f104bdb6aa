"""Broken uploads, bad links and the command line beside a running dashboard, in a real browser."""

import re
import subprocess
import sys

import pytest

from tests.browser.conftest import rss_mb, shot, wait_idle
from tests.conftest import ROOT

FIX = ROOT / "tests" / "fixtures"


def test_an_unreadable_file_between_two_good_ones_stops_nothing(page, own_server, tmp_path):
    url, _ = own_server
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)  # a spreadsheet saved with a .csv name
    page.goto(f"{url}/upload")
    wait_idle(page)
    page.locator('input[type="file"]').set_input_files([str(FIX / "toggl.csv"), str(broken),
                                                         str(FIX / "clockify.csv")])
    page.get_by_text("Detected: Clockify").wait_for(timeout=60_000)
    wait_idle(page)
    app = page.locator('[data-testid="stApp"]')
    assert "Detected: Toggl Track detailed" in app.inner_text()
    assert "broken.csv: this is a binary file" in app.inner_text().replace("\\", "")
    assert page.locator('[data-testid="stException"]').count() == 0
    for name in ("toggl.csv", "clockify.csv"):
        page.get_by_role("button", name=f"Import {name}").click()
        page.get_by_text(re.compile(r"Batch \d+: \d+ imported")).last.wait_for(timeout=60_000)
        wait_idle(page)
    assert page.get_by_text("Import history").count() == 1
    shot(page, "upload-three-files")


BAD_LINKS = ["budget?to=9999-12-31", "overview?category=Bogus", "priorities?category=high&lead=%C2%B2",
             "funnel?from=0001-01-01", "priorities?lead=99999999"]


@pytest.mark.parametrize("link", BAD_LINKS)
def test_a_bad_link_shows_a_notice_and_no_exception(page, server, link):
    before = rss_mb(server)
    page.goto(f"{server}/{link}")
    wait_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    text = page.locator('[data-testid="stMain"]').inner_text().replace("\\", "")
    assert "Link:" in text or "No lead 99999999" in text
    assert "Traceback" not in text
    assert rss_mb(server) - before < 300  # the 9999-12-31 link once took 3 GB


def test_a_command_line_import_beside_the_running_dashboard(page, own_server):
    url, db = own_server
    page.goto(f"{url}/budget")
    wait_idle(page)
    before = page.locator('[data-testid="stSidebar"]').inner_text()
    entries = int(re.search(r"([\d,]+) time entries", before).group(1).replace(",", ""))
    r = subprocess.run([sys.executable, "-m", "sales", "import", str(FIX / "tempo.csv"), "--db", str(db)],
                       cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr
    page.reload()
    wait_idle(page)
    after = page.locator('[data-testid="stSidebar"]').inner_text()
    assert f"{entries + 4:,} time entries" in after  # tempo.csv holds four entries
    assert page.locator('[data-testid="stException"]').count() == 0


def test_tables_offer_only_the_formula_safe_download(page, server):
    page.goto(f"{server}/priorities")
    wait_idle(page)
    table = page.locator('[data-testid="stDataFrame"]').first
    table.hover()
    page.wait_for_timeout(500)
    toolbar = page.locator('[data-testid="stElementContainer"]:has([data-testid="stDataFrame"]) '
                           '[data-testid="stElementToolbar"]').first
    assert toolbar.count() == 1
    labels = [b.get_attribute("aria-label") or "" for b in toolbar.get_by_role("button").all()]
    assert labels and not any("Download" in label for label in labels), labels
    assert page.get_by_role("button", name="Download CSV").count() >= 1


def test_an_unknown_layout_is_named_once_then_recognised(page, own_server):
    url, _ = own_server
    page.goto(f"{url}/upload")
    wait_idle(page)
    page.locator('input[type="file"]').set_input_files(str(FIX / "worklog_other_app.csv"))
    page.get_by_text("the header matches no known layout").wait_for(timeout=60_000)
    wait_idle(page)
    # the proposal filled the required columns from the names and values, so the preview is there
    page.get_by_role("button", name="Import worklog_other_app.csv").wait_for(timeout=60_000)
    used = re.search(r"Columns used: (.*)", page.locator('[data-testid="stMain"]').inner_text().replace("\\", ""))
    assert set(used.group(1).split(", ")) == {"Worklog date", "Logged by", "Time spent (h)", "Issue",
                                              "Worklog comment"}
    page.get_by_role("button", name="Import worklog_other_app.csv").click()
    page.get_by_text(re.compile(r"Batch \d+: 2 imported")).wait_for(timeout=60_000)
    wait_idle(page)
    page.goto(f"{url}/upload")  # a new visit: the second file with the same columns
    wait_idle(page)
    page.locator('input[type="file"]').set_input_files(str(FIX / "worklog_other_app_july.csv"))
    page.get_by_text("Recognised: saved time mapping").wait_for(timeout=60_000)
    wait_idle(page)
    assert page.get_by_text("the header matches no known layout").count() == 0
    page.get_by_role("button", name="Import worklog_other_app_july.csv").click()
    page.get_by_text(re.compile(r"Batch \d+: 2 imported")).wait_for(timeout=60_000)
    shot(page, "upload-saved-mapping")
