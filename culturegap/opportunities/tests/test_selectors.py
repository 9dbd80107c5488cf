"""Who sees which opportunities, the list filters and the summary."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from culturegap.opportunities import selectors
from culturegap.opportunities.models import Opportunity
from culturegap.opportunities.selectors import Scope, opportunities_visible_to, opportunity_list
from culturegap.opportunities.tests.factories import OpportunityFactory
from culturegap.org import scope
from culturegap.org.tests.factories import (
    CustomerFactory,
    PersonFactory,
    ServiceFactory,
    TeamFactory,
)


@pytest.fixture
def book(company, other_company, staff):
    """Opportunities found and owned by various people; returns them by name."""
    tax = TeamFactory(company=company, name="Tax", kind="professional")
    other_crp = PersonFactory(company=company, team=tax, name="Olly Other")
    colleague = PersonFactory(company=company, is_crp=False, is_salesperson=True)
    made = {
        "crp_to_sales": dict(found_by=staff["crp"], owner=staff["sales"]),
        "crp_to_queue": dict(found_by=staff["crp"], owner=None),
        "other_to_sales": dict(found_by=other_crp, owner=staff["sales"]),
        "other_to_colleague": dict(found_by=other_crp, owner=colleague),
        "other_to_queue": dict(found_by=other_crp, owner=None),
    }
    book = {
        name: OpportunityFactory(customer=CustomerFactory(company=company), **fields)
        for name, fields in made.items()
    }
    book["elsewhere"] = OpportunityFactory(customer=CustomerFactory(company=other_company))
    return book


def _names(book, queryset):
    ids = set(queryset.values_list("pk", flat=True))
    return {name for name, opportunity in book.items() if opportunity.pk in ids}


def test_a_crp_sees_only_what_they_found(book, staff):
    visible = opportunities_visible_to(viewer=staff["crp"])
    assert _names(book, visible) == {"crp_to_sales", "crp_to_queue"}


def test_a_salesperson_sees_their_own_and_the_queue(book, staff):
    visible = opportunities_visible_to(viewer=staff["sales"])
    assert _names(book, visible) == {
        "crp_to_sales", "crp_to_queue", "other_to_sales", "other_to_queue"
    }  # fmt: skip


def test_a_manager_sees_their_reporting_line(book, staff):
    # Max manages Cara (CRP); Olly and the salespeople report elsewhere.
    visible = opportunities_visible_to(viewer=staff["manager"])
    assert _names(book, visible) == {"crp_to_sales", "crp_to_queue"}


def test_executives_see_the_whole_company_only(book, staff):
    everything = set(book) - {"elsewhere"}
    for role in ("executive", "admin"):
        assert _names(book, opportunities_visible_to(viewer=staff[role])) == everything


def test_the_executive_as_manager_of_the_line(book, staff):
    # The executive manages Max and Sam, but their list "my teams" is only for managers.
    assert selectors.scopes_for(viewer=staff["executive"]) == [Scope.ALL, Scope.FOUND]


def test_scopes_narrow_the_list(book, staff):
    sales = staff["sales"]
    assert _names(book, opportunity_list(viewer=sales, scope=Scope.FOUND)) == set()
    assert _names(book, opportunity_list(viewer=sales, scope=Scope.MINE)) == {
        "crp_to_sales", "crp_to_queue", "other_to_sales", "other_to_queue"
    }  # fmt: skip
    # A scope the viewer may not choose falls back to their default.
    assert _names(book, opportunity_list(viewer=staff["crp"], scope=Scope.ALL)) == {
        "crp_to_sales", "crp_to_queue"
    }  # fmt: skip
    assert _names(book, opportunity_list(viewer=staff["manager"], scope=Scope.TEAMS)) == {
        "crp_to_sales", "crp_to_queue"
    }  # fmt: skip


def test_filters_by_status_team_service_and_days(company, staff):
    payroll = ServiceFactory(company=company, name="Payroll")
    customer = CustomerFactory(company=company)
    zone = scope.company_zone(company)
    late_evening = datetime.datetime(2025, 3, 9, 23, 30, tzinfo=zone)
    won = OpportunityFactory(
        customer=customer, found_by=staff["crp"], status="won", value=Decimal(10),
        service=payroll, created_at=late_evening,
    )  # fmt: skip
    stale = OpportunityFactory(
        customer=customer,
        found_by=staff["crp"],
        created_at=late_evening + datetime.timedelta(hours=1),
        last_touched_at=timezone.now()
        - datetime.timedelta(days=company.opportunity_stale_days + 1),
    )
    fresh = OpportunityFactory(customer=customer, found_by=staff["crp"], status="contacted")

    def ids(**filters):
        rows = opportunity_list(viewer=staff["executive"], scope=Scope.ALL, **filters)
        return [o.pk for o in rows]

    assert ids(status="won") == [won.pk]
    assert ids(status="open") == [fresh.pk, stale.pk]
    assert ids(status="stale") == [stale.pk]
    assert ids(service=payroll) == [won.pk]
    assert ids(team=staff["crp"].team) == [fresh.pk, stale.pk, won.pk]
    assert ids(team=staff["sales"].team) == []
    # Days are the company's days: 23:30 on the 9th is the 9th, 00:30 the 10th.
    assert ids(since=datetime.date(2025, 3, 9), until=datetime.date(2025, 3, 9)) == [won.pk]
    assert ids(since=datetime.date(2025, 3, 10), until=datetime.date(2025, 3, 10)) == [stale.pk]


def test_untouched_days_only_for_open_stale_ones(company, staff):
    now = timezone.now()
    limit = company.opportunity_stale_days
    opportunity = Opportunity(status="new", last_touched_at=now - datetime.timedelta(days=limit))
    assert selectors.untouched_days(opportunity, company=company, now=now) is None
    opportunity.last_touched_at = now - datetime.timedelta(days=limit + 3, hours=2)
    assert selectors.untouched_days(opportunity, company=company, now=now) == limit + 3
    opportunity.status = "lost"
    assert selectors.untouched_days(opportunity, company=company, now=now) is None


def test_summary_counts_and_won_value_by_team(company, staff):
    customer = CustomerFactory(company=company)
    tax = TeamFactory(company=company, name="Tax", kind="professional")
    taxer = PersonFactory(company=company, team=tax)
    for finder, status, value in [
        (staff["crp"], "won", "1000.50"),
        (staff["crp"], "won", "500"),
        (taxer, "won", "3000"),
        (taxer, "lost", None),
        (taxer, "new", None),
        (staff["crp"], "qualified", None),
    ]:
        OpportunityFactory(
            customer=customer, found_by=finder, status=status,
            value=Decimal(value) if value else None, lost_reason="x" if status == "lost" else "",
        )  # fmt: skip
    summary = selectors.summarise(Opportunity.objects.filter(company=company))
    assert (summary.total, summary.open, summary.won, summary.lost) == (6, 2, 3, 1)
    assert summary.won_value == Decimal("4500.50")
    assert summary.won_value_by_team == [
        ("Tax", Decimal("3000")),
        ("Client Service", Decimal("1500.50")),
    ]
    assert summary.by_status == [
        ("New", 1),
        ("Contacted", 0),
        ("Qualified", 1),
        ("Won", 3),
        ("Lost", 1),
    ]
    assert summary.win_rate == 0.75


def test_customer_search_puts_the_viewers_own_customers_first(company, other_company, staff):
    elsewhere = TeamFactory(company=company, name="Tax", kind="professional")
    CustomerFactory(company=company, name="Able Harbour Ltd", serving_team=elsewhere)
    CustomerFactory(company=company, name="Zed Harbour Ltd", serving_team=staff["crp"].team)
    CustomerFactory(company=other_company, name="Harbour Secrets Ltd")
    found = selectors.customer_matches(viewer=staff["crp"], search="harbour")
    assert [c.name for c in found] == ["Zed Harbour Ltd", "Able Harbour Ltd"]
    assert selectors.customer_matches(viewer=staff["crp"], search="h") == []


def test_customer_search_by_id(company, staff):
    customer = CustomerFactory(company=company, external_id="HL-000123", name="Someone")
    assert selectors.customer_matches(viewer=staff["crp"], search="hl-0001") == [customer]


def test_home_counts(company, staff):
    customer = CustomerFactory(company=company)
    OpportunityFactory(customer=customer, found_by=staff["crp"], owner=staff["sales"])
    OpportunityFactory(customer=customer, found_by=staff["crp"])
    OpportunityFactory(
        customer=customer, found_by=staff["crp"], owner=staff["sales"], status="won", value=5
    )
    assert selectors.waiting_for(person=staff["sales"]) == 2
    assert selectors.found_counts(person=staff["crp"]) == {"found": 3, "won": 1}


# What a CRP reads ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("roles", "pipeline"),
    [
        ({"is_crp": True}, False),
        ({"is_crp": True, "is_salesperson": True}, True),
        ({"is_crp": True, "is_manager": True}, True),
        ({"is_crp": False, "is_executive": True}, True),
        ({"is_crp": False, "is_program_admin": True}, True),
    ],
)
def test_who_sees_the_pipeline(company, roles, pipeline):
    assert selectors.sees_pipeline(PersonFactory(company=company, **roles)) is pipeline


def test_what_happened_for_the_customer_is_told_from_the_events(company, staff):
    from culturegap.opportunities import services

    payroll = ServiceFactory(company=company, name="Payroll")
    customer = CustomerFactory(company=company, sales_owner=staff["sales"])
    zone = scope.company_zone(company)

    def told(opportunity):
        opportunity.refresh_from_db()
        return selectors.for_the_customer(opportunity, list(opportunity.events.all()), zone=zone)

    def passed_on():
        return services.record_opportunity(
            company=company, customer=customer, service=payroll, need="Payroll?",
            channel="phone", found_by=staff["crp"],
        )  # fmt: skip

    need = passed_on()
    assert told(need) == "Sam Sales will contact the customer"
    services.move_opportunity(opportunity=need, to_status="contacted", actor=staff["sales"])
    day = timezone.now().astimezone(zone)
    on = f"{day.day} {day:%B}"
    assert told(need) == f"Sam contacted the customer on {on}; Sam is in touch"
    services.move_opportunity(opportunity=need, to_status="won", actor=staff["sales"], value=900)
    assert told(need) == f"Sam contacted the customer on {on}; the customer now uses Payroll"
    straight = passed_on()
    services.move_opportunity(opportunity=straight, to_status="won", actor=staff["sales"], value=9)
    assert told(straight) == f"Sam contacted the customer on {on}; the customer now uses Payroll"
    declined = passed_on()
    services.move_opportunity(
        opportunity=declined, to_status="lost", actor=staff["sales"], reason="Not now"
    )
    assert told(declined) == "The customer decided not to go ahead for now"


def test_thanks_count_what_a_crps_hand_offs_did(company, staff):
    customer = CustomerFactory(company=company)
    for status in ("new", "contacted", "won", "won", "lost"):
        OpportunityFactory(
            customer=customer, found_by=staff["crp"], status=status,
            value=Decimal(10) if status == "won" else None,
        )  # fmt: skip
    OpportunityFactory(customer=customer, found_by=staff["sales"])
    thanks = selectors.thanks_for(person=staff["crp"])
    assert (thanks.passed_on, thanks.helped, thanks.in_progress, thanks.not_now) == (5, 2, 2, 1)


def test_without_consent_the_crp_is_told_whom_the_customer_can_ask_for(company, staff):
    payroll = ServiceFactory(company=company, name="Payroll")
    owned = CustomerFactory(company=company, sales_owner=staff["sales"])
    unowned = CustomerFactory(company=company, sales_owner=None)
    said = selectors.what_to_say_without_consent(customer=owned, service=payroll)
    assert "introduce you to Sam Sales, who can help you with Payroll" in said
    said = selectors.what_to_say_without_consent(customer=unowned, service=None)
    assert "introduce you to a colleague who can help you with this" in said
