"""Rolling training out and taking it: assignments and enrollments, lesson answers, pre- and
post-assessments, completion and certificates.

The dates written here follow one set of definitions that the impact analysis and the demo rely
on:

- ``Enrollment.started_at``: when the first lesson was opened or the pre-assessment started;
- ``LessonProgress.completed_at``: when the learner has answered every question of their
  audience in the lesson (at once, if the lesson has none);
- ``Enrollment.completed_at``: when every lesson is completed and the post-assessment is done;
- ``Enrollment.certified_at``: set at completion when the post-assessment score (percent right)
  is at least the curriculum's pass mark.

Every function that writes takes keyword-only arguments, runs in one transaction and accepts an
``at`` moment (default now) so history can be written for the demo. What the apps above do about
an answer or a certificate, they do as receivers of ``training.events``.
"""

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from culturegap import measures
from culturegap.org import scope
from culturegap.org.models import Person, Team
from culturegap.training import events, selectors
from culturegap.training.models import (
    Answer,
    AnswerContext,
    Assessment,
    AssessmentAttempt,
    AssessmentItem,
    AssessmentKind,
    Assignment,
    Curriculum,
    Enrollment,
    Lesson,
    LessonProgress,
    Option,
    Question,
    audience_for,
)


class NotAvailable(Exception):
    """The learner cannot take this step yet (the wave has not started, the starting check or
    the lessons come first); the message says why."""


# --- Rollout -------------------------------------------------------------------------------------


@dataclass
class AssignmentResult:
    assignments: list[Assignment] = field(default_factory=list)
    enrolled: int = 0
    already_enrolled: int = 0
    inactive: int = 0


def assign_curriculum(
    *,
    curriculum: Curriculum,
    teams: Iterable[Team],
    people: Iterable[Person],
    wave: int,
    starts_on: datetime.date,
    due_on: datetime.date,
    actor: Person,
    at: datetime.datetime | None = None,
) -> AssignmentResult:
    """Assign ``curriculum`` to teams and people in a wave, and enroll every active member.

    One ``Assignment`` per team and per person (the same call again finds them rather than
    adding more). People already enrolled in the curriculum keep their enrollment untouched and
    are counted in ``already_enrolled``; inactive people listed by name are counted in
    ``inactive`` and not enrolled. Raises ``ValidationError`` (by field) and writes nothing when
    anything belongs to another company than the actor's, no team or person is given, the due
    date is before the start date or the wave is below 1.
    """
    teams, people = list(teams), list(people)
    company_id = actor.company_id
    errors: dict[str, str] = {}
    if company_id is None or curriculum.company_id != company_id:
        errors["curriculum"] = "This curriculum is not one of your company's."
    if any(team.company_id != company_id for team in teams):
        errors["teams"] = "Every team must be one of your company's."
    if any(person.company_id != company_id for person in people):
        errors["people"] = "Every person must work in your company."
    if not teams and not people and "teams" not in errors:
        errors["teams"] = "Choose at least one team or person."
    if due_on < starts_on:
        errors["due_on"] = "The due date cannot be before the start date."
    if wave < 1:
        errors["wave"] = "Waves are numbered from 1."
    if errors:
        raise ValidationError(errors)

    at = at or timezone.now()
    result = AssignmentResult()
    with transaction.atomic():
        already = set(
            Enrollment.objects.filter(curriculum=curriculum).values_list("person_id", flat=True)
        )
        members: dict[int, list[Person]] = defaultdict(list)
        for member in Person.objects.filter(
            company_id=company_id, team__in=teams, is_active=True
        ).order_by("pk"):
            members[member.team_id].append(member)
        new: list[Enrollment] = []
        seen: set[int] = set()

        def enroll(person: Person, assignment: Assignment) -> None:
            if person.pk in seen:
                return
            seen.add(person.pk)
            if person.pk in already:
                result.already_enrolled += 1
                return
            new.append(
                Enrollment(
                    company_id=company_id,
                    person=person,
                    curriculum=curriculum,
                    assignment=assignment,
                    wave=wave,
                    enrolled_at=at,
                    starts_on=starts_on,
                    due_on=due_on,
                )
            )

        def assignment_for(**target) -> Assignment:
            assignment, _ = Assignment.objects.get_or_create(
                company_id=company_id,
                curriculum=curriculum,
                wave=wave,
                starts_on=starts_on,
                due_on=due_on,
                **target,
                defaults={"created_by": actor, "created_at": at},
            )
            result.assignments.append(assignment)
            return assignment

        for team in dict.fromkeys(teams):
            assignment = assignment_for(team=team, person=None)
            for member in members[team.pk]:
                enroll(member, assignment)
        for person in dict.fromkeys(people):
            assignment = assignment_for(team=None, person=person)
            if not person.is_active:
                result.inactive += 1
                continue
            enroll(person, assignment)
        Enrollment.objects.bulk_create(new, batch_size=1000)
        result.enrolled = len(new)
    return result


