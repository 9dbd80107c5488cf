"""The organisation pages as each role uses them."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from culturegap.org.models import Service
from culturegap.org.tests.factories import (
    CustomerFactory,
    ServiceFactory,
)


def test_login_and_logout(client, staff):
    response = client.post(
        reverse("login"), {"username": "crp@acme.test", "password": "a-long-test-password"}
    )
    assert response.status_code == 302 and response.url == reverse("today")
    assert client.get(reverse("today")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("today")).status_code == 302


def test_wrong_password_is_refused(client, staff):
    response = client.post(reverse("login"), {"username": "crp@acme.test", "password": "nope"})
    assert response.status_code == 200
    assert "correct" in response.content.decode()


def test_password_reset_sends_a_working_link(client, staff):
    client.post(reverse("password_reset"), {"email": "crp@acme.test"})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line)
    path = link.split("testserver", 1)[1].strip()
    form_page = client.get(path, follow=True)
    assert form_page.context["validlink"]
    new_password = "harbour-lights-2026"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    assert client.login(username="crp@acme.test", password=new_password)


def test_password_reset_for_unknown_address_sends_nothing_and_says_the_same(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@nowhere.test"})
    assert response.status_code == 302 and mail.outbox == []


def test_admin_adds_a_service(client, company, staff):
    client.force_login(staff["admin"])
    response = client.post(
        reverse("org:service_create"),
        {"code": "tax-pers", "name": "Personal tax return", "annual_value": "450"},
    )
    assert response.status_code == 302
    service = Service.objects.get(company=company)
    assert (service.code, service.annual_value) == ("TAX-PERS", Decimal("450"))


@pytest.mark.parametrize(
    "data, field",
    [
        ({"code": "", "name": "X", "annual_value": "1"}, "code"),
        ({"code": "A", "name": "", "annual_value": "1"}, "name"),
        ({"code": "A", "name": "X", "annual_value": "-5"}, "annual_value"),
        ({"code": "A", "name": "X", "annual_value": "lots"}, "annual_value"),
        ({"code": "acc", "name": "X", "annual_value": "1"}, "code"),  # taken
    ],
)
def test_bad_service_form_is_a_400_naming_the_field(client, company, staff, data, field):
    ServiceFactory(company=company, code="ACC")
    client.force_login(staff["admin"])
    response = client.post(reverse("org:service_create"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert Service.objects.filter(company=company).count() == 1


def test_the_same_code_may_exist_in_another_company(client, company, other_company, staff):
    ServiceFactory(company=other_company, code="ACC")
    client.force_login(staff["admin"])
    response = client.post(
        reverse("org:service_create"), {"code": "ACC", "name": "Accounts", "annual_value": "1"}
    )
    assert response.status_code == 302


def test_admin_cannot_edit_another_company_service(client, other_company, staff):
    theirs = ServiceFactory(company=other_company)
    client.force_login(staff["admin"])
    response = client.post(
        reverse("org:service_edit", args=[theirs.pk]),
        {"code": "X", "name": "Hijacked", "annual_value": "1"},
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.name != "Hijacked"


def test_customer_search_and_mine(client, company, staff):
    CustomerFactory(company=company, name="Alder Bakery", sales_owner=staff["sales"])
    CustomerFactory(company=company, name="Birch Garage")
    client.force_login(staff["sales"])
    found = client.get(reverse("org:customer_list"), {"q": "alder"}).content.decode()
    assert "Alder Bakery" in found and "Birch Garage" not in found
    mine = client.get(reverse("org:customer_list"), {"mine": "1"}).content.decode()
    assert "Alder Bakery" in mine and "Birch Garage" not in mine


def test_page_number_out_of_range_is_not_an_error(client, staff):
    client.force_login(staff["admin"])
    assert client.get(reverse("org:person_list"), {"page": "999"}).status_code == 200
    assert client.get(reverse("org:person_list"), {"page": "x"}).status_code == 200
