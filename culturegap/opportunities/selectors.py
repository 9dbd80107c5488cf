"""Read queries over opportunities, always scoped to the viewer's company and role.

One selector, ``opportunity_list``, feeds the list page, its summary chart and the CSV export,
so what is downloaded is exactly what is shown.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.dateformat import format as format_date

from culturegap.opportunities.models import OPEN_STATUSES, Opportunity, OpportunityEvent, Status
from culturegap.opportunities.services import may_reassign, route_owner, stale_before
from culturegap.org.models import Company, Customer, Person, Service, Team
from culturegap.org.scope import company_zone, day_start, reporting_line_ids, sees_whole_company
from culturegap.org.selectors import customers_visible_to


class Scope:
    """Which list a person is looking at."""

    MINE = "mine"  # salespeople: owned by me, and the queue
    FOUND = "found"  # anyone who finds needs (CRPs): what became of them
    TEAMS = "teams"  # managers: found or owned by people in my reporting line
    ALL = "all"  # executives and program admins: the whole company

    LABELS = {
        MINE: "Mine and the queue",
        FOUND: "Found by me",
        TEAMS: "My teams",
        ALL: "All",
    }


def sees_pipeline(person: Person) -> bool:
    """Salespeople, managers, executives and program admins follow the pipeline and its values;
    a person who is only a CRP follows what happened for the customers they helped."""
    return bool(
        person.is_salesperson or person.is_manager or person.is_executive or person.is_program_admin
    )


def scopes_for(*, viewer: Person) -> list[str]:
    """The lists a viewer may choose from, the default first."""
    scopes = []
    if sees_whole_company(viewer):
        scopes.append(Scope.ALL)
    if viewer.is_manager:
        scopes.append(Scope.TEAMS)
    if viewer.is_salesperson:
        scopes.append(Scope.MINE)
    scopes.append(Scope.FOUND)
    return scopes


def visibility_filter(*, viewer: Person) -> Q | None:
    """What a viewer may see, as a filter; None means the whole company.

    Executives and program admins see everything. A salesperson sees what they own, the sales
    queue, and what they found themselves. A CRP sees what they found. A manager sees what the
    people in their reporting line (and they) found or own; a manager of a sales team also sees
    the queue they dispatch. Roles add up.
    """
    if sees_whole_company(viewer):
        return None
    allowed = Q(found_by=viewer) | Q(owner=viewer)
    if viewer.is_salesperson or may_reassign(actor=viewer):
        allowed |= Q(owner__isnull=True)
    if viewer.is_manager:
        line = reporting_line_ids(manager=viewer)
        allowed |= Q(found_by_id__in=line) | Q(owner_id__in=line)
    return allowed


def opportunities_visible_to(*, viewer: Person) -> QuerySet[Opportunity]:
    opportunities = Opportunity.objects.filter(company_id=viewer.company_id)
    allowed = visibility_filter(viewer=viewer)
    if allowed is not None:
        opportunities = opportunities.filter(allowed)
    return opportunities.select_related("customer", "service", "found_by", "found_by_team", "owner")


def _scope_filter(*, viewer: Person, scope: str) -> Q:
    if scope == Scope.MINE:
        return Q(owner=viewer) | Q(owner__isnull=True)
    if scope == Scope.FOUND:
        return Q(found_by=viewer)
    if scope == Scope.TEAMS:
        line = reporting_line_ids(manager=viewer) | {viewer.pk}
        return Q(found_by_id__in=line) | Q(owner_id__in=line)
    return Q()


def opportunity_list(
    *,
    viewer: Person,
    scope: str,
    status: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    team: Team | None = None,
    service: Service | None = None,
) -> QuerySet[Opportunity]:
    """The opportunities of one list, newest first. ``status`` may be a pipeline status or
    "open" or "stale"; ``since``/``until`` are inclusive days on which the need was recorded, in
    the company's time zone; ``team`` is the team that found it."""
    if scope not in scopes_for(viewer=viewer):
        scope = scopes_for(viewer=viewer)[0]
    # Each scope a viewer may choose lies inside what they may see (``visibility_filter``), so
    # the scope's own filter is enough; applying both would send a big reporting line twice.
    opportunities = (
        Opportunity.objects.filter(company_id=viewer.company_id)
        .filter(_scope_filter(viewer=viewer, scope=scope))
        .select_related("customer", "service", "found_by", "found_by_team", "owner")
    )
    if status == "open":
        opportunities = opportunities.filter(status__in=OPEN_STATUSES)
    elif status == "stale":
        opportunities = opportunities.filter(
            status__in=OPEN_STATUSES, last_touched_at__lt=stale_before(company=viewer.company)
        )
    elif status:
        opportunities = opportunities.filter(status=status)
    zone = company_zone(viewer.company)
    if since is not None:
        opportunities = opportunities.filter(created_at__gte=day_start(since, zone))
    if until is not None:
        end = day_start(until + datetime.timedelta(days=1), zone)
        opportunities = opportunities.filter(created_at__lt=end)
    if team is not None:
        opportunities = opportunities.filter(found_by_team=team)
    if service is not None:
        opportunities = opportunities.filter(service=service)
    return opportunities.order_by("-created_at", "-pk")