# --- Starting and lessons ------------------------------------------------------------------------


def _check_open(enrollment: Enrollment, at: datetime.datetime) -> None:
    starts_on = enrollment.starts_on
    if starts_on > scope.company_today(enrollment.company, at=at):
        raise NotAvailable(f"This curriculum starts on {starts_on.day} {starts_on:%B %Y}.")


def _mark_started(enrollment: Enrollment, at: datetime.datetime) -> None:
    if enrollment.started_at is None:
        Enrollment.objects.filter(pk=enrollment.pk, started_at__isnull=True).update(started_at=at)
        enrollment.started_at = at


def _pre_done(enrollment: Enrollment) -> bool:
    return Assessment.objects.filter(
        enrollment=enrollment, kind=AssessmentKind.PRE, completed_at__isnull=False
    ).exists()


def _lesson_of_curriculum(enrollment: Enrollment, lesson: Lesson) -> None:
    if lesson.module.curriculum_id != enrollment.curriculum_id:
        raise ValidationError({"lesson": "This lesson is not part of the curriculum."})


def _complete_lesson_if_answered(
    *, progress: LessonProgress, enrollment: Enrollment, at: datetime.datetime
) -> bool:
    """Marks the lesson completed once every question of the learner's audience has a lesson
    answer; returns whether it is completed."""
    if progress.completed_at is not None:
        return True
    wanted = set(
        Question.objects.filter(
            lesson_id=progress.lesson_id, audience=audience_for(enrollment.person)
        ).values_list("pk", flat=True)
    )
    answered = set(
        Answer.objects.filter(
            person_id=enrollment.person_id,
            question_id__in=wanted,
            context=AnswerContext.LESSON,
        ).values_list("question_id", flat=True)
    )
    if wanted - answered:
        return False
    progress.completed_at = at
    progress.save(update_fields=["completed_at"])
    _complete_if_done(enrollment=enrollment, at=at)
    return True


def open_lesson(
    *, enrollment: Enrollment, lesson: Lesson, at: datetime.datetime | None = None
) -> LessonProgress:
    """The learner opens a lesson: records that they started it (and the curriculum). A lesson
    with no question for the learner's audience is completed on opening. Raises
    ``NotAvailable`` before the start date or before the starting check is done."""
    at = at or timezone.now()
    _lesson_of_curriculum(enrollment, lesson)
    _check_open(enrollment, at)
    if not _pre_done(enrollment):
        raise NotAvailable("Take the starting check first: it shows what you already know.")
    with transaction.atomic():
        progress, _ = LessonProgress.objects.get_or_create(
            enrollment=enrollment,
            lesson=lesson,
            defaults={"company_id": enrollment.company_id, "started_at": at},
        )
        _mark_started(enrollment, at)
        _complete_lesson_if_answered(progress=progress, enrollment=enrollment, at=at)
    return progress


@dataclass
class LessonAnswer:
    answer: Answer
    recorded: bool  # False when the learner had answered already (a retry, a double submit)
    lesson_completed: bool


def answer_lesson_question(
    *,
    enrollment: Enrollment,
    question: Question,
    option: Option,
    confident: bool | None,
    response_ms: int | None,
    request_id: uuid.UUID,
    at: datetime.datetime | None = None,
) -> LessonAnswer:
    """Records a learner's answer to a question of a lesson and completes the lesson when it
    was the last one of their audience.

    The first answer to a question is the one that counts: a retry with the same
    ``request_id``, or another submission for a question already answered, records nothing and
    returns the answer already recorded (so the learner sees the same feedback). Raises
    ``ValidationError`` when the question is not one of the learner's in this curriculum, the
    option is not one of the question's, or the ``request_id`` was used for something else.
    """
    at = at or timezone.now()
    person = enrollment.person
    lesson = question.lesson
    _lesson_of_curriculum(enrollment, lesson)
    if question.audience != audience_for(person):
        raise ValidationError({"question": "This question is not one of your scenarios."})
    if option.question_id != question.pk:
        raise ValidationError({"option": "This option belongs to another question."})
    _check_open(enrollment, at)
    if not _pre_done(enrollment):
        raise NotAvailable("Take the starting check first: it shows what you already know.")

    with transaction.atomic():
        repeat = Answer.objects.filter(request_id=request_id).first()
        if repeat is not None and (
            repeat.person_id != person.pk or repeat.question_id != question.pk
        ):
            raise ValidationError({"request_id": "This submission was used for another answer."})
        if repeat is None:
            repeat = (
                Answer.objects.filter(
                    person=person, question=question, context=AnswerContext.LESSON
                )
                .order_by("answered_at", "pk")
                .first()
            )
        recorded = repeat is None
        if recorded:
            try:
                with transaction.atomic():
                    answer = Answer.objects.create(
                        company_id=enrollment.company_id,
                        person=person,
                        question=question,
                        option=option,
                        is_correct=option.is_correct,
                        context=AnswerContext.LESSON,
                        confident=confident,
                        response_ms=response_ms,
                        answered_at=at,
                        request_id=request_id,
                    )
                    # Inside this atomic block: what receivers write belongs to the answer.
                    events.question_answered.send(sender=Answer, answer=answer)
            except IntegrityError:  # the same submission arrived twice at once
                answer, recorded = Answer.objects.get(request_id=request_id), False
        else:
            answer = repeat
        progress, _ = LessonProgress.objects.get_or_create(
            enrollment=enrollment,
            lesson=lesson,
            defaults={"company_id": enrollment.company_id, "started_at": at},
        )
        _mark_started(enrollment, at)
        completed = _complete_lesson_if_answered(progress=progress, enrollment=enrollment, at=at)
    return LessonAnswer(answer=answer, recorded=recorded, lesson_completed=completed)


