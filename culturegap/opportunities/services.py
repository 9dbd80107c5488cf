"""Actions on opportunities: record a need a customer agreed to have passed on, route it to
sales, move it through the pipeline, take or reassign it, and alert owners about the ones left
untouched."""

import datetime
import uuid
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from culturegap.opportunities import events
from culturegap.opportunities.models import (
    OPEN_STATUSES,
    Channel,
    ContactWay,
    Opportunity,
    OpportunityEvent,
    Source,
    Status,
    Urgency,
)
from culturegap.org.models import Company, Customer, Person, Service, TeamKind

NEED_MAX_LENGTH = 2000
REASON_MAX_LENGTH = 1000
CONTACT_WHEN_MAX_LENGTH = 200
MAX_VALUE = Decimal("9999999999.99")

# The pipeline only moves forward; won and lost are final. New goes straight to won when the
# salesperson settles it on the first call, so they save once, not twice.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.CONTACTED, Status.WON, Status.LOST}),
    Status.CONTACTED: frozenset({Status.QUALIFIED, Status.WON, Status.LOST}),
    Status.QUALIFIED: frozenset({Status.WON, Status.LOST}),
    Status.WON: frozenset(),
    Status.LOST: frozenset(),
}


def absolute_url(path: str) -> str:
    """A link for an e-mail. ``SITE_URL`` (e.g. https://culturegap.example.com) when the project
    sets it, else the local development address."""
    base = getattr(settings, "SITE_URL", "") or "http://127.0.0.1:8000"
    return base.rstrip("/") + path


def opportunity_link(opportunity: Opportunity) -> str:
    return absolute_url(reverse("opportunities:detail", args=[opportunity.pk]))


def queue_recipients(*, company: Company) -> list[Person]:
    """Who is told about an opportunity waiting in the sales queue.

    The managers of the company's sales teams: they dispatch the queue, and at a large firm
    telling every salesperson about every unowned need would be noise. A company with no sales
    manager falls back to every active salesperson, so the queue is never silent.
    """
    people = Person.objects.filter(company=company, is_active=True).exclude(email="")
    managers = list(people.filter(is_manager=True, team__kind=TeamKind.SALES).order_by("pk"))
    if managers:
        return managers
    return list(people.filter(is_salesperson=True).order_by("pk"))


def route_owner(*, customer: Customer) -> Person | None:
    """The customer's sales owner, or None (the queue) when there is none or they have left."""
    owner = customer.sales_owner
    if owner is None or not owner.is_active or owner.company_id != customer.company_id:
        return None
    return owner


def _check_choice(errors: dict, field: str, value: str, choices) -> None:
    if value not in choices.values:
        allowed = ", ".join(choices.values)
        errors[field] = f"“{value}” is not a valid {field}; choose one of: {allowed}."


