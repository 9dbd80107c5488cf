"""The executive dashboard's figures: a handful of aggregate queries (GROUP BY in the database),
scoped to what the viewer may see, shaped into the tables the page and its CSV exports share."""

import datetime
import hashlib
import importlib
from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Avg,
    Count,
    FloatField,
    Max,
    Min,
    Q,
    Sum,
)
from django.db.models.functions import TruncMonth, TruncQuarter
from django.http import Http404

from culturegap.coaching.models import Observation, ObservationKind, ObservationRating
from culturegap.coaching.selectors import BEHAVIOUR_WINDOW_DAYS
from culturegap.loyalty.models import SurveyResponse
from culturegap.loyalty.selectors import Table
from culturegap.measures import impact
from culturegap.measures.loyalty import DETRACTOR, PROMOTER, NpsSummary, score_category
from culturegap.measures.readiness import rating_percent, readiness_index, team_readiness
from culturegap.measures.recall import team_retention
from culturegap.opportunities.models import OPEN_STATUSES, Opportunity, Source, Status
from culturegap.org.models import (
    CRP_TEAM_KINDS,
    Company,
    Customer,
    CustomerService,
    Person,
    Team,
)
from culturegap.org.scope import company_today, company_zone, sees_whole_company, teams_visible_to
from culturegap.reinforcement.models import Card
from culturegap.reinforcement.scheduling import scheduler_for
from culturegap.reinforcement.selectors import settings_for
from culturegap.training.models import Assessment, AssessmentKind, Assignment, Enrollment

# Period filter: value → (label, months back from today).
PERIODS = {
    "3m": ("Last 3 months", 3),
    "6m": ("Last 6 months", 6),
    "12m": ("Last 12 months", 12),
    "24m": ("Last 24 months", 24),
}
DEFAULT_PERIOD = "12m"
# The impact analysis looks at this many full months before the current one.
IMPACT_MONTHS = 24
NO_TEAM = "No team"


class BadFilter(ValueError):
    """A filter parameter that cannot be used; ``field`` names it."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


@dataclass(frozen=True)
class Scope:
    """What the page shows: a company, the teams (None: the whole company) and a period."""

    company: Company
    team_ids: frozenset[int] | None
    team: Team | None
    period: str
    start: datetime.date
    end: datetime.date  # today, included

    @property
    def period_label(self) -> str:
        return PERIODS[self.period][0]


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` months earlier (clamped to the month's last day)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def scope_for(*, viewer: Person, params, today: datetime.date | None = None) -> Scope:
    """The scope from the page's GET parameters ``team`` and ``period``. A malformed value is a
    BadFilter; a team the viewer may not see (another company's, outside a manager's line) is a
    404, so a manager cannot widen the page by editing the address."""
    today = today or company_today(viewer.company)
    period = params.get("period") or DEFAULT_PERIOD
    if period not in PERIODS:
        raise BadFilter("period", f"choose one of {', '.join(PERIODS)}, not {period[:40]!r}.")
    visible = teams_visible_to(viewer=viewer)
    team_ids = (
        None if sees_whole_company(viewer) else frozenset(visible.values_list("pk", flat=True))
    )
    team = None
    raw_team = params.get("team") or ""
    if raw_team:
        if not raw_team.isascii() or not raw_team.isdigit() or len(raw_team) > 12:
            raise BadFilter("team", f"a team id is a whole number, not {raw_team[:40]!r}.")
        team = visible.filter(pk=int(raw_team)).first()
        if team is None:
            raise Http404("No such team.")
        team_ids = frozenset({team.pk})
    start = months_before(today, PERIODS[period][1])
    return Scope(viewer.company, team_ids, team, period, start, today)


def _in_scope(queryset, scope: Scope, team_field: str):
    if scope.team_ids is None:
        return queryset
    return queryset.filter(**{f"{team_field}__in": scope.team_ids})


def _day_bounds(scope: Scope) -> tuple[datetime.datetime, datetime.datetime]:
    zone = company_zone(scope.company)
    since = datetime.datetime.combine(scope.start, datetime.time(), zone)
    until = datetime.datetime.combine(scope.end + datetime.timedelta(days=1), datetime.time(), zone)
    return since, until


def _round(value: float | None, digits: int = 1):
    return None if value is None else round(value, digits)


def _percent(part: int, whole: int):
    return None if not whole else round(100 * part / whole, 1)


def _team_names(company: Company) -> dict[int | None, str]:
    names = dict(Team.objects.filter(company=company).values_list("pk", "name"))
    names[None] = NO_TEAM
    return names


def _by_name(names: dict, keys) -> list:
    return sorted(keys, key=lambda key: (key is None, names.get(key, "")))


# --- Culture gap ---------------------------------------------------------------------------------


def culture_selectors():
    """The culture app's selectors, or None while that app has none (the section then says so)."""
    try:
        return importlib.import_module("culturegap.culture.selectors")
    except ImportError:
        return None


