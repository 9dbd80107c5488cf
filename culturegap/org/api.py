"""The organisation: the token's owner, teams, people, the service catalog and customers
(read, create, update, and a bulk import that is the CSV import's rules over JSON)."""

import csv
import datetime
import io
import re

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.responses import Status as ResponseStatus

from culturegap.org import scope, selectors
from culturegap.org.api_support import (
    ANY_ROLE,
    Id,
    Line,
    PageQuery,
    allow,
    field_errors,
    page_of,
    paginate,
    person_of,
    responses,
)
from culturegap.org.imports import CUSTOMER_COLUMNS, import_customers
from culturegap.org.models import CustomerService, Role
from culturegap.org.scope import company_today

router = Router(tags=["organisation"])

# Customers one import call may carry; larger files go through the CSV import command.
MAX_IMPORT_ITEMS = 5000


# --- the token's owner --------------------------------------------------------------------------


class CompanyOut(Schema):
    id: int
    name: str
    slug: str


class MeOut(Schema):
    id: int
    name: str
    email: str
    roles: list[str]
    team_id: int | None
    company: CompanyOut
    token_name: str
    token_prefix: str


@router.get("/me", response=responses({200: MeOut}), summary="Who the token acts for")
@allow(*ANY_ROLE)
def me(request):
    person = person_of(request)
    return {
        "id": person.pk,
        "name": person.name,
        "email": person.email,
        "roles": person.roles,
        "team_id": person.team_id,
        "company": person.company,
        "token_name": request.auth.name,
        "token_prefix": request.auth.prefix,
    }


# --- teams and people ---------------------------------------------------------------------------


class TeamOut(Schema):
    id: int
    name: str
    kind: str
    member_count: int


TeamPage = page_of(TeamOut, "TeamPage")


@router.get("/teams", response=responses({200: TeamPage}), summary="Teams")
@allow(Role.EXECUTIVE, Role.ADMIN, Role.MANAGER)
def team_list(request, page: Query[PageQuery]):
    return paginate(selectors.team_list(viewer=person_of(request)), page)


@router.get("/teams/{team_id}", response=responses({200: TeamOut}), summary="One team")
@allow(Role.EXECUTIVE, Role.ADMIN, Role.MANAGER)
def team_detail(request, team_id: Id):
    return get_object_or_404(selectors.team_list(viewer=person_of(request)), pk=team_id)


class PersonOut(Schema):
    id: int
    name: str
    email: str
    team_id: int | None
    manager_id: int | None
    roles: list[str]
    is_active: bool


PersonPage = page_of(PersonOut, "PersonPage")


class PersonQuery(PageQuery):
    search: Line = Field("", max_length=200, description="Part of a name or e-mail.")


@router.get("/people", response=responses({200: PersonPage}), summary="People")
@allow(Role.EXECUTIVE, Role.ADMIN)
def person_list(request, query: Query[PersonQuery]):
    people = scope.people_visible_to(viewer=person_of(request)).order_by("name", "pk")
    if query.search.strip():
        search = query.search.strip()
        people = people.filter(Q(name__icontains=search) | Q(email__icontains=search))
    return paginate(people, query)


@router.get("/people/{person_id}", response=responses({200: PersonOut}), summary="One person")
@allow(*ANY_ROLE)
def person_detail(request, person_id: Id):
    return get_object_or_404(scope.people_visible_to(viewer=person_of(request)), pk=person_id)


# --- services -----------------------------------------------------------------------------------


class ServiceOut(Schema):
    id: int
    code: str
    name: str
    annual_value: float
    active_customers: int


ServicePage = page_of(ServiceOut, "ServicePage")


@router.get("/services", response=responses({200: ServicePage}), summary="The service catalog")
@allow(Role.EXECUTIVE, Role.ADMIN)
def service_list(request, page: Query[PageQuery]):
    return paginate(selectors.service_list(company=person_of(request).company), page)


@router.get("/services/{service_id}", response=responses({200: ServiceOut}), summary="One service")
@allow(Role.EXECUTIVE, Role.ADMIN)
def service_detail(request, service_id: Id):
    services = selectors.service_list(company=person_of(request).company)
    return get_object_or_404(services, pk=service_id)


# --- customers ----------------------------------------------------------------------------------


class CustomerOut(Schema):
    id: int
    external_id: str
    name: str
    since: datetime.date
    sales_owner_id: int | None
    sales_owner_email: str | None
    serving_team_id: int | None
    services: list[str] = Field(description="Codes of the services the customer buys today.")

    @staticmethod
    def resolve_sales_owner_email(customer) -> str | None:
        return customer.sales_owner.email if customer.sales_owner_id else None

    @staticmethod
    def resolve_services(customer) -> list[str]:
        return sorted({line.service.code for line in customer.active_lines})


CustomerPage = page_of(CustomerOut, "CustomerPage")


