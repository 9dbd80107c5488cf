"""Demo chapter: two years of opportunities found by the demo company's CRPs, moved through the
sales pipeline, with the history of every move.

The training rollout the history assumes is the training chapter's own
(``culturegap.training.demo.plan_waves``, read here so the two cannot drift apart):

- the CRP teams, sorted by name, are split in two: the first half (rounded up) is **wave 1**,
  trained from about nine months (270 days) before "today"; the rest is **wave 2**, from about
  five months (150 days) before;
- a CRP finds about ``BASE_RATE`` (0.45) needs a month before their team's training starts,
  rising over ``RAMP_DAYS`` to ``TRAINED_RATE`` (0.95) a month afterwards, and a trained CRP's
  needs are a little better qualified, so more of them are won.

Won values follow the service's ``annual_value``. A few recent opportunities stall, so the
stale flag and alert have something to show. Above ``MAX_OPPORTUNITIES`` expected rows (the
100,000-person demo) every CRP's rate is scaled down by the same factor, which keeps the
trained/untrained contrast while bounding the time and size of the history.

The fixed demo logins get a story of their own: crp@ has found a handful of needs (one won, one
lost, some open) and sales@ owns several open ones, two of them untouched for too long.
"""

import datetime
import math
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone
from tqdm import tqdm

from culturegap.opportunities.models import (
    Channel,
    ContactWay,
    Opportunity,
    OpportunityEvent,
    Source,
    Status,
    Urgency,
)
from culturegap.org.models import (
    CRP_TEAM_KINDS,
    Company,
    Customer,
    CustomerService,
    Person,
    Role,
    Service,
)
from culturegap.training.demo import plan_waves

HISTORY_DAYS = 730
BASE_RATE = 0.45  # needs a month per CRP before training
TRAINED_RATE = 0.95  # and once trained
RAMP_DAYS = 60
MAX_OPPORTUNITIES = 200_000
BATCH_SIZE = 5000
# Share of recent opportunities whose owner simply stops following them up.
STALL_SHARE = 0.12
STALL_WINDOW_DAYS = 90

URGENCY_WEIGHTS = {Urgency.LOW: 25, Urgency.NORMAL: 60, Urgency.HIGH: 15}
CHANNEL_WEIGHTS = {
    Channel.PHONE: 40,
    Channel.EMAIL: 25,
    Channel.MEETING: 20,
    Channel.TICKET: 8,
    Channel.CHAT: 7,
}

# What customers of an accounting firm say, by service code; {place} is filled in.
NEEDS = {
    "ACC-YE": [
        "Their current accountant is retiring and they asked if we could take on the year-end.",
        "Filed their own accounts last year, found it stressful, asked what we would charge.",
    ],
    "TAX-CORP": [
        "Just incorporated and asked who will do the corporation tax return.",
        "Worried about a letter from HMRC about their company tax; wants someone to own it.",
    ],
    "TAX-PERS": [
        "The director asked whether we could do her personal tax return as well.",
        "Has rental income from a flat now and does not know how to declare it.",
    ],
    "PAYROLL": [
        "Taking on their first two employees in {place} and asked who could run payroll.",
        "Their payroll person is leaving next month; asked if we could step in.",
        "Opening a second site in {place}, so staff numbers will double this year.",
    ],
    "BOOK": [
        "Spends every Sunday on the books and asked if we could take it off their hands.",
        "Receipts are piling up in a shoebox; asked about monthly bookkeeping.",
    ],
    "VAT": [
        "Turnover is close to the VAT threshold; asked what registering would mean for them.",
        "Got a penalty for a late VAT return and wants someone to file them.",
    ],
    "AUDIT": [
        "The bank wants audited accounts for the new loan; asked if we do audits.",
        "They have grown past the audit exemption and did not know what to do next.",
    ],
    "MGMT-ACC": [
        "The board wants monthly figures, not just year-end; asked about management accounts.",
        "Said they never know how the business is doing until it is too late.",
    ],
    "ADVISORY": [
        "Thinking of buying a competitor in {place} and asked who could help with the numbers.",
        "Cash is tight every quarter; asked if someone could look at the whole business.",
    ],
    "IT-CONS": [
        "Their accounting software keeps crashing; asked if we know anyone who can help.",
        "Wants to move to cloud accounting and does not know where to start.",
    ],
    "SUCCESSION": [
        "The founder is 64 and mentioned handing the business to his daughter.",
        "Asked, half joking, who would run the place when they retire.",
    ],
    "RND": [
        "They are developing a new product and asked whether any of it counts as R&D.",
        "Heard from a friend about R&D tax credits and asked if they might qualify.",
    ],
}
GENERIC_NEEDS = [
    "Asked whether we could help with {service} as well.",
    "Mentioned a problem that {service} would solve; keen to hear more.",
]
PLACES = ("Bristol", "Exeter", "Bath", "Plymouth", "Taunton", "Truro", "Swindon", "Poole")
LOST_REASONS = [
    "Went with another provider on price.",
    "Not the right time; they asked us to come back next year.",
    "No budget this year.",
    "Could not reach the customer after three attempts.",
    "They decided to keep doing it in house.",
    "The need turned out to be smaller than it sounded.",
]


