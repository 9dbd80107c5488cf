"""A learner's answers in lessons and assessments become FSRS cards as they are recorded."""

import datetime
import uuid

import pytest
from django.utils import timezone

from culturegap.reinforcement.models import Card, Rating, Review
from culturegap.training import services as training
from culturegap.training.models import AssessmentKind, Audience, Enrollment, Lesson
from culturegap.training.tests.factories import curriculum_with_lessons


@pytest.fixture
def enrollment(company, staff):
    today = timezone.localdate()
    return Enrollment.objects.create(
        company=company,
        person=staff["crp"],
        curriculum=curriculum_with_lessons(company=company),
        starts_on=today - datetime.timedelta(days=7),
        due_on=today + datetime.timedelta(days=30),
    )


def submit_pre(enrollment):
    assessment = training.open_assessment(enrollment=enrollment, kind=AssessmentKind.PRE)
    choices = {
        item.pk: item.question.options.get(is_correct=True)
        for item in assessment.items.select_related("question")
    }
    training.submit_assessment(assessment=assessment, choices=choices, request_id=uuid.uuid4())
    return choices


def test_the_pre_assessment_answers_become_cards(enrollment):
    choices = submit_pre(enrollment)
    assert Card.objects.filter(person=enrollment.person).count() == len(choices) > 0
    assert Review.objects.count() == len(choices)


def test_answering_a_lesson_question_creates_a_card_once(enrollment):
    submit_pre(enrollment)
    before = Card.objects.count()
    lesson = Lesson.objects.filter(module__curriculum=enrollment.curriculum).last()
    question = lesson.questions.get(audience=Audience.SERVICE)
    request_id = uuid.uuid4()
    for _ in range(2):  # a double submit
        training.answer_lesson_question(
            enrollment=enrollment,
            question=question,
            option=question.options.filter(is_correct=False).first(),
            confident=True,
            response_ms=4000,
            request_id=request_id,
        )
    made = Card.objects.get(person=enrollment.person, question=question)
    assert Card.objects.count() in {before, before + 1}
    [review] = Review.objects.filter(card=made, request_id=request_id)
    assert review.rating == Rating.AGAIN  # confidently wrong
