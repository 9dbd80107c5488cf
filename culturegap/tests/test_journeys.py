"""Each role's main journey through culturegap, end to end in Chromium at desktop and phone
widths, against a live server: the program admin sets up, the CRP learns and hands over a need,
the manager coaches, the salesperson wins the need, a customer answers a survey, the executive
reads and exports the figures. The learner's pages are used with the keyboard alone."""

import contextlib
import re

import pytest
from playwright.sync_api import Error as PlaywrightError

from culturegap.opportunities.models import Opportunity
from culturegap.opportunities.tests.test_browser import sign_in
from culturegap.reinforcement.models import Review
from culturegap.tests.journeys.browser import choose, fits_the_screen, shot, tab_to
from culturegap.tests.journeys.world import BAKERY_NEED, build_world
from culturegap.training.models import Answer, AnswerContext, Option, audience_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(company, staff):
    return build_world(company=company, staff=staff)


def right_option(question) -> Option:
    return question.options.filter(is_correct=True).order_by("order").first()


def test_crp_learns_drills_asks_and_hands_over_a_need(page, page_errors, world):
    crp = world.staff["crp"]
    sign_in(page, crp.email)
    page.get_by_role("heading", name="Your few minutes today").wait_for()
    shot(page, "crp-today")

    # The lesson, by keyboard: Tab to the next-lesson link, Enter.
    tab_to(page, page.get_by_role("link", name=re.compile("Next lesson")))
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=world.first_lesson.title, level=1).wait_for()
    questions = list(
        world.first_lesson.questions.filter(audience=audience_for(crp)).order_by("order")
    )
    assert len(questions) == 2
    for question in questions:
        form = page.locator(f"#question-{question.pk}")
        tab_to(page, form.locator("input[name=option]").first)
        choose(page, form.locator(f"input[name=option][value='{right_option(question).pk}']"))
        page.keyboard.press("Tab")  # "How sure are you?"
        page.keyboard.press("Space")  # I'm sure
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")  # Check my answer
        page.locator(f"#question-{question.pk}").get_by_role("heading", name="Right").wait_for()
    page.get_by_text("Lesson done.").wait_for()
    shot(page, "crp-lesson-done")
    assert (
        Answer.objects.filter(person=crp, context=AnswerContext.LESSON, is_correct=True).count()
        == 2
    )

    # The drill, by keyboard, from the today page.
    tab_to(page, page.get_by_role("link", name="Today", exact=True), backwards=True)
    page.keyboard.press("Enter")
    drill_link = page.get_by_role("link", name=re.compile("Your drill"))
    tab_to(page, drill_link)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Today's drill").wait_for()
    shot(page, "crp-drill")
    reviews_before = Review.objects.filter(card__person=crp).count()
    answered = 0
    while True:
        drill = page.locator("#drill")
        radios = drill.locator("input[name=option]")
        radios.first.wait_for()
        values = [int(value) for value in radios.evaluate_all("rs => rs.map(r => r.value)")]
        right = Option.objects.get(pk__in=values, is_correct=True)
        tab_to(page, radios.first)
        choose(page, drill.locator(f"input[name=option][value='{right.pk}']"))
        tab_to(page, drill.get_by_role("button", name="Check my answer"))
        page.keyboard.press("Enter")
        drill.get_by_role("heading", name="Right").wait_for()
        answered += 1
        onward = drill.get_by_role("link", name=re.compile("Next question|Finish"))
        last = onward.inner_text() == "Finish"
        tab_to(page, onward)
        page.keyboard.press("Enter")
        if last:
            break
    page.get_by_role("heading", name="Done for today").wait_for()
    assert page.get_by_text(f"got {answered} right").is_visible()
    assert fits_the_screen(page)
    shot(page, "crp-drill-done")
    assert answered >= len(world.drill_cards)
    assert Review.objects.filter(card__person=crp).count() == reviews_before + answered

    # The eCoach, from the box in the header of every page.
    box = page.get_by_label("Ask the eCoach a question")
    tab_to(page, box, backwards=True)
    page.keyboard.type("How do I hand a customer's need over to sales?")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Answer").wait_for()
    assert page.locator("#source-1").is_visible()
    citation = page.locator(".ecoach-quote a").first
    tab_to(page, citation)
    page.keyboard.press("Enter")
    assert page.url.endswith("#source-1")
    shot(page, "crp-ecoach")
    print(page.locator("main").inner_text())

    # Record a need for Harbour Bakery, which has no sales owner.
    tab_to(page, page.get_by_role("link", name="Record a need", exact=True), backwards=True)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Record a need for sales").wait_for()
    page.keyboard.type("bakery")  # the search box has the focus on arrival
    page.keyboard.press("Enter")
    bakery = page.get_by_label("Harbour Bakery")
    bakery.wait_for()
    tab_to(page, bakery)
    page.keyboard.press("Space")
    assert bakery.is_checked()
    page.keyboard.press("Tab")  # the service it points to
    page.keyboard.type("Bookkeeping")
    page.keyboard.press("Tab")
    page.keyboard.type(BAKERY_NEED)
    page.keyboard.press("Tab")  # urgency
    choose(page, page.get_by_label("High", exact=True))
    page.keyboard.press("Tab")  # how the customer said it
    choose(page, page.get_by_label("E-mail", exact=True))
    shot(page, "crp-record")
    tab_to(page, page.get_by_role("button", name="Send to sales"))
    page.keyboard.press("Enter")
    page.get_by_text("went to the sales team's queue").wait_for()
    shot(page, "crp-recorded")
    opportunity = Opportunity.objects.get()
    assert (opportunity.customer, opportunity.owner) == (world.bakery, None)
    assert (opportunity.service, opportunity.urgency, opportunity.channel) == (
        world.bookkeeping,
        "high",
        "email",
    )
    assert opportunity.need == BAKERY_NEED and opportunity.found_by == crp
    assert page_errors == [], page_errors


def test_a_late_search_answer_keeps_the_picked_customer(page, page_errors, world):
    """A search typed before the CRP picks a customer may answer after the pick: the pick stays."""
    sign_in(page, world.staff["crp"].email)
    page.goto("/opportunities/record/")
    search = page.get_by_label("Customer", exact=True)
    search.press_sequentially("harb", delay=40)
    bakery = page.get_by_label("Harbour Bakery")
    bakery.wait_for()
    page.wait_for_load_state("networkidle")

    held = []

    def hold_the_first_search(route):
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/opportunities/record/customers/**", hold_the_first_search)
    search.press_sequentially("our")  # still matches; its search is held on its way
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(20)
    assert held, "the typed search never left the browser"
    bakery.check()
    with contextlib.suppress(PlaywrightError):  # the browser may have dropped it already
        held[0].continue_()
    page.wait_for_load_state("networkidle")
    assert page.get_by_label("Harbour Bakery").is_checked()
    assert page_errors == [], page_errors
