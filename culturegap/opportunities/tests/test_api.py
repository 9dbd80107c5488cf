"""The opportunities' API: recording a need, moving it through the pipeline, taking it from the
queue, and bad input (field named, nothing written)."""

import datetime

import pytest
from django.utils import timezone

from culturegap.opportunities.models import Opportunity, OpportunityEvent
from culturegap.org.tests.factories import CustomerFactory, ServiceFactory


@pytest.fixture
def catalog(company):
    return {
        "ACC": ServiceFactory(company=company, code="ACC", name="Year-end accounts"),
        "PAY": ServiceFactory(company=company, code="PAY", name="Payroll"),
    }


@pytest.fixture
def customer(company, staff, catalog):
    return CustomerFactory(company=company, name="Zephyr Joinery", sales_owner=staff["sales"])


def test_a_crp_records_a_need_for_the_sales_owner(api, tokens, staff, customer, catalog):
    response = api(tokens["crp"]).post(
        "/api/v1/opportunities",
        {
            "customer_id": customer.pk,
            "service_id": catalog["PAY"].pk,
            "need": "Payroll help",
            "channel": "phone",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["owner_id"] == staff["sales"].pk and body["found_by_id"] == staff["crp"].pk
    assert body["status"] == "new" and body["source"] == "crp"
    assert OpportunityEvent.objects.filter(opportunity_id=body["id"]).count() == 1


def test_a_need_passed_on_with_consent_keeps_how_and_when(api, tokens, customer):
    body = {"customer_id": customer.pk, "need": "Payroll", "channel": "phone"}
    consent = {"customer_agreed": True, "contact_way": "email", "contact_when": "after 3 pm"}
    response = api(tokens["crp"]).post("/api/v1/opportunities", body | consent)
    assert response.status_code == 201, response.content
    assert {key: response.json()[key] for key in consent} == consent
    stored = Opportunity.objects.get()
    assert (stored.customer_agreed, stored.contact_way, stored.contact_when) == (
        True,
        "email",
        "after 3 pm",
    )


@pytest.mark.parametrize(
    ("consent", "field"),
    [
        ({"customer_agreed": False}, "customer_agreed"),
        ({"customer_agreed": True}, "contact_way"),
        ({"customer_agreed": True, "contact_way": "pigeon"}, "contact_way"),
    ],
)
def test_no_consent_passes_nothing_on(api, tokens, customer, consent, field):
    body = {"customer_id": customer.pk, "need": "Payroll", "channel": "phone"} | consent
    response = api(tokens["crp"]).post("/api/v1/opportunities", body)
    assert response.status_code == 400, response.content
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert not Opportunity.objects.exists()


def test_a_retried_post_with_the_same_request_id_records_one_need(api, tokens, customer):
    body = {
        "customer_id": customer.pk,
        "need": "Payroll",
        "channel": "phone",
        "request_id": "6f1c2d4e-8a9b-4c3d-9e8f-0a1b2c3d4e5f",
    }
    first = api(tokens["crp"]).post("/api/v1/opportunities", body)
    again = api(tokens["crp"]).post("/api/v1/opportunities", body)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Opportunity.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"channel": "pigeon"}, "channel"),
        ({"need": ""}, "need"),
        ({"customer_id": 10**9}, "customer_id"),
        ({"service_id": 10**9}, "service_id"),
        ({"customer_id": "x"}, "customer_id"),
    ],
)
def test_recording_a_bad_need_names_the_field(api, tokens, customer, fields, field):
    body = {"customer_id": customer.pk, "need": "Payroll", "channel": "phone"} | fields
    response = api(tokens["crp"]).post("/api/v1/opportunities", body)
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert not Opportunity.objects.exists()


def test_the_owner_moves_an_opportunity_through_the_pipeline(api, tokens, customer):
    pk = (
        api(tokens["crp"])
        .post(
            "/api/v1/opportunities",
            {"customer_id": customer.pk, "need": "Audit", "channel": "email"},
        )
        .json()["id"]
    )
    move = f"/api/v1/opportunities/{pk}/move"
    assert api(tokens["sales"]).post(move, {"to_status": "contacted"}).status_code == 200
    refused = api(tokens["sales"]).post(move, {"to_status": "won"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "value"
    assert Opportunity.objects.get(pk=pk).status == "contacted"
    won = api(tokens["sales"]).post(move, {"to_status": "won", "value": "12000.50"})
    assert won.status_code == 200
    assert won.json()["status"] == "won" and won.json()["value"] == 12000.5
    final = api(tokens["sales"]).post(move, {"to_status": "lost", "reason": "changed mind"})
    assert final.status_code == 400 and final.json()["errors"][0]["field"] == "to_status"


def test_values_that_cannot_be_stored_are_refused(api, tokens, customer):
    pk = (
        api(tokens["crp"])
        .post(
            "/api/v1/opportunities",
            {"customer_id": customer.pk, "need": "Audit", "channel": "email"},
        )
        .json()["id"]
    )
    api(tokens["sales"]).post(f"/api/v1/opportunities/{pk}/move", {"to_status": "contacted"})
    for value in ["0.001", "-5", "1e20", "NaN"]:
        response = api(tokens["sales"]).post(
            f"/api/v1/opportunities/{pk}/move", {"to_status": "won", "value": value}
        )
        assert response.status_code == 400, value
        assert response.json()["errors"][0]["field"] == "value"
    assert Opportunity.objects.get(pk=pk).status == "contacted"


def test_a_salesperson_takes_from_the_queue_once(api, tokens, staff, company, catalog):
    queue_customer = CustomerFactory(company=company, sales_owner=None)
    pk = (
        api(tokens["crp"])
        .post(
            "/api/v1/opportunities",
            {"customer_id": queue_customer.pk, "need": "Tax", "channel": "chat"},
        )
        .json()["id"]
    )
    taken = api(tokens["sales"]).post(f"/api/v1/opportunities/{pk}/take")
    assert taken.status_code == 200 and taken.json()["owner_id"] == staff["sales"].pk
    again = api(tokens["sales"]).post(f"/api/v1/opportunities/{pk}/take")
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "owner"


def test_opportunities_filter_by_day_recorded(api, tokens, company, customer, staff):
    old = Opportunity.objects.create(
        company=company,
        customer=customer,
        need="Old",
        channel="phone",
        found_by=staff["crp"],
        owner=staff["sales"],
        created_at=timezone.now() - datetime.timedelta(days=40),
    )
    new = Opportunity.objects.create(
        company=company,
        customer=customer,
        need="New",
        channel="phone",
        found_by=staff["crp"],
        owner=staff["sales"],
    )
    since = (timezone.now() - datetime.timedelta(days=10)).date().isoformat()
    body = api(tokens["admin"]).get("/api/v1/opportunities", {"since": since}).json()
    assert [item["id"] for item in body["items"]] == [new.pk]
    body = api(tokens["admin"]).get("/api/v1/opportunities", {"until": since}).json()
    assert [item["id"] for item in body["items"]] == [old.pk]