@transaction.atomic
def record_opportunity(
    *,
    company: Company,
    customer: Customer,
    need: str,
    channel: str,
    urgency: str = Urgency.NORMAL,
    service: Service | None = None,
    found_by: Person | None = None,
    source: str = Source.CRP,
    customer_agreed: bool | None = None,
    contact_way: str = "",
    contact_when: str = "",
    request_id: uuid.UUID | None = None,
) -> Opportunity:
    """Pass on a customer need to a colleague in sales, and route it.

    It goes to the customer's sales owner, or to the sales queue when the customer has none (or
    the owner is no longer active). The owner — or, for the queue, the people
    ``queue_recipients`` names — gets an e-mail once the transaction commits.

    Nothing is passed on without the customer's agreement: ``customer_agreed=False`` is refused;
    when True, ``contact_way`` says how they would like to be contacted and ``contact_when`` when
    suits them. None means the question was not asked (callers that predate it).

    ``request_id`` makes a retried submission record one need: the same id again (within the
    company) returns the need already recorded and writes nothing. Raises ``ValidationError``
    with a dict naming the bad field; nothing is written then.
    """
    errors: dict[str, str] = {}
    if customer is None or customer.company_id != company.pk:
        errors["customer"] = "Choose a customer of your company."
    if service is not None and service.company_id != company.pk:
        errors["service"] = "Choose a service from your company's catalog."
    need = (need or "").strip()
    if not need:
        errors["need"] = "Write down the need, in the customer's words."
    elif len(need) > NEED_MAX_LENGTH:
        errors["need"] = f"Keep the need under {NEED_MAX_LENGTH} characters."
    _check_choice(errors, "channel", channel, Channel)
    _check_choice(errors, "urgency", urgency, Urgency)
    _check_choice(errors, "source", source, Source)
    if found_by is not None and found_by.company_id != company.pk:
        errors["found_by"] = "The person who found the need must work for this company."
    contact_way = contact_way or ""
    contact_when = (contact_when or "").strip()
    if customer_agreed is False:
        errors["customer_agreed"] = (
            "Nothing is passed on without the customer's agreement to be contacted."
        )
    elif customer_agreed and not contact_way:
        errors["contact_way"] = "Say how the customer would like to be contacted."
    if contact_way:
        _check_choice(errors, "contact_way", contact_way, ContactWay)
    if len(contact_when) > CONTACT_WHEN_MAX_LENGTH:
        errors["contact_when"] = f"Keep when under {CONTACT_WHEN_MAX_LENGTH} characters."
    if errors:
        raise ValidationError(errors)

    if request_id is not None:
        repeat = Opportunity.objects.filter(company=company, request_id=request_id).first()
        if repeat is not None:
            return _same_hand_off(repeat, customer=customer, found_by=found_by)
    try:
        # A savepoint: two copies of one submission arriving at once leave one row, and the
        # loser reads the winner's instead of failing the whole transaction.
        with transaction.atomic():
            opportunity = _create(
                company=company,
                customer=customer,
                service=service,
                need=need,
                urgency=urgency,
                channel=channel,
                source=source,
                found_by=found_by,
                customer_agreed=customer_agreed,
                contact_way=contact_way,
                contact_when=contact_when,
                request_id=request_id,
            )
    except IntegrityError:
        repeat = None
        if request_id is not None:
            repeat = Opportunity.objects.filter(company=company, request_id=request_id).first()
        if repeat is None:
            raise
        return _same_hand_off(repeat, customer=customer, found_by=found_by)
    transaction.on_commit(lambda: notify_new_opportunity(opportunity_id=opportunity.pk))
    events.opportunity_created.send(sender=Opportunity, opportunity=opportunity)
    return opportunity


def _same_hand_off(
    repeat: Opportunity, *, customer: Customer, found_by: Person | None
) -> Opportunity:
    found_by_id = found_by.pk if found_by is not None else None
    if repeat.customer_id != customer.pk or repeat.found_by_id != found_by_id:
        raise ValidationError({"request_id": "This submission was used for another need."})
    return repeat


def _create(*, company, customer, found_by, **fields) -> Opportunity:
    now = timezone.now()
    opportunity = Opportunity.objects.create(
        company=company,
        customer=customer,
        found_by=found_by,
        found_by_team_id=found_by.team_id if found_by is not None else None,
        owner=route_owner(customer=customer),
        status=Status.NEW,
        created_at=now,
        updated_at=now,
        last_touched_at=now,
        **fields,
    )
    OpportunityEvent.objects.create(
        opportunity=opportunity,
        actor=found_by,
        from_status="",
        to_status=Status.NEW,
        assigned_to=opportunity.owner,
        note="" if opportunity.owner else "Placed in the sales queue",
        at=now,
    )
    return opportunity