def culture_dimensions() -> list[tuple[str, str]]:
    try:
        from culturegap.culture.models import Dimension
    except ImportError:
        return []
    return list(Dimension.choices)


@dataclass
class CultureSection:
    available: bool
    dimensions: list[tuple[str, str]] = field(default_factory=list)
    waves: list = field(default_factory=list)
    table: Table | None = None


def culture_section(scope: Scope) -> CultureSection:
    selectors = culture_selectors()
    dimensions = culture_dimensions()
    if selectors is None or not dimensions:
        return CultureSection(available=False)
    waves = selectors.wave_gaps(scope.company, teams=scope.team_ids)
    table = Table(
        key="culture_gap",
        title="Culture gap by survey wave (|sales − CRP| on a 1–5 scale)",
        headers=["Wave", "Opened", "Respondents"] + [f"Gap: {label}" for _, label in dimensions],
        rows=[
            [wave.name, wave.opened_on.isoformat(), wave.respondents]
            + [_round(wave.gap.get(key), 2) for key, _ in dimensions]
            for wave in waves
        ],
    )
    return CultureSection(available=True, dimensions=dimensions, waves=waves, table=table)


# --- Training, retention, readiness ------------------------------------------------------------


def _retention_sql() -> str:
    """Mean FSRS retrievability per person, computed by the database:
    R = (1 + FACTOR × elapsed whole days / stability) ^ DECAY, 0 for a card never reviewed —
    the formula of ``fsrs.Scheduler.get_card_retrievability``."""
    card, person = Card._meta.db_table, Person._meta.db_table
    if connection.vendor == "postgresql":
        # date_part and float8 throughout: EXTRACT and numeric arithmetic double the cost.
        days = (
            "GREATEST(0::float8, FLOOR(date_part('epoch', %s::timestamptz - c.last_review) "
            "/ 86400.0::float8))"
        )
        one = "1.0::float8"
    else:
        days = "MAX(0, CAST(julianday(%s) - julianday(c.last_review) AS INTEGER))"
        one = "1.0"
    # Averaged per person first and joined to the people after: the join then meets one row
    # per person instead of one per card.
    return (
        f"SELECT per_person.person_id, p.team_id, per_person.recall FROM (SELECT c.person_id, "
        f"AVG(CASE WHEN c.stability IS NULL OR c.last_review IS NULL OR c.stability <= 0 "
        f"THEN 0.0 ELSE POWER({one} + %s * {days} / c.stability, %s) END) AS recall "
        f"FROM {card} c WHERE c.company_id = %s {{teams}} GROUP BY c.person_id) per_person "
        f"JOIN {person} p ON p.id = per_person.person_id"
    )


