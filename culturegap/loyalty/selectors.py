"""Read queries of the loyalty pages: survey links, who sees which customers' answers, and the
loyalty figures (querysets turned into plain values, handed to ``culturegap.measures``)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from culturegap import measures
from culturegap.loyalty.models import SurveyCampaign, SurveyInvitation, SurveyResponse, token_hash
from culturegap.measures.loyalty import (
    CATEGORIES,
    ONE_SERVICE,
    PROMOTER,
    QUARTER,
    SEVERAL_SERVICES,
    window_period_label,
)
from culturegap.org.figures import (
    COUNT,
    DEFAULT_PERIOD,
    NPS,
    PERCENT,
    RATIO,
    Table,
    period_bounds,
)
from culturegap.org.models import (
    CRP_TEAM_KINDS,
    Company,
    Customer,
    CustomerService,
    Person,
    Service,
    Team,
)
from culturegap.org.scope import (
    company_today,
    company_zone,
    reporting_line_ids,
    sees_whole_company,
    teams_visible_to,
)

# What a survey link can do now.
OPEN, ANSWERED, CLOSED, NOT_OPEN, INVALID = "open", "answered", "closed", "not_open", "invalid"

# A token is 43 characters; anything much longer is not one of ours and is not even hashed.
TOKEN_MAX_LENGTH = 100


def invitation_for_token(token: str, *, for_update: bool = False) -> SurveyInvitation | None:
    """The invitation a link's token opens, or None. Unknown, tampered and malformed tokens are
    all simply None, so nothing tells them apart."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    invitations = SurveyInvitation.objects.select_related(
        "campaign__company", "customer", "contact"
    )
    if for_update:
        invitations = invitations.select_for_update(of=("self",))
    return invitations.filter(token_hash=token_hash(token)).first()


def link_state(invitation: SurveyInvitation | None) -> str:
    """OPEN when the link may take an answer today; otherwise why not. An answered link says
    so even after the campaign closed."""
    if invitation is None:
        return INVALID
    if invitation.answered_at is not None:
        return ANSWERED
    campaign = invitation.campaign
    today = company_today(campaign.company)
    if today > campaign.closes_on:
        return CLOSED
    if today < campaign.opens_on:
        return NOT_OPEN
    return OPEN


def _active_services(on: datetime.date) -> Q:
    return Q(started_on__lte=on) & (Q(ended_on__isnull=True) | Q(ended_on__gt=on))


def services_offered_to(*, customer: Customer) -> QuerySet[Service]:
    """The company's services this customer does not buy today: what the survey may offer."""
    today = company_today(customer.company)
    bought = CustomerService.objects.filter(customer=customer).filter(_active_services(today))
    return Service.objects.filter(company_id=customer.company_id).exclude(
        pk__in=bought.values("service_id")
    )


def active_customer_ids(*, company: Company, on: datetime.date, service: Service | None = None):
    """Ids of the customers who buy a service on ``on`` (``service`` only, when given)."""
    bought = CustomerService.objects.filter(company=company).filter(_active_services(on))
    if service is not None:
        bought = bought.filter(service=service)
    return bought.values("customer_id").distinct()


# --- who sees what ---------------------------------------------------------------------------


def customers_in_scope(*, viewer: Person) -> QuerySet[Customer]:
    """Customers whose loyalty figures ``viewer`` may see: all of the company's for executives
    and program admins; for a manager, the customers served by their teams or owned by someone
    in their reporting line; for a salesperson, their own. Nobody else sees any."""
    customers = Customer.objects.filter(company_id=viewer.company_id)
    if sees_whole_company(viewer):
        return customers
    allowed = Q(pk__in=[])
    if viewer.is_manager:
        team_ids = teams_visible_to(viewer=viewer).values("pk")
        owners = reporting_line_ids(manager=viewer) | {viewer.pk}
        allowed |= Q(serving_team_id__in=team_ids) | Q(sales_owner_id__in=owners)
    if viewer.is_salesperson:
        allowed |= Q(sales_owner_id=viewer.pk)
    return customers.filter(allowed)


def responses_in_scope(*, viewer: Person) -> QuerySet[SurveyResponse]:
    """Survey answers ``viewer`` may see: the company's for executives and admins; for a
    manager, those of customers their teams served when answering or owned by their reporting
    line; for a salesperson, their own customers'."""
    responses = SurveyResponse.objects.filter(company_id=viewer.company_id)
    if sees_whole_company(viewer):
        return responses
    allowed = Q(pk__in=[])
    if viewer.is_manager:
        team_ids = teams_visible_to(viewer=viewer).values("pk")
        owners = reporting_line_ids(manager=viewer) | {viewer.pk}
        allowed |= Q(team_id__in=team_ids) | Q(customer__sales_owner_id__in=owners)
    if viewer.is_salesperson:
        allowed |= Q(customer__sales_owner_id=viewer.pk)
    return responses.filter(allowed)


