"""Read queries over the organisation, always scoped to one company."""

from django.db.models import Count, Q, QuerySet

from culturegap.org.models import Company, Customer, CustomerService, Person, Service, Team
from culturegap.org.scope import company_today, teams_visible_to


def team_list(*, viewer: Person) -> QuerySet[Team]:
    return (
        teams_visible_to(viewer=viewer)
        .annotate(member_count=Count("members", filter=Q(members__is_active=True)))
        .order_by("name")
    )


def customers_visible_to(*, viewer: Person) -> QuerySet[Customer]:
    """Executives and admins see every customer; salespeople their own accounts; everyone
    else (managers, CRPs) may look customers up, as they serve them."""
    return Customer.objects.filter(company_id=viewer.company_id)


def customer_list(*, viewer: Person, search: str = "", owner: Person | None = None):
    customers = customers_visible_to(viewer=viewer).select_related("sales_owner")
    if search:
        customers = customers.filter(Q(name__icontains=search) | Q(external_id__iexact=search))
    if owner is not None:
        customers = customers.filter(sales_owner=owner)
    today = company_today(viewer.company)
    return customers.annotate(
        active_services=Count(
            "services",
            filter=Q(services__ended_on__isnull=True) | Q(services__ended_on__gt=today),
        )
    ).order_by("name", "pk")


def active_customer_services(*, company: Company) -> QuerySet[CustomerService]:
    today = company_today(company)
    return CustomerService.objects.filter(company=company).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=today)
    )


def service_list(*, company: Company) -> QuerySet[Service]:
    today = company_today(company)
    return (
        Service.objects.filter(company=company)
        .annotate(
            active_customers=Count(
                "customers",
                filter=Q(customers__ended_on__isnull=True) | Q(customers__ended_on__gt=today),
            )
        )
        .order_by("name")
    )


def company_headcount(*, company: Company) -> dict[str, int]:
    people = Person.objects.filter(company=company, is_active=True)
    return people.aggregate(
        staff=Count("pk"),
        crps=Count("pk", filter=Q(is_crp=True)),
        salespeople=Count("pk", filter=Q(is_salesperson=True)),
        managers=Count("pk", filter=Q(is_manager=True)),
    )


def active_service_counts(*, company: Company, owner: Person | None = None) -> list[int]:
    """For each customer of ``company`` (of ``owner`` when given), how many services it buys
    today; a customer that buys none counts 0."""
    customers = Customer.objects.filter(company=company)
    if owner is not None:
        customers = customers.filter(sales_owner=owner)
    today = company_today(company)
    active = Q(services__ended_on__isnull=True) | Q(services__ended_on__gt=today)
    return list(
        customers.annotate(active=Count("services", filter=active)).values_list("active", flat=True)
    )


def program_setup(*, company: Company) -> dict[str, int]:
    """How far the program's setup has come: services in the catalog, people and customers
    imported, people without a team and people who never signed in."""
    people = Person.objects.filter(company=company).aggregate(
        people=Count("pk"),
        without_team=Count("pk", filter=Q(team=None)),
        never_signed_in=Count("pk", filter=Q(last_login=None)),
    )
    return people | {
        "services": Service.objects.filter(company=company).count(),
        "customers": Customer.objects.filter(company=company).count(),
    }
