"""Each role's main journey through culturegap, end to end in Chromium at desktop and phone
widths, against a live server: the program admin sets up, the CRP learns and hands over a need,
the manager coaches, the salesperson wins the need, a customer answers a survey, the executive
reads and exports the figures. The learner's pages are used with the keyboard alone."""

import contextlib
import csv
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from culturegap.coaching.models import Observation, Rating
from culturegap.coaching.selectors import TEAM_TABLE_HEADERS
from culturegap.loyalty.models import SurveyResponse
from culturegap.opportunities.models import Opportunity
from culturegap.org.models import Contact
from culturegap.org.scope import company_today
from culturegap.org.tests.factories import CustomerFactory, CustomerServiceFactory
from culturegap.reinforcement.models import Review
from culturegap.tests.browser import follow_menu, sign_in, wait_for_answers
from culturegap.tests.html import assert_export_is_the_page
from culturegap.tests.journeys.browser import choose, fits_the_screen, shot, tab_to, tab_to_menu
from culturegap.tests.journeys.world import (
    BAKERY_NEED,
    answer_survey,
    build_world,
    open_campaign,
    record_bakery_need,
    survey_link,
    won_need,
)
from culturegap.training.models import Answer, AnswerContext, Enrollment, Option, audience_for

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
    tab_to_menu(page, "Today")
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
    # A hash change is not instant: wait for the address rather than read it at once.
    expect(page).to_have_url(re.compile(r"#source-1$"))
    shot(page, "crp-ecoach")

    # Pass on a need for Harbour Bakery, which has no sales owner.
    tab_to_menu(page, "Pass on a need")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Pass on a customer need").wait_for()
    # The search box takes the focus on arrival (autofocus, applied once the page has drawn).
    expect(page.get_by_label("Customer", exact=True)).to_be_focused()
    page.keyboard.type("bakery")
    page.keyboard.press("Enter")
    bakery = page.get_by_label("Harbour Bakery")
    bakery.wait_for()
    wait_for_answers(page)  # the search typing queued, besides the one Enter sent
    tab_to(page, bakery)
    page.keyboard.press("Space")
    assert bakery.is_checked()
    page.keyboard.press("Tab")  # the service it points to
    page.keyboard.type("Bookkeeping")
    page.keyboard.press("Tab")
    page.keyboard.type(BAKERY_NEED)
    page.keyboard.press("Tab")  # did the customer agree to be contacted
    choose(page, page.get_by_label("Yes, they agreed"))
    page.keyboard.press("Tab")  # how
    choose(page, page.get_by_label("By phone"))
    page.keyboard.press("Tab")  # when
    page.keyboard.type("mornings")
    page.keyboard.press("Tab")  # urgency
    choose(page, page.get_by_label("High", exact=True))
    page.keyboard.press("Tab")  # how the customer said it
    choose(page, page.get_by_label("E-mail", exact=True))
    shot(page, "crp-record")
    tab_to(page, page.get_by_role("button", name="Pass it on"))
    page.keyboard.press("Enter")
    page.get_by_text("a colleague in sales will pick it up and contact Harbour Bakery").wait_for()
    shot(page, "crp-recorded")
    opportunity = Opportunity.objects.get()
    assert (opportunity.customer, opportunity.owner) == (world.bakery, None)
    assert (opportunity.service, opportunity.urgency, opportunity.channel) == (
        world.bookkeeping,
        "high",
        "email",
    )
    assert opportunity.need == BAKERY_NEED and opportunity.found_by == crp
    assert (opportunity.customer_agreed, opportunity.contact_way) == (True, "phone")
    assert page_errors == [], page_errors


def test_a_late_search_answer_keeps_the_picked_customer(page, page_errors, world):
    """A search typed before the CRP picks a customer may answer after the pick: the pick stays."""
    sign_in(page, world.staff["crp"].email)
    page.goto("/opportunities/record/")
    search = page.get_by_label("Customer", exact=True)
    search.press_sequentially("harb", delay=40)
    bakery = page.get_by_label("Harbour Bakery")
    bakery.wait_for()
    wait_for_answers(page)

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
    wait_for_answers(page)  # the held answer, and the search asked again with the pick
    assert page.get_by_label("Harbour Bakery").is_checked()
    assert page_errors == [], page_errors


