"""The app in a real browser: every page opens cleanly, a slider moves the score, a file uploads."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import drawn, shot, title
from tests.conftest import ROOT

PAGES = {"": "Overview", "priorities": "Priorities", "funnel": "Funnel", "budget": "Hours billed against budget",
         "whatif": "What-if scoring", "workbench": "Lead workbench", "upload": "Upload exports",
         "reference": "Lead prioritization and the customer lifecycle"}  # path → the page's title


@pytest.mark.parametrize("path", PAGES)
def test_every_page_opens_without_error(page, server, path):
    page.goto(f"{server}/{path}?from=2026-01-01&to=2026-11-24&lead=298")
    exception = page.get_by_test_id("stException")
    drawn(page, title(page, PAGES[path]).or_(exception).first)  # an exception before the title: shown below
    expect(exception).to_have_count(0)
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    expect(page.get_by_test_id("stSidebarNav").get_by_text("Lead workbench")).to_have_count(1)
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Demo data")
    shot(page, f"page-{path or 'overview'}")


def score(page):
    """The What-if page's score (its value, e.g. "6 / 28")."""
    return page.get_by_test_id("stMetric").filter(has_text="Score").first.get_by_test_id("stMetricValue")


def test_moving_a_slider_changes_the_score(page, server):
    page.goto(f"{server}/whatif")
    drawn(page, title(page, "What-if scoring"))
    expect(score(page)).to_have_text("0 / 28")
    slider = page.get_by_test_id("stSlider").filter(has_text="Prestige").get_by_role("slider")
    slider.focus()
    for level in ("0", "1", "2"):  # unknown → 0 → 1 → 2
        slider.press("ArrowRight")
        expect(slider).to_have_attribute("aria-valuetext", level)
    expect(score(page)).to_have_text("6 / 28")
    people = page.get_by_test_id("stSlider").filter(has_text="People profile").get_by_role("slider")
    people.focus()
    people.press("End")
    expect(score(page)).to_have_text("10 / 28")
    expect(page.get_by_test_id("stMetric").filter(has_text="Category")).to_contain_text("Medium")
    shot(page, "whatif-after-sliders")


def test_upload_a_file_and_import_it(page, server):
    page.goto(f"{server}/upload")
    drawn(page, title(page, "Upload exports"))
    page.locator('input[type="file"]').set_input_files(str(ROOT / "tests" / "fixtures" / "toggl.csv"))
    expect(page.get_by_text("Detected:")).to_contain_text("Toggl Track detailed")
    drawn(page, page.get_by_role("button", name=re.compile("Import toggl.csv")))
    page.get_by_role("button", name=re.compile("Import toggl.csv")).click()
    expect(page.get_by_text(re.compile(r"Batch \d+: 3 imported"))).to_be_visible()
    shot(page, "upload-imported")


def test_workbench_tick_and_whatif_save(page, server):
    # Hedera University (lead 298 in the demo) sits at Assess Needs with its needs not yet documented
    page.goto(f"{server}/workbench?lead=298")
    drawn(page, title(page, "Lead workbench"))
    page.get_by_text("Challenges, needs and value proposition are recorded in the CRM").click()
    drawn(page, page.get_by_text("Gate met: the lead moved to"))
    expect(page.get_by_test_id("stMetric").first).to_contain_text("Blueprint")
    shot(page, "workbench-after-tick")

    page.goto(f"{server}/whatif?lead=298")
    drawn(page, title(page, "What-if scoring"))
    expect(score(page)).to_have_text("24 / 28")
    page.get_by_role("button", name="Save as a new assessment").click()
    expect(page.get_by_text("Saved: 24 (High).")).to_be_visible()