def filter_teams(*, viewer: Person) -> QuerySet[Team]:
    """Teams the dashboard can be narrowed to: the customer-facing (CRP) teams the viewer sees."""
    return teams_visible_to(viewer=viewer).filter(kind__in=CRP_TEAM_KINDS).order_by("name")


# --- the loyalty figures ---------------------------------------------------------------------


def _day_bounds(company: Company, start: datetime.date, end: datetime.date):
    """Aware datetimes from the start of ``start`` to the end of ``end``, on the company's
    clock."""
    zone = company_zone(company)
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, zone)
    return since, until


@dataclass
class Answer:
    customer_id: int
    team: str
    score: int
    day: datetime.date


@dataclass
class LoyaltyFigures:
    start: datetime.date
    end: datetime.date
    granularity: str
    overall: measures.NpsSummary
    trend: list[tuple[str, measures.NpsSummary]]
    team_trends: dict[str, list[tuple[str, float | None]]]  # at most CHARTED_TEAMS teams
    team_count: int
    services_now: float | None
    services_trend: list[tuple[datetime.date, float | None]]
    retention: measures.Retention
    segments: dict[tuple[str, str], int]
    tables: dict[str, Table]


def _round(value: float | None, digits: int = 1):
    return None if value is None else round(value, digits)


def _percent(value: float | None):
    return None if value is None else round(100 * value, 1)


def _nps_row(label: str, summary: measures.NpsSummary) -> list:
    return [
        label,
        summary.responses,
        summary.promoters,
        summary.passives,
        summary.detractors,
        _round(summary.nps),
    ]


CHARTED_TEAMS = 10
NPS_HEADERS = ["Responses", "Promoters (9–10)", "Passives (7–8)", "Detractors (0–6)", "NPS"]
NPS_FORMATS = (None, COUNT, COUNT, COUNT, COUNT, NPS)
SEGMENT_NAMES = {"promoter": "Promoters", "passive": "Passives", "detractor": "Detractors"}


def _responses(*, viewer: Person, start, end, team: Team | None) -> QuerySet[SurveyResponse]:
    since, until = _day_bounds(viewer.company, start, end)
    responses = responses_in_scope(viewer=viewer).filter(
        answered_at__gte=since, answered_at__lt=until
    )
    if team is not None:
        responses = responses.filter(team=team)
    return responses


def _answers(responses: QuerySet[SurveyResponse], company: Company) -> list[Answer]:
    zone = company_zone(company)
    return [
        Answer(customer_id, team_name or "No team", score, answered_at.astimezone(zone).date())
        for customer_id, team_name, score, answered_at in responses.order_by(
            "answered_at", "pk"
        ).values_list("customer_id", "team__name", "score", "answered_at")
    ]


def _scope_customers(*, viewer: Person, team: Team | None) -> QuerySet[Customer]:
    customers = customers_in_scope(viewer=viewer)
    if team is not None:
        customers = customers.filter(serving_team=team)
    return customers


def _latest_answer_per_customer(answers: list[Answer]) -> dict[int, Answer]:
    latest: dict[int, Answer] = {}
    for answer in answers:  # oldest first, so the last one written wins
        latest[answer.customer_id] = answer
    return latest