def untouched_days(
    opportunity: Opportunity, *, company: Company, now: datetime.datetime | None = None
) -> int | None:
    """Whole days an open opportunity has been left untouched, when that is longer than the
    company's limit; None when it is not stale."""
    now = now or timezone.now()
    if opportunity.status not in OPEN_STATUSES:
        return None
    if opportunity.last_touched_at >= stale_before(company=company, now=now):
        return None
    return (now - opportunity.last_touched_at).days


def mark_stale(opportunities, *, company: Company) -> list[Opportunity]:
    """Give each opportunity an ``untouched_days`` attribute (None unless stale)."""
    now = timezone.now()
    rows = list(opportunities)
    for opportunity in rows:
        opportunity.untouched_days = untouched_days(opportunity, company=company, now=now)
    return rows


@dataclass
class Summary:
    total: int
    open: int
    won: int
    lost: int
    won_value: Decimal
    by_status: list[tuple[str, int]]
    won_value_by_team: list[tuple[str, Decimal]]

    @property
    def win_rate(self) -> float | None:
        """Won as a share of the closed ones."""
        closed = self.won + self.lost
        return None if closed == 0 else self.won / closed


def summarise(opportunities: QuerySet[Opportunity]) -> Summary:
    """Counts by status and won value by the team that found them, over a filtered list."""
    counts = dict(
        opportunities.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    by_team = (
        opportunities.filter(status=Status.WON)
        .order_by()
        .values_list("found_by_team__name")
        .annotate(total=Sum("value"))
        .values_list("found_by_team__name", "total")
    )
    won_value_by_team = sorted(
        ((name or "No team", total or Decimal(0)) for name, total in by_team),
        key=lambda item: (-item[1], item[0]),
    )
    return Summary(
        total=sum(counts.values()),
        open=sum(counts.get(status, 0) for status in OPEN_STATUSES),
        won=counts.get(Status.WON, 0),
        lost=counts.get(Status.LOST, 0),
        won_value=sum((total for _, total in won_value_by_team), Decimal(0)),
        by_status=[(label, counts.get(value, 0)) for value, label in Status.choices],
        won_value_by_team=won_value_by_team,
    )


def customer_matches(*, viewer: Person, search: str, limit: int = 8) -> list[Customer]:
    """Customers whose name contains ``search`` or whose id starts with it, those served by
    the viewer's own team first: what the record-a-need page offers as you type."""
    search = search.strip()
    if len(search) < 2:
        return []
    customers = customers_visible_to(viewer=viewer).filter(
        Q(name__icontains=search) | Q(external_id__istartswith=search)
    )
    if viewer.team_id:
        customers = customers.annotate(
            mine=Case(
                When(serving_team_id=viewer.team_id, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        ).order_by("mine", "name", "pk")
    else:
        customers = customers.order_by("name", "pk")
    return list(customers.select_related("sales_owner")[:limit])


def waiting_for(*, person: Person) -> int:
    """New opportunities owned by a salesperson or waiting in the queue."""
    return Opportunity.objects.filter(
        Q(owner=person) | Q(owner__isnull=True),
        company_id=person.company_id,
        status=Status.NEW,
    ).count()


def found_counts(*, person: Person) -> dict[str, int]:
    """How many needs a person handed over, and how many were won."""
    return Opportunity.objects.filter(company_id=person.company_id, found_by=person).aggregate(
        found=Count("pk"), won=Count("pk", filter=Q(status=Status.WON))
    )


def salespeople_to_assign(*, actor: Person, limit: int = 200) -> list[Person]:
    """Suggestions for handing an opportunity over: active salespeople, those in the actor's
    reporting line first."""
    people = Person.objects.filter(company_id=actor.company_id, is_active=True, is_salesperson=True)
    line = reporting_line_ids(manager=actor) if actor.is_manager else set()
    if 0 < len(line) <= 5000:
        people = people.annotate(
            near=Case(
                When(pk__in=line, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        ).order_by("near", "name")
    else:
        people = people.order_by("name")
    return list(people.only("pk", "name", "email")[:limit])


@dataclass
class Thanks:
    """What a CRP's hand-offs did for customers, counted for the thanks and credit they earned."""

    passed_on: int
    helped: int
    in_progress: int
    not_now: int


def thanks_for(*, person: Person) -> Thanks:
    counts = dict(
        Opportunity.objects.filter(company_id=person.company_id, found_by=person)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return Thanks(
        passed_on=sum(counts.values()),
        helped=counts.get(Status.WON, 0),
        in_progress=sum(counts.get(status, 0) for status in OPEN_STATUSES),
        not_now=counts.get(Status.LOST, 0),
    )


def _first_name(person: Person | None) -> str:
    if person is None or not person.name:
        return "A colleague"
    return person.name.split()[0]


def _what_they_asked_for(opportunity: Opportunity) -> str:
    return opportunity.service.name if opportunity.service else "what they asked for"


def _day(moment: datetime.datetime, zone) -> str:
    return format_date(moment.astimezone(zone), "j F")


def for_the_customer(opportunity: Opportunity, events: list[OpportunityEvent], *, zone) -> str:
    """What happened for the customer, in plain words, from the need's events: who will contact
    them, who did and when, and whether they now use what they asked for."""
    moves = [
        event for event in events if event.from_status and event.from_status != event.to_status
    ]
    first = moves[0] if moves else None
    contacted = ""
    # A need closed straight from new as not going ahead may never have reached the customer.
    if first is not None and first.to_status != Status.LOST:
        contacted = f"{_first_name(first.actor)} contacted the customer on {_day(first.at, zone)}"
    if opportunity.status == Status.WON:
        outcome = f"the customer now uses {_what_they_asked_for(opportunity)}"
    elif opportunity.status == Status.LOST:
        outcome = "the customer decided not to go ahead for now"
    elif opportunity.status in (Status.CONTACTED, Status.QUALIFIED):
        outcome = f"{_first_name(first.actor if first else opportunity.owner)} is in touch"
    elif opportunity.owner is not None:
        return f"{opportunity.owner.name} will contact the customer"
    else:
        return "A colleague in sales will pick it up and contact the customer"
    sentence = f"{contacted}; {outcome}" if contacted else outcome
    return sentence[0].upper() + sentence[1:]


def customer_story(opportunity: Opportunity, *, zone) -> list[tuple[datetime.datetime, str, str]]:
    """The need's history as a CRP reads it: (when, what happened, note) per event."""
    lines = []
    for event in opportunity.events.select_related("actor", "assigned_to"):
        who = _first_name(event.actor)
        if not event.from_status:
            to = event.assigned_to.name if event.assigned_to else "a colleague in sales"
            what = f"{event.actor.name if event.actor else who} passed on the need to {to}"
        elif event.from_status == event.to_status:
            if event.assigned_to is None:
                what = "Waiting for a colleague in sales to pick it up"
            elif event.assigned_to_id == event.actor_id:
                what = f"{event.assigned_to.name} took it on"
            else:
                what = f"{event.assigned_to.name} will contact the customer now"
        elif event.to_status == Status.CONTACTED:
            what = f"{who} contacted the customer"
        elif event.to_status == Status.QUALIFIED:
            what = f"{who} worked out with the customer what suits them"
        elif event.to_status == Status.WON:
            what = f"The customer now uses {_what_they_asked_for(opportunity)}"
        else:
            what = "The customer decided not to go ahead for now"
        lines.append((event.at.astimezone(zone), what, event.note))
    return lines


def with_customer_words(opportunities, *, company: Company) -> list[Opportunity]:
    """Give each opportunity a ``for_customer`` sentence (see ``for_the_customer``), reading
    the events of the whole page in one query."""
    rows = list(opportunities)
    events: dict[int, list[OpportunityEvent]] = {}
    for event in (
        OpportunityEvent.objects.filter(opportunity__in=[o.pk for o in rows])
        .select_related("actor")
        .order_by("at", "pk")
    ):
        events.setdefault(event.opportunity_id, []).append(event)
    zone = company_zone(company)
    for opportunity in rows:
        opportunity.for_customer = for_the_customer(
            opportunity, events.get(opportunity.pk, []), zone=zone
        )
    return rows


def what_to_say_without_consent(*, customer: Customer, service: Service | None) -> str:
    """What a CRP tells a customer who does not want to be contacted now: how to reach us when
    they are ready, naming the colleague who would help."""
    owner = route_owner(customer=customer)
    who = f"{owner.name}, who" if owner is not None else "a colleague who"
    what = service.name if service is not None else "this"
    return (
        "Whenever you are ready, just tell me or reply to any of our messages, and I will "
        f"introduce you to {who} can help you with {what}."
    )


def contact_words(opportunity: Opportunity) -> str:
    """How and when the customer agreed to be contacted, e.g. "by phone, weekday mornings";
    empty when they left both open or were not asked."""
    parts = []
    if opportunity.contact_way and opportunity.contact_way != "any":
        parts.append(opportunity.get_contact_way_display().lower())
    if opportunity.contact_when:
        parts.append(opportunity.contact_when)
    return ", ".join(parts)
