"""Each role's Today page in Chromium, on a desktop and a phone: every task says what and when,
nothing scrolls sideways, and a screenshot of each is kept to look at."""

import pytest

from culturegap.org.models import Role
from culturegap.tests.browser import sign_in, wait_for_answers
from culturegap.tests.journeys.browser import SCREENSHOTS, fits_the_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADINGS = {
    Role.EXECUTIVE: "The company at a glance",
    Role.ADMIN: "Set up and run the program",
    Role.MANAGER: "Coach your teams",
    Role.CRP: "Your few minutes today",
    Role.SALES: "Your customers",
}


@pytest.mark.parametrize("role", Role.values)
def test_each_role_reads_what_to_do_and_when_on_the_today_page(
    page, page_errors, staff, busy, role
):
    sign_in(page, staff[role].email)
    page.get_by_role("heading", name=HEADINGS[role]).wait_for()
    if role == Role.CRP:
        page.get_by_role("link", name="Take the final check of Communication essentials").wait_for()
        assert "— overdue" in page.locator("ul.todo").inner_text()
        page.get_by_text("Needs you passed on: 3 so far").wait_for()
    assert fits_the_screen(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=SCREENSHOTS / f"today-{role}-{width}.png", full_page=True)
    wait_for_answers(page)
    assert page_errors == [], page_errors


def test_a_learner_opens_how_retention_is_computed_one_click_away(page, page_errors, staff, busy):
    sign_in(page, staff["crp"].email)
    page.goto("/drill/retention/")
    page.get_by_text("How is this computed?").click()
    page.get_by_role("link", name="The memory model in full").click()
    page.get_by_role("heading", name="The memory model: retention and the drill").wait_for()
    assert page.url.endswith("#memory-model")
    assert fits_the_screen(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=SCREENSHOTS / f"how-computed-{page.viewport_size['width']}.png", full_page=True
    )
    wait_for_answers(page)
    assert page_errors == [], page_errors