def retention_by_person(
    scope: Scope, now: datetime.datetime
) -> dict[int, tuple[int | None, float]]:
    """person id → (team id, mean predicted recall of their cards now)."""
    scheduler = scheduler_for(settings_for(scope.company))
    sql = _retention_sql()
    params: list = [scheduler._FACTOR, now, scheduler._DECAY, scope.company.pk]
    teams = ""
    if scope.team_ids is not None:
        if not scope.team_ids:
            return {}
        teams = (
            f"AND c.person_id IN (SELECT id FROM {Person._meta.db_table} "
            f"WHERE team_id IN ({', '.join(['%s'] * len(scope.team_ids))}))"
        )
        params += sorted(scope.team_ids)
    if connection.vendor != "postgresql":
        now = now.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(sep=" ")
        params[1] = now
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("{teams}", teams), params)
        return {person: (team, float(value)) for person, team, value in cursor.fetchall()}


# Two figures cost most of the page's queries on a large company and move slowly: each
# person's predicted recall (FSRS retrievability steps once a day per card) and the customers'
# active services (changed by imports). Each scope keeps them this long; the page says when
# they were computed.
SLOW_FIGURES_SECONDS = 600


@dataclass(frozen=True)
class Kept:
    """A figure and the moment it was computed."""

    computed_at: datetime.datetime
    value: object


def kept(key: str, now: datetime.datetime, compute, *, cached: bool = True) -> Kept:
    """The figure under ``key`` if computed less than SLOW_FIGURES_SECONDS ago, else computed
    now (and kept). ``cached=False`` always computes."""
    if not cached:
        return Kept(now, compute())
    found = cache.get(key)
    if found is None:
        found = Kept(now, compute())
        cache.set(key, found, SLOW_FIGURES_SECONDS)
    return found


@dataclass
class TrainingSection:
    enrolled: int
    completed: int
    certified: int
    completion: float | None
    pre: float | None
    post: float | None
    gain: float | None
    retention: float | None
    readiness: float | None
    behaviour: float | None
    observations: int
    table: Table
    retention_as_of: datetime.datetime


def _mean(values):
    values = [value for value in values if value is not None]
    return sum(values) / len(values) if values else None


