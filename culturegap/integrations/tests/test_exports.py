import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from culturegap.coaching.tests.factories import ObservationFactory, scorecard_with_steps
from culturegap.csvexport import safe_cell
from culturegap.integrations import exports
from culturegap.loyalty.tests.factories import SurveyCampaignFactory, SurveyResponseFactory
from culturegap.opportunities.tests.factories import OpportunityFactory
from culturegap.org.tests.factories import (
    CustomerFactory,
    CustomerServiceFactory,
    PersonFactory,
    ServiceFactory,
    TeamFactory,
)
from culturegap.training.models import Answer, Enrollment
from culturegap.training.tests.factories import curriculum_with_lessons, take_curriculum

UTC = datetime.UTC


def _read(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def _download(client, table, **params):
    return client.get(reverse("integrations:export_table"), {"table": table, **params})


@pytest.fixture
def shop(company, staff):
    service = ServiceFactory(company=company, code="TAX", name="Tax return")
    customer = CustomerFactory(
        company=company, external_id="C-1", name="=HYPERLINK(1)", sales_owner=staff["sales"]
    )
    CustomerServiceFactory(
        customer=customer,
        service=service,
        started_on=datetime.date(2024, 1, 1),
        ended_on=datetime.date(2024, 12, 31),
    )
    return {"service": service, "customer": customer}


def test_csv_cells_never_start_a_formula():
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("+44 20") == "'+44 20"
    assert safe_cell("-x") == "'-x"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("\tTab") == "'\tTab"
    assert safe_cell("Plain") == "Plain"
    assert safe_cell(-3) == -3  # a number stays a number
    assert safe_cell(None) == ""


def test_purchases_export_equals_the_rows(client, company, staff, shop):
    client.force_login(staff["admin"])
    response = _download(client, "purchases")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="acme-purchases.csv"' in response["Content-Disposition"]
    rows = _read(response)
    purchase = shop["customer"].services.get()
    assert rows == [
        ["id", "customer_external_id", "customer_name", "service_code", "started_on", "ended_on"],
        [str(purchase.pk), "C-1", "'=HYPERLINK(1)", "TAX", "2024-01-01", "2024-12-31"],
    ]


def test_people_export_lists_roles_like_the_import(client, company, staff):
    client.force_login(staff["executive"])
    rows = _read(_download(client, "people"))
    assert rows[0] == [
        "id", "email", "name", "team", "manager_email", "active", "joined_at", "roles"
    ]  # fmt: skip
    by_email = {row[1]: row for row in rows[1:]}
    assert set(by_email) == {person.email for person in staff.values()}
    crp = by_email["crp@acme.test"]
    assert crp[3:6] == ["Client Service", "manager@acme.test", "true"]
    assert crp[7] == "crp"
    assert by_email["manager@acme.test"][7] == "manager"
    assert crp[6].endswith("Z")


def test_every_table_downloads_for_an_admin(client, company, staff, shop):
    curriculum = curriculum_with_lessons(company=company)
    enrollment = Enrollment.objects.create(
        company=company,
        person=staff["crp"],
        curriculum=curriculum,
        starts_on=datetime.date(2025, 1, 6),
        due_on=datetime.date(2025, 3, 31),
    )
    take_curriculum(enrollment)
    ObservationFactory(
        person=staff["crp"], scorecard=scorecard_with_steps(company), ratings={"open": 3}
    )
    OpportunityFactory(customer=shop["customer"], found_by=staff["crp"])
    SurveyResponseFactory(
        campaign=SurveyCampaignFactory(company=company), customer=shop["customer"], score=9
    )
    client.force_login(staff["admin"])
    for slug, table in exports.TABLES.items():
        rows = _read(_download(client, slug))
        assert rows[0] == table.header_for(company), slug
        assert len(rows) > 1, f"{slug} is empty"
        assert all(len(row) == len(table.header) for row in rows), slug
    # Money columns name the company's currency; their cells stay plain numbers.
    assert "annual_value (GBP)" in _read(_download(client, "services"))[0]
    assert "value (GBP)" in _read(_download(client, "opportunities"))[0]
    enrollment_rows = _read(_download(client, "enrollments"))
    header = enrollment_rows[0]
    row = dict(zip(header, enrollment_rows[1], strict=True))
    assert row["lessons_completed"] == "4" and row["certified_at"].endswith("Z")
    reviews = _read(_download(client, "reviews"))
    # One review per answer, whether in a lesson or an assessment.
    assert len(reviews) - 1 == Answer.objects.filter(person=staff["crp"]).count() > 0


def test_another_company_rows_never_appear(client, company, other_company, staff, shop):
    CustomerFactory(company=other_company, external_id="THEIRS", name="Their Customer")
    client.force_login(staff["admin"])
    body = str(_read(_download(client, "customers")))
    assert "C-1" in body and "THEIRS" not in body


def test_date_range_filters_on_the_table_date(client, company, staff):
    service = ServiceFactory(company=company, code="PAY")
    customer = CustomerFactory(company=company)
    for day in (datetime.date(2024, 1, 31), datetime.date(2024, 2, 1), datetime.date(2024, 3, 1)):
        CustomerServiceFactory(customer=customer, service=service, started_on=day, ended_on=day)
    client.force_login(staff["admin"])
    rows = _read(_download(client, "purchases", date_from="2024-02-01", date_to="2024-02-29"))
    assert [row[4] for row in rows[1:]] == ["2024-02-01"]
    rows = _read(_download(client, "purchases", date_from="2024-02-01"))
    assert [row[4] for row in rows[1:]] == ["2024-02-01", "2024-03-01"]


def test_date_range_on_moments_uses_the_company_day(client, company, staff):
    company.time_zone = "Europe/London"
    company.save()
    customer = CustomerFactory(company=company)
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (summer time): a July opportunity.
    late = OpportunityFactory(customer=customer)
    late.created_at = datetime.datetime(2025, 6, 30, 23, 30, tzinfo=UTC)
    late.save()
    early = OpportunityFactory(customer=customer)
    early.created_at = datetime.datetime(2025, 6, 30, 22, 30, tzinfo=UTC)
    early.save()
    client.force_login(staff["admin"])
    rows = _read(_download(client, "opportunities", date_from="2025-07-01", date_to="2025-07-01"))
    assert [int(row[0]) for row in rows[1:]] == [late.pk]


def test_bad_dates_are_a_400_naming_the_field(client, staff):
    client.force_login(staff["admin"])
    response = _download(client, "people", date_from="31/01/2025")
    assert response.status_code == 400
    assert "date_from" in response.content.decode()
    response = _download(client, "people", date_from="2025-02-01", date_to="2025-01-01")
    assert response.status_code == 400
    assert "date_to" in response.content.decode()
    assert _download(client, "no-such-table").status_code == 400
    page = client.get(reverse("integrations:export_list"), {"date_from": "yesterday"})
    assert page.status_code == 400
    assert "Give the first day as YYYY-MM-DD." in page.content.decode()


def test_manager_exports_their_reporting_line_only(client, company, staff):
    elsewhere = TeamFactory(company=company, name="Tax team", kind="professional")
    stranger = PersonFactory(company=company, team=elsewhere, email="tara@acme.test")
    below = PersonFactory(company=company, team=staff["crp"].team, manager=staff["crp"])
    customer = CustomerFactory(company=company)
    mine = OpportunityFactory(customer=customer, found_by=below)
    OpportunityFactory(customer=customer, found_by=stranger)
    client.force_login(staff["manager"])

    people = {row[1] for row in _read(_download(client, "people"))[1:]}
    # The manager, their CRP, and the CRP's own report (two levels down).
    assert people == {"manager@acme.test", "crp@acme.test", below.email}
    teams = {row[1] for row in _read(_download(client, "teams"))[1:]}
    assert teams == {"Client Service"}
    opportunities = [int(row[0]) for row in _read(_download(client, "opportunities"))[1:]]
    assert opportunities == [mine.pk]


@pytest.mark.parametrize("table", ["services", "customers", "purchases"])
def test_manager_gets_403_for_company_wide_tables(client, staff, table):
    client.force_login(staff["manager"])
    assert _download(client, table).status_code == 403
    page = client.get(reverse("integrations:export_list")).content.decode()
    assert f"table={table}" not in page


def test_crp_and_sales_may_not_export(client, staff):
    for role in ("crp", "sales"):
        client.force_login(staff[role])
        assert _download(client, "people").status_code == 403


def test_loyalty_responses_of_a_manager_are_their_teams(client, company, staff):
    campaign = SurveyCampaignFactory(company=company)
    ours = CustomerFactory(company=company, serving_team=staff["crp"].team)
    theirs = CustomerFactory(company=company, serving_team=TeamFactory(company=company))
    SurveyResponseFactory(campaign=campaign, customer=ours, score=10, answered_at=timezone.now())
    SurveyResponseFactory(campaign=campaign, customer=theirs, score=2)
    client.force_login(staff["manager"])
    rows = _read(_download(client, "loyalty_responses"))
    assert [row[3] for row in rows[1:]] == [ours.external_id]
