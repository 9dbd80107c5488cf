"""A small hand-built company whose every dashboard figure is worked out by hand in the tests.

Client Service (the manager's team, CRP Cara) and Tax (CRP Tom, outside the manager's line):

- training: Cara enrolled, pre 50 → post 90, completed and certified; Tom enrolled, pre 60 only;
- retention: Cara has a card last reviewed ``stability`` days ago (recall 0.9 by FSRS's
  definition of stability) and a card never reviewed (0): mean 0.45; Tom has no card;
- behaviour: the manager observed Cara with ratings 4 and 2 (mean 3 → 66.67 on 0–100);
- opportunities in the last 12 months: Cara 3 (won 1,000, lost, new), Tom 1 (won 500); one more
  of Cara's 13 months ago (in the 24-month period only);
- loyalty: answers 10, 9, 7, 3 for customers Client Service serves, 0 for Tax's; customer A
  (Client Service) buys 2 services, B (Tax) one ended a month ago and one started 60 days ago,
  C (Tax) one ended 10 days ago.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from culturegap.coaching.tests.factories import ObservationFactory, scorecard_with_steps
from culturegap.loyalty.tests.factories import SurveyCampaignFactory, SurveyResponseFactory
from culturegap.opportunities.models import Opportunity, Source, Status
from culturegap.org.tests.factories import (
    CustomerFactory,
    CustomerServiceFactory,
    PersonFactory,
    ServiceFactory,
    TeamFactory,
)
from culturegap.reinforcement.models import Card, CardState
from culturegap.training.models import Assessment, AssessmentKind, Enrollment
from culturegap.training.tests.factories import curriculum_with_lessons


def _days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def hand_built(company, staff):
    cara, manager = staff["crp"], staff["manager"]
    service_team = cara.team
    tax = TeamFactory(company=company, name="Tax", kind="professional")
    tom = PersonFactory(company=company, team=tax, name="Tom Tax", email="tom@acme.test")
    today = timezone.localdate()

    curriculum = curriculum_with_lessons(company=company)
    starts = today - datetime.timedelta(days=100)
    cara_enrollment = Enrollment.objects.create(
        company=company,
        person=cara,
        curriculum=curriculum,
        starts_on=starts,
        due_on=starts + datetime.timedelta(days=60),
        started_at=_days_ago(99),
        completed_at=_days_ago(50),
        certified_at=_days_ago(50),
    )
    tom_enrollment = Enrollment.objects.create(
        company=company,
        person=tom,
        curriculum=curriculum,
        starts_on=starts,
        due_on=starts + datetime.timedelta(days=60),
        started_at=_days_ago(90),
    )
    for enrollment, kind, score, days in (
        (cara_enrollment, AssessmentKind.PRE, 50.0, 99),
        (cara_enrollment, AssessmentKind.POST, 90.0, 50),
        (tom_enrollment, AssessmentKind.PRE, 60.0, 90),
    ):
        Assessment.objects.create(
            company=company,
            enrollment=enrollment,
            kind=kind,
            score=score,
            started_at=_days_ago(days),
            completed_at=_days_ago(days),
        )

    question, other_question = curriculum.modules.first().lessons.first().questions.all()[:2]
    Card.objects.create(
        company=company,
        person=cara,
        question=question,
        skill=question.skill,
        state=CardState.REVIEW,
        stability=10.0,
        difficulty=5.0,
        last_review=_days_ago(10) - datetime.timedelta(hours=1),
        due=timezone.now(),
    )
    Card.objects.create(
        company=company, person=cara, question=other_question, skill=other_question.skill
    )

    scorecard = scorecard_with_steps(company)
    ObservationFactory(
        person=cara,
        observer=manager,
        scorecard=scorecard,
        observed_on=today - datetime.timedelta(days=5),
        ratings={"open": 4, "discover": 2},
    )

    customer_a = CustomerFactory(company=company, name="Alpha Ltd", serving_team=service_team)
    customer_b = CustomerFactory(company=company, name="Beta Ltd", serving_team=tax)
    customer_c = CustomerFactory(company=company, name="Gamma Ltd", serving_team=tax)
    three_years = today - datetime.timedelta(days=3 * 365)
    for customer, started, ended in (
        (customer_a, three_years, None),
        (customer_a, three_years, None),
        (customer_b, three_years, today - datetime.timedelta(days=30)),
        (customer_b, today - datetime.timedelta(days=60), None),
        (customer_c, three_years, today - datetime.timedelta(days=10)),
    ):
        CustomerServiceFactory(
            company=company,
            customer=customer,
            service=ServiceFactory(company=company),
            started_on=started,
            ended_on=ended,
        )

    for finder, team, status, value, days in (
        (cara, service_team, Status.WON, Decimal("1000"), 20),
        (cara, service_team, Status.LOST, None, 30),
        (cara, service_team, Status.NEW, None, 40),
        (tom, tax, Status.WON, Decimal("500"), 25),
        (cara, service_team, Status.WON, Decimal("700"), 395),
    ):
        Opportunity.objects.create(
            company=company,
            customer=customer_a,
            need="Asked about payroll.",
            channel="phone",
            source=Source.CRP,
            found_by=finder,
            found_by_team=team,
            status=status,
            value=value,
            created_at=_days_ago(days),
        )

    campaign = SurveyCampaignFactory(company=company)
    answered = _days_ago(0) - datetime.timedelta(minutes=5)
    for customer, score in (
        (customer_a, 10),
        (customer_a, 9),
        (customer_a, 7),
        (customer_a, 3),
        (customer_b, 0),
    ):
        SurveyResponseFactory(
            campaign=campaign, customer=customer, score=score, answered_at=answered
        )
    return {"tax": tax, "tom": tom, "service_team": service_team, "answered": answered}
