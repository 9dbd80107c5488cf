"""factory-boy factories for loyalty surveys."""

import datetime

import factory
from django.utils import timezone

from culturegap.loyalty.models import SurveyCampaign, SurveyInvitation, SurveyResponse
from culturegap.org.models import Contact
from culturegap.org.tests.factories import CompanyFactory, CustomerFactory


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    company = factory.LazyAttribute(lambda o: o.customer.company)
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.Sequence(lambda n: f"contact{n}@client.example")


class SurveyCampaignFactory(factory.django.DjangoModelFactory):
    """A campaign open from a week ago to three weeks from now."""

    class Meta:
        model = SurveyCampaign

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Loyalty survey {n}")
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=7))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=21))


class SurveyInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyInvitation

    campaign = factory.SubFactory(SurveyCampaignFactory)
    company = factory.LazyAttribute(lambda o: o.campaign.company)
    customer = factory.LazyAttribute(lambda o: CustomerFactory(company=o.campaign.company))
    contact = factory.LazyAttribute(lambda o: ContactFactory(customer=o.customer))


class SurveyResponseFactory(factory.django.DjangoModelFactory):
    """An answer, with the answered invitation it came from."""

    class Meta:
        model = SurveyResponse

    campaign = factory.SubFactory(SurveyCampaignFactory)
    company = factory.LazyAttribute(lambda o: o.campaign.company)
    customer = factory.LazyAttribute(lambda o: CustomerFactory(company=o.campaign.company))
    team = factory.LazyAttribute(lambda o: o.customer.serving_team)
    answered_at = factory.LazyFunction(timezone.now)
    invitation = factory.LazyAttribute(
        lambda o: SurveyInvitationFactory(
            campaign=o.campaign, customer=o.customer, answered_at=o.answered_at
        )
    )
    score = 8
