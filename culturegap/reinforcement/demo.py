"""The reinforcement chapter of the demo: cards from the training chapter's answers, then about
three months of daily drills, so retention has a history to chart.

1. Every answer the training chapter wrote becomes card reviews through ``backfill_cards`` — the
   command an existing installation runs — with FSRS's fuzz off, so the demo is reproducible.
2. A sample of learners (at most ``MAX_DRILLING_PEOPLE``) drills on some working days of the last
   ``DRILL_DAYS`` days, after their last lesson: each learner has a habit (how often they open
   the drill; about one in five never does, so their retention decays and their manager's alert
   has names). A drill holds the cards due that morning, mixed across skills as the drill page
   builds it; a card is answered right with the probability FSRS predicts (its retrievability),
   and the learner is sure of a right answer more often than of a wrong one.
3. Those drill answers are written as ``Answer`` rows (context "drill") and turned into reviews by
   ``backfill_cards`` again: the same code, the same schedule.
4. The demo CRP login (crp@) finds a drill waiting today.
"""

import datetime
import random
import uuid
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Max
from tqdm import tqdm

from culturegap.org.demo import DEMO_EMAILS
from culturegap.org.models import Company, Person, Role
from culturegap.reinforcement import selectors
from culturegap.reinforcement.models import Card, Drill, Review
from culturegap.reinforcement.scheduling import retrievability, scheduler_for
from culturegap.reinforcement.services import (
    backfill_cards,
    question_thresholds,
    schedule_review,
    update_rows,
)
from culturegap.training.models import Answer, AnswerContext, Option

DRILL_DAYS = 84  # the twelve weeks the retention charts show
MAX_DRILLING_PEOPLE = 120
NEVER_DRILLS_SHARE = 0.2
BATCH_SIZE = 5000


def seed(*, company: Company, rng: random.Random, today: datetime.date, progress: bool) -> None:
    backfill_cards(company=company, progress=progress, fuzz=False)
    zone = ZoneInfo(company.time_zone)
    scheduler = scheduler_for(selectors.settings_for(company), fuzz=False)
    size = selectors.settings_for(company).drill_size

    cards_by_person: dict[int, list[Card]] = defaultdict(list)
    for card in Card.objects.filter(company=company).order_by("person_id", "pk"):
        cards_by_person[card.person_id].append(card)
    people = sorted(cards_by_person)
    demo_crp = Person.objects.filter(company=company, email=DEMO_EMAILS[Role.CRP]).first()
    sample = set(rng.sample(people, min(len(people), MAX_DRILLING_PEOPLE)))
    if demo_crp is not None and demo_crp.pk in cards_by_person:
        sample.add(demo_crp.pk)
    last_answer = dict(
        Answer.objects.filter(company=company, person_id__in=sample)
        .order_by()
        .values_list("person_id")
        .annotate(last=Max("answered_at"))
    )
    options = _options(company)
    thresholds = question_thresholds({c.question_id for p in sample for c in cards_by_person[p]})

    answers: list[Answer] = []
    drills: list[tuple[Drill, list[uuid.UUID]]] = []
    first_day = today - datetime.timedelta(days=DRILL_DAYS)
    for person_id in tqdm(sorted(sample), desc="Drills", unit=" people", disable=not progress):
        habit = 0.0 if rng.random() < NEVER_DRILLS_SHARE else rng.uniform(0.25, 0.9)
        if person_id == getattr(demo_crp, "pk", None):
            habit = 0.7  # the demo CRP has a habit worth showing
        cards = cards_by_person[person_id]
        start = max(first_day, last_answer[person_id].astimezone(zone).date())
        day = start + datetime.timedelta(days=1)
        while day < today:
            if day.weekday() < 5 and rng.random() < habit:
                moment = datetime.datetime.combine(
                    day, datetime.time(rng.randint(8, 17), rng.randint(0, 59)), tzinfo=zone
                )
                drill = _drill(
                    cards, moment, size, rng, scheduler, options, thresholds, answers, company
                )
                if drill is not None:
                    drills.append(drill)
            day += datetime.timedelta(days=1)

    with transaction.atomic():
        Answer.objects.bulk_create(answers, batch_size=BATCH_SIZE)
        Drill.objects.bulk_create([drill for drill, _ in drills], batch_size=BATCH_SIZE)
    backfill_cards(company=company, progress=progress, fuzz=False)
    _link_reviews_to_drills(drills)
    if demo_crp is not None:
        _drill_waiting_today(demo_crp, today, zone, size)


