"""Read queries of the drill: the company's settings and time, due cards, drills, the habit,
vacation holds, and the card an answer reviews."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS
from django.db.models import (
    Case,
    Exists,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from culturegap import measures
from culturegap.org.models import Company, Person
from culturegap.reinforcement.models import (
    MIN_DRILL_SIZE,
    Card,
    Drill,
    NudgePreference,
    ReinforcementSettings,
    Review,
    VacationHold,
)

# How many of the most overdue cards the drill mixes skills from.
CANDIDATE_POOL = 100
# A drill with fewer due cards than MIN_DRILL_SIZE is topped up with cards due within this long.
TOP_UP_WINDOW = datetime.timedelta(days=3)
# Seconds a drill question takes on average: reading a short scenario, choosing, the feedback.
SECONDS_PER_QUESTION = 25


_SETTINGS_MEMO = "_reinforcement_settings"
# Settings change a few times a year and are read by every drill answer and Today page, so they
# are kept in the cache; saving them forgets the copy (see ``receivers``). The timeout bounds
# how stale a per-process cache of another worker can be.
SETTINGS_CACHE_SECONDS = 300


def settings_cache_key(company_id: int) -> str:
    return f"reinforcement:settings:{company_id}"


def settings_for(company: Company | int) -> ReinforcementSettings:
    """The company's settings, or the defaults (unsaved) when it has none. Read through the
    cache, and kept on the company object once read, so one request (or one batch job) asks at
    most once."""
    if isinstance(company, Company) and hasattr(company, _SETTINGS_MEMO):
        return getattr(company, _SETTINGS_MEMO)
    company_id = company if isinstance(company, int) else company.pk
    key = settings_cache_key(company_id)
    found = cache.get(key)
    if found is None:
        found = ReinforcementSettings.objects.filter(company_id=company_id).first()
        found = found or ReinforcementSettings(company_id=company_id)
        cache.set(key, found, SETTINGS_CACHE_SECONDS)
    if isinstance(company, Company):
        setattr(company, _SETTINGS_MEMO, found)
    return found


def forget_settings(company: Company | int) -> None:
    """Drop the copies of the company's settings: on this object and in the cache."""
    if isinstance(company, Company) and hasattr(company, _SETTINGS_MEMO):
        delattr(company, _SETTINGS_MEMO)
    cache.delete(settings_cache_key(company if isinstance(company, int) else company.pk))


