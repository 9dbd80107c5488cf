"""A CRP asks the eCoach from the header of any page and reads a cited answer; a question it
cannot answer reaches a coach, whose answer comes back to the CRP."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from culturegap.ecoach.models import CoachQuestion
from culturegap.tests.browser import follow_menu, sign_in
from culturegap.training.packs import import_starter_pack

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("CULTUREGAP_SCREENSHOTS", "/tmp/culturegap-screenshots"))


def _shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)


def test_a_crp_asks_from_the_header_and_sees_cited_passages(page, page_errors, company, staff):
    assert import_starter_pack(company=company).ok
    sign_in(page, staff["crp"].email)
    page.goto("/playbook/")
    box = page.get_by_label("Ask the eCoach a question")
    box.fill("How do I pass someone to a colleague so they don't have to explain everything again?")
    _shot(page, "ecoach-header-box")
    box.press("Enter")

    page.get_by_role("heading", name="Answer").wait_for()
    assert page.url.split("?")[0].endswith("/ecoach/")
    sources = page.locator("#source-1, #source-2, #source-3")
    assert sources.count() == 3
    assert page.locator(".ecoach-meter").inner_text().endswith(")")  # "fairly sure (0.72)"
    first = page.locator("#source-1 a")
    assert first.get_attribute("href")
    # The citation mark in the answer takes the keyboard to its source.
    # (``press`` focuses the link first; the URL is awaited, a hash change is not instant.)
    page.locator(".ecoach-quote a").first.press("Enter")
    expect(page).to_have_url(re.compile(r"#source-1$"))
    _shot(page, "ecoach-answer")

    # A question it cannot answer goes to the coach queue.
    box = page.get_by_label("Ask the eCoach a question")
    box.fill("What is the wifi password in the office?")
    box.press("Enter")
    page.get_by_role("heading", name="I don't know yet").wait_for()
    _shot(page, "ecoach-dont-know")
    assert CoachQuestion.objects.filter(asker=staff["crp"], status="open").count() == 1

    sign_in(page, staff["manager"].email)
    follow_menu(page, "Coach queue")
    page.get_by_role("link", name="What is the wifi password in the office?").click()
    page.get_by_label("Your answer").fill("It is on the card by the kitchen door.")
    _shot(page, "ecoach-coach-answers")
    page.get_by_role("button", name="Send the answer").click()
    page.get_by_text("your answer is sent").wait_for()

    sign_in(page, staff["crp"].email)
    follow_menu(page, "eCoach 1 new", exact=False)
    page.get_by_role("link", name="Read the answer").click()
    page.get_by_text("It is on the card by the kitchen door.").wait_for()
    _shot(page, "ecoach-your-questions")

    # The next person who asks is answered from the coach's answer.
    sign_in(page, staff["sales"].email)
    box = page.get_by_label("Ask the eCoach a question")
    box.fill("what's the office wifi password")
    box.press("Enter")
    page.get_by_role("heading", name="Answer").wait_for()
    assert "kitchen door" in page.locator(".ecoach-answer").inner_text()
    assert page.locator("#source-1").get_by_text("coach answer").is_visible()

    # A program admin reviews what was asked, and how sure the eCoach was.
    sign_in(page, staff["admin"].email)
    page.goto("/ecoach/queue/?status=answered")
    page.get_by_role("heading", name="Quality review").wait_for()
    assert page.get_by_role("cell", name="what's the office wifi password").is_visible()
    _shot(page, "ecoach-queue-admin")
    assert page_errors == [], page_errors
