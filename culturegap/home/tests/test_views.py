"""The Today page: one section per role, each saying what to do today."""

import datetime

import pytest
from django.urls import reverse

from culturegap.org.tests.factories import (
    CustomerFactory,
    CustomerServiceFactory,
    ServiceFactory,
)


@pytest.mark.parametrize(
    "role, heading",
    [
        ("executive", "The company at a glance"),
        ("admin", "Set up and run the program"),
        ("manager", "Coach your teams"),
        ("crp", "Your few minutes today"),
        ("sales", "Your customers"),
    ],
)
def test_each_role_home_page_says_what_to_do(client, staff, role, heading):
    client.force_login(staff[role])
    response = client.get(reverse("today"))
    assert response.status_code == 200
    assert heading in response.content.decode()


def test_a_person_with_two_roles_sees_both_sections(client, staff):
    manager = staff["manager"]
    manager.is_crp = True
    manager.save()
    client.force_login(manager)
    body = client.get(reverse("today")).content.decode()
    assert "Coach your teams" in body and "Your few minutes today" in body


def test_executive_home_shows_services_per_customer(client, company, staff):
    accounts, tax = ServiceFactory(company=company), ServiceFactory(company=company)
    one = CustomerFactory(company=company)
    two = CustomerFactory(company=company)
    CustomerServiceFactory(customer=one, service=accounts)
    CustomerServiceFactory(customer=two, service=accounts)
    CustomerServiceFactory(customer=two, service=tax)
    # An ended service does not count: two buys 2 now, one buys 1 → 1.5 per customer.
    CustomerServiceFactory(
        customer=one,
        service=tax,
        started_on=datetime.date(2020, 1, 1),
        ended_on=datetime.date(2021, 1, 1),
    )
    client.force_login(staff["executive"])
    sections = client.get(reverse("today")).context["sections"]
    stats = dict(sections[0].stats)
    assert stats["Services per customer"] == 1.5
    assert stats["Buy one service only"] == "50%"
    assert stats["Active customers"] == 2


def _task_texts(client, person) -> list[str]:
    client.force_login(person)
    sections = client.get(reverse("today")).context["sections"]
    return [task.text for section in sections for task in section.tasks]


def test_an_open_culture_survey_is_on_the_crp_and_sales_today_page_until_answered(
    client, company, staff
):
    from culturegap.culture import services as culture

    wave = culture.open_wave(
        company=company, name="Spring", opened_on=datetime.date(2026, 3, 1), opened_by=None
    )
    task = "Answer the culture survey “Spring” — open since 1\u00a0Mar"
    for role in ("crp", "sales"):
        assert any(task in t for t in _task_texts(client, staff[role]))
    # The executive is not asked (not customer-contact staff); the survey is not their task.
    assert not any(task in t for t in _task_texts(client, staff["executive"]))
    scores = {key: 4 for key in wave.dimension_of()}
    culture.submit_answer(wave=wave, person=staff["crp"], scores=scores)
    assert not any(task in t for t in _task_texts(client, staff["crp"]))


def test_the_executive_today_page_leads_to_the_dashboard(client, staff):
    client.force_login(staff["executive"])
    body = client.get(reverse("today")).content.decode()
    assert reverse("dashboard:index") in body and reverse("culture:results") in body


def test_healthz_me_answers_the_signed_in_person_with_their_id(client, staff):
    assert client.get(reverse("me")).status_code == 302  # to the sign-in page
    client.force_login(staff["crp"])
    assert client.get(reverse("me")).json() == {"person": staff["crp"].pk}
