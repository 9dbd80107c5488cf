"""The organisation's CSV export tables: teams, people, the service catalog, customers and what
they bought."""

from django.db.models import Count, Q

from culturegap.org.exports_support import ExportTable, in_line, team_ids
from culturegap.org.models import ROLE_FIELDS, Customer, CustomerService, Person, Service, Team

_ROLE_COLUMNS = tuple((role, field) for role, field in ROLE_FIELDS.items())


def _people_shape(row: tuple) -> tuple:
    """The role flags (the last columns, as ``true``/``false``) become one ``;``-separated
    roles column, as in the people import."""
    head, flags = row[: -len(_ROLE_COLUMNS)], row[-len(_ROLE_COLUMNS) :]
    roles = ";".join(role for role, held in zip(ROLE_FIELDS, flags, strict=True) if held == "true")
    return (*head, roles)


TABLES: tuple[ExportTable, ...] = (
    ExportTable(
        slug="teams",
        title="Teams",
        about="Every team, its kind and its number of active members.",
        columns=(("id", "pk"), ("name", "name"), ("kind", "kind"), ("members", "member_count")),
        rows=lambda company: Team.objects.filter(company=company).annotate(
            member_count=Count("members", filter=Q(members__is_active=True))
        ),
        for_manager=in_line("pk", ids=team_ids),
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
        for_manager=in_line("pk"),
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
        money_columns=frozenset({"annual_value"}),
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
)