def loyalty_figures(
    *,
    viewer: Person,
    start: datetime.date,
    end: datetime.date,
    team: Team | None = None,
    granularity: str = QUARTER,
) -> LoyaltyFigures:
    """Every figure of the loyalty dashboard for what ``viewer`` may see, over [start, end]
    (``team``: narrowed to answers given while that team served, and customers it serves)."""
    responses = _responses(viewer=viewer, start=start, end=end, team=team)
    answers = _answers(responses, viewer.company)
    overall = measures.nps_summary(answer.score for answer in answers)

    def label(period: datetime.date) -> str:
        return window_period_label(period, granularity, first_day=start, last_day=end)

    trend = [
        (label(period), summary)
        for period, summary in measures.nps_trend(
            ((answer.day, answer.score) for answer in answers), granularity
        )
    ]
    by_team = measures.nps_by_group((answer.team, answer.score) for answer in answers)
    # The chart follows the teams with the most answers; a line per team of a large firm would
    # be unreadable (the table lists them all).
    charted = sorted(sorted(by_team), key=lambda name: -by_team[name].responses)[:CHARTED_TEAMS]
    dated_by_team = defaultdict(list)
    for answer in answers:
        if answer.team in charted:
            dated_by_team[answer.team].append((answer.day, answer.score))
    team_trends = {
        name: [
            (label(period), summary.nps)
            for period, summary in measures.nps_trend(dated_by_team[name], granularity)
        ]
        for name in sorted(charted)
    }

    # One pass over the services of the customers in scope and of those who answered (mostly
    # the same customers).
    scope = _scope_customers(viewer=viewer, team=team)
    scope_ids = set(scope.values_list("pk", flat=True))
    answering_ids = {answer.customer_id for answer in answers}
    spans = []
    answer_spans = defaultdict(list)
    for customer_id, service_id, started_on, ended_on in CustomerService.objects.filter(
        Q(customer__in=scope) | Q(customer__in=responses.values("customer_id"))
    ).values_list("customer_id", "service_id", "started_on", "ended_on"):
        if customer_id in scope_ids:
            spans.append((customer_id, started_on, ended_on))
        if customer_id in answering_ids:
            answer_spans[customer_id].append((service_id, started_on, ended_on))

    # Service lines a respondent bought on the day they answered: a customer of two lines
    # counts in both.
    service_names = dict(
        Service.objects.filter(company_id=viewer.company_id).values_list("pk", "name")
    )
    by_service = measures.nps_by_group(
        (service_names[service_id], answer.score)
        for answer in answers
        for service_id, started_on, ended_on in answer_spans[answer.customer_id]
        if measures.is_active_on(started_on, ended_on, answer.day)
    )

    days = sorted(
        {max(period, start) for period in measures.periods_between(start, end, granularity)} | {end}
    )
    services_trend = measures.services_per_customer_trend(spans, days)
    kept = measures.retention(spans, start, end)

    segment_pairs = []
    for customer_id, answer in _latest_answer_per_customer(answers).items():
        active = sum(
            1
            for _, started_on, ended_on in answer_spans[customer_id]
            if measures.is_active_on(started_on, ended_on, end)
        )
        segment_pairs.append((answer.score, active))
    segments = measures.loyalty_segments(segment_pairs)

    tables = {
        "nps_trend": Table(
            "nps_trend",
            "NPS by period",
            ["Period", *NPS_HEADERS],
            [_nps_row(label, summary) for label, summary in trend],
            NPS_FORMATS,
        ),
        "nps_by_service": Table(
            "nps_by_service",
            "NPS by service line",
            ["Service line", *NPS_HEADERS],
            [_nps_row(name, by_service[name]) for name in sorted(by_service)],
            NPS_FORMATS,
        ),
        "nps_by_team": Table(
            "nps_by_team",
            "NPS by team",
            ["Team", *NPS_HEADERS],
            [_nps_row(name, by_team[name]) for name in sorted(by_team)],
            NPS_FORMATS,
        ),
        "services_trend": Table(
            "services_trend",
            "Services per customer",
            ["Date", "Services per customer"],
            [[day.isoformat(), _round(value, 2)] for day, value in services_trend],
            (None, RATIO),
        ),
        "retention": Table(
            "retention",
            "Retention and churn",
            [
                "From",
                "To",
                "Customers at the start",
                "Still customers at the end",
                "Retention (%)",
                "Churn (%)",
            ],
            [
                [
                    start.isoformat(),
                    end.isoformat(),
                    kept.at_start,
                    kept.kept,
                    _percent(kept.retention),
                    _percent(kept.churn),
                ]
            ],
            (None, None, COUNT, COUNT, PERCENT, PERCENT),
        ),
        "segments": Table(
            "segments",
            "Loyalty segments (customers, by their latest answer)",
            ["Segment", "Buy one service", "Buy several services", "Total"],
            [
                [
                    SEGMENT_NAMES[category],
                    segments[(category, ONE_SERVICE)],
                    segments[(category, SEVERAL_SERVICES)],
                    segments[(category, ONE_SERVICE)] + segments[(category, SEVERAL_SERVICES)],
                ]
                for category in CATEGORIES
            ],
        ),
    }
    return LoyaltyFigures(
        start=start,
        end=end,
        granularity=granularity,
        overall=overall,
        trend=trend,
        team_trends=team_trends,
        team_count=len(by_team),
        services_now=services_trend[-1][1] if services_trend else None,
        services_trend=services_trend,
        retention=kept,
        segments=segments,
        tables=tables,
    )


def opportunity_pool(
    *, viewer: Person, start: datetime.date, end: datetime.date, team: Team | None = None
) -> Table:
    """Promoters who buy one service only: customers whose latest answer in [start, end] was
    9–10 and who buy exactly one service on ``end`` — those most open to a second one."""
    answers = _answers(_responses(viewer=viewer, start=start, end=end, team=team), viewer.company)
    latest = {
        customer_id: answer
        for customer_id, answer in _latest_answer_per_customer(answers).items()
        if measures.score_category(answer.score) == PROMOTER
    }
    active = defaultdict(list)
    spans = CustomerService.objects.filter(customer_id__in=latest).filter(_active_services(end))
    for customer_id, service_name in spans.values_list("customer_id", "service__name"):
        active[customer_id].append(service_name)
    pool_ids = [customer_id for customer_id in latest if len(active[customer_id]) == 1]
    customers = Customer.objects.filter(pk__in=pool_ids).select_related("sales_owner")
    rows = [
        [
            customer.name,
            customer.external_id,
            latest[customer.pk].score,
            latest[customer.pk].day.isoformat(),
            active[customer.pk][0],
            customer.sales_owner.name if customer.sales_owner else None,
        ]
        for customer in customers.order_by("name", "pk")
    ]
    return Table(
        "pool",
        "Promoters who buy one service only",
        ["Customer", "Customer id", "Score", "Answered on", "Buys", "Sales owner"],
        rows,
    )


