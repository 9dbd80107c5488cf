"""A customer answers the loyalty survey in the browser, and the executive sees the NPS move."""

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone

from culturegap.loyalty import selectors
from culturegap.loyalty.tests.conftest import answer
from culturegap.opportunities.models import Opportunity
from culturegap.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("CULTUREGAP_SCREENSHOTS", "/tmp/culturegap-screenshots"))


def nps_shown(page) -> str:
    return (
        page.locator(".stat")
        .filter(has=page.locator("dt", has_text="NPS"))
        .first.locator("dd")
        .inner_text()
    )


def test_a_customer_answers_and_the_executive_sees_the_nps_change(
    page, page_errors, staff, book, campaign
):
    # Yew answered 0 yesterday: the NPS is −100 before Zephyr answers.
    answer(campaign, book.yew, 0, timezone.localdate() - datetime.timedelta(days=1))
    assert selectors.company_nps(company=book.zephyr.company).nps == -100
    width = page.viewport_size["width"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"/loyalty/s/{campaign.links['Zephyr Joinery']}/")
    page.get_by_role("heading", name="Acme Advisers would like your opinion").wait_for()
    page.screenshot(path=SCREENSHOTS / f"loyalty-survey-{width}.png", full_page=True)
    # The score with the keyboard alone: focus the scale, then arrow keys move along it.
    page.get_by_role("radio", name="0 – not at all likely").focus()
    for _ in range(9):
        page.keyboard.press("ArrowRight")
    assert page.get_by_role("radio", name="9", exact=True).is_checked()
    page.keyboard.press("Tab")
    page.keyboard.type("You answer the phone and know our business.")
    page.get_by_label("Payroll").check()
    page.get_by_role("button", name="Send my answer").click()
    page.get_by_role("heading", name="Thank you for your answer").wait_for()
    page.screenshot(path=SCREENSHOTS / f"loyalty-survey-thanks-{width}.png", full_page=True)

    # The link has been used: it says so, and offers no form.
    page.goto(f"/loyalty/s/{campaign.links['Zephyr Joinery']}/")
    page.get_by_role("heading", name="Thank you, we already have your answer").wait_for()
    assert page.get_by_role("radio").count() == 0
    opportunity = Opportunity.objects.get(customer=book.zephyr)
    assert opportunity.owner == staff["sales"] and opportunity.service == book.payroll

    sign_in(page, staff["executive"].email)
    page.get_by_role("heading", name="The company at a glance").wait_for()
    page.goto("/loyalty/")
    page.get_by_role("heading", name="Customer loyalty").wait_for()
    # 9 and 0: 50 % promoters − 50 % detractors = 0.
    assert nps_shown(page) == "0.0"  # NPS is written to one decimal
    page.locator(".chart .main-svg").first.wait_for()
    page.screenshot(path=SCREENSHOTS / f"loyalty-dashboard-{width}.png", full_page=True)
    assert page_errors == [], page_errors


def test_an_unknown_link_shows_a_clear_page(page, campaign):
    response = page.goto("/loyalty/s/this-is-not-a-real-link/")
    assert response.status == 404
    page.get_by_role("heading", name="This survey link is not valid").wait_for()
