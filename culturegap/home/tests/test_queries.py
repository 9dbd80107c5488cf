"""How many queries the hot pages of a CRP cost: the Today page and the drill (a question and
an answer), the same for a small company and for one ten times its size."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from culturegap.opportunities.tests.factories import OpportunityFactory
from culturegap.org.tests.factories import (
    CompanyFactory,
    CustomerFactory,
    CustomerServiceFactory,
    PersonFactory,
    ServiceFactory,
    TeamFactory,
)
from culturegap.reinforcement.tests.factories import card, make_question
from culturegap.training.models import Enrollment
from culturegap.training.tests.factories import curriculum_with_lessons

# The pages a CRP opens many times a day cost at most eight queries each, whatever the size of
# the company: a change that adds a query per request, or one per person of the company, fails
# here. The Today page: session, person, opportunities, the current curriculum, the lesson
# streak, the drill (with the hold and the due cards), the culture survey and the eCoach badge
# of the menu. An answer: session, person, the card (locked, with its hold and drill), the
# options, the answer, the review, the card's new schedule, and the drill's end on the last.
DRILL_BUDGET = 8
TODAY_BUDGET = 8
ANSWER_BUDGET = 8


def _company(size: int):
    """A company with ``size`` teams of four people, each with cards, customers and
    opportunities, and the CRP the pages are opened as (enrolled, with cards due)."""
    company = CompanyFactory()
    service = ServiceFactory(company=company)
    curriculum = curriculum_with_lessons(company=company)
    questions = [make_question(company, skill=skill) for skill in ("open", "discover", "close")]
    now = timezone.now()
    people = []
    for _ in range(size):
        team = TeamFactory(company=company)
        manager = PersonFactory(company=company, team=team, is_manager=True)
        people += [manager] + [
            PersonFactory(company=company, team=team, manager=manager) for _ in range(3)
        ]
    for person in people:
        Enrollment.objects.create(
            company=company,
            person=person,
            curriculum=curriculum,
            starts_on=now.date() - datetime.timedelta(days=10),
            due_on=now.date() + datetime.timedelta(days=20),
        )
        for n, question in enumerate(questions):
            card(person, question, due=now - datetime.timedelta(hours=n + 1))
        customer = CustomerFactory(company=company, sales_owner=None)
        CustomerServiceFactory(customer=customer, service=service)
        OpportunityFactory(found_by=person, customer=customer)
    return people[1]


@pytest.fixture(params=[1, 10], ids=["small", "ten-times-larger"])
def crp(request, db):
    return _company(request.param)


def _count(client, method, url, **data) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data, HTTP_HX_REQUEST="true" if data else None)
    assert response.status_code in {200, 302}, response.status_code
    # Savepoints are part of a transaction, not queries that read or write data.
    return sum(1 for q in queries.captured_queries if "SAVEPOINT" not in q["sql"])


def test_the_today_page_of_a_crp_costs_a_fixed_number_of_queries(client, crp):
    client.force_login(crp)
    client.get(reverse("today"))  # the first visit may start a drill
    assert _count(client, "get", reverse("today")) <= TODAY_BUDGET


def test_a_drill_question_costs_at_most_eight_queries(client, crp, django_assert_max_num_queries):
    client.force_login(crp)
    client.get(reverse("reinforcement:drill"))  # starts today's drill
    with django_assert_max_num_queries(DRILL_BUDGET):
        response = client.get(reverse("reinforcement:drill"))
    assert "Question 1 of 3" in response.content.decode()


def test_a_drill_answer_costs_a_fixed_number_of_queries(client, crp):
    client.force_login(crp)
    html = client.get(reverse("reinforcement:drill")).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    option = re.findall(r'name="option" value="(\d+)"', html)[0]
    answer = reverse("reinforcement:answer")
    assert _count(client, "post", answer, token=token, option=option) <= ANSWER_BUDGET


def test_every_answer_of_a_drill_to_its_end_costs_a_fixed_number_of_queries(client, crp):
    client.force_login(crp)
    answer = reverse("reinforcement:answer")
    counts = []
    for _ in range(3):
        html = client.get(reverse("reinforcement:drill")).content.decode()
        token = re.search(r'name="token" value="([^"]+)"', html).group(1)
        option = re.findall(r'name="option" value="(\d+)"', html)[0]
        counts.append(_count(client, "post", answer, token=token, option=option))
    assert "Done for today" in client.get(reverse("reinforcement:drill")).content.decode()
    assert max(counts) <= ANSWER_BUDGET
