"""The opportunities section of the executive dashboard: needs found by CRPs in the period, and
what became of them, by the team that found them."""

from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from culturegap.opportunities.models import OPEN_STATUSES, Opportunity, Source, Status
from culturegap.org.figures import (
    COUNT,
    MONEY,
    NO_TEAM,
    PERCENT,
    Scope,
    Table,
    by_name,
    day_bounds,
    in_scope,
    percent,
    team_names,
)


@dataclass
class OpportunitySection:
    found: int
    won: int
    lost: int
    win_rate: float | None
    revenue: float
    table: Table


def opportunity_section(scope: Scope) -> OpportunitySection:
    """Needs found by CRPs in the period (by the day they were recorded), what became of them
    so far, by the team that found them. Win rate = won / (won + lost)."""
    since, until = day_bounds(scope)
    opportunities = in_scope(
        Opportunity.objects.filter(
            company=scope.company, source=Source.CRP, created_at__gte=since, created_at__lt=until
        ),
        scope,
        "found_by_team_id",
    )
    names = team_names(scope.company)
    rows_by_team = {
        row["found_by_team_id"]: row
        for row in opportunities.values("found_by_team_id").annotate(
            found=Count("pk"),
            won=Count("pk", filter=Q(status=Status.WON)),
            lost=Count("pk", filter=Q(status=Status.LOST)),
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            revenue=Sum("value", filter=Q(status=Status.WON)),
        )
    }
    rows = []
    for team in by_name(names, rows_by_team):
        row = rows_by_team[team]
        revenue = float(row["revenue"] or 0)
        rows.append(
            [
                names.get(team, NO_TEAM),
                row["found"],
                row["open"],
                row["won"],
                row["lost"],
                percent(row["won"], row["won"] + row["lost"]),
                round(revenue, 2),
            ]
        )
    found = sum(r["found"] for r in rows_by_team.values())
    won = sum(r["won"] for r in rows_by_team.values())
    lost = sum(r["lost"] for r in rows_by_team.values())
    return OpportunitySection(
        found=found,
        won=won,
        lost=lost,
        win_rate=percent(won, won + lost),
        revenue=round(sum(float(r["revenue"] or 0) for r in rows_by_team.values()), 2),
        table=Table(
            key="opportunities_by_team",
            title="Opportunities found by CRPs, by team",
            headers=[
                "Team",
                "Found",
                "Open",
                "Won",
                "Lost",
                "Win rate %",
                f"Revenue won ({scope.company.currency})",
            ],
            rows=rows,
            formats=(None, COUNT, COUNT, COUNT, COUNT, PERCENT, MONEY),
            currency=scope.company.currency,
        ),
    )
