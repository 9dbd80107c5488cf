"""Actions of the loyalty survey: create a campaign and its invitations, send the links, record
a customer's answer (and hand the services they would value to sales)."""

import datetime
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from culturegap.loyalty import selectors
from culturegap.loyalty.models import (
    DEFAULT_QUESTION,
    DEFAULT_REASON_QUESTION,
    DEFAULT_SERVICES_QUESTION,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
    new_token,
    token_hash,
)
from culturegap.org import events as org_events
from culturegap.org.models import Company, Contact, Person, Service
from culturegap.org.scope import company_today

SEND_BATCH_SIZE = 500
INSERT_BATCH_SIZE = 5000
REASON_MAX_LENGTH = 1500
QUESTION_MAX_LENGTH = 300


class SurveyUnavailable(Exception):
    """A survey link that cannot take an answer; ``state`` says why (see selectors.link_state)."""

    def __init__(self, state: str):
        super().__init__(state)
        self.state = state


def site_url(path: str, *, base_url: str | None = None) -> str:
    """An absolute link for an e-mail: ``base_url``, else the project's ``SITE_URL`` setting,
    else the local development address."""
    base = base_url or getattr(settings, "SITE_URL", "") or "http://127.0.0.1:8000"
    return base.rstrip("/") + path


def survey_url(token: str, *, base_url: str | None = None) -> str:
    return site_url(reverse("loyalty:survey", args=[token]), base_url=base_url)


@transaction.atomic
def create_campaign(
    *,
    company: Company,
    created_by: Person | None,
    name: str,
    opens_on: datetime.date,
    closes_on: datetime.date,
    service: Service | None = None,
    question: str = DEFAULT_QUESTION,
    reason_question: str = DEFAULT_REASON_QUESTION,
    services_question: str = DEFAULT_SERVICES_QUESTION,
) -> SurveyCampaign:
    """Create a campaign and one (unsent) invitation per contact of every customer who buys a
    service today — of ``service`` only, when given. Raises ValidationError naming the field."""
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "Give the campaign a name."
    elif len(name) > 200:
        errors["name"] = "Keep the name under 200 characters."
    if opens_on is None:
        errors["opens_on"] = "Give the day the survey opens."
    if closes_on is None:
        errors["closes_on"] = "Give the day the survey closes."
    elif opens_on is not None and closes_on < opens_on:
        errors["closes_on"] = "The survey must close on or after the day it opens."
    elif closes_on < company_today(company):
        errors["closes_on"] = "The closing day has already passed."
    if service is not None and service.company_id != company.pk:
        errors["service"] = "Choose a service of your company."
    for field, text in (
        ("question", question),
        ("reason_question", reason_question),
        ("services_question", services_question),
    ):
        if not (text or "").strip():
            errors[field] = "Write the question."
        elif len(text) > QUESTION_MAX_LENGTH:
            errors[field] = f"Keep the question under {QUESTION_MAX_LENGTH} characters."
    if created_by is not None and created_by.company_id != company.pk:
        errors["created_by"] = "Only someone of the company can create its campaign."
    if errors:
        raise ValidationError(errors)

    campaign = SurveyCampaign.objects.create(
        company=company,
        name=name,
        opens_on=opens_on,
        closes_on=closes_on,
        service=service,
        question=question.strip(),
        reason_question=reason_question.strip(),
        services_question=services_question.strip(),
        created_by=created_by,
    )
    customers = selectors.active_customer_ids(
        company=company, on=company_today(company), service=service
    )
    contacts = Contact.objects.filter(company=company, customer_id__in=customers).values_list(
        "pk", "customer_id"
    )
    SurveyInvitation.objects.bulk_create(
        (
            SurveyInvitation(
                company=company, campaign=campaign, customer_id=customer_id, contact_id=contact_id
            )
            for contact_id, customer_id in contacts.iterator(chunk_size=INSERT_BATCH_SIZE)
        ),
        batch_size=INSERT_BATCH_SIZE,
    )
    return campaign


def _invitation_email(invitation: SurveyInvitation, token: str, base_url: str | None):
    campaign = invitation.campaign
    company = campaign.company
    greeting = f"Dear {invitation.contact.name}," if invitation.contact.name else "Hello,"
    body = "\n".join(
        [
            greeting,
            "",
            f"{campaign.question_text()} One question and a minute of your time help us serve "
            f"{invitation.customer.name} better.",
            "",
            f"Answer here: {survey_url(token, base_url=base_url)}",
            "",
            f"The link is yours alone and works until {campaign.closes_on:%d %B %Y}.",
            "",
            f"Thank you — {company.name}",
        ]
    )
    return EmailMessage(
        subject=f"{company.name}: how are we doing?",
        body=body,
        to=[invitation.contact.email],
    )


