"""The executive dashboard's figures (culturegap.dashboard.selectors): training, opportunities,
loyalty and the culture gap over a period, for the whole company or one team. The impact
analysis (a regression) stays on the page, where it is computed once per view."""

import datetime
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from culturegap.api.common import Id, allow, field_errors, person_of, responses
from culturegap.dashboard import selectors
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
    params = {"period": query.period, "team": "" if query.team is None else str(query.team)}
    try:
        scope = selectors.scope_for(viewer=person_of(request), params=params)
    except selectors.BadFilter as problem:
        raise field_errors({problem.field: problem.message}) from None
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
