"""The executive opens the dashboard of a small demo company in the browser, at desktop and
phone widths; the screenshots land in /tmp/culturegap-screenshots/."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from culturegap.demo.company import seed_demo_company
from culturegap.org.demo import DEMO_EMAILS, DEMO_PASSWORD
from culturegap.org.models import Role
from culturegap.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("CULTUREGAP_SCREENSHOTS", "/tmp/culturegap-screenshots"))


def test_the_executive_reads_the_demo_dashboard(page, page_errors):
    seed_demo_company(people=120, customers=600, seed=7)
    sign_in(page, DEMO_EMAILS[Role.EXECUTIVE], DEMO_PASSWORD)
    page.get_by_role("link", name="Dashboard").first.click()
    page.get_by_role("heading", name="Is the gap closing, and is it paying?").wait_for()
    page.get_by_role("heading", name="What the training changed").wait_for()
    # Every chart drawn (Plotly draws them one after the other) before the screenshots.
    charts = page.locator(".chart").count()
    assert charts >= 3
    expect(page.locator(".chart .svg-container")).to_have_count(charts)
    page.wait_for_timeout(500)
    width = page.viewport_size["width"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"dashboard-{width}.png", full_page=True)
    for section in ("culture", "training", "impact"):
        page.locator(f"section[aria-labelledby={section}]").screenshot(
            path=SCREENSHOTS / f"dashboard-{section}-{width}.png"
        )
    # The page never scrolls sideways: wide tables scroll inside their own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # Filters are plain GET parameters, so a view can be linked; the form shows them.
    page.goto("/dashboard/?period=24m")
    assert page.get_by_label("Period").input_value() == "24m"
    assert page_errors == [], page_errors
