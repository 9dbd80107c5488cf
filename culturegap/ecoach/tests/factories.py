"""factory-boy factories for the eCoach."""

import factory

from culturegap.ecoach.models import CoachQuestion
from culturegap.org.tests.factories import CompanyFactory


class CoachQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoachQuestion

    company = factory.SubFactory(CompanyFactory)
    text = factory.Sequence(lambda n: f"Question {n} for a coach?")
