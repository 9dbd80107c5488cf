"""The organisation's chapter of the demo company, Harbourline Partners, a regional accounting
and consulting firm: its teams, people, services and customers, generated reproducibly from a
seed so every demo, test and benchmark sees the same figures (``culturegap.demo`` adds the other
chapters).

Everything random comes from one ``random.Random(seed)`` and one seeded en_GB ``Faker``, called in
a fixed order; dates are offsets from one "today". The same seed on the same day therefore gives
identical names, e-mails and figures, whatever the database.
"""

import datetime
import math
import random
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction
from faker import Faker
from tqdm import tqdm

from culturegap.org.models import (
    Company,
    Customer,
    CustomerService,
    Person,
    Role,
    Service,
    Team,
    TeamKind,
)

DEMO_COMPANY_NAME = "Harbourline Partners"
DEMO_SLUG = "harbourline"
DEMO_DOMAIN = "harbourline.example"
DEMO_TIME_ZONE = "Europe/London"
DEMO_PASSWORD = "demo"

BATCH_SIZE = 5000
# A team bigger than this is split into numbered sub-teams, each with its own manager.
MAX_TEAM_SIZE = 40
CUSTOMERS_PER_PERSON = 10
MAX_CUSTOMERS = 200_000
CUSTOMER_HISTORY_YEARS = 12
CHURN_WINDOW_DAYS = 730
# Share of customer-services that ended within the churn window.
ENDED_SHARE = 0.08
# Share of customers nobody in sales owns yet.
UNOWNED_SHARE = 0.04
# How many services a customer buys: most buy one, which is the gap the program addresses.
SERVICES_PER_CUSTOMER_WEIGHTS = ((1, 60), (2, 28), (3, 12))


@dataclass(frozen=True)
class TeamPlan:
    name: str
    kind: str
    # Headcount in a firm of 200; other sizes scale proportionally.
    per_200: int
    # Fewest people the team needs (the demo logins live in some of these teams).
    minimum: int = 1


TEAM_PLANS = (
    TeamPlan("Leadership", TeamKind.OTHER, 6, minimum=3),
    TeamPlan("Partners", TeamKind.SALES, 10),
    TeamPlan("Business Development", TeamKind.SALES, 8, minimum=2),
    TeamPlan("Audit & Assurance", TeamKind.PROFESSIONAL, 36),
    TeamPlan("Tax", TeamKind.PROFESSIONAL, 38),
    TeamPlan("Advisory", TeamKind.PROFESSIONAL, 20),
    TeamPlan("Bookkeeping & Payroll", TeamKind.PROFESSIONAL, 36),
    TeamPlan("Client Service", TeamKind.SERVICE, 26, minimum=2),
    TeamPlan("IT Support", TeamKind.SUPPORT, 12),
    TeamPlan("Marketing", TeamKind.MARKETING, 8),
)
MIN_PEOPLE = sum(plan.minimum for plan in TEAM_PLANS)

# code, name, annual value in GBP, weight for limited companies, for sole traders, for clubs and
# charities: accounts and tax dominate, as in a real practice's book.
SERVICES = (
    ("ACC-YE", "Year-end accounts", 2400, 30, 8, 25),
    ("TAX-CORP", "Corporation tax return", 1800, 22, 0, 2),
    ("TAX-PERS", "Personal tax return", 450, 5, 40, 0),
    ("PAYROLL", "Payroll", 1500, 10, 4, 15),
    ("BOOK", "Bookkeeping", 3000, 8, 20, 15),
    ("VAT", "VAT returns", 900, 10, 10, 5),
    ("AUDIT", "Statutory audit", 9000, 3, 0, 12),
    ("MGMT-ACC", "Management accounts", 4800, 5, 2, 6),
    ("ADVISORY", "Business advisory", 6000, 3, 2, 3),
    ("IT-CONS", "IT consulting", 5000, 2, 1, 2),
    ("SUCCESSION", "Succession planning", 3500, 1, 1, 0),
    ("RND", "R&D tax credits", 4000, 2, 0, 0),
)