def notify_new_opportunity(*, opportunity_id: int) -> int:
    """E-mail the owner (or the queue recipients) about a new opportunity; returns how many
    messages were sent."""
    opportunity = (
        Opportunity.objects.select_related("customer", "service", "found_by", "owner", "company")
        .filter(pk=opportunity_id)
        .first()
    )
    if opportunity is None:
        return 0
    if opportunity.owner is not None:
        recipients = [opportunity.owner]
        intro = "A new opportunity has been handed to you."
    else:
        recipients = queue_recipients(company=opportunity.company)
        intro = "A new opportunity is waiting in the sales queue for someone to take it."
    found_by = (
        opportunity.found_by.name if opportunity.found_by else opportunity.get_source_display()
    )
    lines = [
        intro,
        "",
        f"Customer: {opportunity.customer.name}",
        f"Service: {opportunity.service.name if opportunity.service else 'not specified'}",
        f"Urgency: {opportunity.get_urgency_display()}",
        f"Found by: {found_by} ({opportunity.get_channel_display().lower()})",
        contact_preference(opportunity),
        "",
        "In the customer's words:",
        opportunity.need,
        "",
        f"Open it: {opportunity_link(opportunity)}",
    ]
    subject = f"New opportunity: {opportunity.customer.name}"
    sent = 0
    for person in recipients:
        sent += send_mail(subject, "\n".join(lines), None, [person.email], fail_silently=False)
    return sent


def contact_preference(opportunity: Opportunity) -> str:
    """The customer's agreement to be contacted, and how and when, in one line."""
    if opportunity.customer_agreed is None:
        return "Agreed to be contacted: not asked."
    how = opportunity.get_contact_way_display().lower() if opportunity.contact_way else ""
    when = opportunity.contact_when or "any time"
    return f"Agreed to be contacted: yes, {how + ', ' if how else ''}{when}."


def _parse_value(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        parsed = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"value": "Enter the value as a number, e.g. 12000."}) from None
    if not parsed.is_finite():
        raise ValidationError({"value": "Enter the value as a number, e.g. 12000."})
    return parsed


def may_work_on(*, opportunity: Opportunity, actor: Person) -> bool:
    """The owner moves an opportunity; any salesperson may move (and so take) a queue item."""
    if actor.company_id != opportunity.company_id or not actor.is_active:
        return False
    if opportunity.owner_id is None:
        return actor.is_salesperson
    return opportunity.owner_id == actor.pk


def may_reassign(*, actor: Person, company: Company | None = None) -> bool:
    """Program admins and managers of sales teams hand opportunities to another salesperson."""
    if company is not None and actor.company_id != company.pk:
        return False
    if actor.is_program_admin:
        return True
    return bool(actor.is_manager and actor.team_id and actor.team.kind == TeamKind.SALES)


