"""Test helpers for reinforcement: answers to questions, and cards as if already reviewed."""

import datetime
import uuid

from culturegap.reinforcement.models import Card, CardState
from culturegap.training.models import Answer, AnswerContext, Question
from culturegap.training.tests.factories import LessonFactory, question_with_options

UTC = datetime.UTC


def make_question(company, *, skill="discover", lesson=None, **fields) -> Question:
    """A question with three options (the second right) in ``company``."""
    lesson = lesson or LessonFactory(
        module__curriculum__company=company,
        module__company=company,
        company=company,
    )
    return question_with_options(lesson=lesson, company=company, skill=skill, **fields)


def answer(
    person,
    question,
    *,
    right=True,
    confident=None,
    response_ms=None,
    at=None,
    context=AnswerContext.LESSON,
):
    """An Answer row as the training pages write it (no review yet)."""
    option = question.options.filter(is_correct=right).first()
    return Answer.objects.create(
        company_id=person.company_id,
        person=person,
        question=question,
        option=option,
        is_correct=right,
        context=context,
        confident=confident,
        response_ms=response_ms,
        answered_at=at or datetime.datetime(2026, 3, 2, 9, tzinfo=UTC),
        request_id=uuid.uuid4(),
    )


def card(person, question, *, due, stability=3.0, last_review=None, **fields) -> Card:
    """A card already in review, due at ``due``."""
    return Card.objects.create(
        company_id=person.company_id,
        person=person,
        question=question,
        skill=question.skill,
        state=CardState.REVIEW,
        stability=stability,
        difficulty=5.0,
        due=due,
        last_review=last_review or due - datetime.timedelta(days=3),
        reps=1,
        **fields,
    )
