"""The executive dashboard's figures (culturegap.dashboard.selectors): training, opportunities,
loyalty and the culture gap over a period, for the whole company or one team; and the
training's estimated impact, kept as on the page (see docs/impact.md)."""

import datetime
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from culturegap.dashboard import selectors
from culturegap.org.api_support import Id, allow, field_errors, person_of, responses
from culturegap.org.models import Role

router = Router(tags=["dashboard"])

# Who sees the dashboard, as on the page.
DASHBOARD_ROLES = (Role.EXECUTIVE, Role.ADMIN, Role.MANAGER)

Cell = str | int | float | None


class TableOut(Schema):
    key: str
    title: str
    headers: list[str]
    rows: list[list[Cell]]


class TrainingOut(Schema):
    enrolled: int
    completed: int
    certified: int
    completion: float | None
    pre: float | None = Field(description="Mean starting-check score, percent.")
    post: float | None = Field(description="Mean final-check score, percent.")
    gain: float | None
    retention: float | None
    readiness: float | None
    behaviour: float | None
    observations: int


class OpportunitiesOut(Schema):
    found: int
    won: int
    lost: int
    win_rate: float | None = Field(description="won / (won + lost).")
    revenue: float


class LoyaltyOut(Schema):
    responses: int
    promoters: int
    passives: int
    detractors: int
    nps: float | None
    services_per_customer: float | None
    customers_at_start: int
    customers_kept: int
    retention: float | None


class CultureWaveOut(Schema):
    wave_id: int
    name: str
    opened_on: datetime.date
    respondents: int
    gap: dict[str, float | None]


class DashboardOut(Schema):
    period: str
    start: datetime.date
    end: datetime.date
    team_id: int | None
    retention_as_of: datetime.datetime = Field(
        description="When the people's predicted recall was computed (kept ten minutes)."
    )
    customers_as_of: datetime.datetime = Field(
        description="When the customer figures were computed (kept ten minutes)."
    )
    training: TrainingOut
    opportunities: OpportunitiesOut
    loyalty: LoyaltyOut
    culture_gap: list[CultureWaveOut] | None = Field(
        description="Each survey wave's gap; null until the culture survey is in use."
    )
    tables: list[TableOut]


class DashboardQuery(Schema):
    period: Literal[tuple(selectors.PERIODS)] = selectors.DEFAULT_PERIOD  # type: ignore[valid-type]
    team: Id | None = Field(None, description="One team (a manager: one of their teams).")


def _cell(value) -> Cell:
    if value is None or isinstance(value, str | int | float):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _table(table) -> dict:
    return {
        "key": table.key,
        "title": table.title,
        "headers": list(table.headers),
        "rows": [[_cell(cell) for cell in row] for row in table.rows],
    }


def _scope(request, *, period: str, team: int | None) -> selectors.Scope:
    params = {"period": period, "team": "" if team is None else str(team)}
    try:
        return selectors.scope_for(viewer=person_of(request), params=params)
    except selectors.BadFilter as problem:
        raise field_errors({problem.field: problem.message}) from None


def _fields(section, names) -> dict:
    return {name: getattr(section, name) for name in names}


@router.get(
    "/dashboard",
    response=responses({200: DashboardOut}),
    summary="The executive dashboard's figures",
    description=(
        "Over the last `period` (3m, 6m, 12m, 24m) up to today; executives and program admins "
        "see the whole company, managers their teams; `team` narrows to one team."
    ),
)
@allow(*DASHBOARD_ROLES)
def dashboard(request, query: Query[DashboardQuery]):
    scope = _scope(request, period=query.period, team=query.team)
    training = selectors.training_section(scope, timezone.now())
    opportunities = selectors.opportunity_section(scope)
    loyalty = selectors.loyalty_section(scope, timezone.now())
    culture = selectors.culture_section(scope)
    tables = [training.table, opportunities.table, loyalty.trend_table, loyalty.team_table]
    if culture.available and culture.table is not None:
        tables.insert(0, culture.table)
    return {
        "period": scope.period,
        "start": scope.start,
        "end": scope.end,
        "team_id": scope.team.pk if scope.team else None,
        "retention_as_of": training.retention_as_of,
        "customers_as_of": loyalty.customers_as_of,
        "training": _fields(training, TrainingOut.model_fields),
        "opportunities": {
            **_fields(opportunities, ("found", "won", "lost", "win_rate")),
            "revenue": float(opportunities.revenue or 0),
        },
        "loyalty": {
            **_fields(loyalty.nps, ("responses", "promoters", "passives", "detractors", "nps")),
            **_fields(
                loyalty,
                ("services_per_customer", "customers_at_start", "customers_kept", "retention"),
            ),
        },
        "culture_gap": [
            {
                "wave_id": wave.wave_id,
                "name": wave.name,
                "opened_on": wave.opened_on,
                "respondents": wave.respondents,
                "gap": wave.gap,
            }
            for wave in culture.waves
        ]
        if culture.available
        else None,
        "tables": [_table(table) for table in tables],
    }


class EventOut(Schema):
    periods_since_start: int = Field(description="Negative: before the team's start.")
    effect: float
    low: float
    high: float
    reference: bool = Field(description="The period the others are measured against (0).")


class ImpactResultOut(Schema):
    key: Literal["opportunities", "nps"]
    outcome: str
    unit: str
    period: Literal["month", "quarter"]
    effect: float | None = Field(description="Null when the data cannot give a number.")
    low: float | None = Field(description="95 % interval, lower end.")
    high: float | None = Field(description="95 % interval, upper end.")
    std_error: float | None
    teams: int
    trained_teams: int
    comparison_teams: int
    observations: int = Field(description="Team-periods used.")
    reason: str | None = Field(description="Why there is no number, when there is none.")
    sentence: str = Field(description="What the estimate does and does not show, in words.")
    events: list[EventOut]


class ImpactOut(Schema):
    team_id: int | None
    computed_at: datetime.datetime = Field(
        description="Kept an hour while no new data arrives; after new data recomputed at "
        "most every ten minutes."
    )
    results: list[ImpactResultOut]
    tables: list[TableOut]


class ImpactQuery(Schema):
    team: Id | None = Field(None, description="One team (a manager: one of their teams).")


@router.get(
    "/dashboard/impact",
    response=responses({200: ImpactOut}),
    summary="The training's estimated impact",
    description=(
        "Difference-in-differences on the staggered rollout over the last 24 months, for "
        "opportunities found per CRP per month and for the NPS of the customers a team serves, "
        "each with its 95 % interval and event study, as on the dashboard."
    ),
)
@allow(*DASHBOARD_ROLES)
def dashboard_impact(request, query: Query[ImpactQuery]):
    scope = _scope(request, period=selectors.DEFAULT_PERIOD, team=query.team)
    kept = selectors.cached_impact_section(scope, timezone.now())
    section = kept.value
    return {
        "team_id": scope.team.pk if scope.team else None,
        "computed_at": kept.computed_at,
        "results": [
            {
                "key": result.key,
                "outcome": result.outcome,
                "unit": result.unit,
                "period": result.period_name,
                **_fields(
                    result.estimate,
                    (
                        "effect",
                        "low",
                        "high",
                        "std_error",
                        "teams",
                        "trained_teams",
                        "comparison_teams",
                        "observations",
                        "reason",
                    ),
                ),
                "sentence": result.sentence,
                "events": [
                    _fields(point, EventOut.model_fields) for point in result.estimate.events
                ],
            }
            for result in section.results
        ],
        "tables": [_table(section.table), _table(section.events_table)],
    }
