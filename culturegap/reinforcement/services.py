"""Actions of reinforcement: an answer becomes a card review, drills, vacation holds, settings.

Every question a learner answers — in a lesson, an assessment or a drill — becomes a card the
first time and is reviewed again at every later answer (``review_from_answer``). The drill page
records its answers through ``submit_review``, which writes the ``Answer`` (context "drill") and
then reviews the card through the same function. Both are idempotent on the answer's request id.
"""

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from tqdm import tqdm

from culturegap.org.models import Company, Person
from culturegap.reinforcement import selectors
from culturegap.reinforcement.models import (
    MAX_DRILL_SIZE,
    MIN_DRILL_SIZE,
    Card,
    CardState,
    Drill,
    NudgePreference,
    Rating,
    ReinforcementSettings,
    Review,
    VacationHold,
)
from culturegap.reinforcement.scheduling import (
    copy_from_fsrs,
    fast_threshold_ms,
    rating_for,
    scheduler_for,
    to_fsrs,
    utc,
)
from culturegap.training.models import Answer, AnswerContext, Option, Question

# Longest response time kept; anything longer is a learner who left the page open.
MAX_RESPONSE_MS = 10 * 60 * 1000
LONGEST_HOLD_DAYS = 92
# The columns a review changes on a card.
SCHEDULE_FIELDS = [
    "state",
    "step",
    "stability",
    "difficulty",
    "due",
    "last_review",
    "reps",
    "lapses",
    "suspended_from",
    "suspended_until",
]


@dataclass(frozen=True)
class HoldWindow:
    """A vacation hold in absolute time: from local midnight of its first day to local
    midnight after its last day."""

    starts: datetime.datetime
    ends: datetime.datetime
    days: int


def _hold_window(hold: VacationHold | None, company: Company) -> HoldWindow | None:
    if hold is None:
        return None
    return HoldWindow(
        starts=selectors.local_midnight(company, hold.starts_on),
        ends=selectors.local_midnight(company, hold.ends_on + datetime.timedelta(days=1)),
        days=hold.days,
    )


def _apply_hold(card: Card, hold: HoldWindow | None) -> None:
    """A card that falls due during or after a hold's start is pushed back by the hold's length,
    and none is drilled while it lasts."""
    if hold is None:
        return
    if card.due >= hold.starts:
        card.due += datetime.timedelta(days=hold.days)
    card.suspended_from, card.suspended_until = hold.starts, hold.ends


def question_thresholds(question_ids: Iterable[int]) -> dict[int, int]:
    """The "fast" threshold of each question, in milliseconds (see ``scheduling``)."""
    texts: dict[int, list[str]] = defaultdict(list)
    for question_id, text in Option.objects.filter(question_id__in=question_ids).values_list(
        "question_id", "text"
    ):
        texts[question_id].append(text)
    scenarios = Question.objects.filter(pk__in=question_ids).values_list("pk", "scenario")
    return {pk: fast_threshold_ms(scenario=s, options=texts[pk]) for pk, s in scenarios}


def schedule_review(
    *,
    card: Card,
    scheduler,
    correct: bool,
    confident: bool | None,
    response_ms: int | None,
    answered_at: datetime.datetime,
    fast_ms: int,
    hold: HoldWindow | None,
) -> Review:
    """Review ``card`` in memory with the rating the answer earns and return the (unsaved)
    review: the one place where an answer meets the scheduler, used by ``review_from_answer``,
    ``backfill_cards`` and the demo's simulated drills."""
    at = utc(answered_at)
    if card.last_review is not None and at < card.last_review:
        at = utc(card.last_review)  # answers replayed out of order never go back in time
    rating = rating_for(
        correct=correct, confident=confident, response_ms=response_ms, fast_ms=fast_ms
    )
    due_before = card.due if card.reps else None
    was_learnt = card.reps > 0 and card.state == CardState.REVIEW
    scheduled, _log = scheduler.review_card(to_fsrs(card), rating, review_datetime=at)
    copy_from_fsrs(card, scheduled)
    card.reps += 1
    if rating == Rating.AGAIN and was_learnt:
        card.lapses += 1
    _apply_hold(card, hold)
    return Review(
        company_id=card.company_id,
        card=card,
        person_id=card.person_id,
        rating=int(rating),
        correct=correct,
        confident=confident,
        response_ms=response_ms,
        answered_at=answered_at,
        scheduled_due_before=due_before,
        scheduled_due_after=card.due,
        stability_after=card.stability,
        difficulty_after=card.difficulty,
    )


