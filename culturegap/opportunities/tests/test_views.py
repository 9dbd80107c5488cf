"""The opportunity pages: recording a need, the lists and their CSV export, the pipeline."""

import csv
import io
import re
import uuid
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.urls import reverse

from culturegap.opportunities.models import Opportunity, OpportunityEvent
from culturegap.opportunities.tests.factories import OpportunityFactory
from culturegap.org.tests.factories import CustomerFactory, PersonFactory, ServiceFactory

RECORD = reverse("opportunities:record")
LIST = reverse("opportunities:list")
EXPORT = reverse("opportunities:export")


@pytest.fixture
def customer(company, staff):
    return CustomerFactory(company=company, name="Zephyr Joinery", sales_owner=staff["sales"])


@pytest.fixture
def payroll(company):
    return ServiceFactory(company=company, name="Payroll", code="PAY")


def _valid(the_customer, the_service, /, **changes):
    data = {
        "customer": the_customer.pk,
        "service": the_service.pk,
        "need": "Hiring three people in spring, asked if we do payroll",
        "urgency": "normal",
        "channel": "phone",
        "customer_agreed": "yes",
        "contact_way": "phone",
        "contact_when": "weekday mornings",
        "request_id": str(uuid.uuid4()),
    }
    return {**data, **changes}


# Recording -----------------------------------------------------------------------------------


