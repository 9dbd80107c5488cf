"""CSV export of every main table of a company, row by row, for spreadsheets and warehouses.

Each table is a plain ``values_list`` query over one model (no model instances, so 300,000 rows
stream in constant memory), ordered by id, filtered by the company and — for tables that have
one — by a date range on the table's own date. Datetimes are written in UTC as ISO 8601
(``2025-01-06T09:30:00Z``), dates as ``YYYY-MM-DD``, yes/no as ``true``/``false``.

Who sees what: program admins and executives export the whole company. Managers export the
tables about people, limited to their reporting line (themselves and everyone below them):
teams, people, enrollments, lesson progress, assessments, reviews, observations,
opportunities (found by or owned by someone in the line) and loyalty responses (customers
served by the line's teams). Services, customers and purchases are about the company's whole
customer base, not a reporting line: a manager gets 403 for them (``ManagerNotAllowed``).
"""

import datetime
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce

from django.db.models import Avg, Count, Q, QuerySet

from culturegap.coaching.models import Observation
from culturegap.loyalty.models import SurveyResponse
from culturegap.opportunities.models import Opportunity
from culturegap.org.models import (
    ROLE_FIELDS,
    Company,
    Customer,
    CustomerService,
    Person,
    Service,
    Team,
)
from culturegap.org.scope import (
    company_zone,
    people_visible_to,
    sees_whole_company,
    teams_visible_to,
)
from culturegap.reinforcement.models import Review
from culturegap.training.models import Assessment, Enrollment, LessonProgress

CHUNK_SIZE = 2000


class ManagerNotAllowed(PermissionError):
    """This table cannot be limited to a reporting line, so managers may not export it."""


@dataclass(frozen=True)
class ExportTable:
    slug: str
    title: str
    about: str
    columns: tuple[tuple[str, str], ...]  # (CSV header, values_list path)
    rows: Callable[[Company], QuerySet]
    date_field: str | None = None
    # Narrows the company's rows to a manager's reporting line; None: managers get 403.
    for_manager: Callable[[QuerySet, Person], QuerySet] | None = None
    # Turns the raw values of a row into the CSV cells (e.g. role flags into one column), and
    # the CSV header that goes with it.
    shape: Callable[[tuple], tuple] | None = None
    shaped_header: tuple[str, ...] = ()

    @property
    def header(self) -> list[str]:
        if self.shape is None:
            return [header for header, _path in self.columns]
        return list(self.shaped_header)


def _line_ids(viewer: Person) -> QuerySet:
    return people_visible_to(viewer=viewer).values("pk")


def _team_ids(viewer: Person) -> QuerySet:
    return teams_visible_to(viewer=viewer).values("pk")


def _in_line(
    *paths: str, ids: Callable[[Person], QuerySet] = _line_ids
) -> Callable[[QuerySet, Person], QuerySet]:
    """A ``for_manager`` that keeps the rows whose ``paths`` (any of them) point into the
    viewer's reporting line — or, with ``ids=_team_ids``, to the line's teams."""

    def for_manager(rows: QuerySet, viewer: Person) -> QuerySet:
        matches = [Q(**{f"{path}__in": ids(viewer)}) for path in paths]
        return rows.filter(reduce(operator.or_, matches))

    return for_manager


_ROLE_COLUMNS = tuple((role, field) for role, field in ROLE_FIELDS.items())


def _people_shape(row: tuple) -> tuple:
    """The role flags (the last columns, as ``true``/``false``) become one ``;``-separated
    roles column, as in the people import."""
    head, flags = row[: -len(_ROLE_COLUMNS)], row[-len(_ROLE_COLUMNS) :]
    roles = ";".join(role for role, held in zip(ROLE_FIELDS, flags, strict=True) if held == "true")
    return (*head, roles)


