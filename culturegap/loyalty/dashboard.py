"""The loyalty section of the executive dashboard: NPS by quarter and by serving team, counted by
the database, and the customer figures (services per customer, customers kept)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import TruncQuarter

from culturegap.loyalty.models import SurveyResponse
from culturegap.measures.loyalty import (
    DETRACTOR,
    PROMOTER,
    QUARTER,
    NpsSummary,
    score_category,
    window_period_label,
)
from culturegap.org.figures import (
    COUNT,
    NO_TEAM,
    NPS,
    RATIO,
    Scope,
    Table,
    by_name,
    day_bounds,
    in_scope,
    kept,
    percent,
    rounded,
    scope_key,
    team_names,
)
from culturegap.org.models import Customer, CustomerService
from culturegap.org.scope import company_zone


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


def category_counts(queryset, *group: str) -> dict[tuple, dict[int, int]]:
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
    since, until = day_bounds(scope)
    zone = company_zone(scope.company)
    responses = in_scope(
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
    grouped = category_counts(
        responses.annotate(quarter=TruncQuarter("answered_at", tzinfo=zone)), "team_id", "quarter"
    )
    for (team, quarter), counts in grouped.items():
        day = quarter.date() if isinstance(quarter, datetime.datetime) else quarter
        _add_counts(quarters[day], counts)
        _add_counts(by_team[team], counts)
        _add_counts(total, counts)
    trend = [
        (
            window_period_label(day, QUARTER, first_day=scope.start, last_day=scope.end),
            nps_of_counts(quarters[day]),
        )
        for day in sorted(quarters)
    ]

    customers = kept(
        scope_key("customers", scope, scope.start, scope.end),
        now,
        lambda: customer_figures(scope),
        cached=cached,
    )
    served, at_start, still = customers.value
    all_services = sum(row["services"] for row in served.values())
    all_customers = sum(row["customers"] for row in served.values())

    names = team_names(scope.company)
    team_rows = []
    for team in by_name(names, set(by_team) | set(served)):
        summary = nps_of_counts(by_team.get(team, {}))
        serving = served.get(team, {"services": 0, "customers": 0})
        team_rows.append(
            [
                names.get(team, NO_TEAM),
                summary.responses,
                rounded(summary.nps),
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
        retention=percent(still, at_start),
        trend_table=Table(
            key="nps_trend",
            title="NPS by quarter",
            headers=["Quarter", "Responses", "Promoters", "Passives", "Detractors", "NPS"],
            rows=[
                [label, s.responses, s.promoters, s.passives, s.detractors, rounded(s.nps)]
                for label, s in trend
            ],
            formats=(None, COUNT, COUNT, COUNT, COUNT, NPS),
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
            formats=(None, COUNT, NPS, COUNT, RATIO),
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
