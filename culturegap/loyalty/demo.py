"""The loyalty chapter of the demo company: who serves each customer, a contact per customer,
and two years of quarterly loyalty surveys whose scores rise after each team's training.

The training rollout is the training chapter's (``culturegap.training.demo.plan_waves``, read here
so the chapters cannot drift apart): the CRP teams whose names sort in the first half start
about nine months before "today", the rest about five months before. Scores of customers
served by a trained team rise slowly over the following months, so the NPS trend and
the by-team chart show the effect the program is meant to have. The last campaign is still open
with most invitations unanswered; `culturegap survey_link` prints a link to answer one.
"""

import datetime
from collections import defaultdict

from django.db import connection, transaction
from tqdm import tqdm

from culturegap.loyalty.models import SurveyCampaign, SurveyInvitation, SurveyResponse
from culturegap.measures.loyalty import is_active_on, period_label
from culturegap.org.models import (
    CRP_TEAM_KINDS,
    Company,
    Contact,
    Customer,
    CustomerService,
    Team,
    TeamKind,
)
from culturegap.org.scope import company_zone
from culturegap.training.demo import plan_waves

CAMPAIGNS = 8
CAMPAIGN_EVERY_DAYS = 91
CAMPAIGN_LENGTH_DAYS = 28
# The last campaign opened this many days ago and is still open.
OPEN_CAMPAIGN_AGE_DAYS = 14
INVITED_SHARE = 0.4
MAX_INVITATIONS_PER_CAMPAIGN = 50_000
RESPONSE_RATE = 0.35
# The open campaign has had half its time: fewer answers so far.
OPEN_RESPONSE_RATE = 0.15
WANTED_SERVICE_SHARE = 0.08
# Mean score before training, the most training adds, and how many days it takes to get there.
BASE_SCORE = 7.4
TRAINED_GAIN = 1.2
GAIN_RAMP_DAYS = 180
BATCH_SIZE = 5000

SERVING_KINDS = (TeamKind.SERVICE, TeamKind.PROFESSIONAL, TeamKind.SUPPORT)
_FIRST_NAMES = (
    "Alice", "Ben", "Chloe", "Daniel", "Emma", "Fraser", "Grace", "Harry", "Isla", "Jack",
    "Katie", "Liam", "Megan", "Noah", "Olivia", "Priya", "Rhys", "Sophie", "Tom", "Zara",
)  # fmt: skip
_LAST_NAMES = (
    "Adams", "Bennett", "Carter", "Davies", "Evans", "Foster", "Griffiths", "Hughes", "Jones",
    "Khan", "Lewis", "Morgan", "Owen", "Patel", "Roberts", "Shaw", "Taylor", "Walker", "Young",
)  # fmt: skip


def training_starts(company: Company, today: datetime.date) -> dict[int, datetime.date]:
    """Team id → the day its training started, from the training chapter's rollout plan."""
    return {
        team.pk: starts_on
        for teams, starts_on, _due in plan_waves(company=company, today=today).values()
        for team in teams
    }


def _assign_serving_teams(company: Company, teams: list[Team]) -> dict[int, int | None]:
    """Customer id → serving team id: customers in order of their id (external id) take the
    serving teams in turn, so the rule is stable and every team has customers."""
    serving = [team for team in teams if team.kind in SERVING_KINDS] or [
        team for team in teams if team.kind in CRP_TEAM_KINDS
    ]
    customer_ids = list(
        Customer.objects.filter(company=company)
        .order_by("external_id")
        .values_list("pk", flat=True)
    )
    if not serving:
        return dict.fromkeys(customer_ids)
    by_team = defaultdict(list)
    assigned = {}
    for i, customer_id in enumerate(customer_ids):
        team = serving[i % len(serving)]
        by_team[team.pk].append(customer_id)
        assigned[customer_id] = team.pk
    for team_id, ids in by_team.items():
        for start in range(0, len(ids), BATCH_SIZE):
            Customer.objects.filter(pk__in=ids[start : start + BATCH_SIZE]).update(
                serving_team_id=team_id
            )
    return assigned


def _add_contacts(company: Company, rng) -> dict[int, int]:
    """One contact for every customer who has none; returns customer id → a contact id."""
    have = dict(
        Contact.objects.filter(company=company)
        .order_by("-is_primary", "pk")
        .values_list("customer_id", "pk")
    )
    rows = []
    for customer_id, external_id in (
        Customer.objects.filter(company=company)
        .order_by("external_id")
        .values_list("pk", "external_id")
    ):
        if customer_id in have:
            continue
        first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
        domain = external_id.lower().replace("_", "-")
        email = f"{first.lower()}.{last.lower()}@{domain}.client.example"
        rows.append((company.pk, customer_id, f"{first} {last}", email, True))
    _insert(Contact, ["company", "customer", "name", "email", "is_primary"], rows)
    # The last pair per customer wins: their first primary contact.
    contacts = dict(
        Contact.objects.filter(company=company)
        .order_by("is_primary", "-pk")
        .values_list("customer_id", "pk")
    )
    return contacts


