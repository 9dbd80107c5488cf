"""Opportunities: needs CRPs found, handed to sales; listed, recorded, moved through the
pipeline and taken from the queue through the opportunity services (the pipeline's rules)."""

import datetime
import uuid
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.responses import Status as ResponseStatus

from culturegap.opportunities import selectors, services
from culturegap.opportunities.models import Channel, ContactWay, Source, Status, Urgency
from culturegap.org.api_support import (
    ANY_ROLE,
    Id,
    PeriodQuery,
    Text,
    allow,
    field_errors,
    page_of,
    paginate,
    person_of,
    resolve_period,
    responses,
)
from culturegap.org.models import Role, Service

router = Router(tags=["opportunities"])

# Who may record a need, as on the record-a-need page.
RECORD_ROLES = (Role.CRP, Role.MANAGER, Role.SALES)


class OpportunityOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    service_id: int | None
    need: str
    urgency: str
    channel: str
    source: str
    found_by_id: int | None
    found_by_team_id: int | None
    owner_id: int | None = Field(description="Null while it waits in the sales queue.")
    status: str
    value: float | None = Field(description="Annual value, set when won.")
    lost_reason: str
    customer_agreed: bool | None = Field(
        description="Whether the customer agreed to be contacted; null: not asked."
    )
    contact_way: str
    contact_when: str
    created_at: datetime.datetime
    last_touched_at: datetime.datetime
    closed_at: datetime.datetime | None

    @staticmethod
    def resolve_customer_name(opportunity) -> str:
        return opportunity.customer.name

    @staticmethod
    def resolve_value(opportunity) -> float | None:
        return None if opportunity.value is None else float(opportunity.value)


OpportunityPage = page_of(OpportunityOut, "OpportunityPage")

ScopeName = Literal["mine", "found", "teams", "all"]
StatusFilter = Literal["open", "stale", "new", "contacted", "qualified", "won", "lost"]


class OpportunityQuery(PeriodQuery):
    scope: ScopeName | None = Field(
        None,
        description=(
            "all (executives, program admins), teams (managers), mine (salespeople: owned and "
            "the queue), found (what you found). Default: the first your roles allow, in that "
            "order; a scope your roles do not allow falls back to it."
        ),
    )
    status: StatusFilter | None = None


@router.get(
    "/opportunities",
    response=responses({200: OpportunityPage}),
    summary="Opportunities",
    description="Newest first; `since`/`until`: days recorded, in the company's time zone.",
)
@allow(*ANY_ROLE)
def opportunity_list(request, query: Query[OpportunityQuery]):
    resolve_period(query, person_of(request).company)
    viewer = person_of(request)
    opportunities = selectors.opportunity_list(
        viewer=viewer,
        scope=query.scope or selectors.scopes_for(viewer=viewer)[0],
        status=query.status or "",
        since=query.since,
        until=query.until,
    )
    return paginate(opportunities, query)


def _visible(request, opportunity_id: int):
    return get_object_or_404(
        selectors.opportunities_visible_to(viewer=person_of(request)), pk=opportunity_id
    )


@router.get(
    "/opportunities/{opportunity_id}",
    response=responses({200: OpportunityOut}),
    summary="One opportunity",
)
@allow(*ANY_ROLE)
def opportunity_detail(request, opportunity_id: Id):
    return _visible(request, opportunity_id)


class OpportunityIn(Schema):
    customer_id: Id
    service_id: Id | None = None
    need: Text = Field(min_length=1, max_length=services.NEED_MAX_LENGTH)
    channel: Literal[tuple(Channel.values)]  # type: ignore[valid-type]
    urgency: Literal[tuple(Urgency.values)] = Urgency.NORMAL.value  # type: ignore[valid-type]
    customer_agreed: bool | None = Field(
        None,
        description=(
            "Did the customer agree that a colleague contacts them? false passes nothing on; "
            "true needs contact_way. Left out: recorded as not asked."
        ),
    )
    contact_way: Literal[tuple(ContactWay.values)] | None = None  # type: ignore[valid-type]
    contact_when: Text = Field("", max_length=services.CONTACT_WHEN_MAX_LENGTH)
    request_id: uuid.UUID | None = Field(
        None, description="Send the same id again (a retry) and the need is recorded once."
    )