PEOPLE_CSV = """\
email,name,team,team_kind,role,manager_email
bea.bell@acme.test,Bea Bell,Billing,service,manager;crp,exec@acme.test
carl.cole@acme.test,Carl Cole,Billing,service,crp,bea.bell@acme.test
dina.dale@acme.test,Dina Dale,Billing,service,crp,bea.bell@acme.test
"""


def test_program_admin_imports_people_and_rolls_out_a_curriculum(page, page_errors, world):
    sign_in(page, world.staff["admin"].email)
    page.get_by_role("heading", name="Set up and run the program").wait_for()
    follow_menu(page, "Import")
    page.get_by_role("heading", name="Import people").wait_for()
    page.get_by_label("CSV file").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": PEOPLE_CSV.encode()}
    )
    page.get_by_role("button", name="Import").click()
    page.get_by_text("3 created").wait_for()
    shot(page, "admin-imported")

    follow_menu(page, "People")
    page.get_by_role("heading", name="People").wait_for()
    rows = {
        name: page.get_by_role("row").filter(has=page.get_by_role("link", name=name)).inner_text()
        for name in ("Bea Bell", "Carl Cole", "Dina Dale")
    }
    assert all("Billing" in row for row in rows.values()), rows
    assert "Ada Admin" not in rows["Carl Cole"] and "Bea Bell" in rows["Carl Cole"].split("\t")[-1]
    shot(page, "admin-people")

    # The new Billing team is the curriculum's second wave.
    follow_menu(page, "Rollout")
    page.get_by_role("heading", name="Rollout", level=1).wait_for()
    page.get_by_role("link", name="Assign a curriculum").click()
    page.get_by_label("Curriculum").select_option(label=world.curriculum.title)
    page.get_by_label("Billing").check()
    page.get_by_label("Wave").fill("2")
    # The suggested dates are there: today, and six weeks on.
    starts_on = date.fromisoformat(page.get_by_label("Start date").input_value())
    due_on = date.fromisoformat(page.get_by_label("Due date").input_value())
    assert starts_on == company_today(world.company) and due_on > starts_on
    shot(page, "admin-assign")
    page.get_by_role("button", name="Assign and enrol").click()
    page.get_by_text(f"{world.curriculum.title}, wave 2: 3 people enrolled.").wait_for()
    section = page.locator("section", has=page.get_by_role("heading", name=world.curriculum.title))
    wave_two = section.get_by_role("row", name=re.compile("Billing team"))
    assert wave_two.get_by_role("cell").first.inner_text() == "2"
    assert section.get_by_role("row", name=re.compile("Cara CRP")).is_visible()  # wave 1
    assert fits_the_screen(page)
    shot(page, "admin-rollout")
    assert Enrollment.objects.filter(person__team__name="Billing", wave=2).count() == 3
    assert page_errors == [], page_errors


