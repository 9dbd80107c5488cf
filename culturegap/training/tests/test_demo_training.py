"""Tests of the training chapter of the demo: the starter pack, two waves, a learning history
that follows the definitions of the training services, and the two fixed demo logins."""

import datetime
import random
from collections import defaultdict

import pytest
from django.db.models import Count, Max

from culturegap.demo.company import DEMO_CHAPTERS, remove_demo_company, seed_demo_company
from culturegap.language.models import Playbook, PlaybookStatus
from culturegap.org.demo import DEMO_EMAILS
from culturegap.org.models import CRP_TEAM_KINDS, Person, Role, Team, TeamKind
from culturegap.training import demo
from culturegap.training.models import (
    Answer,
    AnswerContext,
    Assessment,
    AssessmentKind,
    Assignment,
    Curriculum,
    Enrollment,
    Lesson,
    LessonProgress,
    Question,
    audience_for,
)
from culturegap.training.packs import STARTER_PACK, read_pack

TODAY = datetime.date(2026, 6, 30)


@pytest.fixture(scope="module")
def small_demo(django_db_setup, django_db_blocker):
    """One small demo for every test of this file (it takes a few seconds to write)."""
    with django_db_blocker.unblock():
        result = seed_demo_company(people=40, customers=100, today=TODAY)
        yield result.company
        remove_demo_company()


@pytest.fixture
def company(small_demo, db):
    return small_demo


def test_training_is_the_first_demo_chapter():
    assert DEMO_CHAPTERS[0] == demo.seed


def test_the_starter_pack_is_loaded_and_published(company):
    starter, _ = read_pack(STARTER_PACK.read_bytes())
    playbook = Playbook.objects.get(company=company)
    assert (playbook.version, playbook.status) == (1, PlaybookStatus.PUBLISHED)
    curriculum = Curriculum.objects.get(company=company)
    assert curriculum.key == starter["curricula"][0]["key"]