def zone_of(company: Company) -> ZoneInfo:
    try:
        return ZoneInfo(company.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_date(company: Company, now: datetime.datetime) -> datetime.date:
    return now.astimezone(zone_of(company)).date()


def local_midnight(company: Company, day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=zone_of(company))


def minutes_for(questions: int) -> int:
    """About how many minutes a drill of ``questions`` takes (at least one)."""
    return max(1, round(questions * SECONDS_PER_QUESTION / 60))


def cards_of(*, person: Person) -> QuerySet[Card]:
    return Card.objects.filter(company_id=person.company_id, person=person)


def not_suspended(now: datetime.datetime) -> Q:
    return Q(suspended_until__isnull=True) | Q(suspended_until__lte=now) | Q(suspended_from__gt=now)


def due_cards(*, person: Person, now: datetime.datetime, limit: int) -> list[Card]:
    """Up to ``limit`` cards due at ``now`` and not on hold, mixing skills: the skills take turns
    (round-robin), each skill's cards most overdue first, the skill with the most overdue card
    first. Mixed practice beats blocks of one skill, and no card appears twice."""
    if limit <= 0:
        return []
    candidates = list(
        cards_of(person=person)
        .filter(not_suspended(now), due__lte=now)
        .order_by("due", "pk")[:CANDIDATE_POOL]
    )
    by_skill: dict[str, list[Card]] = defaultdict(list)
    for card in candidates:  # dicts keep insertion order: skills by their most overdue card
        by_skill[card.skill].append(card)
    queues = list(by_skill.values())
    chosen: list[Card] = []
    round_number = 0
    while len(chosen) < limit and any(round_number < len(queue) for queue in queues):
        for queue in queues:
            if round_number < len(queue) and len(chosen) < limit:
                chosen.append(queue[round_number])
        round_number += 1
    return chosen


def due_count(*, person: Person, now: datetime.datetime) -> int:
    return cards_of(person=person).filter(not_suspended(now), due__lte=now).count()


def build_drill(*, person: Person, now: datetime.datetime) -> list[Card]:
    """Today's drill: the company's drill size (3–7) of due cards, mixed across skills. When
    one or two cards are due, it is topped up to three with the cards due next (within three
    days), so a drill is always worth opening; with nothing due there is no drill."""
    size = settings_for(person.company).drill_size
    cards = due_cards(person=person, now=now, limit=size)
    if 0 < len(cards) < MIN_DRILL_SIZE:
        cards += list(
            cards_of(person=person)
            .filter(not_suspended(now), due__gt=now, due__lte=now + TOP_UP_WINDOW)
            .order_by("due", "pk")[: MIN_DRILL_SIZE - len(cards)]
        )
    return cards


def drill_length(*, size: int, due_now: int, due_soon: int) -> int:
    """How many cards ``build_drill`` would choose, from how many are due now and how many
    fall due within the top-up window: the Today page counts instead of reading the cards."""
    length = min(size, due_now, CANDIDATE_POOL)
    if 0 < length < MIN_DRILL_SIZE:
        length += min(due_soon, MIN_DRILL_SIZE - length)
    return length


def open_drill(*, person: Person, day: datetime.date) -> Drill | None:
    """The learner's latest drill of ``day``, finished or not."""
    return (
        Drill.objects.filter(company_id=person.company_id, person=person, day=day)
        .order_by("-started_at", "-pk")
        .first()
    )


@dataclass
class CardToReview:
    """A learner's card read for the review of an answer, with what the review needs besides."""

    card: Card
    # The hold in force or the next one set (the one a review pushes the card past).
    hold: VacationHold | None
    drill: Drill | None
    # The drill's cards reviewed in it before this answer, and whether this card is one.
    reviewed_in_drill: int
    card_reviewed_in_drill: bool


def card_to_review(
    *, person: Person, card_id: int, drill_id: int | None, today: datetime.date
) -> CardToReview | None:
    """The learner's card ``card_id`` with its question, locked until the transaction ends so
    two answers to it are reviewed one after the other, in one query that also brings the hold
    and the drill ``drill_id`` with its progress. None when the card, or the drill asked for,
    is not the learner's."""
    holds = VacationHold.objects.filter(
        person_id=person.pk, cancelled_at__isnull=True, ends_on__gte=today
    ).order_by("starts_on")
    figures = {
        "hold_starts_on": Subquery(holds.values("starts_on")[:1]),
        "hold_ends_on": Subquery(holds.values("ends_on")[:1]),
    }
    drill_fields = ["day", "card_ids", "started_at", "finished_at"]
    if drill_id is not None:
        drills = Drill.objects.filter(company_id=person.company_id, person=person, pk=drill_id)
        drills = drills.order_by()
        reviews = Review.objects.filter(drill_id=drill_id)
        figures |= {f"drill_{name}": Subquery(drills.values(name)) for name in drill_fields}
        figures["reviewed_in_drill"] = _count(reviews, "card_id", distinct=True)
        figures["card_reviewed_in_drill"] = Exists(reviews.filter(card=OuterRef("pk")))
    found = list(
        cards_of(person=person)
        .filter(pk=card_id)
        .select_related("question")
        .select_for_update(of=("self",))
        .annotate(**figures)
    )
    if not found:
        return None
    card = found[0]
    hold = None
    if card.hold_starts_on is not None:
        hold = VacationHold(
            company_id=person.company_id,
            person=person,
            starts_on=card.hold_starts_on,
            ends_on=card.hold_ends_on,
        )
    if drill_id is None:
        return CardToReview(card, hold, None, 0, False)
    if card.drill_day is None:  # not the learner's drill
        return None
    drill = Drill.from_db(
        DEFAULT_DB_ALIAS,
        ["id", "company_id", "person_id", *drill_fields],
        [drill_id, person.company_id, person.pk]
        + [getattr(card, f"drill_{name}") for name in drill_fields],
    )
    drill.person = person
    return CardToReview(card, hold, drill, card.reviewed_in_drill, card.card_reviewed_in_drill)


def drill_progress(drill: Drill) -> tuple[list[int], set[int]]:
    """The drill's card ids in order and the ids already reviewed in it."""
    reviewed = set(drill.reviews.values_list("card_id", flat=True))
    return list(drill.card_ids), reviewed


@dataclass
class DrillCards:
    """A drill's cards as the page shows them: the next one, and how far the learner is."""

    total: int
    answered: int
    next: Card | None


def drill_cards(drill: Drill) -> DrillCards:
    """The drill's next card (with its question) and how many of its cards are
    answered, in one query (cards deleted since are skipped)."""
    answered = Review.objects.filter(drill=drill, card=OuterRef("pk"))
    cards = (
        Card.objects.filter(person_id=drill.person_id, pk__in=drill.card_ids)
        .annotate(answered=Exists(answered))
        .select_related("question")
    )
    found = {card.pk: card for card in cards}
    remaining = [found[pk] for pk in drill.card_ids if pk in found and not found[pk].answered]
    return DrillCards(
        total=len(drill.card_ids),
        answered=sum(1 for card in found.values() if card.answered),
        next=remaining[0] if remaining else None,
    )


@dataclass
class Habit:
    """The light game mechanics: never ranked against anyone else."""

    drills_today: int
    streak: int
    points: int


# Points: a finished drill is worth 10, each right answer in a drill one more.
POINTS_PER_DRILL = 10


@dataclass
class DrillRecord:
    """A learner's drills as one query sees them: today's latest drill and the habit."""

    today: datetime.date
    latest_today: Drill | None
    finished_days: set[datetime.date]
    finished: int
    finished_today: int
    right: int
    # The cards of ``latest_today`` already reviewed in it.
    reviewed_today: int = 0
    # The person-level figures asked for with the drills (``drill_record(summary=...)``).
    summary: dict = field(default_factory=dict)

    @property
    def habit(self) -> Habit:
        return Habit(
            drills_today=self.finished_today,
            streak=measures.streak(self.finished_days, today=self.today),
            points=POINTS_PER_DRILL * self.finished + self.right,
        )


def _count(queryset: QuerySet, column: str = "pk", *, distinct: bool = False) -> Subquery:
    """How many rows of ``queryset`` (or distinct values of ``column``) as a subquery: a plain
    COUNT without GROUP BY, so an empty queryset counts 0."""
    template = "COUNT(DISTINCT %(expressions)s)" if distinct else "COUNT(%(expressions)s)"
    counted = queryset.order_by().annotate(n=Func(F(column), template=template)).values("n")
    return Subquery(counted, output_field=IntegerField())


def drill_record(
    *, person: Person, today: datetime.date, summary: dict | None = None
) -> DrillRecord:
    """Every drill of the learner with its right answers, in one query whatever the size of
    the company: the drill page and the Today page both need today's drill and the habit, and
    learners open them many times a day. Only today's drills bring their card ids and how many
    of them are reviewed.

    The query reads the person's row joined with their drills, so it returns a row even for
    someone who never drilled: ``summary``, annotations over the person (``OuterRef("pk")``
    is the person), rides along on it and comes back in ``DrillRecord.summary``."""
    drill = OuterRef("drill__pk")
    right = _count(Review.objects.filter(drill=drill, correct=True))
    reviewed = _count(Review.objects.filter(drill=drill), "card_id", distinct=True)
    summary = summary or {}
    rows = (
        Person.objects.filter(pk=person.pk)
        .annotate(
            drill=FilteredRelation("drills", condition=Q(drills__company_id=person.company_id))
        )
        .annotate(**summary)
        .values_list("drill__pk", "drill__day", "drill__started_at", "drill__finished_at", *summary)
        .annotate(
            right_answers=right,
            cards_today=Case(
                When(drill__day=today, then="drill__card_ids"),
                default=Value(None),
                output_field=JSONField(),
            ),
            reviewed_today=Case(
                When(drill__day=today, then=reviewed),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .order_by("drill__started_at", "drill__pk")
    )
    record = DrillRecord(today, None, set(), 0, 0, 0)
    for pk, day, started_at, finished_at, *figures, right_answers, cards, reviewed_count in rows:
        record.summary = dict(zip(summary, figures, strict=True))
        if pk is None:  # the person's row without a drill
            continue
        record.right += right_answers
        if finished_at is not None:
            record.finished += 1
            record.finished_days.add(day)
            record.finished_today += day == today
        if day == today:
            # Ordered by start: the last of today's rows is the latest drill, as open_drill.
            record.latest_today = Drill(
                pk=pk,
                company_id=person.company_id,
                person=person,
                day=day,
                card_ids=cards or [],
                started_at=started_at,
                finished_at=finished_at,
            )
            record.reviewed_today = reviewed_count
    return record


def habit(*, person: Person, now: datetime.datetime) -> Habit:
    return drill_record(person=person, today=local_date(person.company, now)).habit


def active_hold(*, person: Person, today: datetime.date) -> VacationHold | None:
    """The hold the learner is on today, or the next one they have set."""
    return (
        VacationHold.objects.filter(
            company_id=person.company_id,
            person=person,
            cancelled_at__isnull=True,
            ends_on__gte=today,
        )
        .order_by("starts_on")
        .first()
    )


def nudge_preference(*, person: Person) -> NudgePreference:
    found = NudgePreference.objects.filter(person=person).first()
    return found or NudgePreference(company_id=person.company_id, person=person)


@dataclass
class DrillToday:
    """What the home page says about the learner's drill."""

    questions: int
    minutes: int
    finished_today: bool
    streak: int
    away: bool

    @property
    def text(self) -> str:
        streak = f" · {self.streak}-day streak" if self.streak else ""
        if self.away:
            return "Your drill is paused while you are away"
        if self.questions:
            plural = "s" if self.questions > 1 else ""
            minutes = f"{self.minutes} minute{'s' if self.minutes > 1 else ''}"
            return f"Your drill: {self.questions} question{plural} due (about {minutes}){streak}"
        if self.finished_today:
            return f"Drill done for today{streak}"
        return f"Your drill: nothing due today{streak}"


def drill_today(*, person: Person, now: datetime.datetime) -> DrillToday:
    """The questions left in today's drill (or in the drill that would start now), whether a
    drill was finished today, and the streak of days with a finished drill: one query, the
    learner's drills with the hold and the due cards counted alongside."""
    today = local_date(person.company, now)
    cards = cards_of(person=person).filter(not_suspended(now))
    record = drill_record(
        person=person,
        today=today,
        summary={
            # The hold ``active_hold`` returns has started: the earliest one not over has.
            "away": Exists(
                VacationHold.objects.filter(
                    company_id=person.company_id,
                    person=OuterRef("pk"),
                    cancelled_at__isnull=True,
                    ends_on__gte=today,
                    starts_on__lte=today,
                )
            ),
            "due_now": _count(cards.filter(due__lte=now)),
            "due_soon": _count(cards.filter(due__gt=now, due__lte=now + TOP_UP_WINDOW)),
        },
    )
    away = record.summary["away"]
    current = record.latest_today
    if away:
        questions = 0
    elif current is not None and current.finished_at is None:
        # A drill's reviews are of its own cards (``submit_review`` refuses others).
        questions = len(current.card_ids) - record.reviewed_today
    else:
        questions = drill_length(
            size=settings_for(person.company).drill_size,
            due_now=record.summary["due_now"],
            due_soon=record.summary["due_soon"],
        )
    return DrillToday(
        questions=questions,
        minutes=minutes_for(questions),
        finished_today=today in record.finished_days,
        streak=measures.streak(record.finished_days, today=today),
        away=bool(away),
    )
