"""Fixtures of the Today page's tests: a company where every role has something to do."""

import datetime

import pytest
from django.utils import timezone

from culturegap.culture import services as culture
from culturegap.loyalty.tests.factories import SurveyCampaignFactory
from culturegap.opportunities.models import Status
from culturegap.opportunities.tests.factories import OpportunityFactory
from culturegap.org.tests.factories import CustomerFactory
from culturegap.training.models import Enrollment
from culturegap.training.tests.factories import curriculum_with_lessons, take_curriculum


@pytest.fixture
def busy(company, staff):
    """The CRP and the salesperson have a final check overdue; a culture survey and a loyalty
    survey are open; the CRP passed on three needs, one of which the customer now uses."""
    today = timezone.localdate()
    curriculum = curriculum_with_lessons(company=company, title="Communication essentials")
    for role in ("crp", "sales"):
        enrollment = Enrollment.objects.create(
            company=company,
            person=staff[role],
            curriculum=curriculum,
            starts_on=today - datetime.timedelta(days=40),
            due_on=today - datetime.timedelta(days=2),
        )
        take_curriculum(enrollment, post=False)
    culture.open_wave(
        company=company,
        name="Spring 2026",
        opened_on=today - datetime.timedelta(days=5),
        opened_by=staff["admin"],
    )
    SurveyCampaignFactory(company=company, name="Winter check-in")
    customer = CustomerFactory(company=company)
    for status, value in ((Status.WON, 1200), (Status.LOST, None), (Status.NEW, None)):
        OpportunityFactory(customer=customer, found_by=staff["crp"], status=status, value=value)
    return today - datetime.timedelta(days=2)
