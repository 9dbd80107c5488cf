"""A CRP's learning day in Chromium, at desktop and 375-px phone sizes: today → the next lesson →
answers with feedback inline → progress moves on the today page; and the same with the keyboard."""

import datetime
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone

from culturegap.tests.browser import follow_menu, sign_in
from culturegap.training import services
from culturegap.training.models import Answer, AnswerContext, Enrollment
from culturegap.training.tests.factories import curriculum_with_lessons, take_curriculum

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("CULTUREGAP_SCREENSHOTS", "/tmp/culturegap-screenshots"))


@pytest.fixture
def learner(company, staff):
    """The CRP enrolled in a four-lesson curriculum, the starting check done."""
    curriculum = curriculum_with_lessons(company=company, title="Customer conversations")
    today = timezone.localdate()
    services.assign_curriculum(
        curriculum=curriculum,
        teams=[],
        people=[staff["crp"]],
        wave=1,
        starts_on=today - datetime.timedelta(days=3),
        due_on=today + datetime.timedelta(days=25),
        actor=staff["admin"],
    )
    take_curriculum(Enrollment.objects.get(person=staff["crp"]), lessons=False)
    return staff["crp"]


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)


def test_crp_takes_the_next_lesson_and_sees_progress_move(page, page_errors, learner):
    sign_in(page, learner.email)
    page.get_by_role("heading", name="Your few minutes today").wait_for()
    section = page.locator("section", has=page.get_by_role("heading", name="Your few minutes"))
    assert "0 / 4" in section.inner_text()
    shot(page, "learn-today-before")

    page.get_by_role("link", name=re.compile(r"Next lesson: Lesson 1\.1")).click()
    page.get_by_role("heading", name="Lesson 1.1", level=1).wait_for()
    shot(page, "learn-lesson-form")
    scenario = page.get_by_role("group", name=re.compile("service scenario"))
    scenario.get_by_label("Ask what happened").check()
    page.get_by_label("I'm sure").check()
    page.get_by_role("button", name="Check my answer").click()

    verdict = page.get_by_role("heading", name="Right", level=3)
    verdict.wait_for()
    assert page.get_by_text("An open question lets them explain.").is_visible()
    next_button = page.get_by_role("link", name="Next lesson: Lesson 1.2")
    next_button.wait_for()
    shot(page, "learn-lesson-answered")

    answer = Answer.objects.get(context=AnswerContext.LESSON)
    assert answer.is_correct and answer.confident is True
    assert answer.response_ms is not None and answer.response_ms >= 0

    next_button.click()
    page.get_by_role("heading", name="Lesson 1.2", level=1).wait_for()
    page.get_by_label("Offer a discount").check()
    page.get_by_role("button", name="Check my answer").click()
    page.get_by_role("heading", name="Not quite").wait_for()
    assert page.get_by_text("The better answer:").is_visible()
    shot(page, "learn-lesson-wrong")

    follow_menu(page, "Today")
    section = page.locator("section", has=page.get_by_role("heading", name="Your few minutes"))
    section.wait_for()
    text = section.inner_text()
    assert "2 / 4" in text and "1 day" in text
    assert "Next lesson: Lesson 2.1" in text
    shot(page, "learn-today-after")
    assert page_errors == [], page_errors


def test_answering_with_the_keyboard_alone(page, page_errors, learner):
    sign_in(page, learner.email)
    page.get_by_role("heading", name="Your few minutes today").wait_for()
    lesson_url = page.get_by_role("link", name=re.compile("Next lesson")).get_attribute("href")
    page.goto(lesson_url)
    page.get_by_role("heading", name="Lesson 1.1", level=1).wait_for()

    def focused(selector: str) -> bool:
        return page.evaluate(f"document.activeElement.matches({selector!r})")

    for _ in range(60):  # past the skip link, the menu and the lesson to the first option
        page.keyboard.press("Tab")
        if focused("input[name=option]"):
            break
    assert focused("input[name=option]")
    page.keyboard.press("ArrowDown")  # the second option, selected
    page.keyboard.press("Tab")  # into "How sure are you?"
    assert focused("input[name=confident]")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert focused("button[type=submit]")
    page.keyboard.press("Enter")

    page.get_by_role("heading", name="Right", level=3).wait_for()
    assert focused("[data-focus]")  # focus moved to the feedback
    answer = Answer.objects.get(context=AnswerContext.LESSON)
    assert answer.option.text == "Ask what happened" and answer.confident is True
    shot(page, "learn-lesson-keyboard")
    assert page_errors == [], page_errors


def test_the_certificate_prints_without_the_menu(page, page_errors, learner):
    enrollment = take_curriculum(Enrollment.objects.get(person=learner))
    assert enrollment.certified_at is not None
    sign_in(page, learner.email)
    page.get_by_role("heading", name="Your few minutes today").wait_for()
    page.goto(f"/learn/certificates/{enrollment.certificate_code}/")
    page.get_by_role("heading", name="Cara CRP").wait_for()
    assert page.get_by_role("button", name="Print").is_visible()
    shot(page, "learn-certificate")
    page.emulate_media(media="print")
    assert not page.locator(".topbar").is_visible()
    assert not page.get_by_role("button", name="Print").is_visible()
    shot(page, "learn-certificate-print")
    assert page_errors == [], page_errors


def test_a_new_learner_starts_with_the_starting_check(page, page_errors, company, staff):
    curriculum = curriculum_with_lessons(company=company, title="Customer conversations")
    services.assign_curriculum(
        curriculum=curriculum,
        teams=[staff["crp"].team],
        people=[],
        wave=1,
        starts_on=timezone.localdate(),
        due_on=timezone.localdate() + datetime.timedelta(days=30),
        actor=staff["admin"],
    )
    sign_in(page, staff["crp"].email)
    page.get_by_role("link", name=re.compile("Take the starting check")).click()
    page.get_by_role("heading", name="Starting check", level=1).wait_for()
    for group in page.locator("fieldset").all():
        group.get_by_label("Ask what happened").check()
    shot(page, "learn-starting-check")
    page.get_by_role("button", name="Hand in my answers").click()
    page.get_by_text("Starting check done. Now the lessons.").wait_for()
    assert page.get_by_role("link", name=re.compile(r"Next lesson: Lesson 1\.1")).is_visible()
    shot(page, "learn-curriculum")
    assert page_errors == [], page_errors


def test_the_manager_follows_the_team(page, page_errors, learner, staff):
    take_curriculum(Enrollment.objects.get(person=learner), right=True)
    sign_in(page, staff["manager"].email)
    page.get_by_role("link", name="Follow your team's learning").click()
    page.get_by_role("heading", name="Team learning").wait_for()
    page.get_by_role("row", name=re.compile("Cara CRP")).wait_for()
    page.locator(".chart .main-svg").first.wait_for()  # Plotly drew the chart
    shot(page, "learn-team")
    assert page_errors == [], page_errors
