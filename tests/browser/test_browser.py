"""The app in a real browser: every page opens cleanly, a slider moves the score, a file uploads."""

import re

import pytest

from tests.browser.conftest import shot, wait_idle
from tests.conftest import ROOT

PAGES = ["", "priorities", "funnel", "budget", "whatif", "workbench", "upload", "reference"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_opens_without_error(page, server, path):
    page.goto(f"{server}/{path}?from=2026-01-01&to=2026-11-24&lead=298")
    wait_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    assert page.locator('[data-testid="stSidebarNav"]').get_by_text("Lead workbench").count() == 1
    assert "Demo data" in page.locator('[data-testid="stSidebar"]').inner_text()
    shot(page, f"page-{path or 'overview'}")


def score(page) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Score").first
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


def test_moving_a_slider_changes_the_score(page, server):
    page.goto(f"{server}/whatif")
    wait_idle(page)
    assert score(page) == "0 / 28"
    slider = page.locator('[data-testid="stSlider"]').filter(has_text="Prestige").get_by_role("slider")
    slider.focus()
    for _ in range(3):  # unknown → 0 → 1 → 2
        slider.press("ArrowRight")
        wait_idle(page)
    assert score(page) == "6 / 28"
    people = page.locator('[data-testid="stSlider"]').filter(has_text="People profile").get_by_role("slider")
    people.focus()
    people.press("End")
    wait_idle(page)
    assert score(page) == "10 / 28"
    assert "Medium" in page.locator('[data-testid="stMetric"]').filter(has_text="Category").inner_text()
    shot(page, "whatif-after-sliders")


def test_upload_a_file_and_import_it(page, server):
    page.goto(f"{server}/upload")
    wait_idle(page)
    page.locator('input[type="file"]').set_input_files(str(ROOT / "tests" / "fixtures" / "toggl.csv"))
    page.get_by_text("Detected:").wait_for(timeout=60_000)
    wait_idle(page)
    assert "Toggl Track detailed" in page.get_by_text("Detected:").inner_text()
    page.get_by_role("button", name=re.compile("Import toggl.csv")).click()
    page.get_by_text(re.compile(r"Batch \d+: 3 imported")).wait_for(timeout=60_000)
    shot(page, "upload-imported")


def test_workbench_tick_and_whatif_save(page, server):
    # Hedera University (lead 298 in the demo) sits at Assess Needs with its needs not yet documented
    page.goto(f"{server}/workbench?lead=298")
    wait_idle(page)
    page.get_by_text("Challenges, needs and value proposition are recorded in the CRM").click()
    page.get_by_text("Gate met: the lead moved to").wait_for(timeout=60_000)
    wait_idle(page)
    assert "Blueprint" in page.locator('[data-testid="stMetric"]').first.inner_text()
    shot(page, "workbench-after-tick")

    page.goto(f"{server}/whatif?lead=298")
    wait_idle(page)
    assert score(page) == "24 / 28"
    page.get_by_role("button", name="Save as a new assessment").click()
    page.get_by_text("Saved: 24 (High).").wait_for(timeout=60_000)