# --- Assessments ---------------------------------------------------------------------------------


def _seed(enrollment: Enrollment, attempt: int = 1) -> str:
    # The certificate code is random and fixed per enrollment: a seed nobody can guess or
    # change, so the draw is random across learners and stable for each; a retake draws anew.
    code = str(enrollment.certificate_code)
    return code if attempt == 1 else f"{code}:attempt-{attempt}"


def _draw(enrollment: Enrollment, kind: str, pre_ids=None, attempt: int = 1) -> list[int]:
    bank = selectors.skill_bank(
        curriculum=enrollment.curriculum, audience=audience_for(enrollment.person)
    )
    return selectors.draw_assessment(
        bank=bank, seed=_seed(enrollment, attempt), kind=kind, pre=pre_ids
    )


def _pre_ids(pre: Assessment) -> dict[str, list[int]]:
    """The pre-assessment's question ids by skill: the post covers these skills with others."""
    ids: dict[str, list[int]] = defaultdict(list)
    for question_id, skill in pre.items.values_list("question_id", "question__skill"):
        ids[skill].append(question_id)
    return ids


def open_assessment(
    *, enrollment: Enrollment, kind: str, at: datetime.datetime | None = None
) -> Assessment:
    """The learner's pre- or post-assessment, drawn on first opening and the same afterwards.

    Questions come from the curriculum's questions of the learner's audience, per skill (see
    ``selectors.draw_assessment``); the post never repeats a question of the pre. Opening the
    pre starts the enrollment. Raises ``NotAvailable`` before the start date, for the post
    before the pre and every lesson are done.
    """
    at = at or timezone.now()
    if kind not in AssessmentKind.values:
        raise ValidationError({"kind": "Unknown kind of assessment."})
    existing = Assessment.objects.filter(enrollment=enrollment, kind=kind).first()
    if existing is not None:
        return existing
    _check_open(enrollment, at)
    pre_ids: dict[str, list[int]] | None = None
    if kind == AssessmentKind.POST:
        progress = selectors.enrollment_progress(enrollment=enrollment)
        if not progress.pre_done:
            raise NotAvailable("Take the starting check first.")
        if not progress.lessons_done:
            raise NotAvailable("The final check comes after the last lesson.")
        pre_ids = _pre_ids(progress.pre)
    question_ids = _draw(enrollment, kind, pre_ids)
    with transaction.atomic():
        locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        existing = Assessment.objects.filter(enrollment=locked, kind=kind).first()
        if existing is not None:
            return existing
        assessment = Assessment.objects.create(
            company_id=enrollment.company_id, enrollment=locked, kind=kind, started_at=at
        )
        AssessmentItem.objects.bulk_create(
            AssessmentItem(assessment=assessment, question_id=question_id, order=order)
            for order, question_id in enumerate(question_ids)
        )
        if kind == AssessmentKind.PRE:
            _mark_started(enrollment, at)
        if not question_ids:  # nothing to ask this audience: done, without a score
            assessment.completed_at = at
            assessment.save(update_fields=["completed_at"])
            _complete_if_done(enrollment=enrollment, at=at)
    return assessment