def test_manager_scores_an_observation_and_sees_it_on_the_team_page(page, page_errors, world):
    crp, manager = world.staff["crp"], world.staff["manager"]
    sign_in(page, manager.email)
    page.get_by_role("heading", name="Coach your teams").wait_for()
    page.get_by_role("link", name="Observe a customer conversation this week").click()
    page.get_by_role("heading", name="Observe a customer conversation").wait_for()
    page.get_by_label("Who you observed").select_option(label=crp.name)
    page.get_by_label("Phone", exact=True).check()
    page.get_by_label("Customer (optional)").press_sequentially("zeph", delay=40)
    page.get_by_label("Zephyr Joinery").wait_for()
    wait_for_answers(page)  # no later answer to a shorter search redraws the list
    page.get_by_label("Zephyr Joinery").check()
    items = list(world.scorecard.items.order_by("order"))
    ratings = {}
    for n, item in enumerate(items):
        group = page.get_by_role("group", name=item.behaviour[:40])
        level = (3, 4, 2)[n % 3]
        group.get_by_label(f"{level} · {Rating(level).label}").check()
        ratings[item.skill] = level
    page.get_by_label("Comment").fill("Warm opening; asked about the new workshop before the bill.")
    shot(page, "manager-observe")
    page.get_by_role("button", name="Save the observation").click()
    page.get_by_text(f"Observation of {crp.name} saved").wait_for()
    observation = Observation.objects.get()
    assert (observation.person, observation.observer) == (crp, manager)
    assert observation.customer == world.zephyr
    assert {r.item.skill: r.rating for r in observation.ratings.select_related("item")} == ratings

    follow_menu(page, "Coaching")
    page.get_by_role("heading", name="Team coaching").wait_for()
    row = page.get_by_role("row", name=re.compile(crp.name))
    cells = dict(zip(TEAM_TABLE_HEADERS, row.locator("th, td").all_inner_texts(), strict=True))
    assert cells["Observations (180 days)"] == "1"
    assert cells["Last observed"] == observation.observed_on.isoformat()
    assert cells["Not observed in 60 days"] == "no"
    # Ratings 3, 4, 2, 3, 4, 2, … on a 1–4 scale map to (rating − 1) ÷ 3 × 100; with the
    # starter playbook's 8 steps: (3 × 66.7 + 3 × 100 + 2 × 33.3) ÷ 8 = 70.8, shown as 71.
    assert len(ratings) == 8 and cells["Observed behaviour"] == "71"
    assert fits_the_screen(page)
    shot(page, "manager-team")
    assert page_errors == [], page_errors


def test_salesperson_takes_the_need_and_wins_it(page, page_errors, world):
    opportunity = record_bakery_need(world)
    sales, crp = world.staff["sales"], world.staff["crp"]
    sign_in(page, sales.email)
    page.get_by_role("heading", name="Your customers").wait_for()
    follow_menu(page, "Opportunities")
    page.get_by_role("link", name="Harbour Bakery").click()
    page.get_by_text(BAKERY_NEED).wait_for()
    assert page.get_by_text("waiting in the sales queue").is_visible()
    page.get_by_role("button", name="Take it").click()
    page.get_by_text("It is yours now").wait_for()

    page.get_by_label("Contacted", exact=True).check()
    page.get_by_label("Note").fill("Called Hal: wants a quote for monthly bookkeeping.")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Moved to contacted").wait_for()

    page.get_by_label("Won", exact=True).check()
    page.get_by_label("Value won (per year)").fill("3000")
    shot(page, "sales-win")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Moved to won").wait_for()
    assert page.get_by_text("£3,000 a year").is_visible()
    assert fits_the_screen(page)
    shot(page, "sales-won")
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.owner, opportunity.value) == ("won", sales, 3000)
    assert list(opportunity.events.values_list("to_status", flat=True).order_by("pk")) == [
        "new",
        "new",
        "contacted",
        "won",
    ]

    # The credit goes back to the CRP who found it.
    sign_in(page, crp.email)
    page.get_by_text(
        "Needs you passed on: 1 so far — 1 customer now uses what they asked for"
    ).wait_for()
    assert page_errors == [], page_errors


def test_customer_answers_the_survey_by_keyboard_and_is_thanked(page, page_errors, world):
    campaign = open_campaign(world)
    link = survey_link(campaign, world.zephyr_contact)
    page.goto(link)  # from the invitation e-mail
    page.get_by_role("heading", name=f"{world.company.name} would like your opinion").wait_for()
    assert fits_the_screen(page)
    shot(page, "customer-survey")

    tab_to(page, page.get_by_role("radio", name="0 – not at all likely"))
    choose(page, page.get_by_role("radio", name="9", exact=True))
    page.keyboard.press("Tab")  # the reason
    page.keyboard.type("Rob knows our workshop and answers the phone himself.")
    payroll = page.get_by_label("Payroll")
    tab_to(page, payroll)
    page.keyboard.press("Space")
    assert payroll.is_checked()
    tab_to(page, page.get_by_role("button", name="Send my answer"))
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Thank you for your answer").wait_for()
    assert fits_the_screen(page)
    shot(page, "customer-thanks")

    response = SurveyResponse.objects.get()
    assert (response.customer, response.score) == (world.zephyr, 9)
    assert response.reason.startswith("Rob knows our workshop")
    # The service they would value reaches their sales owner as an opportunity.
    opportunity = Opportunity.objects.get(customer=world.zephyr)
    assert (opportunity.service, opportunity.owner) == (world.payroll, world.staff["sales"])
    assert page_errors == [], page_errors