def send_invitations(
    *,
    campaign: SurveyCampaign,
    base_url: str | None = None,
    limit: int | None = None,
    batch_size: int = SEND_BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> int:
    """E-mail the link to every invitation not sent yet (at most ``limit``), ``batch_size`` at a
    time; returns how many were sent. Each batch is one transaction: its tokens are stored only
    if its messages went out, so a failure leaves that batch unsent for the next run."""
    sent = 0
    connection = get_connection()
    while limit is None or sent < limit:
        size = batch_size if limit is None else min(batch_size, limit - sent)
        with transaction.atomic():
            batch = list(
                SurveyInvitation.objects.select_for_update()
                .filter(campaign=campaign, sent_at=None, answered_at=None)
                .exclude(contact=None)
                .select_related("contact", "customer", "campaign__company")
                .order_by("pk")[:size]
            )
            if not batch:
                break
            now = timezone.now()
            messages = []
            for invitation in batch:
                token = new_token()
                invitation.token_hash = token_hash(token)
                invitation.sent_at = now
                messages.append(_invitation_email(invitation, token, base_url))
            SurveyInvitation.objects.bulk_update(batch, ["token_hash", "sent_at"])
            connection.send_messages(messages)
        sent += len(batch)
        if progress is not None:
            progress(len(batch))
    return sent


@transaction.atomic
def issue_link(*, campaign: SurveyCampaign, contact: Contact) -> tuple[SurveyInvitation, str]:
    """A fresh link for ``contact`` to answer ``campaign``: their invitation, created if need be,
    gets a new token (an earlier link of theirs stops working). Returns (invitation, token).

    Raises ValidationError when the contact is not the company's, the invitation was answered,
    or the campaign is not open today.
    """
    if contact.company_id != campaign.company_id:
        raise ValidationError({"contact": "This contact belongs to another company."})
    if not campaign.is_open_on(company_today(campaign.company)):
        raise ValidationError({"campaign": f"The campaign “{campaign}” is not open today."})
    invitation, _ = SurveyInvitation.objects.select_for_update().get_or_create(
        campaign=campaign,
        contact=contact,
        defaults={"company_id": campaign.company_id, "customer_id": contact.customer_id},
    )
    if invitation.answered_at is not None:
        raise ValidationError({"contact": f"{contact.name} has already answered “{campaign}”."})
    token = new_token()
    invitation.token_hash = token_hash(token)
    invitation.sent_at = invitation.sent_at or timezone.now()
    invitation.save(update_fields=["token_hash", "sent_at"])
    return invitation, token


def _need_text(service: Service, reason: str) -> str:
    need = f"Survey answer: would value {service.name}."
    if reason:
        need += f" Reason: {reason}"
    return need[:2000]


def submit_answer(
    *,
    token: str,
    score: int,
    reason: str = "",
    wanted_services: Iterable[Service] = (),
    at: datetime.datetime | None = None,
) -> SurveyResponse:
    """Record the one answer a survey link may give, and announce each service the customer
    would value (``org.events.service_wanted``: the opportunities app hands it to their sales
    owner as an opportunity). All or nothing, receivers included.

    Raises SurveyUnavailable (state "invalid", "not_open", "closed" or "answered") when the link
    cannot take an answer, ValidationError naming the field for a bad answer.
    """
    try:
        with transaction.atomic():
            # The row lock makes a double submit wait here and then find the answer recorded.
            invitation = selectors.invitation_for_token(token, for_update=True)
            state = selectors.link_state(invitation)
            if state != selectors.OPEN:
                raise SurveyUnavailable(state)
            company = invitation.campaign.company
            customer = invitation.customer
            wanted = list(wanted_services)
            errors = {}
            if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 10:
                errors["score"] = "Choose a score from 0 to 10."
            reason = (reason or "").strip()
            if len(reason) > REASON_MAX_LENGTH:
                errors["reason"] = f"Keep the reason under {REASON_MAX_LENGTH} characters."
            offered = {service.pk for service in selectors.services_offered_to(customer=customer)}
            if any(service.pk not in offered for service in wanted):
                errors["wanted_services"] = "Choose only among the services listed."
            if errors:
                raise ValidationError(errors)

            answered_at = at or timezone.now()
            response = SurveyResponse.objects.create(
                company=company,
                campaign=invitation.campaign,
                invitation=invitation,
                customer=customer,
                team_id=customer.serving_team_id,
                score=score,
                reason=reason,
                answered_at=answered_at,
            )
            response.wanted_services.set(wanted)
            invitation.answered_at = answered_at
            invitation.save(update_fields=["answered_at"])
            for service in wanted:
                org_events.service_wanted.send(
                    sender=SurveyResponse,
                    company=company,
                    customer=customer,
                    service=service,
                    need=_need_text(service, reason),
                    channel="survey",
                    source="survey",
                )
            return response
    except IntegrityError as error:
        # Two submits that slipped past the lock (a database without row locks): the one-to-one
        # invitation keeps a single answer.
        raise SurveyUnavailable(selectors.ANSWERED) from error
