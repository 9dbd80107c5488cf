"""factory-boy factories for opportunities."""

import factory

from culturegap.opportunities.models import Opportunity
from culturegap.org.tests.factories import CustomerFactory


class OpportunityFactory(factory.django.DjangoModelFactory):
    """An opportunity written directly (no routing, no e-mail): for lists and permissions."""

    class Meta:
        model = Opportunity

    customer = factory.SubFactory(CustomerFactory)
    company = factory.LazyAttribute(lambda o: o.customer.company)
    need = factory.Sequence(lambda n: f"Asked about service number {n}")
    channel = "phone"
    found_by_team = factory.LazyAttribute(lambda o: o.found_by.team if o.found_by else None)
    found_by = None
    owner = None
