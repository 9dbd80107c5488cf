"""Each role signs in through the browser and lands on a home page that says what to do."""

import os
from pathlib import Path

import pytest

from culturegap.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("CULTUREGAP_SCREENSHOTS", "/tmp/culturegap-screenshots"))

HEADINGS = {
    "executive": "The company at a glance",
    "admin": "Set up and run the program",
    "manager": "Coach your teams",
    "crp": "Your few minutes today",
    "sales": "Your customers",
}


@pytest.mark.parametrize("role", sorted(HEADINGS))
def test_role_signs_in_and_sees_today(page, page_errors, staff, role):
    sign_in(page, staff[role].email)
    page.get_by_role("heading", name=HEADINGS[role]).wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=SCREENSHOTS / f"today-{role}-{width}.png", full_page=True)
    assert page_errors == [], page_errors


def test_wrong_password_shows_an_error(page, staff):
    sign_in(page, "crp@acme.test", password="wrong-password", wait=False)
    assert page.get_by_role("alert").is_visible()


def test_login_form_works_with_the_keyboard_only(page, staff):
    page.goto("/accounts/login/")
    page.keyboard.type("crp@acme.test")  # the e-mail field has focus on arrival
    page.keyboard.press("Tab")
    page.keyboard.type("a-long-test-password")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=HEADINGS["crp"]).wait_for()
