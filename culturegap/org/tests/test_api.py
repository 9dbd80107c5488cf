"""The organisation's API: customers read, created, updated and imported (the CSV import's rules
over JSON)."""

import pytest

from culturegap.org.models import Customer, CustomerService
from culturegap.org.tests.factories import ServiceFactory


@pytest.fixture
def catalog(company):
    return {
        "ACC": ServiceFactory(company=company, code="ACC", name="Year-end accounts"),
        "PAY": ServiceFactory(company=company, code="PAY", name="Payroll"),
    }


def _customer(external_id, **fields):
    return {
        "external_id": external_id,
        "name": f"Customer {external_id}",
        "sales_owner_email": "sales@acme.test",
        "services": ["ACC"],
        "since": "2024-01-15",
    } | fields


def test_import_creates_then_changes_nothing(api, tokens, catalog):
    body = {"customers": [_customer("A1"), _customer("A2", services=["acc", "PAY"])]}
    response = api(tokens["admin"]).post("/api/v1/customers/import", body)
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 2, "updated": 0, "unchanged": 0}
    assert CustomerService.objects.filter(customer__external_id="A2").count() == 2
    again = api(tokens["admin"]).post("/api/v1/customers/import", body)
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 2}
    listed = api(tokens["admin"]).get("/api/v1/customers", {"search": "A2"}).json()["items"]
    assert listed[0]["services"] == ["ACC", "PAY"]
    assert listed[0]["sales_owner_email"] == "sales@acme.test"


def test_import_with_a_bad_item_writes_nothing_and_names_it(api, tokens, catalog):
    body = {
        "customers": [
            _customer("B1"),
            _customer("B2", services=["NOPE"]),
            _customer("B3", sales_owner_email="crp@acme.test"),
        ]
    }
    response = api(tokens["admin"]).post("/api/v1/customers/import", body)
    assert response.status_code == 400
    errors = {error["field"]: error["message"] for error in response.json()["errors"]}
    assert set(errors) == {"customers.1.services", "customers.2.sales_owner_email"}
    assert "NOPE" in errors["customers.1.services"]
    assert "salesperson" in errors["customers.2.sales_owner_email"]
    assert not Customer.objects.exists()


def test_import_repeats_name_the_item_not_a_csv_line(api, tokens, catalog):
    body = {"customers": [_customer("D1"), _customer("D1")]}
    response = api(tokens["admin"]).post("/api/v1/customers/import", body)
    assert response.json()["errors"] == [
        {"field": "customers.1.external_id", "message": "D1 is also on item 0"}
    ]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"since": "15/01/2024"}, "customers.0.since"),
        ({"name": "Two\nlines"}, "customers.0.name"),
        ({"name": "nul\x00"}, "customers.0.name"),
        ({"services": "ACC"}, "customers.0.services"),
        ({"services": ["A;B"]}, "customers.0.services"),
        ({"since": "2999-01-01"}, "customers.0.since"),
    ],
)
def test_import_refuses_malformed_items(api, tokens, catalog, fields, field):
    response = api(tokens["admin"]).post(
        "/api/v1/customers/import", {"customers": [_customer("E1", **fields)]}
    )
    assert response.status_code == 400
    assert field in {error["field"] for error in response.json()["errors"]}
    assert not Customer.objects.exists()


def test_create_then_update_a_customer(api, tokens, catalog):
    created = api(tokens["admin"]).post("/api/v1/customers", _customer("F1"))
    assert created.status_code == 201
    assert created.json()["services"] == ["ACC"]
    again = api(tokens["admin"]).post("/api/v1/customers", _customer("F1"))
    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "external_id"
    pk = created.json()["id"]
    updated = api(tokens["admin"]).put(
        f"/api/v1/customers/{pk}",
        {"name": "F One", "services": ["PAY"], "since": "2024-01-15"},
    )
    assert updated.status_code == 200
    assert updated.json()["name"] == "F One" and updated.json()["services"] == ["PAY"]
    assert updated.json()["sales_owner_id"] is None


def test_a_bad_update_changes_nothing(api, tokens, catalog):
    pk = api(tokens["admin"]).post("/api/v1/customers", _customer("G1")).json()["id"]
    response = api(tokens["admin"]).put(
        f"/api/v1/customers/{pk}",
        {"name": "", "sales_owner_email": "nobody@acme.test", "since": "2024-01-15"},
    )
    assert response.status_code == 400
    assert {error["field"] for error in response.json()["errors"]} == {"name", "sales_owner_email"}
    assert Customer.objects.get(pk=pk).name == "Customer G1"