TABLES: dict[str, ExportTable] = {
    table.slug: table
    for table in (
        ExportTable(
            slug="teams",
            title="Teams",
            about="Every team, its kind and its number of active members.",
            columns=(("id", "pk"), ("name", "name"), ("kind", "kind"), ("members", "member_count")),
            rows=lambda company: Team.objects.filter(company=company).annotate(
                member_count=Count("members", filter=Q(members__is_active=True))
            ),
            for_manager=_in_line("pk", ids=_team_ids),
        ),
        ExportTable(
            slug="people",
            title="People",
            about="Staff with their team, manager and roles.",
            columns=(
                ("id", "pk"),
                ("email", "email"),
                ("name", "name"),
                ("team", "team__name"),
                ("manager_email", "manager__email"),
                ("active", "is_active"),
                ("joined_at", "date_joined"),
                *_ROLE_COLUMNS,
            ),
            rows=lambda company: Person.objects.filter(company=company),
            date_field="date_joined",
            for_manager=_in_line("pk"),
            shape=_people_shape,
            shaped_header=(
                "id",
                "email",
                "name",
                "team",
                "manager_email",
                "active",
                "joined_at",
                "roles",
            ),
        ),
        ExportTable(
            slug="services",
            title="Services",
            about="The service catalog.",
            columns=(
                ("id", "pk"),
                ("code", "code"),
                ("name", "name"),
                ("annual_value", "annual_value"),
            ),
            rows=lambda company: Service.objects.filter(company=company),
        ),
        ExportTable(
            slug="customers",
            title="Customers",
            about="Accounts with their sales owner and serving team.",
            columns=(
                ("id", "pk"),
                ("external_id", "external_id"),
                ("name", "name"),
                ("sales_owner_email", "sales_owner__email"),
                ("serving_team", "serving_team__name"),
                ("since", "since"),
            ),
            rows=lambda company: Customer.objects.filter(company=company),
            date_field="since",
        ),
        ExportTable(
            slug="purchases",
            title="Customer services (purchases)",
            about="Which customer bought which service, from when until when (empty: still open).",
            columns=(
                ("id", "pk"),
                ("customer_external_id", "customer__external_id"),
                ("customer_name", "customer__name"),
                ("service_code", "service__code"),
                ("started_on", "started_on"),
                ("ended_on", "ended_on"),
            ),
            rows=lambda company: CustomerService.objects.filter(company=company),
            date_field="started_on",
        ),
        ExportTable(
            slug="enrollments",
            title="Enrollments and progress",
            about="Each person's run through a curriculum, with lessons completed.",
            columns=(
                ("id", "pk"),
                ("person_email", "person__email"),
                ("person_name", "person__name"),
                ("team", "person__team__name"),
                ("curriculum_key", "curriculum__key"),
                ("curriculum", "curriculum__title"),
                ("wave", "wave"),
                ("enrolled_at", "enrolled_at"),
                ("starts_on", "starts_on"),
                ("due_on", "due_on"),
                ("started_at", "started_at"),
                ("lessons_completed", "lessons_completed"),
                ("completed_at", "completed_at"),
                ("certified_at", "certified_at"),
            ),
            rows=lambda company: Enrollment.objects.filter(company=company).annotate(
                lessons_completed=Count("lessons", filter=Q(lessons__completed_at__isnull=False))
            ),
            date_field="enrolled_at",
            for_manager=_in_line("person_id"),
        ),
        ExportTable(
            slug="lesson_progress",
            title="Lesson progress",
            about="Every lesson a learner opened, and when they completed it.",
            columns=(
                ("id", "pk"),
                ("enrollment_id", "enrollment_id"),
                ("person_email", "enrollment__person__email"),
                ("curriculum_key", "enrollment__curriculum__key"),
                ("lesson_key", "lesson__key"),
                ("lesson", "lesson__title"),
                ("started_at", "started_at"),
                ("completed_at", "completed_at"),
            ),
            rows=lambda company: LessonProgress.objects.filter(company=company),
            date_field="started_at",
            for_manager=_in_line("enrollment__person_id"),
        ),
        ExportTable(
            slug="assessments",
            title="Assessments",
            about="Pre- and post-assessment sittings and their scores (percent right); a "
            "retaken final check shows its latest attempt and the attempt's number.",
            columns=(
                ("id", "pk"),
                ("enrollment_id", "enrollment_id"),
                ("person_email", "enrollment__person__email"),
                ("curriculum_key", "enrollment__curriculum__key"),
                ("kind", "kind"),
                ("started_at", "started_at"),
                ("completed_at", "completed_at"),
                ("score", "score"),
                ("attempt", "attempt"),
            ),
            rows=lambda company: Assessment.objects.filter(company=company),
            date_field="started_at",
            for_manager=_in_line("enrollment__person_id"),
        ),
        ExportTable(
            slug="reviews",
            title="Reviews (reinforcement)",
            about="Every spaced-repetition review: rating, result and the memory state it left.",
            columns=(
                ("id", "pk"),
                ("person_email", "person__email"),
                ("question_key", "card__question__key"),
                ("skill", "card__question__skill"),
                ("rating", "rating"),
                ("correct", "correct"),
                ("confident", "confident"),
                ("response_ms", "response_ms"),
                ("answered_at", "answered_at"),
                ("due_before", "scheduled_due_before"),
                ("due_after", "scheduled_due_after"),
                ("stability", "stability_after"),
                ("difficulty", "difficulty_after"),
            ),
            rows=lambda company: Review.objects.filter(company=company),
            date_field="answered_at",
            for_manager=_in_line("person_id"),
        ),
        ExportTable(
            slug="observations",
            title="Observations",
            about="Observed customer interactions and self-assessments, with the mean rating.",
            columns=(
                ("id", "pk"),
                ("person_email", "person__email"),
                ("observer_email", "observer__email"),
                ("kind", "kind"),
                ("scorecard", "scorecard__name"),
                ("customer_external_id", "customer__external_id"),
                ("channel", "channel"),
                ("observed_on", "observed_on"),
                ("behaviours_rated", "behaviours_rated"),
                ("mean_rating", "mean_rating"),
                ("comment", "comment"),
            ),
            rows=lambda company: Observation.objects.filter(company=company).annotate(
                behaviours_rated=Count("ratings", filter=Q(ratings__rating__isnull=False)),
                mean_rating=Avg("ratings__rating"),
            ),
            date_field="observed_on",
            for_manager=_in_line("person_id"),
        ),
        ExportTable(
            slug="opportunities",
            title="Opportunities",
            about="Needs found by CRPs and what sales made of them.",
            columns=(
                ("id", "pk"),
                ("created_at", "created_at"),
                ("customer_external_id", "customer__external_id"),
                ("customer_name", "customer__name"),
                ("service_code", "service__code"),
                ("need", "need"),
                ("urgency", "urgency"),
                ("channel", "channel"),
                ("source", "source"),
                ("found_by_email", "found_by__email"),
                ("found_by_team", "found_by_team__name"),
                ("owner_email", "owner__email"),
                ("status", "status"),
                ("value", "value"),
                ("lost_reason", "lost_reason"),
                ("closed_at", "closed_at"),
            ),
            rows=lambda company: Opportunity.objects.filter(company=company),
            date_field="created_at",
            for_manager=_in_line("found_by_id", "owner_id"),
        ),
        ExportTable(
            slug="loyalty_responses",
            title="Loyalty responses",
            about="Customers' answers to loyalty surveys (0–10 and their reason).",
            columns=(
                ("id", "pk"),
                ("answered_at", "answered_at"),
                ("campaign", "campaign__name"),
                ("customer_external_id", "customer__external_id"),
                ("customer_name", "customer__name"),
                ("team", "team__name"),
                ("score", "score"),
                ("reason", "reason"),
            ),
            rows=lambda company: SurveyResponse.objects.filter(company=company),
            date_field="answered_at",
            for_manager=_in_line("team_id", ids=_team_ids),
        ),
    )
}