def company_nps(*, company: Company, period: str = DEFAULT_PERIOD) -> measures.NpsSummary:
    """NPS of every answer the company received in ``period`` (``period_bounds``: the last 12
    months, today and the same day a year ago included)."""
    since, until = _day_bounds(company, *period_bounds(company, period))
    scores = SurveyResponse.objects.filter(
        company=company, answered_at__gte=since, answered_at__lt=until
    ).values_list("score", flat=True)
    return measures.nps_summary(scores)


# --- campaigns -------------------------------------------------------------------------------


def campaign_list(*, company: Company) -> list[SurveyCampaign]:
    """The company's campaigns, newest first, each with ``invited``, ``sent``, ``answered`` and
    ``rate`` (answered / invited, 0–1)."""
    campaigns = list(
        SurveyCampaign.objects.filter(company=company)
        .select_related("service")
        .annotate(
            invited=Count("invitations"),
            sent=Count("invitations", filter=Q(invitations__sent_at__isnull=False)),
            answered=Count("invitations", filter=Q(invitations__answered_at__isnull=False)),
        )
    )
    today = company_today(company)
    for campaign in campaigns:
        campaign.rate = measures.response_rate(campaign.invited, campaign.answered)
        campaign.is_open = campaign.is_open_on(today)
    return campaigns


def campaign_detail(*, company: Company, pk: int) -> SurveyCampaign | None:
    for campaign in campaign_list(company=company):
        if campaign.pk == pk:
            return campaign
    return None


def open_campaign(*, company: Company) -> SurveyCampaign | None:
    """The most recently opened campaign that is open today."""
    today = company_today(company)
    return (
        SurveyCampaign.objects.filter(company=company, opens_on__lte=today, closes_on__gte=today)
        .order_by("-opens_on", "-pk")
        .first()
    )


def campaign_team_rates(*, campaign: SurveyCampaign) -> list[tuple[str, int, int, float | None]]:
    """Per team serving the invited customers: (team, invited, answered, response rate)."""
    rows = (
        SurveyInvitation.objects.filter(campaign=campaign)
        .values("customer__serving_team__name")
        .annotate(invited=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
        .order_by("customer__serving_team__name")
    )
    return [
        (
            row["customer__serving_team__name"] or "No team",
            row["invited"],
            row["answered"],
            measures.response_rate(row["invited"], row["answered"]),
        )
        for row in rows
    ]


def unanswered_invitations(*, campaign: SurveyCampaign) -> QuerySet[SurveyInvitation]:
    return SurveyInvitation.objects.filter(campaign=campaign, answered_at=None).exclude(
        contact=None
    )


# --- profit estimator ------------------------------------------------------------------------


@dataclass(frozen=True)
class CompanyFigures:
    """The company's own figures that prefill the profit estimator."""

    customers: int
    revenue_per_customer: float
    service_value: float
    retention_percent: float | None


def company_figures(*, company: Company) -> CompanyFigures:
    """Active customers today; their mean yearly revenue (the annual value of the services they
    buy, summed per customer, averaged); the mean value of one service bought; and customer
    retention over the last 12 months (``period_bounds``)."""
    year_ago, today = period_bounds(company, DEFAULT_PERIOD)
    active = CustomerService.objects.filter(company=company).filter(_active_services(today))
    values = list(active.values_list("customer_id", "service__annual_value"))
    customers = len({customer_id for customer_id, _ in values})
    revenue = float(sum(value for _, value in values))
    spans = CustomerService.objects.filter(company=company).values_list(
        "customer_id", "started_on", "ended_on"
    )
    kept = measures.retention(spans, year_ago, today)
    return CompanyFigures(
        customers=customers,
        revenue_per_customer=revenue / customers if customers else 0.0,
        service_value=revenue / len(values) if values else 0.0,
        retention_percent=_percent(kept.retention),
    )


def customers_with_contact_without_invitation(*, campaign: SurveyCampaign) -> QuerySet[Customer]:
    invited = SurveyInvitation.objects.filter(campaign=campaign, customer=OuterRef("pk"))
    return (
        Customer.objects.filter(company_id=campaign.company_id, contacts__isnull=False)
        .exclude(Exists(invited))
        .distinct()
    )