def submit_assessment(
    *,
    assessment: Assessment,
    choices: dict[int, Option],
    request_id: uuid.UUID,
    at: datetime.datetime | None = None,
) -> Assessment:
    """Records the answers of a whole assessment (``choices``: item id → chosen option) and
    scores it: percent right overall; a post-assessment then completes the enrollment and
    certifies it when the score reaches the pass mark.

    Submitting an assessment already done changes nothing (a retried submission). Raises
    ``ValidationError`` naming the item when an item is unanswered or the option is not one of
    its question's; nothing is written then.
    """
    at = at or timezone.now()
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if assessment.completed_at is not None:
            return assessment
        enrollment = assessment.enrollment
        items = list(assessment.items.select_related("question"))
        errors = {}
        for item in items:
            option = choices.get(item.pk)
            if option is None:
                errors[f"item-{item.pk}"] = "Choose an answer."
            elif option.question_id != item.question_id:
                errors[f"item-{item.pk}"] = "This option belongs to another question."
        if errors:
            raise ValidationError(errors)
        for item in items:
            option = choices[item.pk]
            item.answer = Answer.objects.create(
                company_id=assessment.company_id,
                person_id=enrollment.person_id,
                question_id=item.question_id,
                option=option,
                is_correct=option.is_correct,
                context=assessment.kind,
                answered_at=at,
                request_id=uuid.uuid5(request_id, str(item.pk)),
            )
            events.question_answered.send(sender=Answer, answer=item.answer)
            item.save(update_fields=["answer"])
        assessment.score = measures.assessment_score(choices[item.pk].is_correct for item in items)
        assessment.completed_at = at
        assessment.save(update_fields=["score", "completed_at"])
        _complete_if_done(enrollment=enrollment, at=at)
    return assessment


def retake_final_check(
    *, enrollment: Enrollment, at: datetime.datetime | None = None
) -> Assessment:
    """Starts another attempt at a failed final check: the attempt just done is kept as an
    ``AssessmentAttempt`` and the final check gets freshly drawn questions (still none of the
    starting check's), to take again. Raises ``NotAvailable`` when the final check is not done
    yet, was passed, or was taken ``selectors.FINAL_CHECK_ATTEMPTS`` times."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        post = Assessment.objects.filter(enrollment=locked, kind=AssessmentKind.POST).first()
        if locked.certified_at is not None:
            raise NotAvailable("You passed the final check already.")
        if post is None or post.completed_at is None:
            raise NotAvailable("Finish the final check first.")
        if not selectors.retakes_left(enrollment=locked, post=post):
            raise NotAvailable(
                f"The final check may be taken {selectors.FINAL_CHECK_ATTEMPTS} times; ask "
                "your program admin about another try."
            )
        pre = Assessment.objects.get(enrollment=locked, kind=AssessmentKind.PRE)
        question_ids = _draw(locked, AssessmentKind.POST, _pre_ids(pre), attempt=post.attempt + 1)
        AssessmentAttempt.objects.create(
            company_id=post.company_id,
            assessment=post,
            number=post.attempt,
            started_at=post.started_at,
            completed_at=post.completed_at,
            score=post.score,
            questions=post.items.count(),
            right=post.items.filter(answer__is_correct=True).count(),
        )
        post.items.all().delete()  # the answers stay, as answers and as drill cards
        AssessmentItem.objects.bulk_create(
            AssessmentItem(assessment=post, question_id=question_id, order=order)
            for order, question_id in enumerate(question_ids)
        )
        post.attempt += 1
        post.started_at, post.completed_at, post.score = at, None, None
        post.save(update_fields=["attempt", "started_at", "completed_at", "score"])
    return post


def _complete_if_done(*, enrollment: Enrollment, at: datetime.datetime) -> None:
    """Completes (and perhaps certifies) the enrollment once every lesson is completed and the
    post-assessment is done; a completed enrollment is certified when a retaken final check
    passes."""
    enrollment.refresh_from_db(fields=["completed_at", "certified_at"])
    post = Assessment.objects.filter(
        enrollment=enrollment, kind=AssessmentKind.POST, completed_at__isnull=False
    ).first()
    if post is None or enrollment.certified_at is not None:
        return
    if enrollment.completed_at is not None:
        if passes(score=post.score, pass_mark=enrollment.curriculum.pass_mark):
            enrollment.certified_at = at
            enrollment.save(update_fields=["certified_at"])
            events.certificate_earned.send(sender=Enrollment, enrollment=enrollment)
        return
    lessons = Lesson.objects.filter(module__curriculum_id=enrollment.curriculum_id)
    done = LessonProgress.objects.filter(
        enrollment=enrollment, lesson__in=lessons, completed_at__isnull=False
    )
    if done.count() < lessons.count():
        return
    enrollment.completed_at = at
    if passes(score=post.score, pass_mark=enrollment.curriculum.pass_mark):
        enrollment.certified_at = at
    enrollment.save(update_fields=["completed_at", "certified_at"])
    if enrollment.certified_at is not None:
        events.certificate_earned.send(sender=Enrollment, enrollment=enrollment)


def passes(*, score: float | None, pass_mark: int) -> bool:
    """The certificate rule: a post-assessment score (percent right) at or above the pass mark;
    no score, no certificate."""
    return score is not None and score >= pass_mark