@transaction.atomic
def move_opportunity(
    *,
    opportunity: Opportunity,
    to_status: str,
    actor: Person,
    value=None,
    reason: str = "",
    note: str = "",
) -> Opportunity:
    """Move an opportunity one step along the pipeline, recording who did it and when.

    Allowed: new → contacted → qualified → won; new or contacted → won; lost from any open
    status.
    Won needs a positive value, lost a reason; won and lost are final. A salesperson moving a
    queue item takes it. Raises ``ValidationError`` naming the field, ``PermissionDenied`` when
    the actor may not work on it.
    """
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if not may_work_on(opportunity=opportunity, actor=actor):
        raise PermissionDenied("Only the owner moves this opportunity.")
    if to_status not in Status.values:
        raise ValidationError({"to_status": f"“{to_status}” is not a pipeline status."})
    if to_status not in TRANSITIONS[opportunity.status]:
        if opportunity.status not in OPEN_STATUSES:
            message = f"This opportunity is already {opportunity.get_status_display().lower()}."
        else:
            message = (
                f"An opportunity cannot go from {opportunity.get_status_display().lower()} "
                f"to {Status(to_status).label.lower()}."
            )
        raise ValidationError({"to_status": message})

    errors: dict[str, str] = {}
    parsed_value = None
    try:
        parsed_value = _parse_value(value)
    except ValidationError as error:
        errors.update(error.message_dict)
    reason = (reason or "").strip()
    note = (note or "").strip()
    if to_status == Status.WON and "value" not in errors:
        if parsed_value is None or parsed_value <= 0:
            errors["value"] = "A won opportunity needs its value (greater than zero)."
        elif parsed_value > MAX_VALUE:
            errors["value"] = "That value is too large."
    if to_status == Status.LOST and not reason:
        errors["reason"] = "Say why the opportunity was lost."
    if len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = f"Keep the reason under {REASON_MAX_LENGTH} characters."
    if len(note) > NEED_MAX_LENGTH:
        errors["note"] = f"Keep the note under {NEED_MAX_LENGTH} characters."
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    taken = opportunity.owner_id is None
    from_status = opportunity.status
    opportunity.status = to_status
    if taken:
        opportunity.owner = actor
    if to_status == Status.WON:
        opportunity.value = parsed_value
    if to_status == Status.LOST:
        opportunity.lost_reason = reason
    if to_status not in OPEN_STATUSES:
        opportunity.closed_at = now
    opportunity.updated_at = now
    opportunity.last_touched_at = now
    opportunity.save()
    OpportunityEvent.objects.create(
        opportunity=opportunity,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        assigned_to=actor if taken else None,
        note=reason if to_status == Status.LOST and not note else note,
        value=parsed_value if to_status == Status.WON else None,
        at=now,
    )
    events.opportunity_moved.send(
        sender=Opportunity, opportunity=opportunity, from_status=from_status, to_status=to_status
    )
    return opportunity


@transaction.atomic
def take_opportunity(*, opportunity: Opportunity, actor: Person) -> Opportunity:
    """A salesperson takes an opportunity from the queue."""
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if actor.company_id != opportunity.company_id or not actor.is_salesperson:
        raise PermissionDenied("Only salespeople take opportunities from the queue.")
    if opportunity.owner_id is not None:
        raise ValidationError({"owner": "Someone has already taken this opportunity."})
    if opportunity.status not in OPEN_STATUSES:
        raise ValidationError({"owner": "This opportunity is already closed."})
    return _assign(opportunity=opportunity, owner=actor, actor=actor, note="Taken from the queue")


@transaction.atomic
def assign_opportunity(
    *, opportunity: Opportunity, owner: Person | None, actor: Person, note: str = ""
) -> Opportunity:
    """A sales manager or program admin hands an opportunity to a salesperson (or back to the
    queue when ``owner`` is None)."""
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if not may_reassign(actor=actor, company=opportunity.company):
        raise PermissionDenied("Only sales managers and program admins reassign opportunities.")
    if opportunity.status not in OPEN_STATUSES:
        raise ValidationError({"owner": "This opportunity is already closed."})
    if owner is not None and (
        owner.company_id != opportunity.company_id
        or not owner.is_active
        or not owner.is_salesperson
    ):
        raise ValidationError({"owner": "Choose an active salesperson of your company."})
    if owner is not None and owner.pk == opportunity.owner_id:
        raise ValidationError({"owner": f"{owner} already owns this opportunity."})
    note = (note or "").strip()[:NEED_MAX_LENGTH]
    default_note = f"Reassigned to {owner}" if owner else "Returned to the sales queue"
    return _assign(opportunity=opportunity, owner=owner, actor=actor, note=note or default_note)


def _assign(*, opportunity: Opportunity, owner: Person | None, actor: Person, note: str):
    now = timezone.now()
    opportunity.owner = owner
    opportunity.updated_at = now
    opportunity.last_touched_at = now
    opportunity.save(update_fields=["owner", "updated_at", "last_touched_at"])
    OpportunityEvent.objects.create(
        opportunity=opportunity,
        actor=actor,
        from_status=opportunity.status,
        to_status=opportunity.status,
        assigned_to=owner,
        note=note,
        at=now,
    )
    return opportunity


