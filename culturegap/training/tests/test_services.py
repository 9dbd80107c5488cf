"""Rollout and learning services: assignment, lesson answers, assessments, certificates."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from culturegap.org.tests.factories import PersonFactory, TeamFactory
from culturegap.training import events, selectors, services
from culturegap.training.models import (
    Answer,
    AnswerContext,
    Assessment,
    AssessmentKind,
    Assignment,
    Audience,
    Enrollment,
    Lesson,
    LessonProgress,
    Question,
)
from culturegap.training.tests.factories import curriculum_with_lessons

START = datetime.date(2025, 1, 6)
DUE = datetime.date(2025, 3, 31)


@pytest.fixture
def curriculum(company):
    return curriculum_with_lessons(company=company, pass_mark=75)


def assign(curriculum, staff, *, teams=(), people=(), wave=1, starts_on=START, due_on=DUE):
    return services.assign_curriculum(
        curriculum=curriculum,
        teams=teams,
        people=people,
        wave=wave,
        starts_on=starts_on,
        due_on=due_on,
        actor=staff["admin"],
    )


def enroll(curriculum, person, *, starts_on=START, due_on=DUE):
    return Enrollment.objects.create(
        company=person.company,
        person=person,
        curriculum=curriculum,
        starts_on=starts_on,
        due_on=due_on,
    )


def right_option(question):
    return question.options.get(is_correct=True)


def wrong_option(question):
    return question.options.filter(is_correct=False).first()


def take_assessment(enrollment, kind, *, right: int | None = None):
    """Opens and submits an assessment, answering the first ``right`` items right (all by
    default) and the rest wrong."""
    assessment = services.open_assessment(enrollment=enrollment, kind=kind)
    items = list(assessment.items.select_related("question"))
    right = len(items) if right is None else right
    choices = {
        item.pk: (right_option if n < right else wrong_option)(item.question)
        for n, item in enumerate(items)
    }
    return services.submit_assessment(
        assessment=assessment, choices=choices, request_id=uuid.uuid4()
    )


def answer(enrollment, question, option=None, *, request_id=None, confident=None, ms=None):
    return services.answer_lesson_question(
        enrollment=enrollment,
        question=question,
        option=option or right_option(question),
        confident=confident,
        response_ms=ms,
        request_id=request_id or uuid.uuid4(),
    )


def do_all_lessons(enrollment):
    audience = Audience.SERVICE
    for question in Question.objects.filter(
        lesson__module__curriculum=enrollment.curriculum, audience=audience
    ):
        answer(enrollment, question)


# --- Assignment ----------------------------------------------------------------------------------


def test_assigning_a_team_enrolls_every_active_member(curriculum, staff, company):
    team = staff["crp"].team  # Client Service: the manager and the CRP
    PersonFactory(company=company, team=team, name="Left Last Year", is_active=False)
    result = assign(curriculum, staff, teams=[team], wave=2)
    enrolled = Enrollment.objects.filter(curriculum=curriculum)
    assert {e.person for e in enrolled} == {staff["crp"], staff["manager"]}
    assert result.enrolled == 2 and result.already_enrolled == 0
    first = enrolled.first()
    assert (first.wave, first.starts_on, first.due_on) == (2, START, DUE)
    assert first.assignment.team == team and first.assignment.created_by == staff["admin"]


def test_assignment_is_idempotent(curriculum, staff):
    team = staff["crp"].team
    assign(curriculum, staff, teams=[team], people=[staff["sales"]])
    again = assign(curriculum, staff, teams=[team], people=[staff["sales"]])
    assert again.enrolled == 0 and again.already_enrolled == 3
    assert Enrollment.objects.filter(curriculum=curriculum).count() == 3
    assert Assignment.objects.filter(curriculum=curriculum).count() == 2


def test_people_already_enrolled_keep_their_wave_and_dates(curriculum, staff):
    assign(curriculum, staff, people=[staff["crp"]], wave=1)
    later = assign(
        curriculum,
        staff,
        teams=[staff["crp"].team],
        wave=2,
        starts_on=datetime.date(2025, 4, 1),
        due_on=datetime.date(2025, 6, 30),
    )
    assert later.enrolled == 1 and later.already_enrolled == 1
    crp = Enrollment.objects.get(person=staff["crp"])
    assert (crp.wave, crp.starts_on) == (1, START)
    assert Enrollment.objects.get(person=staff["manager"]).wave == 2


def test_a_person_in_a_team_and_listed_is_enrolled_once(curriculum, staff):
    result = assign(curriculum, staff, teams=[staff["crp"].team], people=[staff["crp"]])
    assert result.enrolled == 2
    assert Enrollment.objects.filter(person=staff["crp"]).count() == 1


def test_inactive_people_listed_are_not_enrolled(curriculum, staff, company):
    gone = PersonFactory(company=company, is_active=False)
    result = assign(curriculum, staff, people=[gone])
    assert result.inactive == 1 and result.enrolled == 0
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize("what", ["curriculum", "teams", "people"])
def test_another_companys_objects_are_refused(curriculum, staff, other_company, what):
    theirs = {
        "curriculum": curriculum_with_lessons(company=other_company),
        "teams": TeamFactory(company=other_company),
        "people": PersonFactory(company=other_company),
    }[what]
    kwargs = {"curriculum": curriculum, "teams": [staff["crp"].team], "people": []}
    kwargs[what] = theirs if what == "curriculum" else [theirs]
    with pytest.raises(ValidationError) as error:
        services.assign_curriculum(
            **kwargs, wave=1, starts_on=START, due_on=DUE, actor=staff["admin"]
        )
    assert what in error.value.message_dict
    assert not Enrollment.objects.exists() and not Assignment.objects.exists()


def test_due_before_start_and_nobody_are_refused(curriculum, staff):
    with pytest.raises(ValidationError) as error:
        assign(curriculum, staff, starts_on=DUE, due_on=START)
    assert set(error.value.message_dict) == {"teams", "due_on"}
    assert not Assignment.objects.exists()


def test_due_on_the_start_date_is_fine(curriculum, staff):
    assert assign(curriculum, staff, people=[staff["crp"]], due_on=START).enrolled == 1


# --- Lessons -------------------------------------------------------------------------------------


@pytest.fixture
def enrollment(curriculum, staff):
    return enroll(curriculum, staff["crp"])


def test_lessons_wait_for_the_start_date(curriculum, staff):
    tomorrow = timezone.localdate() + datetime.timedelta(days=2)
    later = enroll(curriculum, staff["crp"], starts_on=tomorrow, due_on=tomorrow)
    with pytest.raises(services.NotAvailable):
        services.open_assessment(enrollment=later, kind=AssessmentKind.PRE)
    assert later.started_at is None


def test_lessons_wait_for_the_starting_check(enrollment):
    lesson = Lesson.objects.filter(module__curriculum=enrollment.curriculum).first()
    with pytest.raises(services.NotAvailable):
        services.open_lesson(enrollment=enrollment, lesson=lesson)
    services.open_assessment(enrollment=enrollment, kind=AssessmentKind.PRE)
    with pytest.raises(services.NotAvailable):  # opened, but not done yet
        services.open_lesson(enrollment=enrollment, lesson=lesson)


def test_opening_the_pre_assessment_starts_the_enrollment(enrollment):
    moment = timezone.now() - datetime.timedelta(hours=3)
    services.open_assessment(enrollment=enrollment, kind=AssessmentKind.PRE, at=moment)
    enrollment.refresh_from_db()
    assert enrollment.started_at == moment


def test_answering_every_question_completes_the_lesson(enrollment):
    take_assessment(enrollment, AssessmentKind.PRE)
    lesson = Lesson.objects.filter(module__curriculum=enrollment.curriculum).first()
    progress = services.open_lesson(enrollment=enrollment, lesson=lesson)
    assert progress.completed_at is None
    question = lesson.questions.get(audience=Audience.SERVICE)
    result = answer(enrollment, question, wrong_option(question), confident=True, ms=5400)
    assert result.recorded and result.lesson_completed
    assert not result.answer.is_correct
    assert (result.answer.confident, result.answer.response_ms) == (True, 5400)
    assert LessonProgress.objects.get(lesson=lesson).completed_at == result.answer.answered_at


def test_a_lesson_with_two_questions_needs_both(company, staff):
    curriculum = curriculum_with_lessons(company=company, audiences=(Audience.SERVICE,))
    enrollment = enroll(curriculum, staff["crp"])
    take_assessment(enrollment, AssessmentKind.PRE)
    lesson = Lesson.objects.filter(module__curriculum=curriculum).first()
    extra = Question.objects.create(
        company=company, lesson=lesson, key="extra", skill="open", audience="service", scenario="?"
    )
    extra.options.create(text="Yes", is_correct=True, feedback="Right.")
    first = lesson.questions.exclude(pk=extra.pk).get()
    assert not answer(enrollment, first).lesson_completed
    assert answer(enrollment, extra).lesson_completed


def test_the_same_request_records_one_answer(enrollment):
    take_assessment(enrollment, AssessmentKind.PRE)
    question = Question.objects.filter(
        lesson__module__curriculum=enrollment.curriculum, audience=Audience.SERVICE
    ).first()
    request_id = uuid.uuid4()
    first = answer(enrollment, question, wrong_option(question), request_id=request_id)
    again = answer(enrollment, question, wrong_option(question), request_id=request_id)
    assert first.recorded and not again.recorded
    assert again.answer == first.answer
    assert Answer.objects.filter(context=AnswerContext.LESSON).count() == 1


def test_the_first_answer_counts(enrollment):
    take_assessment(enrollment, AssessmentKind.PRE)
    question = Question.objects.filter(
        lesson__module__curriculum=enrollment.curriculum, audience=Audience.SERVICE
    ).first()
    first = answer(enrollment, question, wrong_option(question))
    second = answer(enrollment, question, right_option(question))
    assert not second.recorded and second.answer == first.answer
    assert not second.answer.is_correct


def test_another_audiences_question_is_refused(enrollment):
    take_assessment(enrollment, AssessmentKind.PRE)
    question = Question.objects.filter(
        lesson__module__curriculum=enrollment.curriculum, audience=Audience.SALES
    ).first()
    with pytest.raises(ValidationError):
        answer(enrollment, question)
    assert not Answer.objects.filter(context=AnswerContext.LESSON).exists()


def test_an_option_of_another_question_is_refused(enrollment):
    take_assessment(enrollment, AssessmentKind.PRE)
    first, second = Question.objects.filter(
        lesson__module__curriculum=enrollment.curriculum, audience=Audience.SERVICE
    )[:2]
    with pytest.raises(ValidationError) as error:
        answer(enrollment, first, right_option(second))
    assert "option" in error.value.message_dict


# --- Assessments ---------------------------------------------------------------------------------


def test_pre_and_post_cover_the_same_skills_with_different_questions(company, staff):
    curriculum = curriculum_with_lessons(
        company=company, modules=3, lessons_per_module=4, skills=("open", "discover", "close")
    )  # 12 lessons: four questions per skill and audience → two each in the pre and the post
    enrollment = enroll(curriculum, staff["crp"])
    pre = take_assessment(enrollment, AssessmentKind.PRE)
    do_all_lessons(enrollment)
    post = services.open_assessment(enrollment=enrollment, kind=AssessmentKind.POST)
    pre_questions = [item.question for item in pre.items.select_related("question")]
    post_questions = [item.question for item in post.items.select_related("question")]
    assert len(pre_questions) == len(post_questions) == 6
    assert sorted(q.skill for q in pre_questions) == sorted(q.skill for q in post_questions)
    assert not {q.pk for q in pre_questions} & {q.pk for q in post_questions}
    assert {q.audience for q in pre_questions + post_questions} == {Audience.SERVICE}


def test_the_draw_is_stable_per_enrollment_and_differs_between_them():
    bank = {"open": list(range(1, 21)), "close": list(range(21, 41))}
    draw = selectors.draw_assessment(bank=bank, seed="a", kind=AssessmentKind.PRE)
    assert draw == selectors.draw_assessment(bank=bank, seed="a", kind=AssessmentKind.PRE)
    others = {
        tuple(selectors.draw_assessment(bank=bank, seed=s, kind=AssessmentKind.PRE))
        for s in "bcdefg"
    }
    assert len(others | {tuple(draw)}) > 1


@pytest.mark.parametrize(
    ("available", "each"), [(1, 0), (2, 1), (3, 1), (4, 2), (9, 2)], ids=lambda v: str(v)
)
def test_questions_per_skill(available, each):
    bank = {"open": list(range(available))}
    pre = selectors.draw_assessment(bank=bank, seed="x", kind=AssessmentKind.PRE)
    post = selectors.draw_assessment(bank=bank, seed="x", kind=AssessmentKind.POST)
    assert len(pre) == len(post) == each
    assert not set(pre) & set(post)


def test_opening_an_assessment_twice_gives_the_same_one(enrollment):
    first = services.open_assessment(enrollment=enrollment, kind=AssessmentKind.PRE)
    again = services.open_assessment(enrollment=enrollment, kind=AssessmentKind.PRE)
    assert first == again and Assessment.objects.count() == 1


def test_the_post_waits_for_every_lesson(enrollment):
    take_assessment(enrollment, AssessmentKind.PRE)
    with pytest.raises(services.NotAvailable):
        services.open_assessment(enrollment=enrollment, kind=AssessmentKind.POST)


def test_score_is_percent_right_overall_and_per_skill(company, staff):
    # Two skills × four questions per audience → the pre has two questions per skill.
    curriculum = curriculum_with_lessons(company=company, modules=2, lessons_per_module=4)
    enrollment = enroll(curriculum, staff["crp"])
    assessment = services.open_assessment(enrollment=enrollment, kind=AssessmentKind.PRE)
    items = list(assessment.items.select_related("question").order_by("question__skill", "pk"))
    assert [item.question.skill for item in items] == ["discover"] * 2 + ["open"] * 2
    # discover: right, right; open: right, wrong → 3 of 4 = 75; discover 100, open 50.
    pick = [right_option, right_option, right_option, wrong_option]
    choices = {item.pk: choose(item.question) for item, choose in zip(items, pick, strict=True)}
    done = services.submit_assessment(
        assessment=assessment, choices=choices, request_id=uuid.uuid4()
    )
    assert done.score == 75
    results = selectors.assessment_results(enrollment=enrollment)
    assert {s.skill: s.pre for s in results.skills} == {"discover": 100, "open": 50}
    assert Answer.objects.filter(context=AnswerContext.PRE).count() == 4


def test_submitting_twice_records_once(enrollment):
    assessment = services.open_assessment(enrollment=enrollment, kind=AssessmentKind.PRE)
    choices = {item.pk: wrong_option(item.question) for item in assessment.items.all()}
    request_id = uuid.uuid4()
    services.submit_assessment(assessment=assessment, choices=choices, request_id=request_id)
    again = services.submit_assessment(
        assessment=assessment,
        choices={pk: right_option(o.question) for pk, o in choices.items()},
        request_id=request_id,
    )
    assert again.score == 0
    assert Answer.objects.count() == len(choices)


def test_an_incomplete_submission_writes_nothing(enrollment):
    assessment = services.open_assessment(enrollment=enrollment, kind=AssessmentKind.PRE)
    items = list(assessment.items.select_related("question"))
    with pytest.raises(ValidationError) as error:
        services.submit_assessment(
            assessment=assessment,
            choices={items[0].pk: right_option(items[0].question)},
            request_id=uuid.uuid4(),
        )
    assert f"item-{items[1].pk}" in error.value.message_dict
    assert not Answer.objects.exists()
    assessment.refresh_from_db()
    assert assessment.completed_at is None and assessment.score is None


# --- Completion and certificates -----------------------------------------------------------------


def test_not_complete_before_the_post_assessment(enrollment):
    take_assessment(enrollment, AssessmentKind.PRE)
    do_all_lessons(enrollment)
    enrollment.refresh_from_db()
    assert enrollment.completed_at is None and enrollment.certified_at is None


def test_completed_and_certified_after_the_lessons_and_a_passing_post(enrollment):
    take_assessment(enrollment, AssessmentKind.PRE, right=0)
    do_all_lessons(enrollment)
    post = take_assessment(enrollment, AssessmentKind.POST)
    enrollment.refresh_from_db()
    assert post.score == 100
    assert enrollment.completed_at == post.completed_at == enrollment.certified_at
    assert selectors.enrollment_progress(enrollment=enrollment).next_step.kind == "certificate"


def test_below_the_pass_mark_completes_without_a_certificate(company, staff):
    curriculum = curriculum_with_lessons(
        company=company, modules=2, lessons_per_module=4, pass_mark=80
    )
    enrollment = enroll(curriculum, staff["crp"])
    take_assessment(enrollment, AssessmentKind.PRE)
    do_all_lessons(enrollment)
    post = take_assessment(enrollment, AssessmentKind.POST, right=3)  # 3 of 4 → 75 < 80
    enrollment.refresh_from_db()
    assert post.score == 75
    assert enrollment.completed_at is not None and enrollment.certified_at is None


def test_exactly_the_pass_mark_passes(company, staff):
    curriculum = curriculum_with_lessons(
        company=company, modules=2, lessons_per_module=4, pass_mark=75
    )
    enrollment = enroll(curriculum, staff["crp"])
    take_assessment(enrollment, AssessmentKind.PRE)
    do_all_lessons(enrollment)
    take_assessment(enrollment, AssessmentKind.POST, right=3)  # 75 = pass mark
    enrollment.refresh_from_db()
    assert enrollment.certified_at is not None


def test_pass_rule():
    assert services.passes(score=80, pass_mark=80)
    assert not services.passes(score=79.99, pass_mark=80)
    assert not services.passes(score=None, pass_mark=0)


def test_a_lesson_without_a_question_for_the_learner_is_done_once_opened(company, staff):
    curriculum = curriculum_with_lessons(company=company, audiences=(Audience.SALES,))
    enrollment = enroll(curriculum, staff["crp"])  # a service-desk CRP: no scenario of theirs
    take_assessment(enrollment, AssessmentKind.PRE)
    lesson = Lesson.objects.filter(module__curriculum=curriculum).first()
    assert services.open_lesson(enrollment=enrollment, lesson=lesson).completed_at is not None


# --- Retaking a failed final check ---------------------------------------------------------------


@pytest.fixture
def failed(company, staff):
    """A CRP who did the lessons and scored 50 on a final check whose pass mark is 80
    (8 lessons: 4 questions per skill and audience, 2 in the pre, 2 left for each post)."""
    curriculum = curriculum_with_lessons(
        company=company, modules=2, lessons_per_module=4, pass_mark=80
    )
    enrollment = enroll(curriculum, staff["crp"])
    take_assessment(enrollment, AssessmentKind.PRE)
    do_all_lessons(enrollment)
    post = take_assessment(enrollment, AssessmentKind.POST, right=2)  # 2 of 4 → 50
    assert post.score == 50
    enrollment.refresh_from_db()
    return enrollment


@pytest.fixture
def certificates():
    """The ids of the enrollments ``events.certificate_earned`` is sent for, in order."""
    earned = []

    def receiver(sender, *, enrollment, **kwargs):
        earned.append(enrollment.pk)

    events.certificate_earned.connect(receiver)
    yield earned
    events.certificate_earned.disconnect(receiver)


def test_a_failed_final_check_can_be_retaken_and_certifies_when_passed(failed, certificates):
    completed_at = failed.completed_at
    pre_questions = set(
        Assessment.objects.get(enrollment=failed, kind=AssessmentKind.PRE).items.values_list(
            "question_id", flat=True
        )
    )
    answers_before = Answer.objects.filter(context=AnswerContext.POST).count()

    post = services.retake_final_check(enrollment=failed)

    assert post.attempt == 2 and post.completed_at is None and post.score is None
    assert [(a.number, a.score) for a in post.attempts.all()] == [(1, 50.0)]
    retake_questions = set(post.items.values_list("question_id", flat=True))
    assert len(retake_questions) == 4 and not retake_questions & pre_questions
    progress = selectors.enrollment_progress(enrollment=failed)
    assert progress.next_step.kind == "post"
    assert progress.next_step.label == "Retake the final check (attempt 2)"
    # The first attempt's answers stay (they are the learner's history and drill cards).
    assert Answer.objects.filter(context=AnswerContext.POST).count() == answers_before

    again = take_assessment(failed, AssessmentKind.POST)
    failed.refresh_from_db()
    assert again.score == 100 and again.attempt == 2
    assert failed.certified_at == again.completed_at
    assert failed.completed_at == completed_at  # completed when first done
    assert certificates == [failed.pk]
    results = selectors.assessment_results(enrollment=failed)
    assert results.post_score == 100 and results.retakes_left == 0
    assert [a.score for a in results.earlier_attempts] == [50.0]
    with pytest.raises(services.NotAvailable, match="passed"):
        services.retake_final_check(enrollment=failed)


def test_the_final_check_may_be_taken_three_times(failed):
    assert selectors.assessment_results(enrollment=failed).retakes_left == 2
    for attempt in (2, 3):
        services.retake_final_check(enrollment=failed)
        take_assessment(failed, AssessmentKind.POST, right=0)
        results = selectors.assessment_results(enrollment=failed)
        assert results.attempt == attempt
        assert results.retakes_left == selectors.FINAL_CHECK_ATTEMPTS - attempt
    with pytest.raises(services.NotAvailable, match="3 times"):
        services.retake_final_check(enrollment=failed)
    post = Assessment.objects.get(enrollment=failed, kind=AssessmentKind.POST)
    assert [(a.number, a.score) for a in post.attempts.all()] == [(1, 50.0), (2, 0.0)]
    assert post.attempt == 3 and post.score == 0
    failed.refresh_from_db()
    assert failed.certified_at is None


def test_no_retake_before_the_final_check_is_done(company, staff):
    curriculum = curriculum_with_lessons(company=company, pass_mark=80)
    enrollment = enroll(curriculum, staff["crp"])
    with pytest.raises(services.NotAvailable, match="Finish the final check"):
        services.retake_final_check(enrollment=enrollment)
    take_assessment(enrollment, AssessmentKind.PRE)
    do_all_lessons(enrollment)
    services.open_assessment(enrollment=enrollment, kind=AssessmentKind.POST)
    with pytest.raises(services.NotAvailable, match="Finish the final check"):
        services.retake_final_check(enrollment=enrollment)
    assert not Assessment.objects.filter(attempt__gt=1).exists()
