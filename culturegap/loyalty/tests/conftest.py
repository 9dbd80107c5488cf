"""Fixtures of the loyalty tests: a small customer base with contacts, services and an open
campaign, in the ``company`` of the project's conftest."""

import datetime
import re
from dataclasses import dataclass

import pytest
from django.core import mail
from django.utils import timezone

from culturegap.loyalty import services
from culturegap.loyalty.tests.factories import ContactFactory, SurveyCampaignFactory
from culturegap.org.models import Customer, Service
from culturegap.org.tests.factories import (
    CustomerFactory,
    CustomerServiceFactory,
    ServiceFactory,
)

LINK = re.compile(r"https?://\S+/loyalty/s/([A-Za-z0-9_-]+)/")


@dataclass
class Book:
    """What the loyalty tests work on."""

    accounts: Service
    payroll: Service
    audit: Service
    zephyr: Customer  # buys accounts, served by Client Service, owned by Sam Sales
    yew: Customer  # buys accounts and payroll, owned by nobody
    gone: Customer  # bought accounts until last year


@pytest.fixture
def book(company, staff) -> Book:
    accounts = ServiceFactory(company=company, code="ACC", name="Year-end accounts")
    payroll = ServiceFactory(company=company, code="PAY", name="Payroll")
    audit = ServiceFactory(company=company, code="AUD", name="Statutory audit")
    team = staff["crp"].team
    zephyr = CustomerFactory(
        company=company, name="Zephyr Joinery", sales_owner=staff["sales"], serving_team=team
    )
    yew = CustomerFactory(company=company, name="Yew Tree Dental", serving_team=team)
    gone = CustomerFactory(company=company, name="Gone Bakery")
    CustomerServiceFactory(customer=zephyr, service=accounts)
    CustomerServiceFactory(customer=yew, service=accounts)
    CustomerServiceFactory(customer=yew, service=payroll)
    CustomerServiceFactory(
        customer=gone,
        service=accounts,
        ended_on=timezone.localdate() - datetime.timedelta(days=300),
    )
    for customer in (zephyr, yew, gone):
        ContactFactory(customer=customer, name=f"Pat at {customer.name}")
    return Book(accounts, payroll, audit, zephyr, yew, gone)


@pytest.fixture
def campaign(company, staff, book):
    """An open campaign whose invitations went out; ``campaign.links`` maps customer name →
    the token e-mailed to its contact."""
    campaign = services.create_campaign(
        company=company,
        created_by=staff["admin"],
        name="Spring survey",
        opens_on=timezone.localdate() - datetime.timedelta(days=1),
        closes_on=timezone.localdate() + datetime.timedelta(days=20),
    )
    mail.outbox.clear()
    services.send_invitations(campaign=campaign, base_url="https://cg.example")
    campaign.links = {}
    for message in mail.outbox:
        customer = Customer.objects.get(contacts__email=message.to[0])
        campaign.links[customer.name] = LINK.search(message.body).group(1)
    mail.outbox.clear()
    return campaign


@pytest.fixture
def closed_campaign(company):
    return SurveyCampaignFactory(
        company=company,
        name="Last year's survey",
        opens_on=timezone.localdate() - datetime.timedelta(days=400),
        closes_on=timezone.localdate() - datetime.timedelta(days=372),
    )


def answer(campaign, customer, score, day, team="serving"):
    """A stored answer given at noon (company time) on ``day``."""
    from culturegap.loyalty.tests.factories import SurveyResponseFactory
    from culturegap.org.scope import company_zone

    at = datetime.datetime.combine(day, datetime.time(12), company_zone(campaign.company))
    team = customer.serving_team if team == "serving" else team
    return SurveyResponseFactory(
        campaign=campaign, customer=customer, score=score, answered_at=at, team=team
    )


@dataclass
class History:
    """2025 worked by hand (see test_selectors): five answers in the year, one before it."""

    book: Book
    oak: Customer
    tax_team: object
    start: datetime.date = datetime.date(2025, 1, 1)
    end: datetime.date = datetime.date(2025, 12, 31)


@pytest.fixture
def history(company, staff, book) -> History:
    from culturegap.org.tests.factories import TeamFactory

    tax = TeamFactory(company=company, name="Tax", kind="professional")
    oak = CustomerFactory(company=company, name="Oak Farm", serving_team=tax)
    CustomerServiceFactory(customer=oak, service=book.accounts, ended_on=datetime.date(2025, 6, 30))
    # Gone Bakery's service ended before 2025: make that date fixed.
    book.gone.services.update(ended_on=datetime.date(2024, 6, 1))
    campaign = SurveyCampaignFactory(
        company=company,
        name="2025 survey",
        opens_on=datetime.date(2024, 12, 1),
        closes_on=datetime.date(2025, 12, 31),
    )
    D = datetime.date
    answer(campaign, book.zephyr, 10, D(2025, 2, 10))
    answer(campaign, book.zephyr, 9, D(2025, 8, 1))
    answer(campaign, book.yew, 6, D(2025, 2, 20))
    answer(campaign, book.yew, 8, D(2025, 5, 5))
    answer(campaign, oak, 3, D(2025, 3, 1))
    answer(campaign, book.yew, 0, D(2024, 12, 31))  # before the period
    return History(book=book, oak=oak, tax_team=tax)