def test_two_waves_with_their_dates(company):
    crp_teams = list(Team.objects.filter(company=company, kind__in=CRP_TEAM_KINDS).order_by("name"))
    half = -(-len(crp_teams) // 2)
    sales_teams = set(Team.objects.filter(company=company, kind=TeamKind.SALES))
    by_wave = defaultdict(set)
    for assignment in Assignment.objects.filter(company=company).select_related("team"):
        by_wave[assignment.wave].add(assignment.team)
        start = TODAY - datetime.timedelta(days=270 if assignment.wave == 1 else 150)
        assert assignment.starts_on == start
        assert assignment.due_on == start + datetime.timedelta(days=60)

    assert by_wave[1] == set(crp_teams[:half])
    assert by_wave[2] == set(crp_teams[half:]) | sales_teams
    assert not Assignment.objects.filter(company=company, team__kind=TeamKind.OTHER).exists()


def test_enrollments_only_for_people_in_assigned_teams(company):
    assigned = {a.team_id: a for a in Assignment.objects.filter(company=company)}
    enrolled = Enrollment.objects.filter(company=company).select_related("person")

    assert {e.person_id for e in enrolled} == set(
        Person.objects.filter(company=company, team_id__in=assigned).values_list("pk", flat=True)
    )
    for enrollment in enrolled:
        assignment = assigned[enrollment.person.team_id]
        assert enrollment.assignment_id == assignment.pk
        assert enrollment.wave == assignment.wave
        assert enrollment.starts_on == assignment.starts_on
        assert enrollment.enrolled_at.date() == assignment.starts_on


def test_the_demo_crp_has_a_next_lesson_to_take(company):
    enrollment = Enrollment.objects.get(person__email=DEMO_EMAILS[Role.CRP])

    assert enrollment.started_at is not None and enrollment.completed_at is None
    pre = Assessment.objects.get(enrollment=enrollment, kind=AssessmentKind.PRE)
    assert pre.completed_at is not None and pre.score is not None
    assert not Assessment.objects.filter(enrollment=enrollment, kind=AssessmentKind.POST).exists()
    progress = LessonProgress.objects.filter(enrollment=enrollment)
    assert progress.count() == progress.filter(completed_at__isnull=False).count() == 4
    first_four = Lesson.objects.filter(module__curriculum=enrollment.curriculum).order_by(
        "module__order", "order"
    )[:4]
    assert {p.lesson_id for p in progress} == {lesson.pk for lesson in first_four}


def test_the_demo_manager_has_finished_and_is_certified(company):
    enrollment = Enrollment.objects.get(person__email=DEMO_EMAILS[Role.MANAGER])
    lessons = Lesson.objects.filter(module__curriculum=enrollment.curriculum).count()

    assert enrollment.completed_at is not None
    assert enrollment.certified_at == enrollment.completed_at
    assert enrollment.lessons.filter(completed_at__isnull=False).count() == lessons
    post = Assessment.objects.get(enrollment=enrollment, kind=AssessmentKind.POST)
    assert post.score >= enrollment.curriculum.pass_mark


def test_the_waves_are_where_a_staggered_rollout_would_be(company):
    stats = {
        row["wave"]: row
        for row in Enrollment.objects.filter(company=company)
        .values("wave")
        .annotate(n=Count("pk"), completed=Count("completed_at"), started=Count("started_at"))
    }
    assert stats[1]["completed"] / stats[1]["n"] > 0.6
    assert 0 < stats[2]["completed"] < stats[2]["n"]
    overdue = Enrollment.objects.filter(company=company, completed_at__isnull=True)
    assert overdue.exists()
    assert overdue.count() < Enrollment.objects.filter(company=company).count() / 2


def test_the_history_follows_the_definitions(company):
    cutoff = datetime.datetime.combine(TODAY, datetime.time(0), tzinfo=datetime.UTC)
    pass_mark = Curriculum.objects.get(company=company).pass_mark
    lessons = Lesson.objects.filter(company=company).count()
    questions = {q.pk: q for q in Question.objects.filter(company=company)}
    enrollments = Enrollment.objects.filter(company=company).select_related("person__team")
    for enrollment in enrollments:
        person = enrollment.person
        audience = audience_for(person)
        assessments = {a.kind: a for a in enrollment.assessments.all()}
        answers = Answer.objects.filter(person=person)
        if enrollment.started_at is None:
            assert not assessments and not answers.exists()
            continue
        pre = assessments[AssessmentKind.PRE]
        assert enrollment.started_at == pre.started_at
        assert enrollment.started_at.date() >= enrollment.starts_on
        pre_items = list(pre.items.select_related("answer"))
        pre_skills = sorted(questions[item.question_id].skill for item in pre_items)
        assert len(pre_skills) == len(set(pre_skills)) == 8
        assert all(questions[item.question_id].audience == audience for item in pre_items)
        assert pre.score == 100 * sum(i.answer.is_correct for i in pre_items) / len(pre_items)
        assert {i.answer.context for i in pre_items} == {AnswerContext.PRE}

        for progress in enrollment.lessons.all():
            lesson_answers = answers.filter(
                context=AnswerContext.LESSON, question__lesson_id=progress.lesson_id
            )
            wanted = [q for q in questions.values() if q.lesson_id == progress.lesson_id]
            assert sorted(a.question_id for a in lesson_answers) == sorted(
                q.pk for q in wanted if q.audience == audience
            )
            last = lesson_answers.aggregate(last=Max("answered_at"))["last"]
            assert progress.completed_at == last
            assert progress.started_at >= pre.completed_at
            assert progress.completed_at < cutoff

        post = assessments.get(AssessmentKind.POST)
        if enrollment.completed_at is None:
            assert post is None and enrollment.certified_at is None
            continue
        assert enrollment.lessons.filter(completed_at__isnull=False).count() == lessons
        assert enrollment.completed_at == post.completed_at
        post_items = list(post.items.all())
        assert sorted(questions[i.question_id].skill for i in post_items) == pre_skills
        assert not {i.question_id for i in post_items} & {i.question_id for i in pre_items}
        certified = post.score >= pass_mark
        assert (enrollment.certified_at is not None) == certified
        if certified:
            assert enrollment.certified_at == enrollment.completed_at


def test_answers_improve_from_pre_to_post(company):
    def percent(kind):
        answers = Answer.objects.filter(company=company, context=kind)
        return 100 * answers.filter(is_correct=True).count() / answers.count()

    assert 45 < percent(AnswerContext.PRE) < 75
    assert 75 < percent(AnswerContext.POST) <= 95
    assert percent(AnswerContext.PRE) < percent(AnswerContext.LESSON) < percent(AnswerContext.POST)


def test_a_big_demo_details_only_a_sample(company, monkeypatch):
    learners = list(Person.objects.filter(company=company, enrollments__isnull=False))
    monkeypatch.setattr(demo, "MAX_DETAILED_PEOPLE", 5)

    sample = demo._detailed_sample(learners, random.Random(1))

    emails = {p.email for p in learners if p.pk in sample}
    assert len(sample) == 5
    assert {DEMO_EMAILS[Role.CRP], DEMO_EMAILS[Role.MANAGER]} <= emails


def test_remove_deletes_the_history_in_pieces(company, monkeypatch):
    monkeypatch.setattr(demo, "REMOVE_BATCH", 100)
    answers = Answer.objects.filter(company=company).count()
    assert answers > 100

    demo.remove(company=company)

    assert not Answer.objects.filter(company=company).exists()
    assert Enrollment.objects.filter(company=company).exists()  # the rest goes with the company
