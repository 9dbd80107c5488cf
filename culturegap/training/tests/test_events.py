"""The events training sends to the apps above it: what fires, when, with which arguments."""

import datetime

import pytest

from culturegap.training import events
from culturegap.training.models import Answer, Enrollment
from culturegap.training.tests.factories import (
    LessonFactory,
    curriculum_with_lessons,
    take_curriculum,
)

SIGNALS = ("question_answered", "certificate_earned", "content_published", "content_removed")


@pytest.fixture
def sent():
    """Every training event sent during the test, as (name, arguments) in order."""
    log = []
    receivers = {}
    for name in SIGNALS:

        def receiver(sender, signal, _name=name, **kwargs):
            log.append((_name, kwargs))

        receivers[name] = receiver
        getattr(events, name).connect(receiver)
    yield log
    for name, receiver in receivers.items():
        getattr(events, name).disconnect(receiver)


def names(log, *keep):
    return [name for name, _ in log if not keep or name in keep]


def test_saving_and_deleting_a_lesson_are_content_events(company, sent):
    lesson = LessonFactory(module__curriculum__company=company)
    lesson.title = "Listening first"
    lesson.save()
    lesson_company = lesson.company_id
    lesson.delete()
    assert names(sent) == ["content_published", "content_published", "content_removed"]
    assert sent[0][1] == {"company": company}
    assert sent[2][1] == {"company_id": lesson_company}


def test_a_fixture_load_is_no_content_event(company, sent):
    lesson = LessonFactory.build(module=LessonFactory(module__curriculum__company=company).module)
    sent.clear()
    lesson.save_base(raw=True)
    assert sent == []


def test_answers_and_the_certificate_are_sent_in_the_transaction(company, staff, sent):
    curriculum = curriculum_with_lessons(company=company)
    enrollment = Enrollment.objects.create(
        company=company,
        person=staff["crp"],
        curriculum=curriculum,
        starts_on=datetime.date(2025, 1, 6),
        due_on=datetime.date(2025, 3, 31),
    )
    sent.clear()
    take_curriculum(enrollment)  # no commit in this test: nothing waits for one
    answered = [kwargs["answer"] for name, kwargs in sent if name == "question_answered"]
    assert sorted(answer.pk for answer in answered) == sorted(
        Answer.objects.filter(person=staff["crp"]).values_list("pk", flat=True)
    )
    assert names(sent, "certificate_earned") == ["certificate_earned"]
    certified = sent[-1][1]["enrollment"]
    assert certified.pk == enrollment.pk and certified.certified_at is not None


def test_a_failed_course_sends_no_certificate(company, staff, sent):
    curriculum = curriculum_with_lessons(company=company)
    enrollment = Enrollment.objects.create(
        company=company,
        person=staff["crp"],
        curriculum=curriculum,
        starts_on=datetime.date(2025, 1, 6),
        due_on=datetime.date(2025, 3, 31),
    )
    take_curriculum(enrollment, right=False)
    assert "certificate_earned" not in names(sent)