def training_section(
    scope: Scope, now: datetime.datetime, *, cached: bool = True
) -> TrainingSection:
    company = scope.company
    names = _team_names(company)
    enrollments = _in_scope(Enrollment.objects.filter(company=company), scope, "person__team_id")
    per_team = {
        row["person__team_id"]: row
        for row in enrollments.values("person__team_id").annotate(
            enrolled=Count("pk"),
            completed=Count("pk", filter=Q(completed_at__isnull=False)),
            certified=Count("pk", filter=Q(certified_at__isnull=False)),
        )
    }
    # Knowledge: each person's latest post-assessment score, else latest pre (as readiness);
    # gain: post − pre of each enrollment with both, averaged.
    assessments = _in_scope(
        Assessment.objects.filter(company=company, completed_at__isnull=False, score__isnull=False),
        scope,
        "enrollment__person__team_id",
    ).values_list(
        "enrollment__person_id", "enrollment__person__team_id", "enrollment_id", "kind", "score"
    )
    by_enrollment: dict[int, dict[str, float]] = defaultdict(dict)
    latest: dict[int, dict[str, float]] = defaultdict(dict)
    team_of: dict[int, int | None] = {}
    enrollment_team: dict[int, int | None] = {}
    for person, team, enrollment, kind, score in assessments.order_by("completed_at", "pk"):
        by_enrollment[enrollment][kind] = score
        latest[person][kind] = score
        team_of[person] = team
        enrollment_team[enrollment] = team
    scores: dict[int | None, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for enrollment, kinds in by_enrollment.items():
        team = enrollment_team[enrollment]
        for kind, score in kinds.items():
            scores[team][kind].append(score)
        if AssessmentKind.PRE in kinds and AssessmentKind.POST in kinds:
            scores[team]["gain"].append(kinds[AssessmentKind.POST] - kinds[AssessmentKind.PRE])
    knowledge = {
        person: kinds.get(AssessmentKind.POST, kinds.get(AssessmentKind.PRE))
        for person, kinds in latest.items()
    }

    recall = kept(
        _scope_key("recall", scope),
        now,
        lambda: retention_by_person(scope, now),
        cached=cached,
    )
    retention = recall.value
    for person, (team, _) in retention.items():
        team_of[person] = team

    since = scope.end - datetime.timedelta(days=BEHAVIOUR_WINDOW_DAYS)
    ratings = _in_scope(
        ObservationRating.objects.filter(
            observation__company=company,
            observation__kind=ObservationKind.MANAGER,
            observation__observed_on__gte=since,
            rating__isnull=False,
        ),
        scope,
        "observation__person__team_id",
    )
    behaviour = {}
    for person, team, mean_rating in ratings.values_list(
        "observation__person_id", "observation__person__team_id"
    ).annotate(mean=_avg("rating")):
        behaviour[person] = rating_percent(mean_rating)
        team_of[person] = team
    observations = dict(
        _in_scope(
            Observation.objects.filter(
                company=company, kind=ObservationKind.MANAGER, observed_on__gte=since
            ),
            scope,
            "person__team_id",
        )
        .values_list("person__team_id")
        .annotate(n=Count("pk"))
        .values_list("person__team_id", "n")
    )

    readiness: dict[int, float | None] = {}
    for person in set(knowledge) | set(retention) | set(behaviour):
        readiness[person] = readiness_index(
            knowledge=knowledge.get(person),
            retention=retention.get(person, (None, None))[1],
            behaviour=behaviour.get(person),
        ).value
    people_of: dict[int | None, list[int]] = defaultdict(list)
    for person, team in team_of.items():
        people_of[team].append(person)

    rows = []
    teams = set(per_team) | set(people_of) | set(observations)
    for team in _by_name(names, teams):
        counts = per_team.get(team, {"enrolled": 0, "completed": 0, "certified": 0})
        people = people_of.get(team, [])
        pre = _mean(scores[team][AssessmentKind.PRE]) if team in scores else None
        post = _mean(scores[team][AssessmentKind.POST]) if team in scores else None
        gain = _mean(scores[team]["gain"]) if team in scores else None
        team_recall = team_retention(retention[p][1] for p in people if p in retention)
        rows.append(
            [
                names.get(team, NO_TEAM),
                counts["enrolled"],
                counts["completed"],
                counts["certified"],
                _percent(counts["completed"], counts["enrolled"]),
                _round(pre),
                _round(post),
                _round(gain),
                None if team_recall is None else round(100 * team_recall, 1),
                _round(team_readiness(readiness.get(p) for p in people)),
                _round(_mean(behaviour.get(p) for p in people)),
                observations.get(team, 0),
            ]
        )
    table = Table(
        key="training_by_team",
        title="Training, retention and readiness by team",
        headers=[
            "Team",
            "Enrolled",
            "Completed",
            "Certified",
            "Completion %",
            "Pre-assessment %",
            "Post-assessment %",
            "Gain (points)",
            "Retention %",
            "Readiness (0–100)",
            "Observed behaviour (0–100)",
            "Observations",
        ],
        rows=rows,
    )
    enrolled = sum(row["enrolled"] for row in per_team.values())
    completed = sum(row["completed"] for row in per_team.values())
    all_scores = defaultdict(list)
    for kinds in scores.values():
        for kind, values in kinds.items():
            all_scores[kind] += values
    overall_recall = team_retention(value for _, value in retention.values())
    return TrainingSection(
        enrolled=enrolled,
        completed=completed,
        certified=sum(row["certified"] for row in per_team.values()),
        completion=_percent(completed, enrolled),
        pre=_round(_mean(all_scores[AssessmentKind.PRE])),
        post=_round(_mean(all_scores[AssessmentKind.POST])),
        gain=_round(_mean(all_scores["gain"])),
        retention=None if overall_recall is None else round(100 * overall_recall, 1),
        readiness=_round(team_readiness(readiness.values())),
        behaviour=_round(_mean(behaviour.values())),
        observations=sum(observations.values()),
        table=table,
        retention_as_of=recall.computed_at,
    )


def _avg(name):
    return Avg(name, output_field=FloatField())


# --- Opportunities -------------------------------------------------------------------------------


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
    since, until = _day_bounds(scope)
    opportunities = _in_scope(
        Opportunity.objects.filter(
            company=scope.company, source=Source.CRP, created_at__gte=since, created_at__lt=until
        ),
        scope,
        "found_by_team_id",
    )
    names = _team_names(scope.company)
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
    for team in _by_name(names, rows_by_team):
        row = rows_by_team[team]
        revenue = float(row["revenue"] or 0)
        rows.append(
            [
                names.get(team, NO_TEAM),
                row["found"],
                row["open"],
                row["won"],
                row["lost"],
                _percent(row["won"], row["won"] + row["lost"]),
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
        win_rate=_percent(won, won + lost),
        revenue=round(sum(float(r["revenue"] or 0) for r in rows_by_team.values()), 2),
        table=Table(
            key="opportunities_by_team",
            title="Opportunities found by CRPs, by team",
            headers=["Team", "Found", "Open", "Won", "Lost", "Win rate %", "Revenue won"],
            rows=rows,
        ),
    )


# --- Loyalty -------------------------------------------------------------------------------------


def nps_of_counts(counts: dict[int, int]) -> NpsSummary:
    """``measures.nps_summary`` from a count of answers per score (0–10), so the database can
    count: NPS = 100 × (promoters − detractors) / responses."""
    by_category: dict[str, int] = defaultdict(int)
    for score, count in counts.items():
        by_category[score_category(score)] += count
    responses = sum(by_category.values())
    promoters, detractors = by_category[PROMOTER], by_category[DETRACTOR]
    return NpsSummary(
        responses=responses,
        promoters=promoters,
        passives=responses - promoters - detractors,
        detractors=detractors,
        nps=100 * (promoters - detractors) / responses if responses else None,
    )


def _category_counts(queryset, *group: str) -> dict[tuple, dict[int, int]]:
    """Answers counted per category by the database, one row per group (not per score): group
    key → a score standing for each category (10 promoters, 8 passives, 0 detractors) with its
    count, so ``nps_of_counts`` applies the NPS formula."""
    counts = {}
    for *key, answers, promoters, detractors in (
        queryset.values_list(*group)
        .annotate(
            n=Count("pk"),
            promoters=Count("pk", filter=Q(score__gte=9)),
            detractors=Count("pk", filter=Q(score__lte=6)),
        )
        .values_list(*group, "n", "promoters", "detractors")
    ):
        counts[tuple(key)] = {10: promoters, 8: answers - promoters - detractors, 0: detractors}
    return counts


def _add_counts(total: dict[int, int], counts: dict[int, int]) -> None:
    for score, count in counts.items():
        total[score] = total.get(score, 0) + count


@dataclass
class LoyaltySection:
    nps: NpsSummary
    trend: list[tuple[str, NpsSummary]]
    services_per_customer: float | None
    customers_at_start: int
    customers_kept: int
    retention: float | None
    trend_table: Table
    team_table: Table
    customers_as_of: datetime.datetime


def loyalty_section(scope: Scope, now: datetime.datetime, *, cached: bool = True) -> LoyaltySection:
    """NPS of the answers given in the period (by quarter, and by the team serving the customer
    when they answered); services per active customer today; retention = customers active on
    the period's first day still active today (``measures.retention``'s definition)."""
    since, until = _day_bounds(scope)
    zone = company_zone(scope.company)
    responses = _in_scope(
        SurveyResponse.objects.filter(
            company=scope.company, answered_at__gte=since, answered_at__lt=until
        ),
        scope,
        "team_id",
    )
    # One pass: answers per serving team and quarter, summed here into both tables.
    quarters: dict[datetime.date, dict[int, int]] = defaultdict(dict)
    by_team: dict[int | None, dict[int, int]] = defaultdict(dict)
    total: dict[int, int] = {}
    grouped = _category_counts(
        responses.annotate(quarter=TruncQuarter("answered_at", tzinfo=zone)), "team_id", "quarter"
    )
    for (team, quarter), counts in grouped.items():
        day = quarter.date() if isinstance(quarter, datetime.datetime) else quarter
        _add_counts(quarters[day], counts)
        _add_counts(by_team[team], counts)
        _add_counts(total, counts)
    trend = [
        (f"{day.year} Q{(day.month - 1) // 3 + 1}", nps_of_counts(quarters[day]))
        for day in sorted(quarters)
    ]

    customers = kept(
        _scope_key("customers", scope, scope.start, scope.end),
        now,
        lambda: customer_figures(scope),
        cached=cached,
    )
    served, at_start, still = customers.value
    all_services = sum(row["services"] for row in served.values())
    all_customers = sum(row["customers"] for row in served.values())

    names = _team_names(scope.company)
    team_rows = []
    for team in _by_name(names, set(by_team) | set(served)):
        summary = nps_of_counts(by_team.get(team, {}))
        serving = served.get(team, {"services": 0, "customers": 0})
        team_rows.append(
            [
                names.get(team, NO_TEAM),
                summary.responses,
                _round(summary.nps),
                serving["customers"],
                round(serving["services"] / serving["customers"], 2)
                if serving["customers"]
                else None,
            ]
        )
    return LoyaltySection(
        nps=nps_of_counts(total),
        trend=trend,
        services_per_customer=round(all_services / all_customers, 2) if all_customers else None,
        customers_at_start=at_start,
        customers_kept=still,
        retention=_percent(still, at_start),
        trend_table=Table(
            key="nps_trend",
            title="NPS by quarter",
            headers=["Quarter", "Responses", "Promoters", "Passives", "Detractors", "NPS"],
            rows=[
                [label, s.responses, s.promoters, s.passives, s.detractors, _round(s.nps)]
                for label, s in trend
            ],
        ),
        team_table=Table(
            key="loyalty_by_team",
            title="Loyalty by serving team",
            headers=[
                "Team",
                "Responses",
                "NPS",
                "Active customers",
                "Services per customer",
            ],
            rows=team_rows,
        ),
        customers_as_of=customers.computed_at,
    )


def customer_figures(scope: Scope) -> tuple[dict, int, int]:
    """One pass over the customers' services, grouped by customer, then by serving team:
    per team the customers active today and their active services; over all, the customers
    active on the period's first day and how many of them are still active today."""
    services, customers = CustomerService._meta.db_table, Customer._meta.db_table
    active = "cs.started_on <= %s AND (cs.ended_on IS NULL OR cs.ended_on > %s)"
    params: list = [scope.start, scope.start, scope.end, scope.end, scope.end, scope.end]
    params.append(scope.company.pk)
    teams = ""
    if scope.team_ids is not None:
        if not scope.team_ids:
            return {}, 0, 0
        teams = f"AND c.serving_team_id IN ({', '.join(['%s'] * len(scope.team_ids))})"
        params += sorted(scope.team_ids)
    sql = (
        "SELECT team, SUM(now_active), SUM(now_services), SUM(at_start), "
        "SUM(at_start * now_active) FROM ("
        f"SELECT c.serving_team_id AS team, MAX(CASE WHEN {active} THEN 1 ELSE 0 END) AS at_start,"
        f" MAX(CASE WHEN {active} THEN 1 ELSE 0 END) AS now_active,"
        f" SUM(CASE WHEN {active} THEN 1 ELSE 0 END) AS now_services"
        f" FROM {services} cs JOIN {customers} c ON c.id = cs.customer_id"
        f" WHERE cs.company_id = %s {teams} GROUP BY cs.customer_id, c.serving_team_id"
        ") per_customer GROUP BY team"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    served = {
        team: {"customers": int(customers_now), "services": int(services_now)}
        for team, customers_now, services_now, _, _ in rows
        if customers_now
    }
    return served, sum(int(row[3]) for row in rows), sum(int(row[4]) for row in rows)


# --- Impact --------------------------------------------------------------------------------------


def month_index(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def quarter_index(day: datetime.date) -> int:
    return day.year * 4 + (day.month - 1) // 3


def _period_label(index: int, per_year: int) -> str:
    year, part = divmod(index, per_year)
    return f"{year}-{part + 1:02d}" if per_year == 12 else f"{year} Q{part + 1}"


def training_starts(scope: Scope) -> dict[int, datetime.date]:
    """team id → the day its training started: the earliest start of an assignment to the team
    or of an enrollment of one of its members."""
    starts: dict[int, datetime.date] = {}
    assignments = _in_scope(
        Assignment.objects.filter(company=scope.company, team__isnull=False), scope, "team_id"
    )
    enrollments = _in_scope(
        Enrollment.objects.filter(company=scope.company, person__team__isnull=False),
        scope,
        "person__team_id",
    )
    for team, day in list(
        assignments.values_list("team_id").annotate(first=Min("starts_on"))
    ) + list(enrollments.values_list("person__team_id").annotate(first=Min("starts_on"))):
        if team not in starts or day < starts[team]:
            starts[team] = day
    return starts


def _crp_teams(scope: Scope) -> dict[int, str]:
    teams = _in_scope(
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
        for (team, quarter), counts in _category_counts(responses, "team_id", "quarter").items()
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


def _scope_key(name: str, scope: Scope, *parts) -> str:
    teams = "all" if scope.team_ids is None else ",".join(map(str, sorted(scope.team_ids)))
    stamp = scope.company.created_at.timestamp()
    text = f"{scope.company.pk}:{stamp}:{teams}:{parts}"
    return f"dashboard:{name}:" + hashlib.sha256(text.encode()).hexdigest()


def _newest_ids(scope: Scope) -> list[int | None]:
    return [
        model.objects.filter(company=scope.company).aggregate(newest=Max("pk"))["newest"]
        for model in (Opportunity, SurveyResponse, Assignment, Enrollment, Person)
    ]


def cached_impact_section(scope: Scope, now: datetime.datetime) -> Kept:
    """The impact section, kept (see IMPACT_CACHE_SECONDS), with the moment it was computed."""
    key = _scope_key("impact", scope, scope.end)
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
                _round(result.estimate.effect, 3),
                _round(result.estimate.low, 3),
                _round(result.estimate.high, 3),
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
                _round(point.effect, 3),
                _round(point.low, 3),
                _round(point.high, 3),
            ]
            for result in results
            for point in result.estimate.events
        ],
    )
    return ImpactSection(results=results, table=table, events_table=events_table)


# --- The whole page ------------------------------------------------------------------------------


@dataclass
class Dashboard:
    scope: Scope
    culture: CultureSection
    training: TrainingSection
    opportunities: OpportunitySection
    loyalty: LoyaltySection
    impact: ImpactSection
    impact_as_of: datetime.datetime

    @property
    def tables(self) -> dict[str, Table]:
        tables = [
            self.culture.table,
            self.training.table,
            self.opportunities.table,
            self.loyalty.trend_table,
            self.loyalty.team_table,
            self.impact.table,
            self.impact.events_table,
        ]
        return {table.key: table for table in tables if table is not None}


def dashboard(scope: Scope, *, now: datetime.datetime, cached: bool = True) -> Dashboard:
    """Every section of the page. ``cached=False`` computes every figure afresh (and keeps
    none)."""
    if cached:
        analysis = cached_impact_section(scope, now)
    else:
        analysis = Kept(now, impact_section(scope))
    return Dashboard(
        scope=scope,
        culture=culture_section(scope),
        training=training_section(scope, now, cached=cached),
        opportunities=opportunity_section(scope),
        loyalty=loyalty_section(scope, now, cached=cached),
        impact=analysis.value,
        impact_as_of=analysis.computed_at,
    )
