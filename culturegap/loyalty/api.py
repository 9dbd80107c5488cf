"""Loyalty: customers' survey answers and the Net Promoter Score (culturegap.measures)."""

import datetime

from ninja import Field, Query, Router, Schema

from culturegap import measures
from culturegap.loyalty.selectors import responses_in_scope
from culturegap.org.api_support import (
    EARLIEST_DAY,
    LATEST_DAY,
    PeriodName,
    PeriodQuery,
    allow,
    check_period,
    field_errors,
    page_of,
    paginate,
    person_of,
    resolve_period,
    responses,
)
from culturegap.org.figures import DEFAULT_PERIOD, period_bounds
from culturegap.org.models import Role
from culturegap.org.scope import company_zone

router = Router(tags=["loyalty"])

# Who sees loyalty figures, as on the loyalty dashboard.
DASHBOARD_ROLES = (Role.EXECUTIVE, Role.ADMIN, Role.MANAGER, Role.SALES)


class ResponseOut(Schema):
    id: int
    campaign_id: int
    customer_id: int
    customer_name: str
    team_id: int | None = Field(description="The team serving the customer when they answered.")
    score: int = Field(description="0–10: how likely they are to recommend the company.")
    category: str = Field(description="promoter (9–10), passive (7–8) or detractor (0–6).")
    reason: str
    answered_at: datetime.datetime

    @staticmethod
    def resolve_customer_name(response) -> str:
        return response.customer.name

    @staticmethod
    def resolve_category(response) -> str:
        return measures.score_category(response.score)


ResponsePage = page_of(ResponseOut, "ResponsePage")


def _in_period(request, since, until):
    viewer = person_of(request)
    zone = company_zone(viewer.company)
    answers = responses_in_scope(viewer=viewer)
    if since is not None:
        start = datetime.datetime.combine(since, datetime.time.min, tzinfo=zone)
        answers = answers.filter(answered_at__gte=start)
    if until is not None:
        end = datetime.datetime.combine(
            until + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
        )
        answers = answers.filter(answered_at__lt=end)
    return answers


@router.get(
    "/loyalty/responses",
    response=responses({200: ResponsePage}),
    summary="Customers' survey answers",
    description=(
        "Newest first. Executives and program admins see the company's; managers those of "
        "customers their teams serve or their reporting line owns; salespeople their own "
        "customers'. `since`/`until`: days answered, in the company's time zone."
    ),
)
@allow(*DASHBOARD_ROLES)
def response_list(request, query: Query[PeriodQuery]):
    resolve_period(query, person_of(request).company)
    answers = _in_period(request, query.since, query.until).select_related("customer")
    return paginate(answers.order_by("-answered_at", "-pk"), query)


class NpsOut(Schema):
    since: datetime.date
    until: datetime.date
    responses: int
    promoters: int
    passives: int
    detractors: int
    nps: float | None = Field(
        description="% promoters − % detractors, −100 to 100; null without answers."
    )


class NpsQuery(Schema):
    period: PeriodName | None = Field(
        None, description="3m, 6m, 12m or 24m up to today, as on the dashboard."
    )
    since: datetime.date | None = Field(None, ge=EARLIEST_DAY, le=LATEST_DAY)
    until: datetime.date | None = Field(None, ge=EARLIEST_DAY, le=LATEST_DAY)


@router.get(
    "/loyalty/nps",
    response=responses({200: NpsOut}),
    summary="Net Promoter Score",
    description=(
        "Over the answers you may see (as for `/loyalty/responses`), from `since` to `until` "
        "or over `period` (default: 12m, from the same day a year ago to today, both included, "
        "as on the dashboard and the loyalty page)."
    ),
)
@allow(*DASHBOARD_ROLES)
def nps(request, query: Query[NpsQuery]):
    company = person_of(request).company
    if query.period is not None and (query.since is not None or query.until is not None):
        raise field_errors({"period": "give either period or since/until, not both."})
    # Without ``since``: the period's months back from ``until`` (default: today).
    since, until = period_bounds(company, query.period or DEFAULT_PERIOD, today=query.until)
    since = query.since or since
    check_period(since, until)
    scores = _in_period(request, since, until).values_list("score", flat=True)
    summary = measures.nps_summary(scores)
    return {
        "since": since,
        "until": until,
        "responses": summary.responses,
        "promoters": summary.promoters,
        "passives": summary.passives,
        "detractors": summary.detractors,
        "nps": summary.nps,
    }
