"""A CRP does their drill on a phone (and a desktop): one question at a time, answered inline."""

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone

from culturegap.reinforcement import services
from culturegap.reinforcement.models import Review
from culturegap.reinforcement.tests.factories import answer, card, make_question
from culturegap.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("CULTUREGAP_SCREENSHOTS", "/tmp/culturegap-screenshots"))


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=SCREENSHOTS / f"drill-{name}-{width}.png", full_page=True)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_crp_does_the_daily_drill(page, page_errors, staff):
    crp = staff["crp"]
    now = timezone.now()
    scenarios = [
        "A client rings about a late invoice and sounds annoyed.",
        "A client mentions they are hiring their first employee next month.",
        "A client asks why their bill went up this year.",
    ]
    for n, (skill, scenario) in enumerate(
        zip(("listen", "discover", "open"), scenarios, strict=True)
    ):
        card(
            crp,
            make_question(crp.company, skill=skill, scenario=scenario),
            due=now - datetime.timedelta(hours=n + 1),
        )

    sign_in(page, crp.email)
    page.get_by_role("link", name="Your drill: 3 questions due (about 1 minute)").click()
    page.get_by_text("Question 1 of 3").wait_for()
    assert fits_the_screen(page)
    shot(page, "question")

    # First question: a confident wrong answer.
    page.get_by_text("Offer a discount").click()
    page.get_by_text("Check my answer").click()
    page.get_by_role("heading", name="Not quite").wait_for()
    assert page.get_by_text("comes back tomorrow").is_visible()
    assert page.get_by_text("A better answer").is_visible()
    shot(page, "feedback-wrong")

    # The other two: right, the second one guessed.
    for position, guessed in ((2, True), (3, False)):
        page.get_by_role("link", name="Next question").click()
        page.get_by_text(f"Question {position} of 3").wait_for()
        page.get_by_text("Ask what happened").click()
        if guessed:
            page.get_by_text("I'm guessing").click()
        page.get_by_text("Check my answer").click()
        page.get_by_role("heading", name="Right").wait_for()
    shot(page, "feedback-right")

    page.get_by_role("link", name="Finish").click()
    page.get_by_role("heading", name="Done for today").wait_for()
    assert page.get_by_text("got 2 right").is_visible()
    assert fits_the_screen(page)
    shot(page, "done")

    # Wrong → Again; right but guessed → Hard; right, sure and (a robot is) fast → Easy.
    assert sorted(Review.objects.values_list("rating", flat=True)) == [1, 2, 4]
    assert page_errors == [], page_errors


def test_my_retention_page_draws_its_charts(page, page_errors, staff):
    crp = staff["crp"]
    now = timezone.now()
    for skill, right in (("listen", True), ("discover", False), ("open", True)):
        question = make_question(crp.company, skill=skill)
        for days in (60, 40, 20):
            moment = now - datetime.timedelta(days=days)
            services.review_from_answer(answer=answer(crp, question, right=right, at=moment))
    sign_in(page, crp.email)
    page.goto("/drill/retention/")
    page.locator(".chart .main-svg").first.wait_for()
    assert fits_the_screen(page)
    shot(page, "retention")
    assert page_errors == [], page_errors