def test_a_crp_records_a_need_and_lands_on_their_list(
    client, staff, customer, payroll, django_capture_on_commit_callbacks
):
    client.force_login(staff["crp"])
    assert client.get(RECORD).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RECORD, _valid(customer, payroll))
    assert response.status_code == 302
    assert response.url == LIST + "?scope=found"
    opportunity = Opportunity.objects.get()
    assert (opportunity.found_by, opportunity.owner, opportunity.service) == (
        staff["crp"], staff["sales"], payroll,
    )  # fmt: skip
    assert opportunity.source == "crp"
    assert [m.to for m in mail.outbox] == [[staff["sales"].email]]
    page = client.get(response.url).content.decode()
    assert "Sam Sales will contact Zephyr Joinery (by phone, weekday mornings)" in page
    assert "Zephyr Joinery" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"customer": ""}, "customer", "Find the customer"),
        ({"customer": "999999"}, "customer", "Pick a customer of your company"),
        ({"customer": "abc"}, "customer", "Pick a customer of your company"),
        ({"need": "   "}, "need", "Write down what the customer said"),
        ({"need": "x" * 2001}, "need", "at most 2000"),
        ({"urgency": "yesterday"}, "urgency", "Select a valid choice"),
        ({"channel": "pigeon"}, "channel", "Select a valid choice"),
        ({"service": "999999"}, "service", "Pick a service from the catalog"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(
    client, staff, customer, payroll, changes, field, message
):
    client.force_login(staff["crp"])
    response = client.post(RECORD, _valid(customer, payroll, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Nothing was passed on yet: 1 field needs a look." in response.content.decode()
    assert field in response.context["form"].errors
    assert not Opportunity.objects.exists()
    assert not OpportunityEvent.objects.exists()


def test_another_companys_customer_or_service_is_refused(
    client, staff, customer, payroll, other_company
):
    theirs = CustomerFactory(company=other_company)
    their_service = ServiceFactory(company=other_company)
    client.force_login(staff["crp"])
    response = client.post(
        RECORD, _valid(customer, payroll, customer=theirs.pk, service=their_service.pk)
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"customer", "service"}
    assert not Opportunity.objects.exists()


def test_the_picked_customer_survives_a_bad_submission(client, staff, customer, payroll):
    client.force_login(staff["crp"])
    response = client.post(RECORD, _valid(customer, payroll, need=""))
    assert f'value="{customer.pk}" required checked' in response.content.decode()


def test_customer_search_partial_lists_matches_of_the_company_only(
    client, staff, customer, other_company
):
    CustomerFactory(company=other_company, name="Zephyr Holdings")
    client.force_login(staff["crp"])
    response = client.get(reverse("opportunities:customer_search"), {"q": "zeph"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Zephyr Joinery" in body and "Zephyr Holdings" not in body
    assert f'name="customer" id="customer-{customer.pk}" value="{customer.pk}"' in body
    assert "1 customer matches" in body


def test_record_page_searches_without_javascript(client, staff, customer):
    client.force_login(staff["crp"])
    body = client.get(RECORD, {"q": "Zephyr"}).content.decode()
    assert f'name="customer" id="customer-{customer.pk}" value="{customer.pk}"' in body


def test_a_salesperson_recording_is_credited_as_sales(client, staff, customer, payroll):
    client.force_login(staff["sales"])
    assert client.post(RECORD, _valid(customer, payroll)).status_code == 302
    assert Opportunity.objects.get().source == "sales"


@pytest.mark.parametrize("role", ["executive", "admin"])
def test_executives_and_admins_do_not_record(client, staff, role):
    client.force_login(staff[role])
    assert client.get(RECORD).status_code == 403


# Lists and export ----------------------------------------------------------------------------


@pytest.fixture
def listed(company, staff, customer, payroll):
    other_crp = PersonFactory(company=company, team=staff["crp"].team, name="Olly Other")
    return {
        "mine": OpportunityFactory(
            customer=customer, found_by=staff["crp"], owner=staff["sales"], service=payroll,
            need="=HYPERLINK(\"http://evil\")", status="won", value=Decimal("1500.00"),
        ),
        "queued": OpportunityFactory(customer=customer, found_by=staff["crp"]),
        "others": OpportunityFactory(
            customer=customer, found_by=other_crp, owner=staff["sales"], need="Not Cara's"
        ),
    }  # fmt: skip


def test_a_crp_lists_only_what_they_found(client, staff, listed):
    client.force_login(staff["crp"])
    response = client.get(LIST)
    assert [o.pk for o in response.context["page"]] == [listed["queued"].pk, listed["mine"].pk]
    assert "Not Cara" not in response.content.decode()
    assert "customer now uses Payroll" in response.content.decode()


def test_a_crp_cannot_open_someone_elses(client, staff, listed):
    client.force_login(staff["crp"])
    url = reverse("opportunities:detail", args=[listed["others"].pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("opportunities:detail", args=[listed["mine"].pk])).status_code == 200


def test_a_salesperson_lists_theirs_and_the_queue(client, staff, listed):
    client.force_login(staff["sales"])
    response = client.get(LIST)
    assert response.context["scope"] == "mine"
    assert {o.pk for o in response.context["page"]} == {o.pk for o in listed.values()}


def test_another_company_gets_404(client, listed, other_company):
    outsider = PersonFactory(company=other_company, is_executive=True)
    client.force_login(outsider)
    url = reverse("opportunities:detail", args=[listed["mine"].pk])
    assert client.get(url).status_code == 404
    assert client.get(LIST).context["page"].paginator.count == 0


def test_stale_ones_are_flagged_on_the_list(client, company, staff, listed):
    from datetime import timedelta

    from django.utils import timezone

    Opportunity.objects.filter(pk=listed["queued"].pk).update(
        last_touched_at=timezone.now() - timedelta(days=company.opportunity_stale_days + 5)
    )
    client.force_login(staff["crp"])
    body = client.get(LIST).content.decode()
    assert f"untouched for {company.opportunity_stale_days + 5} days" in body


def _csv(response):
    text = response.content.decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("role", "query"),
    [
        ("executive", {}),
        ("executive", {"status": "won"}),
        ("executive", {"status": "open", "scope": "all"}),
        ("crp", {}),
        ("sales", {"scope": "mine"}),
        ("manager", {"scope": "teams"}),
    ],
)
def test_csv_export_is_exactly_the_list(client, staff, listed, role, query):
    client.force_login(staff[role])
    page_ids = [o.pk for o in client.get(LIST, query).context["page"]]
    response = client.get(EXPORT, query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert [int(row["id"]) for row in rows] == page_ids


def test_csv_rows_carry_the_fields_and_neutralise_formulas(client, staff, listed):
    client.force_login(staff["executive"])
    response = client.get(EXPORT, {"status": "won"})
    assert response.content.decode().splitlines()[0].startswith("id,recorded,customer")
    (row,) = _csv(response)
    assert row["customer"] == "Zephyr Joinery"
    assert row["service"] == "Payroll"
    assert row["status"] == "won" and row["value"] == "1500.00"
    assert row["found by"] == "Cara CRP" and row["owner"] == "Sam Sales"
    assert row["need"] == '\'=HYPERLINK("http://evil")'


@pytest.mark.parametrize(
    "query",
    [
        {"since": "not-a-date"},
        {"status": "pending"},
        {"team": "999999"},
        {"since": "2025-05-01", "until": "2025-04-01"},
    ],
)
def test_bad_filters_are_a_400_not_a_500(client, staff, listed, query):
    client.force_login(staff["executive"])
    assert client.get(LIST, query).status_code == 400
    response = client.get(EXPORT, query)
    assert response.status_code == 400
    assert "Bad filter" in response.content.decode()


def test_managers_and_executives_get_a_summary_chart(client, staff, listed):
    client.force_login(staff["executive"])
    response = client.get(LIST)
    assert response.context["charts"] is True
    assert response.context["summary"].won_value == Decimal("1500.00")
    assert 'data-figure="' in response.content.decode()
    client.force_login(staff["crp"])
    assert "summary" not in client.get(LIST).context


def test_list_pages_through_keep_the_filters(client, company, staff, customer):
    for _ in range(55):
        OpportunityFactory(customer=customer, found_by=staff["crp"])
    client.force_login(staff["crp"])
    body = client.get(LIST, {"status": "new"}).content.decode()
    assert "status=new&amp;page=2" in body or "page=2&amp;status=new" in body


# Pipeline pages ------------------------------------------------------------------------------


def _detail(opportunity):
    return reverse("opportunities:detail", args=[opportunity.pk])


def test_the_owner_moves_it_on_the_page(client, staff, listed):
    opportunity = listed["others"]
    client.force_login(staff["sales"])
    page = client.get(_detail(opportunity)).content.decode()
    assert "Move it along" in page
    url = reverse("opportunities:move", args=[opportunity.pk])
    response = client.post(url, {"to_status": "contacted", "note": "Called them"})
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.status == "contacted"
    assert "Called them" in client.get(_detail(opportunity)).content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"to_status": "qualified"}, "to_status", "Select a valid choice"),
        ({"to_status": "lost"}, "reason", "Say why"),
        ({"to_status": "contacted", "value": "lots"}, "value", "Enter a number"),
        ({}, "to_status", "required"),
    ],
)
def test_refused_moves_are_a_400_on_the_page(client, staff, listed, data, field, message):
    opportunity = listed["others"]
    client.force_login(staff["sales"])
    response = client.post(reverse("opportunities:move", args=[opportunity.pk]), data)
    assert response.status_code == 400
    assert field in response.context["move_form"].errors
    assert message in response.content.decode()
    opportunity.refresh_from_db()
    assert opportunity.status == "new"


def test_won_without_value_is_a_400(client, staff, listed):
    opportunity = listed["others"]
    Opportunity.objects.filter(pk=opportunity.pk).update(status="qualified")
    client.force_login(staff["sales"])
    response = client.post(
        reverse("opportunities:move", args=[opportunity.pk]), {"to_status": "won"}
    )
    assert response.status_code == 400
    assert "needs its value" in response.content.decode()


def test_someone_elses_salesperson_may_not_move_it(client, company, staff, listed):
    colleague = PersonFactory(company=company, is_crp=False, is_salesperson=True)
    client.force_login(colleague)
    url = reverse("opportunities:move", args=[listed["others"].pk])
    assert client.post(url, {"to_status": "contacted"}).status_code == 404  # not visible
    queued = listed["queued"]
    response = client.post(reverse("opportunities:take", args=[queued.pk]))
    assert response.status_code == 302
    queued.refresh_from_db()
    assert queued.owner == colleague
    client.force_login(staff["sales"])
    # Sam no longer sees it, so it is a 404 for him now.
    assert client.post(reverse("opportunities:take", args=[queued.pk])).status_code == 404


def test_a_sales_manager_reassigns_on_the_page(client, company, staff, listed):
    boss = PersonFactory(company=company, team=staff["sales"].team, is_crp=False, is_manager=True)
    colleague = PersonFactory(
        company=company, is_crp=False, is_salesperson=True, email="col@acme.test"
    )
    client.force_login(boss)
    queued = listed["queued"]
    assert "Reassign" in client.get(_detail(queued)).content.decode()
    url = reverse("opportunities:assign", args=[queued.pk])
    bad = client.post(url, {"owner": "nobody@acme.test"})
    assert bad.status_code == 400 and "Nobody in your company" in bad.content.decode()
    not_sales = client.post(url, {"owner": staff["crp"].email})
    assert not_sales.status_code == 400
    assert client.post(url, {"owner": "COL@acme.test"}).status_code == 302
    queued.refresh_from_db()
    assert queued.owner == colleague


def test_a_service_manager_may_not_reassign(client, staff, listed):
    client.force_login(staff["manager"])
    url = reverse("opportunities:assign", args=[listed["queued"].pk])
    assert client.post(url, {"owner": ""}).status_code == 403


# Home page -----------------------------------------------------------------------------------


def test_home_page_tasks(client, staff, listed):
    client.force_login(staff["crp"])
    body = client.get(reverse("today")).content.decode()
    # A CRP passes needs on and follows what they did for customers, never a pipeline.
    assert "Pass on a customer need" in body
    assert "Needs you passed on: 2 so far — 1 customer now uses what they asked for" in body
    crp_tasks = [t.text for s in client.get(reverse("today")).context["sections"] for t in s.tasks]
    assert not any("won" in text.lower() for text in crp_tasks)
    client.force_login(staff["sales"])
    body = client.get(reverse("today")).content.decode()
    assert "2 new opportunities waiting" in body


HUGE = "9" * 30


def test_out_of_range_ids_are_never_a_500(client, staff, customer, payroll, listed):
    client.force_login(staff["sales"])
    response = client.post(RECORD, _valid(customer, payroll, customer=HUGE, service=HUGE))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"customer", "service"}
    assert client.get(RECORD, {"customer": HUGE}).status_code == 200
    search = reverse("opportunities:customer_search")
    assert client.get(search, {"q": "zep", "customer": HUGE}).status_code == 200
    assert client.get(LIST, {"team": HUGE}).status_code == 400
    assert client.get(f"/opportunities/{HUGE}/").status_code == 404
    assert client.post(f"/opportunities/{HUGE}/move/", {"to_status": "won"}).status_code == 404


# Passing on a need with the customer's consent --------------------------------------------------


def test_without_consent_nothing_is_passed_on_and_the_page_says_what_to_say(
    client, staff, customer, payroll, django_capture_on_commit_callbacks
):
    client.force_login(staff["crp"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            RECORD, _valid(customer, payroll, customer_agreed="no", contact_way="")
        )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was passed on" in body
    assert "Tell the customer how they can reach us when they are ready" in body
    assert "introduce you to Sam Sales, who can help you with Payroll" in body
    assert not Opportunity.objects.exists()
    assert not OpportunityEvent.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"customer_agreed": ""}, "customer_agreed", "Ask the customer whether a colleague"),
        ({"customer_agreed": "maybe"}, "customer_agreed", "Answer yes or no"),
        ({"contact_way": ""}, "contact_way", "Say how the customer would like to be contacted"),
        ({"contact_way": "pigeon"}, "contact_way", "Choose one of the ways listed"),
        ({"contact_when": "x" * 201}, "contact_when", "at most 200"),
        ({"request_id": ""}, "request_id", "This page was out of date"),
        ({"request_id": "not-a-uuid"}, "request_id", "This page was out of date"),
    ],
)
def test_the_consent_question_is_required_and_bad_answers_are_a_400(
    client, staff, customer, payroll, changes, field, message
):
    client.force_login(staff["crp"])
    response = client.post(RECORD, _valid(customer, payroll, **changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert message in response.content.decode()
    assert not Opportunity.objects.exists()


def test_the_consent_and_how_and_when_are_kept_for_the_salesperson(
    client, staff, customer, payroll, django_capture_on_commit_callbacks
):
    client.force_login(staff["crp"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(RECORD, _valid(customer, payroll, contact_way="email", contact_when="Fridays"))
    opportunity = Opportunity.objects.get()
    assert (opportunity.customer_agreed, opportunity.contact_way, opportunity.contact_when) == (
        True, "email", "Fridays",
    )  # fmt: skip
    assert "Agreed to be contacted: yes, by e-mail, Fridays." in mail.outbox[0].body
    client.force_login(staff["sales"])
    assert "by e-mail, Fridays" in client.get(_detail(opportunity)).content.decode()


def test_a_double_posted_hand_off_records_one_need(
    client, staff, customer, payroll, django_capture_on_commit_callbacks
):
    client.force_login(staff["crp"])
    data = _valid(customer, payroll)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(RECORD, data)
        again = client.post(RECORD, data)
    assert first.status_code == again.status_code == 302
    assert first.url == again.url
    assert Opportunity.objects.count() == 1
    assert OpportunityEvent.objects.count() == 1
    assert len(mail.outbox) == 1
    assert "Sam Sales will contact Zephyr Joinery" in client.get(again.url).content.decode()


def test_each_showing_of_the_form_carries_a_new_request_id(client, staff):
    client.force_login(staff["crp"])
    ids = {client.get(RECORD).context["request_id"] for _ in range(2)}
    assert len(ids) == 2


# The words a CRP meets ------------------------------------------------------------------------

PIPELINE_WORDS = re.compile(r"\b(won|lost|value|pipeline)\b", re.IGNORECASE)


class _Words(HTMLParser):
    """Everything a reader meets on a page: its text and its attribute values (labels, titles,
    placeholders, links, option values), but not markup such as attribute names."""

    def __init__(self):
        super().__init__()
        self.words = []

    def handle_starttag(self, tag, attrs):
        self.words += [value for _, value in attrs if value]

    def handle_data(self, data):
        self.words.append(data)


def pipeline_words(response) -> list[str]:
    parser = _Words()
    parser.feed(response.content.decode())
    return [match for text in parser.words for match in PIPELINE_WORDS.findall(text)]


@pytest.fixture
def helped(company, staff, customer, payroll):
    """Needs Cara passed on, one at each point of what can happen for the customer."""
    from culturegap.opportunities import services

    def passed_on(**extra):
        return services.record_opportunity(
            company=company, customer=customer, service=payroll, need="Asked about payroll",
            channel="phone", found_by=staff["crp"], customer_agreed=True, contact_way="phone",
            **extra,
        )  # fmt: skip

    sam = staff["sales"]
    now_uses = services.move_opportunity(
        opportunity=passed_on(), to_status="contacted", actor=sam, note="Called them"
    )
    now_uses = services.move_opportunity(
        opportunity=now_uses, to_status="won", actor=sam, value="1500"
    )
    in_touch = services.move_opportunity(opportunity=passed_on(), to_status="contacted", actor=sam)
    not_now = services.move_opportunity(
        opportunity=passed_on(), to_status="lost", actor=sam, reason="Has a provider"
    )
    waiting = passed_on()
    queued = services.record_opportunity(
        company=company, customer=CustomerFactory(company=company, name="Harbour Bakery"),
        need="Asked about bookkeeping", channel="email", found_by=staff["crp"],
        customer_agreed=True, contact_way="any",
    )  # fmt: skip
    return {
        "now_uses": now_uses,
        "in_touch": in_touch,
        "not_now": not_now,
        "waiting": waiting,
        "queued": queued,
    }


def test_a_crps_pages_never_speak_of_pipeline_or_values(client, staff, customer, payroll, helped):
    client.force_login(staff["crp"])
    pages = {
        "record": client.get(RECORD),
        "record with errors": client.post(RECORD, _valid(customer, payroll, need="")),
        "without consent": client.post(RECORD, _valid(customer, payroll, customer_agreed="no")),
        "list": client.get(LIST),
        "list filtered": client.get(LIST, {"status": "helped"}),
        "after passing on": client.post(RECORD, _valid(customer, payroll), follow=True),
        **{
            f"detail {name}": client.get(_detail(opportunity))
            for name, opportunity in helped.items()
        },
    }
    for name, response in pages.items():
        assert response.status_code in (200, 400), name
        assert pipeline_words(response) == [], name


def test_a_crp_reads_what_happened_for_the_customer(client, company, staff, helped):
    from django.utils.dateformat import format as format_date

    from culturegap.org.scope import company_zone

    client.force_login(staff["crp"])
    body = client.get(LIST).content.decode()
    day = format_date(helped["now_uses"].closed_at.astimezone(company_zone(company)), "j F")
    assert f"Sam contacted the customer on {day}; the customer now uses Payroll" in body
    assert f"Sam contacted the customer on {day}; Sam is in touch" in body
    assert "The customer decided not to go ahead for now" in body
    assert "Sam Sales will contact the customer" in body
    assert "A colleague in sales will pick it up and contact the customer" in body
    assert "You passed on 5 customer needs: 1 customer now uses what they asked for" in body
    detail = client.get(_detail(helped["now_uses"])).content.decode()
    assert "Thank you: because you listened and passed it on" in detail
    assert "credited to you and Client Service" in detail
    assert "Sam contacted the customer" in detail and "Called them" in detail


def test_a_crps_download_has_no_values(client, staff, helped):
    client.force_login(staff["crp"])
    response = client.get(EXPORT)
    header = response.content.decode().splitlines()[0].split(",")
    assert "value" not in header and "status" not in header and "what happened" in header
    outcomes = {row["what happened"] for row in _csv(response)}
    assert outcomes == {"the customer now uses it", "in progress", "not going ahead for now"}


def test_a_salesperson_still_sees_the_pipeline_with_values(client, staff, helped):
    client.force_login(staff["sales"])
    response = client.get(LIST)
    body = response.content.decode()
    assert '<th class="num">Value</th>' in body
    assert "Won" in body and "Lost" in body and "1,500" in body
    assert {word.lower() for word in pipeline_words(response)} >= {"won", "lost", "value"}
    detail = client.get(_detail(helped["now_uses"])).content.decode()
    # 1,500 won, in the company's currency (GBP): whole pounds show no pence.
    assert "Value won" in detail and "£1,500 a year" in detail


def test_a_crp_who_also_sells_sees_the_pipeline(client, company, staff, helped):
    both = PersonFactory(company=company, is_crp=True, is_salesperson=True)
    client.force_login(both)
    assert '<th class="num">Value</th>' in client.get(LIST).content.decode()


def test_a_salesperson_closes_a_new_need_as_won_in_one_save(client, staff, listed):
    opportunity = listed["others"]
    client.force_login(staff["sales"])
    assert 'value="won"' in client.get(_detail(opportunity)).content.decode()
    url = reverse("opportunities:move", args=[opportunity.pk])
    response = client.post(url, {"to_status": "won", "value": "1200", "note": "Signed on the call"})
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.value) == ("won", Decimal("1200"))
