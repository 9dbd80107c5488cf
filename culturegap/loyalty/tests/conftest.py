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