# The region the firm serves: its clients carry these place names.
_PLACES = (
    "Bristol", "Bath", "Exeter", "Plymouth", "Taunton", "Truro", "Falmouth", "Barnstaple",
    "Bideford", "Torquay", "Dartmouth", "Yeovil", "Wells", "Frome", "Bridgwater", "Minehead",
    "Clevedon", "Portishead", "Weston", "Cheltenham", "Gloucester", "Stroud", "Swindon",
    "Chippenham", "Salisbury", "Dorchester", "Weymouth", "Poole", "Padstow", "Penzance",
)  # fmt: skip
_TRADES = (
    "Joinery", "Plumbing & Heating", "Dental Practice", "Bakery", "Architects", "Electrical",
    "Logistics", "Veterinary Surgery", "Building Services", "Digital", "Engineering",
    "Property Management", "Catering", "Landscapes", "Motors", "Pharmacy", "Opticians",
    "Print", "Interiors", "Haulage", "Farms", "Brewing Co", "Physiotherapy", "Lettings",
    "Marine", "Software", "Fitness", "Florists", "Recruitment", "Cleaning Services",
    "Roofing", "Estate Agents", "Travel", "Care Homes", "Day Nursery", "Surveyors",
    "Boatyard", "Garden Centre", "Wealth Management", "Hotels",
)  # fmt: skip
_SOLE_TRADES = (
    "Plumbing", "Hair Studio", "Photography", "Decorating", "Gardening", "Tutoring",
    "Bookbinding", "Carpentry", "Dog Grooming", "Web Design", "Tiling", "Osteopathy",
)  # fmt: skip
_SUFFIXES = ("Ltd", "Ltd", "Ltd", "Ltd", "Limited")
_ASSOCIATIONS = (
    "Community Trust", "Rugby Club", "Sailing Club", "Arts Centre", "Housing Association",
    "Village Hall Trust", "Cricket Club", "Heritage Railway", "Food Bank", "Hospice Trust",
)  # fmt: skip


@dataclass
class DemoResult:
    company: Company
    teams: int
    people: int
    services: int
    customers: int
    customer_services: int
    logins: list[tuple[str, str]] = field(default_factory=list)
    password: str = DEMO_PASSWORD

    def summary(self) -> str:
        return (
            f"{self.company.name}: {self.people:,} people in {self.teams:,} teams, "
            f"{self.services} services, {self.customers:,} customers buying "
            f"{self.customer_services:,} services."
        )


class DemoCompanyExists(Exception):
    """The demo company is already in the database."""


# The printed demo logins, one per role: the managing partner, the L&D lead, the manager of
# Client Service, a CRP in that team and a business developer.
DEMO_EMAILS = {
    Role.EXECUTIVE: f"executive@{DEMO_DOMAIN}",
    Role.ADMIN: f"admin@{DEMO_DOMAIN}",
    Role.MANAGER: f"manager@{DEMO_DOMAIN}",
    Role.CRP: f"crp@{DEMO_DOMAIN}",
    Role.SALES: f"sales@{DEMO_DOMAIN}",
}


def demo_logins() -> list[tuple[str, str]]:
    """One fixed login per role, as (role label, e-mail); every one has the password "demo"."""
    return [(role.label, email) for role, email in DEMO_EMAILS.items()]


def demo_company() -> Company | None:
    return Company.objects.filter(slug=DEMO_SLUG).first()


def demo_company_exists() -> bool:
    return Company.objects.filter(slug=DEMO_SLUG).exists()


def remove(*, company: Company) -> None:
    """Delete the demo company and what is left in it, once the chapters above the
    organisation have removed the rows they need removed first."""
    with transaction.atomic():
        # Customer-services have nothing depending on them, so this is one DELETE; left to the
        # cascade they would be loaded into memory first, the biggest table of a big demo.
        CustomerService.objects.filter(company=company).delete()
        company.delete()


def team_sizes(people: int) -> list[int]:
    """Headcount of each team of ``TEAM_PLANS`` for a firm of ``people``: proportional to a
    firm of 200 (largest remainders), then topped up to each team's minimum from the biggest."""
    if people < MIN_PEOPLE:
        raise ValueError(f"The demo company needs at least {MIN_PEOPLE} people.")
    total_weight = sum(plan.per_200 for plan in TEAM_PLANS)
    exact = [people * plan.per_200 / total_weight for plan in TEAM_PLANS]
    sizes = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - sizes[i]), i))
    for i in by_remainder[: people - sum(sizes)]:
        sizes[i] += 1
    for i, plan in enumerate(TEAM_PLANS):
        while sizes[i] < plan.minimum:
            biggest = max(range(len(sizes)), key=lambda j: (sizes[j] - TEAM_PLANS[j].minimum, -j))
            sizes[biggest] -= 1
            sizes[i] += 1
    return sizes


