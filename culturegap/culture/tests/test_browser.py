"""A CRP answers the culture survey on a phone with the keyboard alone; the executive reads the
results."""

import datetime
import os
from pathlib import Path

import pytest

from culturegap.culture.models import Participation, Response
from culturegap.culture.tests.factories import add_answers, make_wave
from culturegap.org.tests.factories import TeamFactory
from culturegap.tests.browser import follow_menu, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("CULTUREGAP_SCREENSHOTS", "/tmp/culturegap-screenshots"))
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def waves(company, staff):
    """Two closed waves with sales, two CRP teams and a team of four, and an open wave."""
    sales, service = staff["sales"].team, staff["crp"].team
    tax = TeamFactory(company=company, name="Tax", kind="professional")
    tiny = TeamFactory(company=company, name="Tiny Support", kind="support")
    first = make_wave(company, name="Before the rollout", opened_on=datetime.date(2026, 1, 5))
    add_answers(first, sales, [(4.4, 4.2, 3.4)] * 6)
    add_answers(first, service, [(2.8, 2.6, 3.0)] * 5, open_answer="Shared client notes")
    add_answers(first, tax, [(3.0, 2.8, 2.9)] * 7)
    add_answers(first, tiny, [(1, 1, 1)] * 4, open_answer="Only four of us")
    second = make_wave(company, name="After the rollout", opened_on=datetime.date(2026, 6, 1))
    add_answers(second, sales, [(4.3, 4.2, 3.7)] * 6)
    add_answers(second, service, [(3.9, 3.8, 3.6)] * 5)
    add_answers(second, tax, [(3.1, 2.9, 3.0)] * 7)
    return make_wave(
        company, name="Autumn survey", opened_on=datetime.date(2026, 9, 1), closed=False
    )


@pytest.mark.parametrize("page", [PHONE], indirect=True, ids=["phone"])
def test_a_crp_answers_by_keyboard_on_a_phone(page, page_errors, staff, waves):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, staff["crp"].email)
    follow_menu(page, "Culture survey", exact=False)
    page.get_by_role("heading", name="Autumn survey").wait_for()
    page.screenshot(path=SCREENSHOTS / "culture-survey-375.png", full_page=True)
    statements = waves.statements
    # Each statement with the keyboard alone: Tab into its scale, arrows to "4 Agree".
    page.locator(f"#id_{statements[0]['key']}_0").focus()
    for index in range(len(statements)):
        if index:
            page.keyboard.press("Tab")
        for _ in range(3):
            page.keyboard.press("ArrowRight")
    for item in statements:
        assert page.locator(f"#id_{item['key']}_3").is_checked(), item["key"]
    page.keyboard.press("Tab")
    page.keyboard.type("Joint visits with sales")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Thank you").wait_for()
    page.screenshot(path=SCREENSHOTS / "culture-survey-thanks-375.png", full_page=True)
    assert page.get_by_role("radio").count() == 0
    assert page.get_by_role("link", name="Culture survey").count() == 0
    answer = Response.objects.get(wave=waves)
    assert (answer.vision, answer.strategy, answer.behaviours) == (4.0, 4.0, 4.0)
    assert answer.open_answer == "Joint visits with sales"
    assert Participation.objects.filter(wave=waves, person=staff["crp"]).exists()
    # The page fits the phone: nothing wider than the viewport.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page_errors == [], page_errors


def test_the_executive_reads_the_results(page, page_errors, staff, waves):
    width = page.viewport_size["width"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, staff["executive"].email)
    page.goto("/culture/results/")
    page.get_by_role("heading", name="Culture gap", exact=True).wait_for()
    page.locator(".chart .main-svg").first.wait_for()
    page.wait_for_timeout(300)
    page.screenshot(path=SCREENSHOTS / f"culture-results-{width}.png", full_page=True)
    body = page.locator("main").inner_text()
    assert "Only four of us" not in body and "Shared client notes" not in body  # later wave
    # The small team did not answer the newest closed wave: no row for it.
    assert page.get_by_role("cell", name="fewer than 5").count() == 0
    page.get_by_label("Wave", exact=True).select_option(label="Before the rollout")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("cell", name="fewer than 5").wait_for()
    assert "Shared client notes" in page.locator("main").inner_text()
    assert "Only four of us" not in page.locator("main").inner_text()
    page.screenshot(path=SCREENSHOTS / f"culture-results-before-{width}.png", full_page=True)
    heatmap = page.get_by_role("img", name="Heatmap of the mean score of each team")
    heatmap.screenshot(path=SCREENSHOTS / f"culture-heatmap-{width}.png")
    assert page_errors == [], page_errors
