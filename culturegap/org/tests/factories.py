"""factory-boy factories for the organisation."""

import datetime
from decimal import Decimal

import factory

from culturegap.org.models import (
    Company,
    Customer,
    CustomerService,
    Person,
    Service,
    Team,
    TeamKind,
)

# Everyone the factories make signs in with this password.
PASSWORD = "a-long-test-password"


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.Sequence(lambda n: f"company-{n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    kind = TeamKind.SERVICE


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    company = factory.SubFactory(CompanyFactory)
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    name = factory.Sequence(lambda n: f"Person {n}")
    team = factory.LazyAttribute(lambda o: TeamFactory(company=o.company))
    is_crp = True

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    company = factory.SubFactory(CompanyFactory)
    code = factory.Sequence(lambda n: f"SVC{n}")
    name = factory.Sequence(lambda n: f"Service {n}")
    annual_value = Decimal("1200.00")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    company = factory.SubFactory(CompanyFactory)
    external_id = factory.Sequence(lambda n: f"C{n:05d}")
    name = factory.Sequence(lambda n: f"Customer {n}")
    since = datetime.date(2020, 1, 1)


class CustomerServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerService

    customer = factory.SubFactory(CustomerFactory)
    company = factory.LazyAttribute(lambda o: o.customer.company)
    service = factory.LazyAttribute(lambda o: ServiceFactory(company=o.customer.company))
    started_on = datetime.date(2021, 1, 1)