def _insert(model, fields: list[str], rows: list[tuple]) -> None:
    """Write rows of database-ready values the fastest way each database offers: COPY on
    PostgreSQL, batched executemany on SQLite. At the size of the 100,000-person demo
    (hundreds of thousands of invitations) building a model instance per row, as bulk_create
    does, costs several times the database's own work."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with connection.connection.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE):
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                rows[start : start + BATCH_SIZE],
            )


def _db_time(moment: datetime.datetime):
    return connection.ops.adapt_datetimefield_value(moment)


def _score(rng, *, base: float, answered: datetime.date, trained_from: datetime.date | None):
    gain = 0.0
    if trained_from is not None and answered >= trained_from:
        gain = TRAINED_GAIN * min(1.0, (answered - trained_from).days / GAIN_RAMP_DAYS)
    return max(0, min(10, round(rng.gauss(base + gain, 1.6))))


@transaction.atomic
def seed(*, company: Company, rng, today: datetime.date, progress: bool = False) -> None:
    teams = list(Team.objects.filter(company=company))
    serving_team = _assign_serving_teams(company, teams)
    contacts = _add_contacts(company, rng)
    trained_from = training_starts(company, today)
    zone = company_zone(company)

    spans = defaultdict(list)
    for customer_id, service_id, started_on, ended_on in (
        CustomerService.objects.filter(company=company)
        .order_by("pk")
        .values_list("customer_id", "service_id", "started_on", "ended_on")
    ):
        spans[customer_id].append((service_id, started_on, ended_on))
    service_ids = sorted(
        {service_id for customer in spans.values() for service_id, _, _ in customer}
    )
    customer_ids = sorted(customer for customer in spans if customer in contacts)
    # Each customer's own leaning, fixed across campaigns: some clients are simply happier.
    leaning = {customer_id: rng.gauss(0, 1.0) for customer_id in customer_ids}

    first_opens = today - datetime.timedelta(
        days=OPEN_CAMPAIGN_AGE_DAYS + (CAMPAIGNS - 1) * CAMPAIGN_EVERY_DAYS
    )
    with tqdm(
        total=CAMPAIGNS, desc="Loyalty surveys", unit=" campaigns", disable=not progress
    ) as bar:
        for number in range(CAMPAIGNS):
            opens_on = first_opens + datetime.timedelta(days=number * CAMPAIGN_EVERY_DAYS)
            closes_on = opens_on + datetime.timedelta(days=CAMPAIGN_LENGTH_DAYS - 1)
            is_open = closes_on >= today
            campaign = SurveyCampaign.objects.create(
                company=company,
                name=f"Loyalty survey {period_label(opens_on)}",
                opens_on=opens_on,
                closes_on=closes_on,
                created_at=datetime.datetime.combine(
                    opens_on - datetime.timedelta(days=1), datetime.time(9), zone
                ),
            )
            active = [
                customer_id
                for customer_id in customer_ids
                if any(is_active_on(s, e, opens_on) for _, s, e in spans[customer_id])
            ]
            size = min(round(len(active) * INVITED_SHARE), MAX_INVITATIONS_PER_CAMPAIGN)
            invited = sorted(rng.sample(active, size))
            sent_at = datetime.datetime.combine(opens_on, datetime.time(9), zone)
            rate = OPEN_RESPONSE_RATE if is_open else RESPONSE_RATE
            # Answers arrive while the campaign is open, and never after yesterday.
            last_day = min(closes_on, today - datetime.timedelta(days=1))
            answers = {}
            for customer_id in invited:
                if rng.random() >= rate:
                    continue
                day = opens_on + datetime.timedelta(days=rng.randint(0, (last_day - opens_on).days))
                at = datetime.datetime.combine(
                    day, datetime.time(rng.randint(8, 19), rng.randint(0, 59)), zone
                )
                team_id = serving_team.get(customer_id)
                score = _score(
                    rng,
                    base=BASE_SCORE + leaning[customer_id],
                    answered=day,
                    trained_from=trained_from.get(team_id),
                )
                wanted = None
                if score >= 7 and rng.random() < WANTED_SERVICE_SHARE:
                    bought = {s for s, b, e in spans[customer_id] if is_active_on(b, e, day)}
                    options = [s for s in service_ids if s not in bought]
                    wanted = rng.choice(options) if options else None
                answers[customer_id] = (_db_time(at), team_id, score, wanted)
            _insert(
                SurveyInvitation,
                ["company", "campaign", "customer", "contact", "sent_at", "answered_at"],
                [
                    (
                        company.pk,
                        campaign.pk,
                        customer_id,
                        contacts[customer_id],
                        _db_time(sent_at),
                        answers[customer_id][0] if customer_id in answers else None,
                    )
                    for customer_id in invited
                ],
            )
            # One contact per customer, so one invitation per customer in each campaign.
            invitation_ids = dict(
                SurveyInvitation.objects.filter(campaign=campaign).values_list("customer_id", "pk")
            )
            _insert(
                SurveyResponse,
                [
                    "company",
                    "campaign",
                    "invitation",
                    "customer",
                    "team",
                    "score",
                    "reason",
                    "answered_at",
                ],
                [
                    (company.pk, campaign.pk, invitation_ids[customer_id], customer_id, team_id)
                    + (score, "", at)
                    for customer_id, (at, team_id, score, _) in answers.items()
                ],
            )
            response_ids = dict(
                SurveyResponse.objects.filter(campaign=campaign).values_list("customer_id", "pk")
            )
            _insert(
                SurveyResponse.wanted_services.through,
                ["surveyresponse", "service"],
                [
                    (response_ids[customer_id], wanted)
                    for customer_id, (_, _, _, wanted) in answers.items()
                    if wanted is not None
                ],
            )
            bar.update(1)
