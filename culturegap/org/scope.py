"""Tenancy and company time, defined once: every selector that returns company data starts here.

A company's data is read through ``in_company(queryset, company)``; what a viewer may see beyond
that follows one rule: executives and program admins see the whole company, a manager sees their
reporting line and its teams, everyone else sees only themselves. A company's calendar ("today",
due dates, survey windows, "not in the future") is the date in the company's time zone; an
unknown zone setting counts as UTC.
"""

import datetime
import zoneinfo
from typing import TypeVar

from django.db.models import Q, QuerySet
from django.utils import timezone

from culturegap.org.models import Company, Person, Team

M = TypeVar("M")

# --- company time ------------------------------------------------------------------------------


def company_zone(company: Company) -> datetime.tzinfo:
    """The company's time zone; UTC when its setting is not a known zone."""
    try:
        return zoneinfo.ZoneInfo(company.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return datetime.UTC


def company_now(company: Company, *, at: datetime.datetime | None = None) -> datetime.datetime:
    """``at`` (default now) as a wall-clock time where the company is."""
    return timezone.localtime(at or timezone.now(), company_zone(company))


def company_today(company: Company, *, at: datetime.datetime | None = None) -> datetime.date:
    """The date at ``at`` (default now) where the company is: start and due dates, survey
    windows and "not in the future" are on its calendar."""
    return company_now(company, at=at).date()


def day_start(day: datetime.date, zone: datetime.tzinfo) -> datetime.datetime:
    """The first instant of ``day`` in ``zone``."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)


# --- tenancy -----------------------------------------------------------------------------------


def in_company(queryset: QuerySet[M], company: Company | int) -> QuerySet[M]:
    """``queryset`` narrowed to one company's rows; every selector starts here."""
    company_id = company if isinstance(company, int) else company.pk
    return queryset.filter(company_id=company_id)


def sees_whole_company(viewer: Person) -> bool:
    """Executives and program admins see the whole company's people, teams and figures."""
    return bool(viewer.is_executive or viewer.is_program_admin)


def reporting_line_ids(*, manager: Person) -> set[int]:
    """Ids of everyone who reports to ``manager``, directly or through other managers."""
    found: set[int] = set()
    frontier = {manager.pk}
    while frontier:
        below = set(
            Person.objects.filter(company_id=manager.company_id, manager_id__in=frontier)
            .exclude(pk__in=found | {manager.pk})
            .values_list("pk", flat=True)
        )
        found |= below
        frontier = below
    return found


def people_visible_to(*, viewer: Person) -> QuerySet[Person]:
    """Executives and program admins see the whole company, managers their reporting line,
    everyone else only themselves."""
    people = in_company(Person.objects.all(), viewer.company_id)
    if sees_whole_company(viewer):
        return people
    if viewer.is_manager:
        return people.filter(Q(pk__in=reporting_line_ids(manager=viewer)) | Q(pk=viewer.pk))
    return people.filter(pk=viewer.pk)


def teams_visible_to(*, viewer: Person) -> QuerySet[Team]:
    """The whole company's teams for executives and admins; for a manager, the teams of the
    people in their reporting line and their own team; nobody else sees a team's figures."""
    teams = in_company(Team.objects.all(), viewer.company_id)
    if sees_whole_company(viewer):
        return teams
    if viewer.is_manager:
        team_ids = set(
            people_visible_to(viewer=viewer).exclude(team_id=None).values_list("team_id", flat=True)
        )
        return teams.filter(pk__in=team_ids)
    return teams.none()