def _hold_for(person_id: int, company: Company, now: datetime.datetime) -> HoldWindow | None:
    hold = (
        VacationHold.objects.filter(
            person_id=person_id,
            cancelled_at__isnull=True,
            ends_on__gte=selectors.local_date(company, now),
        )
        .order_by("starts_on")
        .first()
    )
    return _hold_window(hold, company)


def review_from_answer(*, answer: Answer, drill: Drill | None = None) -> Review:
    """Turn one answer into a card review: the first answer to a question creates the learner's
    card, every answer reviews it with the rating the answer earns. Idempotent: a second call
    for the same answer (same request id) returns the review already recorded."""
    with transaction.atomic():
        existing = Review.objects.filter(request_id=answer.request_id).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                return _review_new_answer(answer=answer, drill=drill)
        except IntegrityError:
            # The same answer reviewed at the same moment by another request: keep theirs.
            return Review.objects.get(request_id=answer.request_id)


def _review_new_answer(
    *,
    answer: Answer,
    drill: Drill | None,
    options: list[Option] | None = None,
    read: selectors.CardToReview | None = None,
) -> Review:
    """``read``, the card already read and locked with its hold, saves reading them again."""
    company = answer.company  # no query when the caller built the answer from objects
    question = answer.question
    if read is not None:
        card, hold = read.card, _hold_window(read.hold, company)
    else:
        card, _ = Card.objects.select_for_update().get_or_create(
            person_id=answer.person_id,
            question_id=answer.question_id,
            defaults={
                "company_id": answer.company_id,
                "skill": question.skill,
                "due": answer.answered_at,
            },
        )
        hold = _hold_for(answer.person_id, company, timezone.now())
    if options is None:
        texts = list(Option.objects.filter(question_id=question.pk).values_list("text", flat=True))
    else:
        texts = [option.text for option in options]
    review = schedule_review(
        card=card,
        scheduler=scheduler_for(selectors.settings_for(company)),
        correct=answer.is_correct,
        confident=answer.confident,
        response_ms=answer.response_ms,
        answered_at=answer.answered_at,
        fast_ms=fast_threshold_ms(scenario=question.scenario, options=texts),
        hold=hold,
    )
    review.answer = answer
    review.drill = drill
    review.request_id = answer.request_id
    review.save()
    card.save(update_fields=SCHEDULE_FIELDS)
    return review


