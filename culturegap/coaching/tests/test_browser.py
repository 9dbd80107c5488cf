"""A manager scores a conversation on a phone right after the call, and the CRP sees it; the
team's skills heatmap draws, with its table below."""

import datetime
import os
import re
from pathlib import Path

import pytest

from culturegap.coaching import services
from culturegap.coaching.models import Observation
from culturegap.coaching.tests.factories import ObservationFactory, published_playbook
from culturegap.org.scope import company_today
from culturegap.org.tests.factories import CustomerFactory, PersonFactory
from culturegap.tests.browser import follow_menu, sign_in, wait_for_answers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("CULTUREGAP_SCREENSHOTS", "/tmp/culturegap-screenshots"))


def _shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)


def _behaviour(page, text):
    """The fieldset of one scorecard behaviour, found by its legend."""
    return page.get_by_role("group", name=re.compile(text))


def test_a_manager_scores_a_conversation_and_the_crp_sees_it(page, page_errors, company, staff):
    published_playbook(company)
    services.generate_scorecard(company=company, actor=staff["admin"])
    CustomerFactory(company=company, name="Harbour Bakery")

    sign_in(page, staff["manager"].email)
    page.get_by_role("link", name="Observe a customer conversation this week").click()
    page.get_by_role("heading", name="Observe a customer conversation").wait_for()
    page.get_by_label("Who you observed").select_option(label="Cara CRP")
    page.get_by_label("Meeting", exact=True).check()
    page.get_by_label("Customer (optional)").press_sequentially("bak", delay=40)
    page.get_by_label("Harbour Bakery").wait_for()
    wait_for_answers(page)  # no later answer to a shorter search redraws the list
    page.get_by_label("Harbour Bakery").check()
    _behaviour(page, "Greets the customer").get_by_label("3 · Consistent").check()
    # The keyboard alone: Tab into a radio group, arrows move the choice.
    discover = _behaviour(page, "Asks open questions")
    discover.get_by_label("1 · Not yet seen").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert discover.get_by_label("3 · Consistent").is_checked()
    _behaviour(page, "Links a service").get_by_label("Not observed").check()
    page.get_by_label("Comment").fill("Warm opening; ask about the new shop before the invoice.")
    _shot(page, "coaching-observe")
    page.get_by_role("button", name="Save the observation").click()
    page.get_by_text("Observation of Cara CRP saved").wait_for()
    _shot(page, "coaching-observation")
    observation = Observation.objects.get()
    assert (observation.person, observation.channel) == (staff["crp"], "meeting")
    assert observation.customer.name == "Harbour Bakery"
    assert sorted(observation.ratings.values_list("rating", flat=True), key=str) == [3, 3, None]

    sign_in(page, staff["crp"].email)
    follow_menu(page, "Coaching")
    page.get_by_role("heading", name="My coaching").wait_for()
    page.get_by_role("link", name=observation.observed_on.strftime("%-d %b %Y")).click()
    page.get_by_text("ask about the new shop").wait_for()
    assert page.get_by_text("Max Manager").is_visible()
    page.go_back()
    _shot(page, "coaching-mine")
    assert page_errors == [], page_errors


def test_missing_ratings_are_named_and_linked(page, company, staff):
    published_playbook(company)
    services.generate_scorecard(company=company, actor=staff["admin"])
    sign_in(page, staff["manager"].email)
    page.goto(f"/coaching/observe/?person={staff['crp'].pk}")
    page.get_by_role("button", name="Save the observation").click()
    summary = page.get_by_role("alert")
    summary.wait_for()
    assert "Please check 3 things" in summary.inner_text()
    summary.get_by_role("link").first.click()
    assert not Observation.objects.exists()
    _shot(page, "coaching-observe-errors")


def test_the_team_heatmap_draws_with_a_table_below(page, page_errors, company, staff):
    published_playbook(company)
    scorecard = services.generate_scorecard(company=company, actor=staff["admin"])
    manager, team = staff["manager"], staff["crp"].team
    today = company_today(company)
    people = [staff["crp"]] + [
        PersonFactory(company=company, team=team, manager=manager, name=name)
        for name in ("Dev Patel", "Nia Okafor", "Tom Fletcher", "Priya Shah", "Owen Price")
    ]
    levels = [(3, 2, 4), (2, 2, 1), (4, 3, 3), (1, 2, None), (3, 4, 2), (2, 1, 3)]
    for n, (person, (opening, discovery, proposal)) in enumerate(zip(people, levels, strict=True)):
        ObservationFactory(
            person=person,
            observer=manager,
            scorecard=scorecard,
            observed_on=today - datetime.timedelta(days=5 + 13 * n),
            ratings={"open": opening, "discover": discovery, "propose": proposal},
        )
    sign_in(page, manager.email)
    page.goto("/coaching/team/")
    page.get_by_role("heading", name="Team coaching").wait_for()
    _shot(page, "coaching-team")
    page.get_by_role("link", name="Skills heatmap").click()
    page.locator(".chart .main-svg").first.wait_for()
    table = page.get_by_role("table", name="Readiness per skill and person (0–100)")
    assert table.get_by_role("row").count() == 4  # a header and three skills
    _shot(page, "coaching-heatmap")
    assert page_errors == [], page_errors