def may_export(table: ExportTable, viewer: Person) -> bool:
    if sees_whole_company(viewer):
        return True
    return viewer.is_manager and table.for_manager is not None


def table_rows(
    table: ExportTable,
    *,
    company: Company,
    viewer: Person | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> Iterator[tuple]:
    """The CSV cells of every row of ``table`` for ``company`` (as ``viewer`` may see it; the
    whole company when no viewer is given, as for the command line), oldest id first.

    ``date_from``/``date_to`` are inclusive dates on the table's date; for a moment in time
    they are days in the company's time zone. Raises ``ManagerNotAllowed`` for a table a
    manager may not export."""
    rows = table.rows(company)
    if viewer is not None:
        if viewer.company_id != company.pk or not may_export(table, viewer):
            raise ManagerNotAllowed(table.slug)
        if not (sees_whole_company(viewer)):
            rows = table.for_manager(rows, viewer)
    if table.date_field is not None:
        rows = _in_range(rows, table, company=company, date_from=date_from, date_to=date_to)
    paths = [path for _header, path in table.columns]
    for values in rows.order_by("pk").values_list(*paths).iterator(chunk_size=CHUNK_SIZE):
        cells = tuple(_plain(value) for value in values)
        yield table.shape(cells) if table.shape else cells


def _in_range(rows: QuerySet, table: ExportTable, *, company, date_from, date_to) -> QuerySet:
    field = rows.model._meta.get_field(table.date_field)
    is_moment = field.get_internal_type() == "DateTimeField"
    zone = company_zone(company)
    if date_from is not None:
        start = (
            datetime.datetime.combine(date_from, datetime.time.min, tzinfo=zone)
            if is_moment
            else date_from
        )
        rows = rows.filter(**{f"{table.date_field}__gte": start})
    if date_to is not None:
        if is_moment:
            end = datetime.datetime.combine(
                date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
            )
            rows = rows.filter(**{f"{table.date_field}__lt": end})
        else:
            rows = rows.filter(**{f"{table.date_field}__lte": date_to})
    return rows


def _plain(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return utc_iso(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        return round(value, 4)
    return value


def utc_iso(moment: datetime.datetime) -> str:
    """``2025-01-06T09:30:00Z``: a moment in UTC, to the second."""
    moment = moment.astimezone(datetime.UTC).replace(microsecond=0)
    return moment.isoformat().replace("+00:00", "Z")


def filename(table: ExportTable, *, company: Company, date_from=None, date_to=None) -> str:
    span = ""
    if date_from or date_to:
        span = f"-{date_from or 'start'}-to-{date_to or 'today'}"
    return f"{company.slug}-{table.slug}{span}.csv"
