"""Read queries over the organisation, always scoped to one company."""

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from culturegap.org.models import Company, Customer, CustomerService, Person, Service, Team


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
    people = Person.objects.filter(company_id=viewer.company_id)
    if viewer.is_executive or viewer.is_program_admin:
        return people
    if viewer.is_manager:
        return people.filter(Q(pk__in=reporting_line_ids(manager=viewer)) | Q(pk=viewer.pk))
    return people.filter(pk=viewer.pk)


def teams_visible_to(*, viewer: Person) -> QuerySet[Team]:
    """The whole company's teams for executives and admins; for a manager, the teams of the
    people in their reporting line and their own team."""
    teams = Team.objects.filter(company_id=viewer.company_id)
    if viewer.is_executive or viewer.is_program_admin:
        return teams
    if viewer.is_manager:
        team_ids = set(
            people_visible_to(viewer=viewer).exclude(team_id=None).values_list("team_id", flat=True)
        )
        return teams.filter(pk__in=team_ids)
    return teams.none()


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
    today = timezone.localdate()
    return customers.annotate(
        active_services=Count(
            "services",
            filter=Q(services__ended_on__isnull=True) | Q(services__ended_on__gt=today),
        )
    ).order_by("name", "pk")


def active_customer_services(*, company: Company) -> QuerySet[CustomerService]:
    today = timezone.localdate()
    return CustomerService.objects.filter(company=company).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=today)
    )


def service_list(*, company: Company) -> QuerySet[Service]:
    today = timezone.localdate()
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