def update_rows(model, rows: list, fields: list[str]) -> None:
    """Save ``fields`` of many rows with one prepared UPDATE run for each row (executemany).
    Django's ``bulk_update`` builds a CASE expression per field and batch, which costs minutes
    for the tens of thousands of cards a backfill touches; this costs seconds."""
    if not rows:
        return
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in columns)
    sql = (
        f"UPDATE {connection.ops.quote_name(meta.db_table)} SET {assignments} "
        f"WHERE {connection.ops.quote_name(meta.pk.column)} = %s"
    )
    params = [
        [f.get_db_prep_save(getattr(row, f.attname), connection) for f in columns] + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


@dataclass
class BackfillResult:
    answers: int
    cards_created: int
    reviews: int


def backfill_cards(
    *, company: Company, progress: bool = False, fuzz: bool = True, batch_people: int = 200
) -> BackfillResult:
    """Build cards and reviews from every answer of ``company`` that has no review yet, oldest
    first per person, in bulk — for history written before reinforcement existed (the demo).
    The same ``schedule_review`` as ``review_from_answer`` rates and schedules each answer;
    running it again finds nothing new to do. ``fuzz=False`` makes the result reproducible."""
    scheduler = scheduler_for(selectors.settings_for(company), fuzz=fuzz)
    reviewed = Review.objects.filter(company=company, request_id__isnull=False)
    answers = Answer.objects.filter(company=company).exclude(
        request_id__in=reviewed.values("request_id")
    )
    person_ids = sorted(set(answers.values_list("person_id", flat=True)))
    question_skill = dict(Question.objects.filter(company=company).values_list("pk", "skill"))
    thresholds = question_thresholds(question_skill)
    now = timezone.now()
    result = BackfillResult(0, 0, 0)
    bar = tqdm(total=len(person_ids), desc="Cards", unit=" people", disable=not progress)
    for start in range(0, len(person_ids), batch_people):
        chunk = person_ids[start : start + batch_people]
        with transaction.atomic():
            cards = {
                (card.person_id, card.question_id): card
                for card in Card.objects.select_for_update().filter(person_id__in=chunk)
            }
            holds = {
                pid: _hold_for(pid, company, now)
                for pid in VacationHold.objects.filter(
                    person_id__in=chunk, cancelled_at__isnull=True
                ).values_list("person_id", flat=True)
            }
            new_cards: dict[tuple[int, int], Card] = {}
            reviews: list[Review] = []
            rows = (
                answers.filter(person_id__in=chunk)
                .order_by("person_id", "answered_at", "pk")
                .values_list(
                    "pk",
                    "person_id",
                    "question_id",
                    "is_correct",
                    "confident",
                    "response_ms",
                    "answered_at",
                    "request_id",
                )
            )
            for pk, person_id, question_id, correct, confident, ms, at, request_id in rows:
                key = (person_id, question_id)
                card = cards.get(key)
                if card is None:
                    card = Card(
                        company=company,
                        person_id=person_id,
                        question_id=question_id,
                        skill=question_skill[question_id],
                        due=at,
                        created_at=at,
                    )
                    cards[key] = new_cards[key] = card
                review = schedule_review(
                    card=card,
                    scheduler=scheduler,
                    correct=correct,
                    confident=confident,
                    response_ms=ms,
                    answered_at=at,
                    fast_ms=thresholds[question_id],
                    hold=holds.get(person_id),
                )
                review.answer_id = pk
                review.request_id = request_id
                reviews.append(review)
            Card.objects.bulk_create(new_cards.values(), batch_size=2000)
            touched = {id(review.card) for review in reviews}
            update_rows(
                Card,
                [c for k, c in cards.items() if k not in new_cards and id(c) in touched],
                SCHEDULE_FIELDS,
            )
            for review in reviews:
                review.card_id = review.card.pk
            Review.objects.bulk_create(reviews, batch_size=2000)
        result.answers += len(reviews)
        result.reviews += len(reviews)
        result.cards_created += len(new_cards)
        bar.update(len(chunk))
    bar.close()
    return result


# --- The drill -------------------------------------------------------------------------------


def start_drill(*, person: Person, now: datetime.datetime, another: bool = False) -> Drill | None:
    """Today's drill for ``person``: the one already started today unless it is finished and
    ``another`` round is asked for; else a new drill of due cards (None when nothing is due or
    the learner is on a vacation hold)."""
    today = selectors.local_date(person.company, now)
    current = selectors.open_drill(person=person, day=today)
    if current is not None and (current.finished_at is None or not another):
        return current  # the common case, a drill under way: nothing to write, no lock
    with transaction.atomic():
        # One drill at a time per learner, even with two tabs opening the page at once.
        Person.objects.select_for_update().filter(pk=person.pk).first()
        current = selectors.open_drill(person=person, day=today)
        if current is not None and (current.finished_at is None or not another):
            return current
        hold = selectors.active_hold(person=person, today=today)
        if hold is not None and hold.starts_on <= today:
            return current
        cards = selectors.build_drill(person=person, now=now)
        if not cards:
            return current
        return Drill.objects.create(
            company_id=person.company_id,
            person=person,
            day=today,
            card_ids=[card.pk for card in cards],
            started_at=now,
        )


@dataclass
class ReviewResult:
    review: Review
    chosen: Option
    correct_options: list[Option]
    drill: Drill | None
    remaining: int

    @property
    def correct(self) -> bool:
        return self.review.correct


def submit_review(
    *,
    person: Person,
    card: Card,
    option: Option,
    confident: bool | None,
    response_ms: int | None,
    request_id: uuid.UUID,
    now: datetime.datetime,
    drill: Drill | None = None,
    options: list[Option] | None = None,
    read: selectors.CardToReview | None = None,
) -> ReviewResult:
    """Record a drill answer: an ``Answer`` (context "drill") and the card's review. The same
    ``request_id`` again (a double click, a retried request) records nothing new and returns
    the same result. ``options``, the question's options when the caller has them already,
    saves reading them again; so does ``read`` (``selectors.card_to_review`` in this
    transaction) for the card, its hold and the drill's progress."""
    if card.person_id != person.pk or card.company_id != person.company_id:
        raise ValidationError("This card belongs to someone else.")
    if option.question_id != card.question_id:
        raise ValidationError("That option belongs to another question.")
    if drill is not None and (drill.person_id != person.pk or card.pk not in drill.card_ids):
        raise ValidationError("That card is not part of this drill.")
    if response_ms is not None:
        response_ms = max(0, min(int(response_ms), MAX_RESPONSE_MS))
    correct_options = (
        [option for option in options if option.is_correct]
        if options is not None
        else list(Option.objects.filter(question_id=card.question_id, is_correct=True))
    )
    with transaction.atomic():
        try:
            # The unique request id is the idempotency check: no read before the insert.
            with transaction.atomic():
                answer = Answer.objects.create(
                    company=person.company,
                    person=person,
                    question=card.question,
                    option=option,
                    is_correct=option.is_correct,
                    context=AnswerContext.DRILL,
                    confident=confident,
                    response_ms=response_ms,
                    answered_at=now,
                    request_id=request_id,
                )
                review = _review_new_answer(answer=answer, drill=drill, options=options, read=read)
        except IntegrityError:  # recorded before, or by a concurrent request with this id
            review = Review.objects.select_related("answer").get(request_id=request_id)
            if review.person_id != person.pk:
                raise ValidationError("This request id was already used.") from None
            read = None
        remaining = 0
        if review.drill_id:
            drill = review.drill
            if read is not None:
                remaining = (
                    len(drill.card_ids) - read.reviewed_in_drill - (not read.card_reviewed_in_drill)
                )
            else:
                order, reviewed = selectors.drill_progress(drill)
                remaining = len([pk for pk in order if pk not in reviewed])
            if not remaining and drill.finished_at is None:
                drill.finished_at = now
                drill.save(update_fields=["finished_at"])
        return ReviewResult(
            review=review,
            chosen=review.answer.option if review.answer else None,
            correct_options=correct_options,
            drill=review.drill,
            remaining=remaining,
        )


# --- Vacation hold ---------------------------------------------------------------------------


def set_vacation_hold(
    *, person: Person, starts_on: datetime.date, ends_on: datetime.date, now: datetime.datetime
) -> VacationHold:
    """Hold the learner's drills and digests from ``starts_on`` to ``ends_on`` (local dates,
    inclusive). Every card due on or after the first day is pushed back by the hold's length in
    days, so intervals stretch by the time away; cards due before it keep their date (they can
    still be done before leaving). No card is drilled until the hold is over. Retention keeps
    falling while away: FSRS measures time since the last review, and so do we."""
    today = selectors.local_date(person.company, now)
    if starts_on < today:
        raise ValidationError("A hold cannot start in the past.")
    if ends_on < starts_on:
        raise ValidationError("The last day must be on or after the first day.")
    if (ends_on - starts_on).days + 1 > LONGEST_HOLD_DAYS:
        raise ValidationError(f"A hold lasts at most {LONGEST_HOLD_DAYS} days.")
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        if selectors.active_hold(person=person, today=today) is not None:
            raise ValidationError("You already have a hold; cancel it before setting another.")
        hold = VacationHold.objects.create(
            company_id=person.company_id,
            person=person,
            starts_on=starts_on,
            ends_on=ends_on,
            created_at=now,
        )
        window = _hold_window(hold, person.company)
        cards = Card.objects.filter(company_id=person.company_id, person=person)
        cards.filter(due__gte=window.starts).update(
            due=F("due") + datetime.timedelta(days=window.days)
        )
        cards.update(suspended_from=window.starts, suspended_until=window.ends)
        return hold


def cancel_vacation_hold(*, person: Person, now: datetime.datetime) -> VacationHold | None:
    """End the learner's hold today (or drop it if it has not started): the days not used are
    taken back off the due dates that were pushed back."""
    today = selectors.local_date(person.company, now)
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        hold = selectors.active_hold(person=person, today=today)
        if hold is None:
            return None
        window = _hold_window(hold, person.company)
        unused = (hold.ends_on - max(today, hold.starts_on)).days + 1
        if today <= hold.starts_on:
            unused = hold.days
        cards = Card.objects.filter(company_id=person.company_id, person=person)
        shifted_from = window.starts + datetime.timedelta(days=window.days)
        cards.filter(due__gte=shifted_from).update(due=F("due") - datetime.timedelta(days=unused))
        cards.update(suspended_from=None, suspended_until=None)
        hold.cancelled_at = now
        if today > hold.starts_on:
            hold.ends_on = today - datetime.timedelta(days=1)
        hold.save(update_fields=["cancelled_at", "ends_on"])
        return hold


# --- Preferences and settings ----------------------------------------------------------------


def set_nudge_preference(
    *, person: Person, daily_digest: bool, weekly_alert: bool
) -> NudgePreference:
    with transaction.atomic():
        preference, _ = NudgePreference.objects.update_or_create(
            person=person,
            defaults={
                "company_id": person.company_id,
                "daily_digest": daily_digest,
                "weekly_alert": weekly_alert,
            },
        )
        return preference


def update_settings(*, company: Company, **values) -> ReinforcementSettings:
    """Save the company's reinforcement settings after checking every field."""
    with transaction.atomic():
        settings, _ = ReinforcementSettings.objects.select_for_update().get_or_create(
            company=company
        )
        for name, value in values.items():
            setattr(settings, name, value)
        settings.full_clean()
        if not MIN_DRILL_SIZE <= settings.drill_size <= MAX_DRILL_SIZE:
            raise ValidationError({"drill_size": "Between 3 and 7."})
        settings.save()
        selectors.forget_settings(company)
        return settings
