"""The coaching chapter of the demo: the behaviour scorecard built from the published playbook,
nine months of managers observing their people's real customer conversations, and some
self-assessments.

Each manager observes a sample of ``OBSERVED_PER_MANAGER`` of their direct reports two to four
times over the last nine months. A person's ratings follow their training: before their
enrollment starts (``training.Enrollment.starts_on``) they centre on "developing"; afterwards
they climb towards "consistent" over about four months, each person at their own level. About
one item in five is "not observed". A third of the people observed also assess themselves, a
little more generously than their manager does (as people do).

manager@ always observes crp@, at least twice and once in the last month, so the demo's coaching
pages have a story for both logins. Volume is capped at ``MAX_OBSERVATIONS``: in a big demo
only a sample of managers observes, so the chapter takes seconds at any size. Without a
published playbook (the training chapter imports the starter pack) there is nothing to score on
and the chapter writes nothing.
"""

import datetime
import random
from collections import defaultdict
from zoneinfo import ZoneInfo

from tqdm import tqdm

from culturegap.coaching import services
from culturegap.coaching.models import (
    Channel,
    Observation,
    ObservationKind,
    ObservationRating,
    ScorecardItem,
)
from culturegap.coaching.selectors import published_playbook
from culturegap.org.demo import DEMO_EMAILS
from culturegap.org.models import Company, Customer, Person, Role
from culturegap.training.models import Enrollment

HISTORY_DAYS = 270  # about nine months
OBSERVED_PER_MANAGER = 5
OBSERVATIONS_PER_PERSON = (2, 4)
SELF_ASSESSING_SHARE = 0.33
MAX_OBSERVATIONS = 20_000
BATCH_SIZE = 5000
NOT_OBSERVED_SHARE = 0.2
WITH_CUSTOMER_SHARE = 0.8
CUSTOMER_POOL = 2000
# The mean rating before training, the gain once training has sunk in, and how long that takes.
LEVEL_BEFORE = 1.9
LEVEL_GAIN = 1.3
GAIN_DAYS = 120
SELF_GENEROSITY = 0.5
CHANNEL_WEIGHTS = {Channel.PHONE: 45, Channel.EMAIL: 20, Channel.MEETING: 20, Channel.TICKET: 15}
COMMENTS = {
    1: (
        "Went straight to the fix; ask what happened before answering.",
        "Missed the customer's worry about the deadline. Let's role-play this one.",
    ),
    2: (
        "Good warm opening. Try one more open question before suggesting anything.",
        "Summarised the request well; the next step was left vague.",
    ),
    3: (
        "Clear, calm and friendly. Asked about the business, not just the ticket.",
        "Picked up the payroll remark and offered a colleague's call: exactly right.",
    ),
    4: (
        "A model conversation: the customer left with a plan and a name to call.",
        "Listened, summarised, linked the need to a service without any pressure.",
    ),
}


def seed(*, company: Company, rng: random.Random, today: datetime.date, progress: bool) -> None:
    if published_playbook(company=company) is None:
        return
    admin = Person.objects.filter(company=company, email=DEMO_EMAILS[Role.ADMIN]).first()
    scorecard = services.generate_scorecard(company=company, actor=admin)
    items = list(scorecard.items.order_by("order", "pk"))
    zone = ZoneInfo(company.time_zone)
    plan = _plan(company, rng, today, items)
    customers = list(
        Customer.objects.filter(company=company)
        .order_by("pk")
        .values_list("pk", flat=True)[:CUSTOMER_POOL]
    )
    observations: list[Observation] = []
    ratings: list[list[int | None]] = []
    for person_id, observer_id, kind, day, level in plan:
        observations.append(
            Observation(
                company=company,
                person_id=person_id,
                observer_id=observer_id,
                scorecard=scorecard,
                customer_id=rng.choice(customers)
                if customers and rng.random() < WITH_CUSTOMER_SHARE
                else None,
                channel=rng.choices(list(CHANNEL_WEIGHTS), weights=CHANNEL_WEIGHTS.values())[0],
                observed_on=day,
                comment=rng.choice(COMMENTS[_clamp(round(level), 1, 4)])
                if kind == ObservationKind.MANAGER
                else "",
                kind=kind,
                created_at=datetime.datetime.combine(
                    day, datetime.time(rng.randint(9, 16), rng.randint(0, 59)), tzinfo=zone
                ),
            )
        )
        ratings.append(_ratings(items, level, rng))
    with tqdm(
        total=len(observations), desc="Observations", unit=" obs", disable=not progress
    ) as bar:
        for start in range(0, len(observations), BATCH_SIZE):
            batch = observations[start : start + BATCH_SIZE]
            Observation.objects.bulk_create(batch, batch_size=BATCH_SIZE)
            ObservationRating.objects.bulk_create(
                (
                    ObservationRating(observation=observation, item=item, rating=rating)
                    for observation, values in zip(
                        batch, ratings[start : start + BATCH_SIZE], strict=True
                    )
                    for item, rating in zip(items, values, strict=True)
                ),
                batch_size=BATCH_SIZE,
            )
            bar.update(len(batch))


