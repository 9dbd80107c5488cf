"""The team coaching page, ``/coaching/team/``, costs the same number of queries for a small
company and for one ten times its size, whose shown team is ten times larger too: no query per
person or per observation."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from culturegap.coaching.models import ObservationKind
from culturegap.coaching.tests.factories import (
    ObservationFactory,
    published_playbook,
    scorecard_with_steps,
)
from culturegap.org.tests.factories import CompanyFactory, PersonFactory, TeamFactory
from culturegap.reinforcement.tests.factories import card, make_question
from culturegap.training.models import Assessment, AssessmentKind, Enrollment
from culturegap.training.tests.factories import curriculum_with_lessons


def _company(size: int):
    """A company with ``size`` teams of a manager and three people; the first team, the one
    the page shows, has ``3 * size`` people. Each person has an enrollment with both checks
    done, cards and a manager observation and a self-assessment. The executive (who sees the
    whole company) and the first team's manager open the page."""
    company = CompanyFactory()
    published_playbook(company)
    scorecard = scorecard_with_steps(company)
    curriculum = curriculum_with_lessons(company=company)
    questions = [make_question(company, skill=skill) for skill in ("open", "discover")]
    now = timezone.now()
    executive = PersonFactory(company=company, team=None, is_executive=True, is_crp=False)
    managers = []
    for n in range(size):
        team = TeamFactory(company=company, name=f"Team {n:02}")
        manager = PersonFactory(company=company, team=team, is_manager=True, manager=executive)
        managers.append(manager)
        for _ in range(3 * size if n == 0 else 3):
            person = PersonFactory(company=company, team=team, manager=manager)
            enrollment = Enrollment.objects.create(
                company=company,
                person=person,
                curriculum=curriculum,
                starts_on=now.date() - datetime.timedelta(days=30),
                due_on=now.date() + datetime.timedelta(days=10),
            )
            for kind, score in ((AssessmentKind.PRE, 50), (AssessmentKind.POST, 80)):
                Assessment.objects.create(
                    company=company, enrollment=enrollment, kind=kind, completed_at=now, score=score
                )
            for question in questions:
                card(person, question, due=now, stability=5, last_review=now)
            ObservationFactory(person=person, scorecard=scorecard, ratings={"open": 3})
            ObservationFactory(
                person=person,
                observer=person,
                scorecard=scorecard,
                kind=ObservationKind.SELF,
                ratings={"discover": 2},
            )
    return executive, managers[0]


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("coaching:team"))
    assert response.status_code == 200
    return sum(1 for q in queries.captured_queries if "SAVEPOINT" not in q["sql"])


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", [0, 1], ids=["executive", "manager"])
def test_the_team_page_costs_the_same_for_a_company_ten_times_larger(client, viewer):
    counts = []
    for size in (1, 10):
        client.force_login(_company(size)[viewer])
        client.get(reverse("coaching:team"))  # settings come from the cache after
        counts.append(_queries(client))
    assert counts[0] == counts[1]
