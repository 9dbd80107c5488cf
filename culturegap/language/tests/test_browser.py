"""The playbook in a real browser: a CRP reads and searches it on a phone; an admin previews a
lesson. Screenshots go to /tmp/culturegap-screenshots/ for a person to look at."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from culturegap.language import services
from culturegap.language.tests.factories import playbook_with_content
from culturegap.tests.browser import follow_menu, sign_in
from culturegap.training.tests.factories import LessonFactory, question_with_options

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("CULTUREGAP_SCREENSHOTS", "/tmp/culturegap-screenshots"))


def shoot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_crp_reads_and_searches_the_playbook(page, page_errors, company, staff):
    playbook_with_content(company=company, version=1)
    sign_in(page, staff["crp"].email)
    follow_menu(page, "Playbook")
    page.get_by_role("heading", name="Our customer conversation", level=1).wait_for()
    page.get_by_role("heading", name="The communication model").wait_for()
    assert fits_the_screen(page)
    shoot(page, "playbook-crp")

    page.get_by_label("Search the playbook").fill("rapport")
    page.get_by_label("Search the playbook").press("Enter")
    page.get_by_role("heading", name="1 result for “rapport”").wait_for()
    results = page.locator(".pb-results")
    assert "The sense of ease and trust" in results.inner_text()
    assert fits_the_screen(page)
    shoot(page, "playbook-search")

    results.get_by_role("link", name="Rapport").click()
    expect(page).to_have_url(re.compile(r"#term-rapport$"))
    assert page.locator("#term-rapport").is_visible()
    assert page_errors == [], page_errors


def test_admin_sees_the_draft_and_previews_a_lesson(page, page_errors, company, staff):
    published = playbook_with_content(company=company, version=1)
    draft = services.start_draft(company=company, actor=staff["admin"])
    draft.glossary.create(term="Proof point", definition="A checkable fact.")
    lesson = LessonFactory(
        module__curriculum__company=company,
        title="Ask before you fix",
        body="## Why ask first\n\nAn **open question** lets the customer explain.\n\n"
        "- Start with *what* or *how*\n- Then listen",
    )
    question_with_options(lesson=lesson, audience="service", skill="discover")
    question_with_options(lesson=lesson, audience="sales", skill="discover", scenario="A buyer.")
    sign_in(page, staff["admin"].email)
    page.goto("/playbook/")
    page.get_by_text(f"Draft version {draft.version} is being edited").wait_for()
    assert fits_the_screen(page)
    shoot(page, "playbook-admin")

    page.goto("/playbook/publish/")
    page.get_by_role("button", name=f"Publish version {draft.version}").wait_for()
    shoot(page, "playbook-publish")

    page.goto(f"/author/training/lesson/{lesson.pk}/change/")
    page.get_by_role("link", name="Preview as a learner").click()
    page.get_by_role("heading", name="Ask before you fix").wait_for()
    page.get_by_role("link", name="Sales").click()
    page.get_by_text("A buyer.").wait_for()
    assert fits_the_screen(page)
    shoot(page, "lesson-preview")

    page.goto(f"/author/language/playbook/{draft.pk}/change/")
    page.get_by_role("heading", name="Change playbook").wait_for()
    shoot(page, "authoring-playbook")
    assert published.pk != draft.pk
    assert page_errors == [], page_errors