def _customers(request):
    today = company_today(person_of(request).company)
    active = (
        CustomerService.objects.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
        .filter(started_on__lte=today)
        .select_related("service")
    )
    return (
        selectors.customers_visible_to(viewer=person_of(request))
        .select_related("sales_owner")
        .prefetch_related(Prefetch("services", queryset=active, to_attr="active_lines"))
    )


class CustomerFields(Schema):
    name: Line = Field(max_length=500)
    sales_owner_email: Line = Field(
        "", max_length=500, description="A salesperson of the company, or empty for none."
    )
    services: list[Line] = Field(
        default_factory=list,
        max_length=500,
        description="Service codes the customer buys now; open services not listed are ended.",
    )
    since: datetime.date = Field(description="Customer since; newly listed services start then.")


class CustomerIn(CustomerFields):
    external_id: Line = Field(max_length=500)


class CustomerImportIn(Schema):
    customers: list[CustomerIn] = Field(min_length=1, max_length=MAX_IMPORT_ITEMS)


class ImportOut(Schema):
    created: int
    updated: int
    unchanged: int


_LINE = re.compile(r"\bline (\d+)")


def _import(request, items: list[dict], *, prefix: str = "customers.{index}."):
    """Write ``items`` through the CSV import (same checks, all or nothing). Item ``i`` is line
    ``i + 2`` of the file the import reads; its problems come back under ``prefix``."""
    for index, item in enumerate(items):
        bad = [code for code in item["services"] if ";" in code or not code.strip()]
        if bad:
            field = prefix.format(index=index) + "services"
            raise field_errors({field: "a service code is empty or contains “;”"})
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CUSTOMER_COLUMNS)
    for item in items:
        writer.writerow(
            [
                item["external_id"],
                item["name"],
                item["sales_owner_email"],
                ";".join(item["services"]),
                item["since"].isoformat(),
            ]
        )
    result = import_customers(
        company=person_of(request).company, data=buffer.getvalue().encode("utf-8")
    )
    if result.ok:
        return result
    errors: dict[str, str] = {}
    for error in result.errors:
        index = error.line - 2
        if 0 <= index < len(items) and error.field in CUSTOMER_COLUMNS:
            field = prefix.format(index=index) + error.field
        elif 0 <= index < len(items):
            field = prefix.format(index=index).rstrip(".")
        else:
            field = prefix.split(".{index}")[0] or "body"
        message = _LINE.sub(lambda match: f"item {int(match.group(1)) - 2}", error.message)
        errors[field] = f"{errors[field]}; {message}" if field in errors else message
    raise field_errors(errors)


@router.post(
    "/customers/import",
    response=responses({200: ImportOut}),
    summary="Create or update many customers at once (all or nothing)",
    description=(
        "The rules of the customers CSV import: customers are matched by `external_id`; every "
        "item is checked before anything is written; any problem and nothing is written, each "
        "problem named as `customers.<index>.<field>`. A service a listed customer has open "
        "but the item no longer lists is ended today."
    ),
)
@allow(Role.ADMIN)
def customer_import(request, body: CustomerImportIn):
    result = _import(request, [item.model_dump() for item in body.customers])
    return {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}


class CustomerQuery(PageQuery):
    search: Line = Field("", max_length=200, description="Part of the name, or the exact id.")
    mine: bool = Field(False, description="Only customers whose sales owner is the token's owner.")


@router.get("/customers", response=responses({200: CustomerPage}), summary="Customers")
@allow(*ANY_ROLE)
def customer_list(request, query: Query[CustomerQuery]):
    customers = _customers(request).order_by("name", "pk")
    search = query.search.strip()
    if search:
        customers = customers.filter(Q(name__icontains=search) | Q(external_id__iexact=search))
    if query.mine:
        customers = customers.filter(sales_owner=person_of(request))
    return paginate(customers, query)


@router.get(
    "/customers/{customer_id}", response=responses({200: CustomerOut}), summary="One customer"
)
@allow(*ANY_ROLE)
def customer_detail(request, customer_id: Id):
    return get_object_or_404(_customers(request), pk=customer_id)


@router.post(
    "/customers",
    response=responses({201: CustomerOut}, 409),
    summary="Create a customer",
)
@allow(Role.ADMIN)
def customer_create(request, body: CustomerIn):
    customers = selectors.customers_visible_to(viewer=person_of(request))
    if customers.filter(external_id=body.external_id.strip()).exists():
        raise field_errors(
            {"external_id": f"{body.external_id.strip()} is already a customer: update it."}, 409
        )
    _import(request, [body.model_dump()], prefix="")
    return ResponseStatus(201, _customers(request).get(external_id=body.external_id.strip()))


@router.put(
    "/customers/{customer_id}",
    response=responses({200: CustomerOut}),
    summary="Update a customer (name, sales owner, services, since)",
)
@allow(Role.ADMIN)
def customer_update(request, customer_id: Id, body: CustomerFields):
    customer = get_object_or_404(
        selectors.customers_visible_to(viewer=person_of(request)), pk=customer_id
    )
    _import(request, [{**body.model_dump(), "external_id": customer.external_id}], prefix="")
    return _customers(request).get(pk=customer.pk)
