"""The training's estimated impact on the dashboard: team × period panels of opportunities per
CRP and NPS, difference-in-differences over the staggered rollout, kept until new data arrives."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

import pandas as pd
from django.core.cache import cache
from django.db.models import Count, Max
from django.db.models.functions import TruncMonth, TruncQuarter

from culturegap.loyalty.dashboard import category_counts, nps_of_counts
from culturegap.loyalty.models import SurveyResponse
from culturegap.measures import impact
from culturegap.opportunities.models import Opportunity, Source
from culturegap.org.figures import (
    SLOW_FIGURES_SECONDS,
    Kept,
    Scope,
    Table,
    in_scope,
    months_before,
    rounded,
    scope_key,
)
from culturegap.org.models import CRP_TEAM_KINDS, Person, Team
from culturegap.org.scope import company_zone
from culturegap.training.dashboard import training_starts
from culturegap.training.models import Assignment, Enrollment

# The impact analysis looks at this many full months before the current one.
IMPACT_MONTHS = 24


def month_index(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def quarter_index(day: datetime.date) -> int:
    return day.year * 4 + (day.month - 1) // 3


def _crp_teams(scope: Scope) -> dict[int, str]:
    teams = in_scope(
        Team.objects.filter(company=scope.company, kind__in=CRP_TEAM_KINDS), scope, "pk"
    )
    return dict(teams.values_list("pk", "name"))


def opportunity_panel(scope: Scope) -> pd.DataFrame:
    """team × month: opportunities found by the team's CRPs per CRP, over the last
    IMPACT_MONTHS full months. CRPs of a month = people with the CRP role in the team who had
    joined by the month's end (the team they are in now: moves between teams are not kept)."""
    zone = company_zone(scope.company)
    teams = _crp_teams(scope)
    if not teams:
        return pd.DataFrame(columns=["team", "period", "y", "start"])
    last = month_index(scope.end) - 1
    first = last - IMPACT_MONTHS + 1
    year, month = divmod(first, 12)
    since = datetime.datetime.combine(datetime.date(year, month + 1, 1), datetime.time(), zone)
    year, month = divmod(last + 1, 12)
    until = datetime.datetime.combine(datetime.date(year, month + 1, 1), datetime.time(), zone)
    found: dict[tuple[int, int], int] = {}
    for team, month_start, count in (
        Opportunity.objects.filter(
            company=scope.company,
            source=Source.CRP,
            found_by_team_id__in=list(teams),
            created_at__gte=since,
            created_at__lt=until,
        )
        .annotate(month=TruncMonth("created_at", tzinfo=zone))
        .values_list("found_by_team_id", "month")
        .annotate(n=Count("pk"))
        .values_list("found_by_team_id", "month", "n")
    ):
        found[(team, month_index(month_start))] = count
    joined: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for team, month_start, count in (
        Person.objects.filter(company=scope.company, is_crp=True, team_id__in=list(teams))
        .annotate(month=TruncMonth("date_joined", tzinfo=zone))
        .values_list("team_id", "month")
        .annotate(n=Count("pk"))
        .values_list("team_id", "month", "n")
    ):
        joined[team][max(first - 1, month_index(month_start))] += count
    starts = training_starts(scope)
    rows = []
    for team in teams:
        start = starts.get(team)
        crps = joined[team].get(first - 1, 0)
        for period in range(first, last + 1):
            crps += joined[team].get(period, 0)
            if crps:
                y = found.get((team, period), 0) / crps
                rows.append((team, period, y, None if start is None else month_index(start)))
    return pd.DataFrame(rows, columns=["team", "period", "y", "start"])


def nps_panel(scope: Scope) -> pd.DataFrame:
    """team × quarter: the NPS of the answers of the customers a CRP team served when they
    answered, weighted by the number of answers, over the last IMPACT_MONTHS months."""
    zone = company_zone(scope.company)
    teams = _crp_teams(scope)
    if not teams:
        return pd.DataFrame(columns=["team", "period", "y", "start", "weight"])
    since = datetime.datetime.combine(
        months_before(scope.end, IMPACT_MONTHS).replace(day=1), datetime.time(), zone
    )
    responses = SurveyResponse.objects.filter(
        company=scope.company, team_id__in=list(teams), answered_at__gte=since
    ).annotate(quarter=TruncQuarter("answered_at", tzinfo=zone))
    grouped = {
        (team, quarter_index(quarter)): counts
        for (team, quarter), counts in category_counts(responses, "team_id", "quarter").items()
    }
    starts = training_starts(scope)
    rows = []
    for (team, period), scores in grouped.items():
        summary = nps_of_counts(scores)
        start = starts.get(team)
        rows.append(
            (
                team,
                period,
                summary.nps,
                None if start is None else quarter_index(start),
                summary.responses,
            )
        )
    return pd.DataFrame(rows, columns=["team", "period", "y", "start", "weight"])