def _raise_fields(error: ValidationError, names: dict[str, str] | None = None):
    names = names or {}
    if not hasattr(error, "error_dict"):
        raise field_errors({"body": " ".join(error.messages)}) from None
    raise field_errors(
        {
            names.get(field, field): " ".join(messages)
            for field, messages in error.message_dict.items()
        }
    ) from None


@router.post(
    "/opportunities",
    response=responses({201: OpportunityOut}),
    summary="Pass on a customer need",
    description=(
        "It goes to the customer's sales owner, or to the sales queue when there is none; the "
        "owner (or the queue's dispatchers) get an e-mail."
    ),
)
@allow(*RECORD_ROLES)
def opportunity_create(request, body: OpportunityIn):
    viewer = person_of(request)
    errors = {}
    customer = selectors.customers_visible_to(viewer=viewer).filter(pk=body.customer_id).first()
    if customer is None:
        errors["customer_id"] = f"No customer with id {body.customer_id} in your company."
    service = None
    if body.service_id is not None:
        service = Service.objects.filter(company_id=viewer.company_id, pk=body.service_id).first()
        if service is None:
            errors["service_id"] = f"No service with id {body.service_id} in your catalog."
    if errors:
        raise field_errors(errors)
    try:
        opportunity = services.record_opportunity(
            company=viewer.company,
            customer=customer,
            service=service,
            need=body.need,
            urgency=body.urgency,
            channel=body.channel,
            found_by=viewer,
            source=Source.SALES if viewer.is_salesperson and not viewer.is_crp else Source.CRP,
            customer_agreed=body.customer_agreed,
            contact_way=body.contact_way or "",
            contact_when=body.contact_when,
            request_id=body.request_id,
        )
    except ValidationError as error:
        _raise_fields(error, {"customer": "customer_id", "service": "service_id"})
    created = selectors.opportunities_visible_to(viewer=viewer).get(pk=opportunity.pk)
    return ResponseStatus(201, created)


class MoveIn(Schema):
    to_status: Literal[tuple(Status.values)]  # type: ignore[valid-type]
    value: Decimal | None = Field(
        None, gt=0, max_digits=12, decimal_places=2, description="Required when won."
    )
    reason: Text = Field(
        "", max_length=services.REASON_MAX_LENGTH, description="Required when lost."
    )
    note: Text = Field("", max_length=services.NEED_MAX_LENGTH)


@router.post(
    "/opportunities/{opportunity_id}/move",
    response=responses({200: OpportunityOut}),
    summary="Move an opportunity along the pipeline",
    description=(
        "new → contacted → qualified → won; contacted → won; lost from any open status. Won "
        "needs `value`, lost a `reason`. Only the owner moves it; a salesperson moving a queue "
        "item takes it."
    ),
)
@allow(Role.SALES)
def opportunity_move(request, opportunity_id: Id, body: MoveIn):
    opportunity = _visible(request, opportunity_id)
    try:
        services.move_opportunity(
            opportunity=opportunity,
            to_status=body.to_status,
            actor=person_of(request),
            value=body.value,
            reason=body.reason,
            note=body.note,
        )
    except ValidationError as error:
        _raise_fields(error)
    return _visible(request, opportunity_id)


@router.post(
    "/opportunities/{opportunity_id}/take",
    response=responses({200: OpportunityOut}, 409),
    summary="Take an opportunity from the sales queue",
)
@allow(Role.SALES)
def opportunity_take(request, opportunity_id: Id):
    opportunity = _visible(request, opportunity_id)
    try:
        services.take_opportunity(opportunity=opportunity, actor=person_of(request))
    except ValidationError as error:
        raise field_errors(
            {field: " ".join(messages) for field, messages in error.message_dict.items()}, 409
        ) from None
    return _visible(request, opportunity_id)
