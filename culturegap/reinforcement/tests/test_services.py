"""Answers become card reviews; drills; idempotent submission; vacation holds; backfill."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError

from culturegap.reinforcement import selectors, services
from culturegap.reinforcement.models import (
    Card,
    CardState,
    Drill,
    Rating,
    ReinforcementSettings,
    Review,
    VacationHold,
)
from culturegap.reinforcement.tests.factories import UTC, answer, card, make_question
from culturegap.training.models import Answer, AnswerContext

MONDAY = datetime.datetime(2026, 3, 2, 9, tzinfo=UTC)


def right_option(question):
    return question.options.get(is_correct=True)


def wrong_option(question):
    return question.options.filter(is_correct=False).first()


@pytest.fixture
def crp(staff):
    return staff["crp"]


@pytest.mark.parametrize("context", AnswerContext.values)
def test_first_answer_in_any_context_creates_and_reviews_a_card(crp, context):
    question = make_question(crp.company, skill="open")
    review = services.review_from_answer(answer=answer(crp, question, context=context, at=MONDAY))
    made = Card.objects.get(person=crp, question=question)
    assert made.skill == "open" and made.reps == 1 and made.state == CardState.REVIEW
    assert made.last_review == MONDAY and made.due > MONDAY
    assert review.card == made and review.rating == Rating.GOOD
    assert review.scheduled_due_before is None and review.scheduled_due_after == made.due


def test_a_later_answer_reviews_the_same_card_again(crp):
    question = make_question(crp.company)
    services.review_from_answer(answer=answer(crp, question, at=MONDAY))
    first_due = Card.objects.get().due
    later = MONDAY + datetime.timedelta(days=5)
    review = services.review_from_answer(answer=answer(crp, question, at=later))
    again = Card.objects.get()
    assert again.reps == 2 and again.last_review == later
    assert review.scheduled_due_before == first_due
    assert Review.objects.count() == 2


def test_reviewing_the_same_answer_twice_records_nothing_new(crp):
    question = make_question(crp.company)
    given = answer(crp, question, at=MONDAY)
    first = services.review_from_answer(answer=given)
    before = Card.objects.values().get()
    second = services.review_from_answer(answer=given)
    assert second.pk == first.pk
    assert Review.objects.count() == 1
    assert Card.objects.values().get() == before


def test_a_wrong_answer_comes_back_sooner_than_a_right_one(crp, staff):
    question = make_question(crp.company)
    services.review_from_answer(answer=answer(crp, question, right=False, at=MONDAY))
    other = staff["manager"]
    services.review_from_answer(answer=answer(other, question, right=True, at=MONDAY))
    wrong_card = Card.objects.get(person=crp)
    right_card = Card.objects.get(person=other)
    assert wrong_card.due == MONDAY + datetime.timedelta(days=1)
    assert wrong_card.due < right_card.due
    assert wrong_card.stability < right_card.stability


def test_forgetting_a_learnt_card_counts_a_lapse(crp):
    question = make_question(crp.company)
    services.review_from_answer(answer=answer(crp, question, at=MONDAY))
    later = MONDAY + datetime.timedelta(days=4)
    review = services.review_from_answer(
        answer=answer(crp, question, right=False, confident=True, at=later)
    )
    assert review.rating == Rating.AGAIN
    assert Card.objects.get().lapses == 1


def test_submit_review_twice_with_one_request_id_records_one_review(crp):
    question = make_question(crp.company)
    due = card(crp, question, due=MONDAY)
    request_id = uuid.uuid4()
    kwargs = dict(
        person=crp,
        card=due,
        option=wrong_option(question),
        confident=True,
        response_ms=4000,
        request_id=request_id,
        now=MONDAY,
    )
    first = services.submit_review(**kwargs)
    second = services.submit_review(**kwargs)
    assert first.review.pk == second.review.pk
    assert Review.objects.count() == 1
    assert Answer.objects.filter(context=AnswerContext.DRILL).count() == 1
    assert not first.correct and first.chosen == wrong_option(question)
    assert first.correct_options == [right_option(question)]


def test_a_request_id_cannot_be_reused_by_someone_else(crp, staff):
    question = make_question(crp.company)
    request_id = uuid.uuid4()
    services.submit_review(
        person=crp,
        card=card(crp, question, due=MONDAY),
        option=right_option(question),
        confident=None,
        response_ms=None,
        request_id=request_id,
        now=MONDAY,
    )
    manager = staff["manager"]
    with pytest.raises(ValidationError):
        services.submit_review(
            person=manager,
            card=card(manager, question, due=MONDAY),
            option=right_option(question),
            confident=None,
            response_ms=None,
            request_id=request_id,
            now=MONDAY,
        )


def test_submit_review_refuses_another_persons_card_and_another_questions_option(crp, staff):
    question = make_question(crp.company)
    other_question = make_question(crp.company)
    mine = card(crp, question, due=MONDAY)
    theirs = card(staff["manager"], question, due=MONDAY)
    base = dict(person=crp, confident=None, response_ms=None, now=MONDAY)
    with pytest.raises(ValidationError):
        services.submit_review(
            card=theirs, option=right_option(question), request_id=uuid.uuid4(), **base
        )
    with pytest.raises(ValidationError):
        services.submit_review(
            card=mine, option=right_option(other_question), request_id=uuid.uuid4(), **base
        )
    assert Review.objects.count() == 0


def _drill_all(person, drill, now):
    for card_id in drill.card_ids:
        due = Card.objects.get(pk=card_id)
        services.submit_review(
            person=person,
            card=due,
            option=right_option(due.question),
            confident=True,
            response_ms=20_000,
            request_id=uuid.uuid4(),
            now=now,
            drill=drill,
        )


def test_a_drill_has_the_company_size_and_finishes_when_every_card_is_answered(crp):
    ReinforcementSettings.objects.create(company=crp.company, drill_size=4)
    for n in range(6):
        card(crp, make_question(crp.company), due=MONDAY - datetime.timedelta(hours=n + 1))
    drill = services.start_drill(person=crp, now=MONDAY)
    assert len(drill.card_ids) == 4
    assert services.start_drill(person=crp, now=MONDAY) == drill  # reopening the page
    _drill_all(crp, drill, MONDAY)
    drill.refresh_from_db()
    assert drill.finished_at == MONDAY
    assert services.start_drill(person=crp, now=MONDAY) == drill  # done for today
    another = services.start_drill(person=crp, now=MONDAY, another=True)
    assert another != drill and len(another.card_ids) == 2
    habit = selectors.habit(person=crp, now=MONDAY)
    assert habit.drills_today == 1 and habit.streak == 1 and habit.points == 10 + 4


def test_no_drill_when_nothing_is_due(crp):
    card(crp, make_question(crp.company), due=MONDAY + datetime.timedelta(days=9))
    assert services.start_drill(person=crp, now=MONDAY) is None
    assert Drill.objects.count() == 0


def test_a_vacation_hold_pushes_due_dates_back_by_its_length(crp):
    # London is on GMT in early March: local midnight is UTC midnight.
    before = card(crp, make_question(crp.company), due=MONDAY + datetime.timedelta(days=1))
    during = card(crp, make_question(crp.company), due=MONDAY + datetime.timedelta(days=5))
    after = card(crp, make_question(crp.company), due=MONDAY + datetime.timedelta(days=30))
    hold = services.set_vacation_hold(
        person=crp,
        starts_on=datetime.date(2026, 3, 4),
        ends_on=datetime.date(2026, 3, 13),
        now=MONDAY,
    )
    assert hold.days == 10
    back = datetime.datetime(2026, 3, 14, tzinfo=UTC)
    for made in (before, during, after):
        made.refresh_from_db()
        assert made.suspended_until == back
    assert before.due == MONDAY + datetime.timedelta(days=1)  # before the hold: unchanged
    assert during.due == MONDAY + datetime.timedelta(days=15)
    assert after.due == MONDAY + datetime.timedelta(days=40)
    # Before leaving, the card due before the hold can still be drilled.
    assert selectors.due_cards(person=crp, now=MONDAY + datetime.timedelta(days=1), limit=5) == [
        before
    ]
    # Away: no drill, even for the card that was due before leaving.
    away = datetime.datetime(2026, 3, 6, 9, tzinfo=UTC)
    assert selectors.due_cards(person=crp, now=away, limit=5) == []
    assert services.start_drill(person=crp, now=away) is None
    # Back: the card left from before the hold is there again.
    assert selectors.due_cards(person=crp, now=back, limit=5) == [before]


def test_ending_a_hold_early_gives_back_the_unused_days(crp):
    during = card(crp, make_question(crp.company), due=MONDAY + datetime.timedelta(days=5))
    services.set_vacation_hold(
        person=crp,
        starts_on=datetime.date(2026, 3, 4),
        ends_on=datetime.date(2026, 3, 13),
        now=MONDAY,
    )
    back_early = datetime.datetime(2026, 3, 9, 9, tzinfo=UTC)  # 5 of 10 days unused
    hold = services.cancel_vacation_hold(person=crp, now=back_early)
    during.refresh_from_db()
    assert during.due == MONDAY + datetime.timedelta(days=10)
    assert during.suspended_until is None
    assert hold.ends_on == datetime.date(2026, 3, 8) and hold.cancelled_at == back_early


def test_cancelling_a_hold_before_it_starts_undoes_it(crp):
    during = card(crp, make_question(crp.company), due=MONDAY + datetime.timedelta(days=5))
    services.set_vacation_hold(
        person=crp,
        starts_on=datetime.date(2026, 3, 4),
        ends_on=datetime.date(2026, 3, 13),
        now=MONDAY,
    )
    services.cancel_vacation_hold(person=crp, now=MONDAY)
    during.refresh_from_db()
    assert during.due == MONDAY + datetime.timedelta(days=5)


@pytest.mark.parametrize(
    ("starts_on", "ends_on"),
    [
        (datetime.date(2026, 3, 1), datetime.date(2026, 3, 5)),  # in the past
        (datetime.date(2026, 3, 6), datetime.date(2026, 3, 5)),  # ends before it starts
        (datetime.date(2026, 3, 3), datetime.date(2026, 9, 1)),  # too long
    ],
)
def test_a_bad_hold_is_refused(crp, starts_on, ends_on):
    with pytest.raises(ValidationError):
        services.set_vacation_hold(person=crp, starts_on=starts_on, ends_on=ends_on, now=MONDAY)
    assert VacationHold.objects.count() == 0


def test_only_one_hold_at_a_time(crp):
    services.set_vacation_hold(
        person=crp,
        starts_on=datetime.date(2026, 3, 4),
        ends_on=datetime.date(2026, 3, 5),
        now=MONDAY,
    )
    with pytest.raises(ValidationError):
        services.set_vacation_hold(
            person=crp,
            starts_on=datetime.date(2026, 4, 4),
            ends_on=datetime.date(2026, 4, 5),
            now=MONDAY,
        )


def test_a_review_that_falls_due_in_a_hold_is_pushed_back_too(crp, monkeypatch):
    question = make_question(crp.company)
    services.set_vacation_hold(
        person=crp,
        starts_on=datetime.date(2026, 3, 3),
        ends_on=datetime.date(2026, 3, 9),
        now=MONDAY,
    )
    monkeypatch.setattr("django.utils.timezone.now", lambda: MONDAY)
    services.review_from_answer(answer=answer(crp, question, right=False, at=MONDAY))
    made = Card.objects.get()
    # Wrong → due tomorrow (3 March), the hold's first day → 7 days later.
    assert made.due == MONDAY + datetime.timedelta(days=8)


def test_backfill_builds_the_same_cards_as_answering_one_by_one(crp, monkeypatch):
    questions = [make_question(crp.company, skill=skill) for skill in ("open", "discover")]
    history = [
        (questions[0], True, None, 0),
        (questions[1], False, True, 0),
        (questions[0], True, False, 3),
        (questions[1], True, True, 4),
    ]
    for question, right, sure, days in history:
        answer(crp, question, right=right, confident=sure, at=MONDAY + datetime.timedelta(days))
    result = services.backfill_cards(company=crp.company, fuzz=False)
    assert (result.answers, result.cards_created) == (4, 2)
    backfilled = {c.question_id: (c.due, c.stability, c.reps) for c in Card.objects.all()}
    assert Review.objects.count() == 4

    # Running it again finds nothing to do.
    assert services.backfill_cards(company=crp.company).answers == 0
    assert Review.objects.count() == 4

    # The same answers through review_from_answer, one at a time, with fuzz off too.
    Review.objects.all().delete()
    Card.objects.all().delete()
    unfuzzed = services.scheduler_for
    monkeypatch.setattr(
        services, "scheduler_for", lambda settings, fuzz=True: unfuzzed(settings, fuzz=False)
    )
    for given in Answer.objects.order_by("answered_at", "pk"):
        services.review_from_answer(answer=given)
    one_by_one = {c.question_id: (c.due, c.stability, c.reps) for c in Card.objects.all()}
    assert one_by_one == backfilled
