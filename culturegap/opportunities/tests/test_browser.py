"""A CRP passes on a customer need on a phone or a desk, with the customer's consent, and the
sales owner finds it in their list."""

import os
from pathlib import Path

import pytest

from culturegap.opportunities.models import Opportunity
from culturegap.org.tests.factories import CustomerFactory, ServiceFactory
from culturegap.tests.browser import follow_menu, sign_in, wait_for_answers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("CULTUREGAP_SCREENSHOTS", "/tmp/culturegap-screenshots"))


def _shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)


def test_a_crp_records_a_need_that_reaches_the_sales_owner(page, page_errors, company, staff):
    customer = CustomerFactory(company=company, name="Zephyr Joinery", sales_owner=staff["sales"])
    CustomerFactory(company=company, name="Zenith Dental Practice", sales_owner=staff["sales"])
    ServiceFactory(company=company, name="Payroll", code="PAY")
    ServiceFactory(company=company, name="Year-end accounts", code="ACC")

    sign_in(page, staff["crp"].email)
    follow_menu(page, "Pass on a need")
    page.get_by_role("heading", name="Pass on a customer need").wait_for()

    page.get_by_label("Customer", exact=True).press_sequentially("zeph", delay=40)
    option = page.get_by_label("Zephyr Joinery")
    option.wait_for()
    wait_for_answers(page)  # no later answer to a shorter search redraws the list
    assert page.get_by_text("1 customer matches").is_visible()
    option.check()
    page.get_by_label("Service it points to").select_option(label="Payroll")
    page.get_by_label("The need, in the customer's words").fill(
        "Taking on three staff in spring and asked whether we could run their payroll."
    )
    page.get_by_label("Yes, they agreed").check()
    page.get_by_label("By phone").check()
    page.get_by_label("High", exact=True).check()
    page.get_by_label("E-mail", exact=True).check()
    _shot(page, "opportunity-record")
    page.get_by_role("button", name="Pass it on").click()

    page.get_by_text("Sam Sales will contact Zephyr Joinery").wait_for()
    _shot(page, "opportunity-found-by-me")
    opportunity = Opportunity.objects.get()
    assert (opportunity.customer, opportunity.owner) == (customer, staff["sales"])
    assert (opportunity.urgency, opportunity.channel) == ("high", "email")

    sign_in(page, staff["sales"].email)
    page.get_by_text("1 new opportunity waiting").click()
    page.get_by_role("link", name="Zephyr Joinery").click()
    page.get_by_text("run their payroll").wait_for()
    page.get_by_label("Contacted").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Moved to contacted").wait_for()
    _shot(page, "opportunity-detail")
    opportunity.refresh_from_db()
    assert opportunity.status == "contacted"
    assert page_errors == [], page_errors


def test_recording_works_with_the_keyboard_and_enter_searches(page, page_errors, company, staff):
    CustomerFactory(company=company, name="Harbour Bakery", sales_owner=None)
    sign_in(page, staff["crp"].email)
    page.goto("/opportunities/record/")
    # The search box has focus on arrival; Enter searches rather than sending the form.
    page.keyboard.type("bakery")
    page.keyboard.press("Enter")
    page.get_by_label("Harbour Bakery").wait_for()
    # Typing also queued a delayed search; let it land so it cannot redraw the list after the pick.
    wait_for_answers(page)
    assert not Opportunity.objects.exists()
    page.get_by_label("Harbour Bakery").focus()
    page.keyboard.press("Space")
    assert page.get_by_label("Harbour Bakery").is_checked()
    page.get_by_label("The need, in the customer's words").focus()
    page.keyboard.type("Wants to know about bookkeeping.")
    page.get_by_label("Yes, they agreed").focus()
    page.keyboard.press("Space")
    page.get_by_label("Any way").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Pass it on").focus()
    page.keyboard.press("Enter")
    page.get_by_text("a colleague in sales will pick it up and contact Harbour Bakery").wait_for()
    assert Opportunity.objects.get().owner is None
    assert page_errors == [], page_errors