def split_team(size: int) -> list[int]:
    """Sizes of the sub-teams of a team of ``size``: as few as keep each within MAX_TEAM_SIZE,
    as even as possible."""
    count = max(1, math.ceil(size / MAX_TEAM_SIZE))
    return [size // count + (1 if i < size % count else 0) for i in range(count)]


@dataclass
class _PersonPlan:
    name: str
    email: str
    team: int  # index into the team list
    manager: int | None  # index into the people list
    level: int  # 0 top executive, 1 reports to them, 2 reports to a team manager
    joined: datetime.date
    roles: frozenset[str]


def _email_part(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z-]", "", ascii_text.lower()).strip("-")


class _Generator:
    """Every random choice of the demo, made in one place so the seed alone fixes their order."""

    def __init__(self, *, seed: int, today: datetime.date):
        self.rng = random.Random(seed)
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.today = today
        self.used_emails = {email for _, email in demo_logins()}
        self.email_counts: dict[str, int] = {}

    def days_ago(self, low: int, high: int) -> datetime.date:
        return self.today - datetime.timedelta(days=self.rng.randint(low, high))

    def person_name(self) -> tuple[str, str]:
        return self.fake.first_name(), self.fake.last_name()

    def email_for(self, first: str, last: str) -> str:
        base = f"{_email_part(first)}.{_email_part(last)}"
        count = self.email_counts.get(base, 0)
        while True:
            count += 1
            email = f"{base}{'' if count == 1 else count}@{DEMO_DOMAIN}"
            if email not in self.used_emails:
                break
        self.email_counts[base] = count
        self.used_emails.add(email)
        return email

    def plan_people(self, people: int) -> tuple[list[tuple[str, str]], list[_PersonPlan]]:
        """The teams as (name, kind) and the people in them, managers before their reports."""
        teams: list[tuple[str, str]] = []
        plans: list[_PersonPlan] = []

        def add(*, team, manager, level, roles, email=None, tenure_days=(60, 12 * 365)) -> int:
            first, last = self.person_name()
            plans.append(
                _PersonPlan(
                    name=f"{first} {last}",
                    email=email or self.email_for(first, last),
                    team=team,
                    manager=manager,
                    level=level,
                    joined=self.days_ago(*tenure_days),
                    roles=frozenset(roles),
                )
            )
            return len(plans) - 1

        managing_partner = None
        for plan, size in zip(TEAM_PLANS, team_sizes(people), strict=True):
            if plan.kind == TeamKind.SALES:
                member_role = Role.SALES
            elif plan.kind == TeamKind.OTHER:
                # The rest of leadership is the people & learning function that runs the program.
                member_role = Role.ADMIN
            else:
                member_role = Role.CRP
            parts = split_team(size)
            for number, part in enumerate(parts, start=1):
                teams.append((plan.name if len(parts) == 1 else f"{plan.name} {number}", plan.kind))
                team = len(teams) - 1
                # The demo logins live in the first sub-team of their department.
                first_sub_team = number == 1
                members = part
                if plan.name == "Leadership" and first_sub_team:
                    managing_partner = add(
                        team=team,
                        manager=None,
                        level=0,
                        roles={Role.EXECUTIVE},
                        email=DEMO_EMAILS[Role.EXECUTIVE],
                        tenure_days=(20 * 365, 30 * 365),
                    )
                    # The chief operating officer leads the leadership team day to day.
                    manager = add(
                        team=team,
                        manager=managing_partner,
                        level=1,
                        roles={Role.EXECUTIVE, Role.MANAGER},
                        tenure_days=(5 * 365, 15 * 365),
                    )
                    add(
                        team=team,
                        manager=manager,
                        level=2,
                        roles={Role.ADMIN},
                        email=DEMO_EMAILS[Role.ADMIN],
                    )
                    members -= 3
                else:
                    manager = add(
                        team=team,
                        manager=managing_partner,
                        level=1,
                        roles={member_role, Role.MANAGER},
                        email=DEMO_EMAILS[Role.MANAGER]
                        if plan.name == "Client Service" and first_sub_team
                        else None,
                        tenure_days=(3 * 365, 20 * 365),
                    )
                    members -= 1
                    fixed_member = {"Client Service": Role.CRP, "Business Development": Role.SALES}
                    if first_sub_team and plan.name in fixed_member:
                        role = fixed_member[plan.name]
                        add(
                            team=team,
                            manager=manager,
                            level=2,
                            roles={role},
                            email=DEMO_EMAILS[role],
                        )
                        members -= 1
                for _ in range(members):
                    add(team=team, manager=manager, level=2, roles={member_role})
        return teams, plans

    def customer_name(self) -> tuple[str, int]:
        """A client's name and which service weights apply: 0 company, 1 sole trader,
        2 club or charity."""
        draw = self.rng.random()
        rng, fake = self.rng, self.fake
        if draw < 0.40:
            return f"{fake.last_name()} {rng.choice(_TRADES)} {rng.choice(_SUFFIXES)}", 0
        if draw < 0.55:
            return f"{rng.choice(_PLACES)} {rng.choice(_TRADES)} {rng.choice(_SUFFIXES)}", 0
        if draw < 0.75:
            first, second, form = fake.last_name(), fake.last_name(), rng.random()
            if form < 0.4:
                return f"{first}-{second} {rng.choice(_SUFFIXES)}", 0
            if form < 0.6:
                return f"{first} & Sons Ltd", 0
            return f"{first}, {second} and {fake.last_name()} LLP", 0
        if draw < 0.95:
            first, last = self.person_name()
            if rng.random() < 0.5:
                return f"{first} {last}", 1
            return f"{first} {last} t/a {last} {rng.choice(_SOLE_TRADES)}", 1
        return f"{rng.choice(_PLACES)} {rng.choice(_ASSOCIATIONS)}", 2

    def pick_services(self, kind: int) -> list[int]:
        """Indexes into SERVICES, distinct, in the order the customer took them up."""
        count = self.rng.choices(
            [n for n, _ in SERVICES_PER_CUSTOMER_WEIGHTS],
            weights=[w for _, w in SERVICES_PER_CUSTOMER_WEIGHTS],
        )[0]
        weights = [service[3 + kind] for service in SERVICES]
        chosen: list[int] = []
        while len(chosen) < count:
            index = self.rng.choices(range(len(SERVICES)), weights=weights)[0]
            chosen.append(index)
            weights[index] = 0
        return chosen

    def service_dates(self, since: datetime.date, first: bool):
        started = since
        if not first:
            started = since + datetime.timedelta(
                days=self.rng.randint(0, (self.today - since).days)
            )
        ended = None
        if self.rng.random() < ENDED_SHARE:
            earliest = max(started, self.today - datetime.timedelta(days=CHURN_WINDOW_DAYS))
            latest = self.today - datetime.timedelta(days=1)
            if earliest <= latest:
                ended = earliest + datetime.timedelta(
                    days=self.rng.randint(0, (latest - earliest).days)
                )
        return started, ended


def _batches(items: list, size: int = BATCH_SIZE) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def check_size(*, people: int, customers: int | None) -> int:
    """The number of customers to create (default ten per member of staff, at most
    MAX_CUSTOMERS); ValueError for too few people or customers out of range."""
    if people < MIN_PEOPLE:
        raise ValueError(f"The demo company needs at least {MIN_PEOPLE} people.")
    if customers is None:
        customers = min(CUSTOMERS_PER_PERSON * people, MAX_CUSTOMERS)
    if customers < 0 or customers > MAX_CUSTOMERS:
        raise ValueError(f"Customers must be between 0 and {MAX_CUSTOMERS}.")
    return customers


def seed_organisation(
    *, people: int, customers: int | None, seed: int, today: datetime.date, progress: bool
) -> DemoResult:
    """Create Harbourline Partners with about ``people`` staff and ``customers`` clients
    (see ``check_size``) with the services they buy.

    Raises DemoCompanyExists if it is already there, ValueError for too few people.
    """
    customers = check_size(people=people, customers=customers)
    zone = ZoneInfo(DEMO_TIME_ZONE)

    with transaction.atomic():
        if demo_company_exists():
            raise DemoCompanyExists(f"A company with slug {DEMO_SLUG!r} already exists.")
        generator = _Generator(seed=seed, today=today)
        team_specs, plans = generator.plan_people(people)
        # One hash for everyone: hashing a password per person would take hours for a big demo.
        password = make_password(DEMO_PASSWORD)
        company = Company.objects.create(
            name=DEMO_COMPANY_NAME, slug=DEMO_SLUG, time_zone=DEMO_TIME_ZONE
        )
        teams = Team.objects.bulk_create(
            [Team(company=company, name=name, kind=kind) for name, kind in team_specs],
            batch_size=BATCH_SIZE,
        )
        services = Service.objects.bulk_create(
            [
                Service(company=company, code=code, name=name, annual_value=Decimal(value))
                for code, name, value, *_ in SERVICES
            ]
        )

        person_ids: list[int | None] = [None] * len(plans)
        with tqdm(total=len(plans), desc="Staff", unit=" people", disable=not progress) as bar:
            # Level by level, so every manager has an id before their reports are written.
            for level in (0, 1, 2):
                indexes = [i for i, plan in enumerate(plans) if plan.level == level]
                for batch in _batches(indexes):
                    rows = [
                        _person(plans[i], company, teams, person_ids, password, zone) for i in batch
                    ]
                    Person.objects.bulk_create(rows, batch_size=BATCH_SIZE)
                    for i, row in zip(batch, rows, strict=True):
                        person_ids[i] = row.pk
                    bar.update(len(batch))
        salespeople = [person_ids[i] for i, plan in enumerate(plans) if Role.SALES in plan.roles]

        service_rows = 0
        with tqdm(
            total=customers, desc="Customers", unit=" customers", disable=not progress
        ) as bar:
            for start in range(0, customers, BATCH_SIZE):
                batch_customers: list[Customer] = []
                batch_services: list[tuple[int, list[int]]] = []
                for number in range(start + 1, min(start + BATCH_SIZE, customers) + 1):
                    name, kind = generator.customer_name()
                    owner = (
                        None
                        if generator.rng.random() < UNOWNED_SHARE
                        else generator.rng.choice(salespeople)
                    )
                    since = generator.days_ago(0, CUSTOMER_HISTORY_YEARS * 365)
                    batch_customers.append(
                        Customer(
                            company=company,
                            external_id=f"HL-{number:06d}",
                            name=name,
                            sales_owner_id=owner,
                            since=since,
                        )
                    )
                    batch_services.append((len(batch_customers) - 1, generator.pick_services(kind)))
                Customer.objects.bulk_create(batch_customers, batch_size=BATCH_SIZE)
                rows = []
                for position, chosen in batch_services:
                    customer = batch_customers[position]
                    for order, index in enumerate(chosen):
                        started, ended = generator.service_dates(customer.since, first=order == 0)
                        rows.append(
                            CustomerService(
                                company=company,
                                customer_id=customer.pk,
                                service=services[index],
                                started_on=started,
                                ended_on=ended,
                            )
                        )
                CustomerService.objects.bulk_create(rows, batch_size=BATCH_SIZE)
                service_rows += len(rows)
                bar.update(len(batch_customers))
                bar.set_postfix(services=service_rows)

    return DemoResult(
        company=company,
        teams=len(teams),
        people=len(plans),
        services=len(services),
        customers=customers,
        customer_services=service_rows,
        logins=demo_logins(),
    )


def _person(plan, company, teams, person_ids, password, zone) -> Person:
    return Person(
        company=company,
        email=plan.email,
        name=plan.name,
        password=password,
        team=teams[plan.team],
        manager_id=None if plan.manager is None else person_ids[plan.manager],
        is_executive=Role.EXECUTIVE in plan.roles,
        is_program_admin=Role.ADMIN in plan.roles,
        is_manager=Role.MANAGER in plan.roles,
        is_crp=Role.CRP in plan.roles,
        is_salesperson=Role.SALES in plan.roles,
        date_joined=datetime.datetime.combine(plan.joined, datetime.time(9), tzinfo=zone),
    )