def _plan(company, rng, today, items) -> list[tuple[int, int, str, datetime.date, float]]:
    """Who is observed by whom, when, and at what level: (person, observer, kind, day, level)."""
    reports: dict[int, list[int]] = defaultdict(list)
    managers = list(
        Person.objects.filter(company=company, is_manager=True, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    rows = (
        Person.objects.filter(company=company, manager_id__in=managers, is_active=True)
        .order_by("pk")
        .values_list("pk", "manager_id")
    )
    for person_id, manager_id in rows.iterator(chunk_size=BATCH_SIZE):
        reports[manager_id].append(person_id)
    demo = dict(
        Person.objects.filter(
            company=company, email__in=[DEMO_EMAILS[Role.MANAGER], DEMO_EMAILS[Role.CRP]]
        ).values_list("email", "pk")
    )
    demo_manager, demo_crp = demo.get(DEMO_EMAILS[Role.MANAGER]), demo.get(DEMO_EMAILS[Role.CRP])
    mean_per_person = sum(OBSERVATIONS_PER_PERSON) / 2 * (1 + SELF_ASSESSING_SHARE)
    most_managers = max(1, int(MAX_OBSERVATIONS / (OBSERVED_PER_MANAGER * mean_per_person)))
    observing = [pk for pk in managers if reports.get(pk)]
    if len(observing) > most_managers:
        others = [pk for pk in observing if pk != demo_manager]
        chosen = set(rng.sample(others, most_managers - (demo_manager in observing)))
        observing = [pk for pk in observing if pk in chosen or pk == demo_manager]
    starts: dict[int, datetime.date] = {}
    enrollments = Enrollment.objects.filter(company=company).values_list("person_id", "starts_on")
    for person_id, starts_on in enrollments.iterator(chunk_size=BATCH_SIZE):
        starts[person_id] = min(starts_on, starts.get(person_id, starts_on))

    plan = []
    for manager_id in observing:
        people = reports[manager_id]
        sample = rng.sample(people, min(OBSERVED_PER_MANAGER, len(people)))
        if manager_id == demo_manager and demo_crp in people and demo_crp not in sample:
            sample[0] = demo_crp
        for person_id in sample:
            ability = rng.gauss(0, 0.35)
            days = sorted(
                rng.sample(range(3, HISTORY_DAYS), rng.randint(*OBSERVATIONS_PER_PERSON)),
                reverse=True,
            )
            if person_id == demo_crp:
                days[-1] = rng.randint(7, 25)  # once in the last month, not this week
            for days_ago in days:
                day = today - datetime.timedelta(days=days_ago)
                level = _level(ability, day, starts.get(person_id))
                plan.append((person_id, manager_id, ObservationKind.MANAGER, day, level))
            if person_id == demo_crp or rng.random() < SELF_ASSESSING_SHARE:
                for _ in range(rng.randint(1, 2)):
                    day = today - datetime.timedelta(days=rng.randint(1, HISTORY_DAYS // 2))
                    level = _level(ability, day, starts.get(person_id)) + SELF_GENEROSITY
                    plan.append((person_id, person_id, ObservationKind.SELF, day, level))
    return plan


def _level(ability: float, day: datetime.date, starts_on: datetime.date | None) -> float:
    """The mean rating a person shows on ``day``: flat before their training starts, then
    rising by LEVEL_GAIN over GAIN_DAYS."""
    level = LEVEL_BEFORE + ability
    if starts_on is not None and day > starts_on:
        level += LEVEL_GAIN * min(1.0, (day - starts_on).days / GAIN_DAYS)
    return level


def _ratings(items: list[ScorecardItem], level: float, rng: random.Random) -> list[int | None]:
    """One rating per item around ``level`` (later steps of the conversation a little harder),
    some not observed, at least one rated."""
    values: list[int | None] = []
    for index, _ in enumerate(items):
        if rng.random() < NOT_OBSERVED_SHARE:
            values.append(None)
            continue
        difficulty = 0.3 * index / max(1, len(items) - 1)
        values.append(_clamp(round(rng.gauss(level - difficulty, 0.55)), 1, 4))
    if all(value is None for value in values):
        values[0] = _clamp(round(level), 1, 4)
    return values


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))
