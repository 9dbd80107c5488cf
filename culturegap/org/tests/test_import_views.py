"""Tests of the people and customer CSV upload pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from culturegap.org.models import Customer, Person
from culturegap.org.tests.factories import ServiceFactory

PEOPLE_URL = reverse("org:import_people")
CUSTOMERS_URL = reverse("org:import_customers")
GOOD = (
    b"email,name,team,team_kind,role,manager_email\n"
    b"al@acme.test,Al Agent,Help Desk,support,crp,mo@acme.test\n"
    b"mo@acme.test,Mo Manager,Help Desk,support,manager,\n"
)
BAD = (
    b"email,name,team,team_kind,role,manager_email\n"
    b"al@acme.test,Al Agent,Help Desk,support,crp,ghost@acme.test\n"
    b"mo@acme.test,Mo Manager,Help Desk,support,chief,\n"
)


def upload(content: bytes, name: str = "people.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff["admin"])
    return client


def test_admin_sees_the_form_with_the_expected_header(admin_client):
    response = admin_client.get(PEOPLE_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'accept=".csv"' in page
    assert 'enctype="multipart/form-data"' in page
    assert "email,name,team,team_kind,role,manager_email" in page
    assert "csrfmiddlewaretoken" in page


def test_example_file_can_be_downloaded_and_imports_cleanly(admin_client, staff):
    response = admin_client.get(PEOPLE_URL, {"example": "1"})

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"email,name,team,team_kind,role,manager_email\n")

    imported = admin_client.post(PEOPLE_URL, {"file": upload(response.content)})
    assert imported.status_code == 302


def test_customer_example_file_has_the_customer_header(admin_client):
    response = admin_client.get(CUSTOMERS_URL, {"example": "1"})

    assert response.content.startswith(b"external_id,name,sales_owner_email,services,since\n")


def test_good_file_redirects_with_the_counts(admin_client, staff):
    response = admin_client.post(PEOPLE_URL, {"file": upload(GOOD)})

    assert response.status_code == 302
    assert response["Location"] == PEOPLE_URL
    page = admin_client.get(PEOPLE_URL).content.decode()
    assert "2 created, 0 updated, 0 unchanged" in page
    assert Person.objects.get(email="al@acme.test").company == staff["admin"].company


def test_bad_file_is_a_400_listing_every_error_and_writes_nothing(admin_client, staff):
    before = Person.objects.count()

    response = admin_client.post(PEOPLE_URL, {"file": upload(BAD)})

    assert response.status_code == 400
    page = response.content.decode()
    assert "2 problems found: nothing was imported" in page
    assert "no person with e-mail ghost@acme.test" in page
    assert "unknown role(s) chief" in page
    assert '<td class="num">3</td><td>role</td>' in page
    assert Person.objects.count() == before


def test_customers_page_imports_into_the_admins_company(admin_client, staff, other_company):
    ServiceFactory(company=staff["admin"].company, code="AUDIT")
    ServiceFactory(company=other_company, code="AUDIT")
    data = b"external_id,name,sales_owner_email,services,since\nC-1,Bakery,,audit,2020-01-01\n"

    response = admin_client.post(CUSTOMERS_URL, {"file": upload(data, "customers.csv")})

    assert response.status_code == 302
    customer = Customer.objects.get()
    assert customer.company == staff["admin"].company
    assert customer.services.get().service.company == staff["admin"].company


def test_post_without_a_file_is_a_400(admin_client):
    response = admin_client.post(PEOPLE_URL, {})

    assert response.status_code == 400
    assert "Choose a CSV file to upload." in response.content.decode()


def test_file_not_named_csv_is_a_400(admin_client):
    response = admin_client.post(PEOPLE_URL, {"file": upload(GOOD, "people.xlsx")})

    assert response.status_code == 400
    assert "is not a .csv file" in response.content.decode()
    assert not Person.objects.filter(email="al@acme.test").exists()


def test_file_over_the_size_limit_is_a_400(admin_client, settings):
    settings.UPLOAD_MAX_BYTES = 50

    response = admin_client.post(PEOPLE_URL, {"file": upload(GOOD)})

    assert response.status_code == 400
    assert "the limit is 50\xa0bytes" in response.content.decode()
    assert not Person.objects.filter(email="al@acme.test").exists()


def test_empty_file_is_a_400(admin_client):
    response = admin_client.post(PEOPLE_URL, {"file": upload(b"")})

    assert response.status_code == 400
    assert "The file is empty" in response.content.decode()


def test_non_utf8_file_is_a_400_naming_the_line(admin_client):
    response = admin_client.post(
        PEOPLE_URL, {"file": upload(GOOD + "zoë@acme.test".encode("latin-1"))}
    )

    assert response.status_code == 400
    assert '<td class="num">4</td><td>file</td>' in response.content.decode()


@pytest.mark.parametrize("url", [PEOPLE_URL, CUSTOMERS_URL])
@pytest.mark.parametrize("role", ["crp", "manager", "executive", "sales"])
def test_only_program_admins_may_import(client, staff, url, role):
    client.force_login(staff[role])

    assert client.get(url).status_code == 403
    assert client.post(url, {"file": upload(GOOD)}).status_code == 403
    assert not Person.objects.filter(email="al@acme.test").exists()


@pytest.mark.parametrize("url", [PEOPLE_URL, CUSTOMERS_URL])
def test_anonymous_visitor_is_sent_to_sign_in(client, db, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_csrf_is_enforced(staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff["admin"])

    assert client.post(PEOPLE_URL, {"file": upload(GOOD)}).status_code == 403