def stale_before(*, company: Company, now: datetime.datetime | None = None) -> datetime.datetime:
    """Open opportunities last touched before this moment are stale."""
    now = now or timezone.now()
    return now - datetime.timedelta(days=company.opportunity_stale_days)


DIGEST_MAX_LINES = 50


def stale_opportunities_to_alert(*, company: Company, now: datetime.datetime):
    """Open opportunities untouched for longer than the company's limit whose owner has not
    yet been told about this staleness (never alerted, or touched again since the alert)."""
    return (
        Opportunity.objects.filter(
            company=company,
            status__in=OPEN_STATUSES,
            last_touched_at__lt=stale_before(company=company, now=now),
        )
        .filter(Q(stale_alerted_at__isnull=True) | Q(stale_alerted_at__lt=F("last_touched_at")))
        .select_related("owner", "customer", "service")
        .order_by("last_touched_at", "pk")
    )


def alert_stale_opportunities(
    *, now: datetime.datetime | None = None, companies=None
) -> dict[str, int]:
    """E-mail each owner one digest of their stale opportunities; opportunities in the queue
    (or whose owner has left) go to the queue recipients. Each opportunity is alerted once per
    staleness: ``stale_alerted_at`` is set, and only a new touch makes it alertable again, so
    running this daily (or twice a day) never repeats an alert.

    Returns how many digests were sent and how many opportunities they covered.
    """
    now = now or timezone.now()
    companies = Company.objects.all() if companies is None else companies
    sent = covered = 0
    for company in companies:
        digests: dict[int, tuple[Person, list[Opportunity]]] = {}
        queue: list[Person] | None = None
        alerted: list[int] = []
        for opportunity in stale_opportunities_to_alert(company=company, now=now).iterator(
            chunk_size=2000
        ):
            owner = opportunity.owner
            if owner is not None and owner.is_active and owner.email:
                recipients = [owner]
            else:
                if queue is None:
                    queue = queue_recipients(company=company)
                recipients = queue
            for person in recipients:
                digests.setdefault(person.pk, (person, []))[1].append(opportunity)
            if recipients:
                alerted.append(opportunity.pk)
        for person, opportunities in digests.values():
            send_mail(
                _digest_subject(opportunities),
                _digest_body(person, opportunities, company=company, now=now),
                None,
                [person.email],
                fail_silently=False,
            )
            sent += 1
        # Marked after the mail went out: a failure above leaves them alertable next run.
        with transaction.atomic():
            for start in range(0, len(alerted), 500):
                Opportunity.objects.filter(pk__in=alerted[start : start + 500]).update(
                    stale_alerted_at=now
                )
        covered += len(alerted)
    return {"digests": sent, "opportunities": covered}


def _digest_subject(opportunities: list[Opportunity]) -> str:
    count = len(opportunities)
    return f"{count} opportunit{'y' if count == 1 else 'ies'} waiting for a next step"


def _digest_body(person, opportunities, *, company, now) -> str:
    lines = [
        f"Hello {person.name},",
        "",
        f"These opportunities have been left untouched for more than "
        f"{company.opportunity_stale_days} days. A customer told a colleague about a need: "
        "contact them, move the opportunity on, or close it with a reason.",
        "",
    ]
    for opportunity in opportunities[:DIGEST_MAX_LINES]:
        days = (now - opportunity.last_touched_at).days
        where = "" if opportunity.owner_id == person.pk else " (sales queue)"
        service = opportunity.service.name if opportunity.service else "service not specified"
        lines.append(
            f"- {opportunity.customer.name} · {service} · {opportunity.get_status_display()}"
            f"{where} · untouched for {days} days: {opportunity_link(opportunity)}"
        )
    if len(opportunities) > DIGEST_MAX_LINES:
        more = len(opportunities) - DIGEST_MAX_LINES
        lines.append(f"… and {more} more.")
    lines += ["", f"All of them: {absolute_url(reverse('opportunities:list'))}?status=stale"]
    return "\n".join(lines)
