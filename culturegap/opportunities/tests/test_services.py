"""Recording, routing and moving opportunities, and the stale alert."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from culturegap.opportunities import services
from culturegap.opportunities.models import Opportunity, OpportunityEvent, Status
from culturegap.opportunities.services import (
    alert_stale_opportunities,
    assign_opportunity,
    move_opportunity,
    record_opportunity,
    take_opportunity,
)
from culturegap.opportunities.tests.factories import OpportunityFactory
from culturegap.org.tests.factories import (
    CustomerFactory,
    PersonFactory,
    ServiceFactory,
    TeamFactory,
)


@pytest.fixture
def service(company):
    return ServiceFactory(company=company, name="Payroll", code="PAY")


@pytest.fixture
def sales_manager(company, staff):
    return PersonFactory(
        company=company,
        team=staff["sales"].team,
        email="salesboss@acme.test",
        name="Sally Boss",
        is_crp=False,
        is_manager=True,
    )


def _record(company, customer, staff, **extra):
    return record_opportunity(
        company=company,
        customer=customer,
        need=extra.pop("need", "They are hiring and asked who could run payroll"),
        channel=extra.pop("channel", "phone"),
        found_by=extra.pop("found_by", staff["crp"]),
        **extra,
    )


# Routing -------------------------------------------------------------------------------------


def test_recorded_need_goes_to_the_sales_owner_who_is_emailed(
    company, staff, service, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(company=company, sales_owner=staff["sales"])
    with django_capture_on_commit_callbacks(execute=True):
        opportunity = _record(
            company,
            customer,
            staff,
            service=service,
            need="  They are hiring and asked who runs payroll  ",
            urgency="high",
        )
    assert opportunity.owner == staff["sales"]
    assert opportunity.status == "new"
    assert opportunity.urgency == "high"
    assert opportunity.need == "They are hiring and asked who runs payroll"
    assert opportunity.found_by_team == staff["crp"].team
    assert [m.to for m in mail.outbox] == [[staff["sales"].email]]
    assert f"/opportunities/{opportunity.pk}/" in mail.outbox[0].body
    assert "They are hiring" in mail.outbox[0].body
    event = OpportunityEvent.objects.get(opportunity=opportunity)
    assert (event.from_status, event.to_status, event.actor) == ("", "new", staff["crp"])


def test_the_email_waits_for_the_commit(company, staff, django_capture_on_commit_callbacks):
    customer = CustomerFactory(company=company, sales_owner=staff["sales"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _record(company, customer, staff)
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_credit_stays_with_the_team_the_crp_was_in(company, staff):
    customer = CustomerFactory(company=company, sales_owner=staff["sales"])
    opportunity = _record(company, customer, staff)
    first_team = staff["crp"].team
    staff["crp"].team = TeamFactory(company=company, name="Tax", kind="professional")
    staff["crp"].save()
    opportunity.refresh_from_db()
    assert opportunity.found_by_team == first_team


def test_customer_without_owner_goes_to_the_queue_and_the_sales_managers_hear(
    company, staff, sales_manager, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(company=company, sales_owner=None)
    with django_capture_on_commit_callbacks(execute=True):
        opportunity = _record(company, customer, staff)
    assert opportunity.owner is None and opportunity.in_queue
    assert [m.to for m in mail.outbox] == [[sales_manager.email]]
    assert "queue" in mail.outbox[0].body


def test_queue_falls_back_to_every_active_salesperson_without_a_sales_manager(
    company, staff, django_capture_on_commit_callbacks
):
    other_seller = PersonFactory(
        company=company, team=staff["sales"].team, is_crp=False, is_salesperson=True
    )
    PersonFactory(
        company=company, team=staff["sales"].team, is_crp=False, is_salesperson=True,
        is_active=False,
    )  # fmt: skip
    customer = CustomerFactory(company=company, sales_owner=None)
    with django_capture_on_commit_callbacks(execute=True):
        _record(company, customer, staff)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [staff["sales"].email, other_seller.email]
    )


def test_an_owner_who_has_left_sends_it_to_the_queue(
    company, staff, sales_manager, django_capture_on_commit_callbacks
):
    gone = PersonFactory(company=company, is_crp=False, is_salesperson=True, is_active=False)
    customer = CustomerFactory(company=company, sales_owner=gone)
    with django_capture_on_commit_callbacks(execute=True):
        opportunity = _record(company, customer, staff)
    assert opportunity.owner is None
    assert [m.to for m in mail.outbox] == [[sales_manager.email]]


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
    assert not OpportunityEvent.objects.exists()


def test_a_need_too_long_is_refused(company, staff):
    customer = CustomerFactory(company=company)
    with pytest.raises(ValidationError) as error:
        _record(company, customer, staff, need="x" * (services.NEED_MAX_LENGTH + 1))
    assert set(error.value.message_dict) == {"need"}


def test_a_finder_from_another_company_is_refused(company, other_company, staff):
    stranger = PersonFactory(company=other_company)
    customer = CustomerFactory(company=company)
    with pytest.raises(ValidationError) as error:
        _record(company, customer, staff, found_by=stranger)
    assert set(error.value.message_dict) == {"found_by"}


# Pipeline ------------------------------------------------------------------------------------


@pytest.fixture
def owned(company, staff):
    customer = CustomerFactory(company=company, sales_owner=staff["sales"])
    return _record(company, customer, staff)


def _at(opportunity, status):
    Opportunity.objects.filter(pk=opportunity.pk).update(
        status=status, value=Decimal(100) if status == "won" else None
    )
    opportunity.refresh_from_db()
    return opportunity


ALLOWED = [
    ("new", "contacted", {}),
    ("new", "won", {"value": "1000"}),
    ("new", "lost", {"reason": "Already has a payroll provider"}),
    ("contacted", "qualified", {}),
    ("contacted", "won", {"value": "1500"}),
    ("contacted", "lost", {"reason": "No budget"}),
    ("qualified", "won", {"value": Decimal("2400.50")}),
    ("qualified", "lost", {"reason": "Went elsewhere"}),
]


@pytest.mark.parametrize(("start", "to", "extra"), ALLOWED)
def test_allowed_moves_record_who_and_when(owned, staff, start, to, extra):
    opportunity = _at(owned, start)
    before = opportunity.last_touched_at
    moved = move_opportunity(opportunity=opportunity, to_status=to, actor=staff["sales"], **extra)
    moved.refresh_from_db()
    assert moved.status == to
    assert moved.last_touched_at > before
    event = moved.events.last()
    assert (event.actor, event.from_status, event.to_status) == (staff["sales"], start, to)
    if to == "won":
        assert moved.value == Decimal(str(extra["value"])) == event.value
        assert moved.closed_at is not None
    if to == "lost":
        assert moved.lost_reason == extra["reason"]


REFUSED = [
    ("new", "won", {}, "value"),
    ("new", "qualified", {}, "to_status"),
    ("new", "new", {}, "to_status"),
    ("contacted", "new", {}, "to_status"),
    ("qualified", "contacted", {}, "to_status"),
    ("won", "lost", {"reason": "changed mind"}, "to_status"),
    ("lost", "contacted", {}, "to_status"),
    ("lost", "won", {"value": "10"}, "to_status"),
    ("contacted", "won", {}, "value"),
    ("qualified", "won", {"value": "0"}, "value"),
    ("qualified", "won", {"value": "-5"}, "value"),
    ("qualified", "won", {"value": "lots"}, "value"),
    ("qualified", "won", {"value": "NaN"}, "value"),
    ("qualified", "won", {"value": "1e20"}, "value"),
    ("contacted", "lost", {}, "reason"),
    ("contacted", "lost", {"reason": "   "}, "reason"),
    ("new", "pending", {}, "to_status"),
]


@pytest.mark.parametrize(("start", "to", "extra", "field"), REFUSED)
def test_refused_moves_name_the_field_and_change_nothing(owned, staff, start, to, extra, field):
    opportunity = _at(owned, start)
    events = opportunity.events.count()
    with pytest.raises(ValidationError) as error:
        move_opportunity(opportunity=opportunity, to_status=to, actor=staff["sales"], **extra)
    assert field in error.value.message_dict
    opportunity.refresh_from_db()
    assert opportunity.status == start
    assert opportunity.events.count() == events


def test_new_to_won_in_one_save_keeps_one_event_with_the_value(owned, staff):
    moved = move_opportunity(
        opportunity=owned, to_status="won", actor=staff["sales"], value="1200", note="On the call"
    )
    moved.refresh_from_db()
    assert (moved.status, moved.value) == ("won", Decimal("1200"))
    assert moved.closed_at is not None
    assert [(e.from_status, e.to_status, e.value) for e in moved.events.all()] == [
        ("", "new", None),
        ("new", "won", Decimal("1200")),
    ]


@pytest.mark.parametrize("who", ["crp", "manager", "executive", "admin"])
def test_only_the_owner_moves_it(owned, staff, who):
    with pytest.raises(PermissionDenied):
        move_opportunity(opportunity=owned, to_status="contacted", actor=staff[who])


def test_another_salesperson_cannot_move_someone_elses(owned, company, staff):
    colleague = PersonFactory(company=company, is_crp=False, is_salesperson=True)
    with pytest.raises(PermissionDenied):
        move_opportunity(opportunity=owned, to_status="contacted", actor=colleague)


def test_moving_a_queue_item_takes_it(company, staff):
    customer = CustomerFactory(company=company, sales_owner=None)
    opportunity = _record(company, customer, staff)
    moved = move_opportunity(opportunity=opportunity, to_status="contacted", actor=staff["sales"])
    assert moved.owner == staff["sales"]
    assert moved.events.last().assigned_to == staff["sales"]


def test_a_salesperson_takes_from_the_queue_once(company, staff):
    customer = CustomerFactory(company=company, sales_owner=None)
    opportunity = _record(company, customer, staff)
    taken = take_opportunity(opportunity=opportunity, actor=staff["sales"])
    assert taken.owner == staff["sales"] and taken.status == "new"
    colleague = PersonFactory(company=company, is_crp=False, is_salesperson=True)
    with pytest.raises(ValidationError) as error:
        take_opportunity(opportunity=opportunity, actor=colleague)
    assert "owner" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        take_opportunity(opportunity=opportunity, actor=staff["crp"])


def test_sales_managers_and_admins_reassign(owned, company, staff, sales_manager):
    colleague = PersonFactory(company=company, is_crp=False, is_salesperson=True)
    assign_opportunity(opportunity=owned, owner=colleague, actor=sales_manager)
    owned.refresh_from_db()
    assert owned.owner == colleague
    assign_opportunity(opportunity=owned, owner=None, actor=staff["admin"])
    owned.refresh_from_db()
    assert owned.owner is None
    assert [e.assigned_to for e in owned.events.all()] == [staff["sales"], colleague, None]


@pytest.mark.parametrize("who", ["manager", "sales", "crp", "executive"])
def test_others_may_not_reassign(owned, staff, who):
    # "manager" leads a service team, not a sales team.
    with pytest.raises(PermissionDenied):
        assign_opportunity(opportunity=owned, owner=None, actor=staff[who])


def test_reassign_only_to_an_active_salesperson_of_the_company(
    owned, company, other_company, staff
):
    outsider = PersonFactory(company=other_company, is_crp=False, is_salesperson=True)
    for owner in (staff["crp"], outsider):
        with pytest.raises(ValidationError):
            assign_opportunity(opportunity=owned, owner=owner, actor=staff["admin"])


def test_closed_opportunities_cannot_be_reassigned(owned, staff):
    move_opportunity(opportunity=owned, to_status="lost", actor=staff["sales"], reason="No")
    with pytest.raises(ValidationError):
        assign_opportunity(opportunity=owned, owner=None, actor=staff["admin"])


def test_the_database_refuses_a_won_opportunity_without_value(owned):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Opportunity.objects.filter(pk=owned.pk).update(status="won", value=None)


# Stale alert ---------------------------------------------------------------------------------


def _age(opportunity, days, **fields):
    touched = timezone.now() - datetime.timedelta(days=days)
    Opportunity.objects.filter(pk=opportunity.pk).update(last_touched_at=touched, **fields)
    opportunity.refresh_from_db()
    return opportunity


def test_stale_alert_sends_one_digest_per_owner_and_only_once(company, staff, sales_manager):
    company.opportunity_stale_days = 7
    company.save()
    colleague = PersonFactory(
        company=company, is_crp=False, is_salesperson=True, email="colleague@acme.test"
    )
    mine = [
        _age(OpportunityFactory(customer=CustomerFactory(company=company), owner=staff["sales"]), d)
        for d in (8, 30)
    ]
    theirs = _age(
        OpportunityFactory(customer=CustomerFactory(company=company), owner=colleague), 10
    )
    queued = _age(OpportunityFactory(customer=CustomerFactory(company=company)), 9)
    fresh = _age(OpportunityFactory(customer=CustomerFactory(company=company), owner=colleague), 3)
    closed = _age(
        OpportunityFactory(customer=CustomerFactory(company=company), owner=colleague),
        40,
        status="lost",
        lost_reason="no",
    )

    result = alert_stale_opportunities()

    assert result == {"digests": 3, "opportunities": 4}
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {staff["sales"].email, colleague.email, sales_manager.email}
    assert by_recipient[staff["sales"].email].subject == "2 opportunities waiting for a next step"
    assert "untouched for 30 days" in by_recipient[staff["sales"].email].body
    assert queued.customer.name in by_recipient[sales_manager.email].body
    assert "(sales queue)" in by_recipient[sales_manager.email].body
    assert fresh.customer.name not in by_recipient[colleague.email].body
    assert theirs.customer.name in by_recipient[colleague.email].body
    for opportunity in (*mine, theirs, queued):
        opportunity.refresh_from_db()
        assert opportunity.stale_alerted_at is not None
    closed.refresh_from_db()
    assert closed.stale_alerted_at is None

    mail.outbox.clear()
    assert alert_stale_opportunities() == {"digests": 0, "opportunities": 0}
    assert mail.outbox == []


def test_a_touched_opportunity_that_goes_stale_again_is_alerted_again(owned, staff):
    _age(owned, 10)
    alert_stale_opportunities()
    assert len(mail.outbox) == 1
    move_opportunity(opportunity=owned, to_status="contacted", actor=staff["sales"])
    later = timezone.now() + datetime.timedelta(days=9)
    mail.outbox.clear()
    assert alert_stale_opportunities(now=later) == {"digests": 1, "opportunities": 1}
    assert alert_stale_opportunities(now=later) == {"digests": 0, "opportunities": 0}


def test_stale_alert_command(company, staff, owned, capsys):
    _age(owned, 20)
    call_command("alert_stale_opportunities", "--company", "acme")
    assert "Sent 1 digest(s) covering 1" in capsys.readouterr().out
    assert [m.to for m in mail.outbox] == [[staff["sales"].email]]
    call_command("alert_stale_opportunities")
    assert len(mail.outbox) == 1


def test_stale_alert_command_refuses_an_unknown_company(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("alert_stale_opportunities", "--company", "nope")


def test_stale_limit_is_per_company(company, staff, owned):
    company.opportunity_stale_days = 30
    company.save()
    _age(owned, 20)
    assert alert_stale_opportunities() == {"digests": 0, "opportunities": 0}
    assert Status.NEW == owned.status


# Consent and one need per submission -----------------------------------------------------------


def test_without_the_customers_agreement_nothing_is_passed_on(company, staff):
    customer = CustomerFactory(company=company, sales_owner=staff["sales"])
    with pytest.raises(ValidationError) as error:
        _record(company, customer, staff, customer_agreed=False)
    assert "customer_agreed" in error.value.message_dict
    assert not Opportunity.objects.exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"customer_agreed": True}, "contact_way"),
        ({"customer_agreed": True, "contact_way": "pigeon"}, "contact_way"),
        (
            {"customer_agreed": True, "contact_way": "phone", "contact_when": "x" * 201},
            "contact_when",
        ),
    ],
)
def test_how_and_when_are_checked(company, staff, extra, field):
    customer = CustomerFactory(company=company)
    with pytest.raises(ValidationError) as error:
        _record(company, customer, staff, **extra)
    assert field in error.value.message_dict
    assert not Opportunity.objects.exists()


def test_the_same_request_id_records_one_need(company, staff, django_capture_on_commit_callbacks):
    customer = CustomerFactory(company=company, sales_owner=staff["sales"])
    request_id = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True):
        first = _record(company, customer, staff, request_id=request_id)
        again = _record(company, customer, staff, request_id=request_id)
    assert first.pk == again.pk
    assert Opportunity.objects.count() == 1 and OpportunityEvent.objects.count() == 1
    assert len(mail.outbox) == 1
    # The id is unique per company only: another company's submission is its own.
    elsewhere = PersonFactory(is_crp=True)
    theirs = record_opportunity(
        company=elsewhere.company, customer=CustomerFactory(company=elsewhere.company),
        need="Asked about payroll", channel="phone", found_by=elsewhere, request_id=request_id,
    )  # fmt: skip
    assert theirs.pk != first.pk


def test_a_request_id_used_for_another_need_is_refused(company, staff):
    request_id = uuid.uuid4()
    _record(company, CustomerFactory(company=company), staff, request_id=request_id)
    with pytest.raises(ValidationError) as error:
        _record(company, CustomerFactory(company=company), staff, request_id=request_id)
    assert "request_id" in error.value.message_dict
    assert Opportunity.objects.count() == 1


def test_a_copy_arriving_while_the_first_is_written_reads_the_first(company, staff, monkeypatch):
    """The check before writing misses a copy written in the meantime; the unique constraint
    catches it and the copy is answered with the need already recorded."""
    customer = CustomerFactory(company=company)
    request_id = uuid.uuid4()
    first = _record(company, customer, staff, request_id=request_id)
    real_filter = Opportunity.objects.filter
    calls = []

    def miss_once(*args, **kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            return Opportunity.objects.none()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Opportunity.objects, "filter", miss_once)
    again = _record(company, customer, staff, request_id=request_id)
    monkeypatch.undo()
    assert again.pk == first.pk
    assert Opportunity.objects.count() == 1