@pytest.fixture
def answered(world):
    """Three customers of Client Service answered the spring survey: 10, 9 and 6."""
    yew = CustomerFactory(
        company=world.company, name="Yew Tree Dental", serving_team=world.staff["crp"].team
    )
    CustomerServiceFactory(customer=yew, service=world.accounts)
    yew_contact = Contact.objects.create(
        company=world.company, customer=yew, name="Yan Yew", email="yan@yew.example"
    )
    campaign = open_campaign(world)
    answer_survey(campaign, world.zephyr_contact, 10, days_ago=6)
    answer_survey(campaign, world.bakery_contact, 9, days_ago=5)
    answer_survey(campaign, yew_contact, 6, days_ago=4)
    won_need(world, value=Decimal("3000"))
    return campaign


def stat(scope, name: str) -> str:
    """The figure of the stat box labelled ``name`` in ``scope`` (a page or a section)."""
    return scope.locator(f'.stat:has(dt:text-is("{name}")) dd').inner_text()


def download_table(page, section) -> list[list[str]]:
    """Click the section's CSV link and read the downloaded file's rows."""
    with page.expect_download() as download_info:
        section.get_by_role("link", name="CSV").click()
    download = download_info.value
    text = Path(download.path()).read_text(encoding="utf-8")
    return download.suggested_filename, list(csv.reader(io.StringIO(text)))


def table_shown(section) -> list[list[str]]:
    return [row.locator("th, td").all_inner_texts() for row in section.get_by_role("row").all()]


def test_executive_reads_the_figures_and_exports_a_csv(page, page_errors, world, answered):
    sign_in(page, world.staff["executive"].email)
    page.get_by_role("heading", name="The company at a glance").wait_for()
    shot(page, "executive-today")

    follow_menu(page, "Dashboard")
    page.get_by_role("heading", name="Is the gap closing, and is it paying?").wait_for()
    page.locator(".chart .main-svg").first.wait_for()  # the charts drew
    found = page.locator("section", has=page.get_by_role("heading", name="Opportunities found"))
    # The bakery's bookkeeping, found by the CRP and won at 3,000 a year.
    assert (stat(found, "Found"), stat(found, "Won"), stat(found, "Win rate")) == (
        "1",
        "1",
        "100.0 %",
    )
    assert stat(found, "Revenue won") == "£3,000"
    loyalty = page.locator("section", has=page.get_by_role("heading", name="Customer loyalty"))
    # 10, 9 and 6: 2/3 promoters − 1/3 detractors = 33.3 (an NPS is shown to one decimal).
    assert (stat(loyalty, "NPS"), stat(loyalty, "Answers")) == ("33.3", "3")
    assert fits_the_screen(page)
    shot(page, "executive-dashboard")
    by_team = page.locator("section.dash-table", has=page.locator("#opportunities_by_team"))
    name, rows = download_table(page, by_team)
    assert name.startswith("dashboard-opportunities_by_team-")
    assert_export_is_the_page(rows, table_shown(by_team))  # the file holds the page's table
    assert rows[1][0] == "Client Service" and "3000" in "".join(rows[1]).replace(",", "")

    # The loyalty page in detail, and its NPS-by-team table as CSV.
    follow_menu(page, "Loyalty")
    page.get_by_role("heading", name="Customer loyalty", level=1).wait_for()
    page.locator(".chart .main-svg").first.wait_for()
    assert (stat(page, "NPS"), stat(page, "Answers")) == ("33.3", "3")
    assert fits_the_screen(page)
    shot(page, "executive-loyalty")
    nps_by_team = page.locator("section", has=page.get_by_role("heading", name="NPS by team"))
    name, rows = download_table(page, nps_by_team)
    assert name.startswith("loyalty-nps_by_team-")
    assert_export_is_the_page(rows, table_shown(nps_by_team))
    assert rows[1] == ["Client Service", "3", "2", "0", "1", "33.3"]
    assert page_errors == [], page_errors