def test_missing_fields_are_named_on_the_page(page, company, staff):
    sign_in(page, staff["crp"].email)
    page.goto("/opportunities/record/")
    page.get_by_role("button", name="Pass it on").click()
    page.get_by_text("Find the customer and pick them from the list.").wait_for()
    assert page.get_by_text("Write down what the customer said.").is_visible()
    assert page.get_by_text("Ask the customer whether a colleague may contact them").is_visible()
    _shot(page, "opportunity-record-errors")


def test_the_executive_list_shows_the_summary_chart_and_stale_flags(
    page, page_errors, company, staff
):
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from culturegap.opportunities.tests.factories import OpportunityFactory

    customer = CustomerFactory(company=company, name="Zephyr Joinery", sales_owner=staff["sales"])
    old = timezone.now() - datetime.timedelta(days=company.opportunity_stale_days + 4)
    OpportunityFactory(
        customer=customer, found_by=staff["crp"], owner=staff["sales"], status="won",
        value=Decimal("2400"),
    )  # fmt: skip
    OpportunityFactory(
        customer=customer, found_by=staff["crp"], owner=staff["sales"], last_touched_at=old,
        need="Asked about a second site's bookkeeping",
    )  # fmt: skip
    sign_in(page, staff["executive"].email)
    page.goto("/opportunities/")
    page.locator(".chart .main-svg").first.wait_for()
    assert page.get_by_text(f"untouched for {company.opportunity_stale_days + 4} days").is_visible()
    _shot(page, "opportunity-list-executive")
    assert page_errors == [], page_errors


def test_a_crp_passes_on_a_need_with_consent_and_sees_what_happened(
    page, page_errors, company, staff
):
    CustomerFactory(company=company, name="Zephyr Joinery", sales_owner=staff["sales"])
    ServiceFactory(company=company, name="Payroll", code="PAY")

    sign_in(page, staff["crp"].email)
    page.goto("/opportunities/record/")
    page.get_by_label("Customer", exact=True).press_sequentially("zeph", delay=40)
    page.get_by_label("Zephyr Joinery").wait_for()
    page.wait_for_load_state("networkidle")
    page.get_by_label("Zephyr Joinery").check()
    page.get_by_label("Service it points to").select_option(label="Payroll")
    page.get_by_label("The need, in the customer's words").fill(
        "Hiring three people in spring; asked whether we could run their payroll."
    )
    # Without consent nothing is passed on, and the page says what to tell the customer.
    page.get_by_label("No, not now").check()
    assert not page.get_by_label("When suits them").is_visible()
    page.get_by_role("button", name="Pass it on").click()
    page.get_by_role("heading", name="Nothing was passed on").wait_for()
    assert page.get_by_text("Tell the customer how they can reach us").is_visible()
    assert not Opportunity.objects.exists()
    _shot(page, "handoff-without-consent")

    page.get_by_label("Yes, they agreed").check()
    page.get_by_label("By phone").check()
    page.get_by_label("When suits them").fill("weekday mornings")
    _shot(page, "handoff-with-consent")
    page.get_by_role("button", name="Pass it on").click()
    page.get_by_text(
        "Sam Sales will contact Zephyr Joinery (by phone, weekday mornings)"
    ).wait_for()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Sam Sales will contact the customer").is_visible()
    _shot(page, "handoff-passed-on")
    opportunity = Opportunity.objects.get()
    assert (opportunity.customer_agreed, opportunity.contact_way) == (True, "phone")

    page.get_by_role("link", name="Zephyr Joinery").click()
    page.get_by_role("heading", name="What happened").wait_for()
    page.wait_for_load_state("networkidle")
    _shot(page, "handoff-detail")
    text = page.locator("main").inner_text().lower()
    assert not any(word in text.split() for word in ("won", "lost", "value", "pipeline"))
    assert page_errors == [], page_errors