def training_waves(*, company: Company, today: datetime.date) -> dict[int, datetime.date]:
    """The day each CRP team's training starts (team id → date), from the training chapter."""
    starts = {}
    for teams, starts_on, _due in plan_waves(company=company, today=today).values():
        for team in teams:
            if team.kind in CRP_TEAM_KINDS:
                starts[team.pk] = starts_on
    return starts


def monthly_rate(day: datetime.date, trained_from: datetime.date | None) -> float:
    """Needs a CRP finds per month on ``day``: the base rate, ramping up after training."""
    if trained_from is None or day < trained_from:
        return BASE_RATE
    progress = min(1.0, (day - trained_from).days / RAMP_DAYS)
    return BASE_RATE + (TRAINED_RATE - BASE_RATE) * progress


def _weighted(rng, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _poisson(rng, mean: float) -> int:
    # Knuth's method: fine for the small means used here.
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


class _Event:
    """An event before it is written: the history is most of the demo's rows, and plain
    tuples inserted with executemany cost a fraction of model instances and bulk_create."""

    __slots__ = ("actor", "from_status", "to_status", "assigned_to", "note", "value", "at")

    def __init__(self, *, actor, from_status, to_status, assigned_to=None, note="", at):
        self.actor, self.from_status, self.to_status = actor, from_status, to_status
        self.assigned_to, self.note, self.value, self.at = assigned_to, note, None, at


def _event_insert_sql() -> str:
    meta = OpportunityEvent._meta
    names = ["opportunity", "actor", "from_status", "to_status", "assigned_to", "note", "value"]
    columns = [meta.get_field(name).column for name in names] + ["at"]
    quote = connection.ops.quote_name
    return (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )


class _Story:
    """The opportunities and events being built, with the rows they need."""

    def __init__(self, *, company, rng, today):
        self.company, self.rng, self.today = company, rng, today
        self.zone = ZoneInfo(company.time_zone)
        self.now = timezone.now()
        self.services = list(Service.objects.filter(company=company).order_by("pk"))
        self.salespeople = list(
            Person.objects.filter(company=company, is_active=True, is_salesperson=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        active = set(self.salespeople)
        self.customers = []  # (id, owner id or None)
        self.by_team = defaultdict(list)
        for pk, owner, team in (
            Customer.objects.filter(company=company)
            .order_by("pk")
            .values_list("pk", "sales_owner_id", "serving_team_id")
        ):
            self.customers.append((pk, owner if owner in active else None))
            if team is not None:
                self.by_team[team].append(len(self.customers) - 1)
        self.buys = defaultdict(set)
        for customer, service in (
            CustomerService.objects.filter(company=company, ended_on__isnull=True)
            .order_by()
            .values_list("customer_id", "service_id")
        ):
            self.buys[customer].add(service)
        self.opportunities: list[Opportunity] = []
        self.events: list[list[_Event]] = []
        self.written = 0
        self.event_sql = _event_insert_sql()

    def moment(self, day: datetime.date, *, hour=None) -> datetime.datetime:
        hour = self.rng.randint(8, 17) if hour is None else hour
        at = datetime.datetime.combine(day, datetime.time(hour, self.rng.randint(0, 59)), self.zone)
        return min(at, self.now)

    def pick_customer(self, team_id):
        served = self.by_team.get(team_id)
        if served and self.rng.random() < 0.8:
            return self.customers[self.rng.choice(served)]
        return self.rng.choice(self.customers)

    def pick_service(self, customer_id):
        if self.rng.random() < 0.12:
            return None
        bought = self.buys.get(customer_id, ())
        choices = [s for s in self.services if s.pk not in bought] or self.services
        return self.rng.choice(choices)

    def need_text(self, service) -> str:
        if service is None:
            return self.rng.choice(
                [
                    "Asked what else we do besides their accounts; seemed open to more help.",
                    "Mentioned they are expanding and will need more support, unsure which.",
                    "Complained their bank is no help with planning; might want advice.",
                ]
            )
        templates = NEEDS.get(service.code, GENERIC_NEEDS)
        return self.rng.choice(templates).format(
            place=self.rng.choice(PLACES), service=service.name.lower()
        )

    def won_value(self, service) -> Decimal:
        base = service.annual_value if service else self.rng.choice(self.services).annual_value
        value = float(base) * self.rng.uniform(0.6, 1.4)
        return Decimal(max(50, round(value / 50) * 50))

    def add(self, *, finder, team_id, created, customer=None, service="pick", owner="route",
            path=None, trained=False, urgency=None, channel=None, need=None):  # fmt: skip
        """One opportunity and its events; ``path`` is a list of (status, days after the
        previous step, value or reason), simulated when None."""
        rng = self.rng
        customer_id, routed = customer or self.pick_customer(team_id)
        if service == "pick":
            service = self.pick_service(customer_id)
        owner_id = routed if owner == "route" else owner
        created_at = self.moment(created)
        opportunity = Opportunity(
            company=self.company,
            customer_id=customer_id,
            service=service,
            need=need or self.need_text(service),
            urgency=urgency or _weighted(rng, URGENCY_WEIGHTS),
            channel=channel or _weighted(rng, CHANNEL_WEIGHTS),
            source=Source.CRP,
            found_by_id=finder,
            found_by_team_id=team_id,
            owner_id=owner_id,
            status=Status.NEW,
            created_at=created_at,
            # Every demo need was passed on with the customer's agreement.
            customer_agreed=True,
            contact_way=ContactWay.ANY,
        )  # fmt: skip
        events = [
            _Event(
                actor=finder,
                from_status="",
                to_status=Status.NEW,
                assigned_to=owner_id,
                note="" if owner_id else "Placed in the sales queue",
                at=created_at,
            )
        ]
        touched = created_at
        day = created
        for status, gap, detail in path if path is not None else self.simulate(created, trained):
            day = day + datetime.timedelta(days=gap)
            if day > self.today:
                break
            at = max(self.moment(day), touched)
            taken = opportunity.owner_id is None and bool(self.salespeople)
            if taken:
                opportunity.owner_id = rng.choice(self.salespeople)
            if opportunity.owner_id is None:
                break
            event = _Event(
                actor=opportunity.owner_id,
                from_status=opportunity.status,
                to_status=status,
                assigned_to=opportunity.owner_id if taken else None,
                at=at,
            )
            if status == Status.WON:
                opportunity.value = event.value = detail or self.won_value(service)
                opportunity.closed_at = at
            elif status == Status.LOST:
                opportunity.lost_reason = event.note = detail or rng.choice(LOST_REASONS)
                opportunity.closed_at = at
            elif status == Status.CONTACTED:
                event.note = rng.choice(["", "", "Called them.", "Sent an introduction e-mail."])
            opportunity.status = status
            touched = at
            events.append(event)
        opportunity.last_touched_at = opportunity.updated_at = touched
        self.opportunities.append(opportunity)
        self.events.append(events)
        if len(self.opportunities) >= BATCH_SIZE:
            self.flush()

    def simulate(self, created: datetime.date, trained: bool):
        """The steps an opportunity takes: (status, days after the previous step, detail)."""
        rng = self.rng
        recent = (self.today - created).days <= STALL_WINDOW_DAYS
        stalled = rng.random() < STALL_SHARE
        steps = []
        if rng.random() < 0.12:
            return [(Status.LOST, rng.randint(2, 14), "Could not reach the customer.")]
        steps.append((Status.CONTACTED, rng.randint(0, 4), None))
        if stalled:
            return steps if recent else steps + [(Status.LOST, rng.randint(30, 60), None)]
        win = 0.40 if trained else 0.30
        if rng.random() < 0.12:
            return steps + [
                (Status.WON if rng.random() < win + 0.2 else Status.LOST, rng.randint(3, 12), None)
            ]
        steps.append((Status.QUALIFIED, rng.randint(3, 12), None))
        if stalled or (recent and rng.random() < 0.08):
            return steps
        outcome = Status.WON if rng.random() < win / 0.75 else Status.LOST
        return steps + [(outcome, rng.randint(4, 21), None)]

    def flush(self):
        if not self.opportunities:
            return
        Opportunity.objects.bulk_create(self.opportunities, batch_size=BATCH_SIZE)
        ops = connection.ops
        rows = [
            (
                opportunity.pk,
                event.actor,
                event.from_status,
                event.to_status,
                event.assigned_to,
                event.note,
                None if event.value is None else ops.adapt_decimalfield_value(event.value, 12, 2),
                ops.adapt_datetimefield_value(event.at),
            )
            for opportunity, events in zip(self.opportunities, self.events, strict=True)
            for event in events
        ]
        with connection.cursor() as cursor:
            cursor.executemany(self.event_sql, rows)
        self.written += len(self.opportunities)
        self.opportunities, self.events = [], []


def seed(*, company: Company, rng, today: datetime.date, progress: bool = False) -> int:
    """Write the demo's opportunities and their history; returns how many were written."""
    story = _Story(company=company, rng=rng, today=today)
    if not story.customers or not story.services:
        return 0
    waves = training_waves(company=company, today=today)
    crps = list(
        Person.objects.filter(company=company, is_active=True, is_crp=True, team_id__in=waves)
        .order_by("pk")
        .values_list("pk", "team_id", "date_joined")
    )
    start = today - datetime.timedelta(days=HISTORY_DAYS)
    expected = len(crps) * 24 * (BASE_RATE + TRAINED_RATE) / 2
    scale = min(1.0, MAX_OPPORTUNITIES / expected) if expected else 1.0

    with tqdm(total=len(crps), desc="Opportunities", unit=" CRPs", disable=not progress) as bar:
        for finder, team_id, joined in crps:
            trained_from = waves[team_id]
            first_day = max(start, joined.date() if joined else start)
            day = first_day
            while day <= today:
                period = min(30, (today - day).days + 1)
                mean = monthly_rate(day, trained_from) * scale * period / 30
                for _ in range(_poisson(rng, mean)):
                    created = day + datetime.timedelta(days=rng.randrange(period))
                    story.add(
                        finder=finder,
                        team_id=team_id,
                        created=created,
                        trained=created >= trained_from,
                    )
                day += datetime.timedelta(days=period)
            bar.update(1)
            bar.set_postfix(opportunities=story.written + len(story.opportunities), refresh=False)
    _seed_demo_logins(story, today=today)
    story.flush()
    return story.written


def _seed_demo_logins(story: _Story, *, today: datetime.date) -> None:
    """Give the fixed CRP login a few needs of their own and the fixed sales login several open
    opportunities, two of them untouched for longer than the company's limit."""
    from culturegap.org.demo import DEMO_EMAILS

    people = {
        p.email: p
        for p in Person.objects.filter(
            company=story.company, email__in=[DEMO_EMAILS[Role.CRP], DEMO_EMAILS[Role.SALES]]
        )
    }
    crp, sales = people.get(DEMO_EMAILS[Role.CRP]), people.get(DEMO_EMAILS[Role.SALES])
    if crp is None or sales is None:
        return
    owned = [c for c in story.customers if c[1] == sales.pk] or [
        (pk, sales.pk) for pk, _ in story.customers[:10]
    ]
    colleague = (
        Person.objects.filter(company=story.company, is_crp=True, is_active=True)
        .exclude(pk=crp.pk)
        .order_by("pk")
        .values_list("pk", "team_id")
        .first()
    ) or (crp.pk, crp.team_id)
    stale = story.company.opportunity_stale_days
    day = datetime.timedelta
    C, Q, W, L = Status.CONTACTED, Status.QUALIFIED, Status.WON, Status.LOST
    # (finder, days ago, path: (status, days after the previous step, detail))
    plans = [
        ((crp.pk, crp.team_id), 2, []),
        ((crp.pk, crp.team_id), stale + 6, [(C, 1, None)]),
        ((crp.pk, crp.team_id), 45, [(C, 3, None), (Q, 36, None)]),
        ((crp.pk, crp.team_id), 130, [(C, 2, None), (Q, 10, None), (W, 30, None)]),
        ((crp.pk, crp.team_id), 210, [(C, 4, None), (L, 20, "No budget this year.")]),
        (colleague, 1, []),
        (colleague, stale + 15, [(C, 2, None)]),
    ]
    for (finder, team_id), days_ago, path in plans:
        customer = story.rng.choice(owned)
        story.add(
            finder=finder,
            team_id=team_id,
            created=today - day(days=days_ago),
            customer=customer,
            owner=sales.pk,
            path=path,
        )
