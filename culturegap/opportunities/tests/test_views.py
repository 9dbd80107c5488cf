"""The opportunity pages: recording a need, the lists and their CSV export, the pipeline."""

import csv
import io
import uuid
from decimal import Decimal

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
    assert "Record a customer need for sales" in body
    assert "Your opportunities: 1 won of 2 handed to sales" in body
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
