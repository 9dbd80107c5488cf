"""The retention page of the teams, ``/drill/teams/``, costs the same number of queries for a
small company and for one ten times its size: no query per team or per person."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from culturegap.org.tests.factories import CompanyFactory, PersonFactory, TeamFactory
from culturegap.reinforcement.tests.factories import card, make_question


def _company(size: int):
    """A company with ``size`` teams of a manager and three CRPs, each with reviewed cards;
    the executive (who sees every team) and the last team's manager open the page."""
    company = CompanyFactory()
    questions = [make_question(company, skill=skill) for skill in ("open", "discover")]
    now = timezone.now()
    executive = PersonFactory(company=company, team=None, is_executive=True, is_crp=False)
    for _ in range(size):
        team = TeamFactory(company=company)
        manager = PersonFactory(company=company, team=team, is_manager=True, manager=executive)
        for person in [manager] + [
            PersonFactory(company=company, team=team, manager=manager) for _ in range(3)
        ]:
            for n, question in enumerate(questions):
                card(
                    person,
                    question,
                    due=now + datetime.timedelta(days=n),
                    stability=3 + n,
                    last_review=now - datetime.timedelta(days=4),
                )
    return executive, manager


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return sum(1 for q in queries.captured_queries if "SAVEPOINT" not in q["sql"])


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", [0, 1], ids=["executive", "manager"])
def test_the_teams_page_costs_the_same_for_a_company_ten_times_larger(client, viewer):
    counts = []
    for size in (1, 10):
        client.force_login(_company(size)[viewer])
        client.get(reverse("reinforcement:team_list"))  # settings come from the cache after
        counts.append(_queries(client, reverse("reinforcement:team_list")))
    assert counts[0] == counts[1]