@dataclass
class ImpactResult:
    key: str
    outcome: str
    unit: str
    period_name: str  # "month" or "quarter"
    estimate: impact.Estimate
    sentence: str

    @property
    def short(self) -> str:
        return SHORT_OUTCOMES[self.key]


SHORT_OUTCOMES = {"opportunities": "Opportunities per CRP", "nps": "NPS"}


@dataclass
class ImpactSection:
    results: list[ImpactResult]
    table: Table
    events_table: Table


# The impact analysis reads 24 months of history (four fits): it is kept this long while no new
# opportunity, loyalty answer, assignment, enrollment or person is recorded; when one is, it is
# recomputed on the next view, but at most once per SLOW_FIGURES_SECONDS, so a company recording
# needs all day does not pay for the fits at every view.
IMPACT_CACHE_SECONDS = 3600


def _newest_ids(scope: Scope) -> list[int | None]:
    return [
        model.objects.filter(company=scope.company).aggregate(newest=Max("pk"))["newest"]
        for model in (Opportunity, SurveyResponse, Assignment, Enrollment, Person)
    ]


def cached_impact_section(scope: Scope, now: datetime.datetime) -> Kept:
    """The impact section, kept (see IMPACT_CACHE_SECONDS), with the moment it was computed."""
    key = scope_key("impact", scope, scope.end)
    stamp, kept_section = cache.get(key) or (None, None)
    # Recent enough: kept without looking for new data.
    if kept_section is not None and now - kept_section.computed_at < datetime.timedelta(
        seconds=SLOW_FIGURES_SECONDS
    ):
        return kept_section
    newest = _newest_ids(scope)
    if kept_section is not None and stamp == newest:
        return kept_section
    kept_section = Kept(now, impact_section(scope))
    cache.set(key, (newest, kept_section), IMPACT_CACHE_SECONDS)
    return kept_section


def impact_section(scope: Scope) -> ImpactSection:
    results = []
    for key, outcome, unit, period_name, panel in (
        (
            "opportunities",
            "opportunities found per CRP per month",
            "opportunities per CRP per month",
            "month",
            opportunity_panel(scope),
        ),
        (
            "nps",
            "the NPS of the customers a team serves",
            "NPS points",
            "quarter",
            nps_panel(scope),
        ),
    ):
        estimate = impact.staggered_did(panel)
        sentence = impact.explain(estimate, outcome=outcome, unit=unit, period=period_name)
        results.append(ImpactResult(key, outcome, unit, period_name, estimate, sentence))
    table = Table(
        key="impact",
        title="Estimated impact of the training (difference-in-differences)",
        headers=[
            "Outcome",
            "Estimated effect",
            "95 % interval from",
            "95 % interval to",
            "Teams",
            "Trained teams",
            "Not-yet-trained teams",
            "Team-periods",
            "Note",
        ],
        rows=[
            [
                result.outcome,
                rounded(result.estimate.effect, 3),
                rounded(result.estimate.low, 3),
                rounded(result.estimate.high, 3),
                result.estimate.teams,
                result.estimate.trained_teams,
                result.estimate.comparison_teams,
                result.estimate.observations,
                result.estimate.reason or "",
            ]
            for result in results
        ],
    )
    events_table = Table(
        key="impact_events",
        title="Effect by time since a team's training started (event study)",
        headers=["Outcome", "Periods since start", "Period", "Effect", "95 % from", "95 % to"],
        rows=[
            [
                result.short,
                point.periods_since_start,
                result.period_name,
                rounded(point.effect, 3),
                rounded(point.low, 3),
                rounded(point.high, 3),
            ]
            for result in results
            for point in result.estimate.events
        ],
    )
    return ImpactSection(results=results, table=table, events_table=events_table)