def _options(company: Company) -> dict[int, tuple[list[int], list[int]]]:
    """Question id → (ids of its right options, ids of its wrong ones)."""
    found: dict[int, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    rows = Option.objects.filter(question__company=company).values_list(
        "question_id", "pk", "is_correct"
    )
    for question_id, pk, right in rows.order_by("question_id", "order", "pk"):
        found[question_id][0 if right else 1].append(pk)
    return found


def _round_robin(due: list[Card], size: int) -> list[Card]:
    """The drill page's mixing (``selectors.due_cards``), on cards in memory."""
    by_skill: dict[str, list[Card]] = defaultdict(list)
    for card in sorted(due, key=lambda c: (c.due, c.pk)):
        by_skill[card.skill].append(card)
    chosen, turn = [], 0
    while len(chosen) < size and any(turn < len(queue) for queue in by_skill.values()):
        for queue in by_skill.values():
            if turn < len(queue) and len(chosen) < size:
                chosen.append(queue[turn])
        turn += 1
    return chosen


def _drill(cards, moment, size, rng, scheduler, options, thresholds, answers, company):
    """One simulated drill at ``moment``: the due cards answered as FSRS predicts; the cards
    in memory move on exactly as the reviews written later will move them."""
    due = [card for card in cards if card.due <= moment]
    chosen = _round_robin(due, size)
    if not chosen:
        return None
    request_ids = []
    at = moment
    for card in chosen:
        recall = retrievability(
            scheduler, stability=card.stability, last_review=card.last_review, at=at
        )
        right = rng.random() < recall
        sure = rng.random() < (0.8 if right else 0.35)
        response_ms = rng.randint(3_000, 30_000)
        right_ids, wrong_ids = options[card.question_id]
        option_id = rng.choice(right_ids if right or not wrong_ids else wrong_ids)
        request_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        answers.append(
            Answer(
                company=company,
                person_id=card.person_id,
                question_id=card.question_id,
                option_id=option_id,
                is_correct=right,
                context=AnswerContext.DRILL,
                confident=sure,
                response_ms=response_ms,
                answered_at=at,
                request_id=request_id,
            )
        )
        request_ids.append(request_id)
        schedule_review(
            card=card,
            scheduler=scheduler,
            correct=right,
            confident=sure,
            response_ms=response_ms,
            answered_at=at,
            fast_ms=thresholds[card.question_id],
            hold=None,
        )
        at += datetime.timedelta(milliseconds=response_ms + 5_000)
    drill = Drill(
        company=company,
        person_id=chosen[0].person_id,
        day=moment.date(),
        card_ids=[card.pk for card in chosen],
        started_at=moment,
        finished_at=at,
    )
    return drill, request_ids


def _link_reviews_to_drills(drills) -> None:
    drill_of = {rid: drill.pk for drill, rids in drills for rid in rids}
    request_ids = list(drill_of)
    for start in range(0, len(request_ids), BATCH_SIZE):
        chunk = request_ids[start : start + BATCH_SIZE]
        reviews = list(Review.objects.filter(request_id__in=chunk).only("pk", "request_id"))
        for review in reviews:
            review.drill_id = drill_of[review.request_id]
        update_rows(Review, reviews, ["drill"])


def _drill_waiting_today(person: Person, today: datetime.date, zone, size: int) -> None:
    """Bring the demo CRP's next cards forward to this morning so the demo has a drill to try;
    their schedule is otherwise FSRS's."""
    morning = datetime.datetime.combine(today, datetime.time(6), tzinfo=zone)
    due = Card.objects.filter(person=person, due__lte=morning).count()
    if due >= size:
        return
    soonest = Card.objects.filter(person=person, due__gt=morning).order_by("due", "pk")
    ids = list(soonest.values_list("pk", flat=True)[: size - due])
    Card.objects.filter(pk__in=ids).update(due=morning)
