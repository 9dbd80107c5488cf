"""Recording, routing and moving opportunities."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from culturegap.opportunities.models import Opportunity, OpportunityEvent
from culturegap.opportunities.services import record_opportunity
from culturegap.org.tests.factories import CustomerFactory, ServiceFactory


@pytest.fixture
def service(company):
    return ServiceFactory(company=company, name="Payroll", code="PAY")


def test_recorded_need_goes_to_the_sales_owner_who_is_emailed(
    company, staff, service, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(company=company, sales_owner=staff["sales"])
    with django_capture_on_commit_callbacks(execute=True):
        opportunity = record_opportunity(
            company=company,
            customer=customer,
            service=service,
            need="  They are hiring and asked who runs payroll  ",
            channel="phone",
            found_by=staff["crp"],
        )
    assert opportunity.owner == staff["sales"]
    assert opportunity.status == "new"
    assert opportunity.need == "They are hiring and asked who runs payroll"
    assert opportunity.found_by_team == staff["crp"].team
    assert [m.to for m in mail.outbox] == [[staff["sales"].email]]
    assert f"/opportunities/{opportunity.pk}/" in mail.outbox[0].body
    event = OpportunityEvent.objects.get(opportunity=opportunity)
    assert (event.from_status, event.to_status, event.actor) == ("", "new", staff["crp"])


def test_bad_input_names_each_field_and_writes_nothing(company, other_company, staff):
    foreign_customer = CustomerFactory(company=other_company)
    foreign_service = ServiceFactory(company=other_company)
    with pytest.raises(ValidationError) as error:
        record_opportunity(
            company=company,
            customer=foreign_customer,
            service=foreign_service,
            need="   ",
            channel="pigeon",
            urgency="yesterday",
            found_by=staff["crp"],
        )
    assert set(error.value.message_dict) == {"customer", "service", "need", "channel", "urgency"}
    assert not Opportunity.objects.exists()
