"""The training chapter of the demo: the starter pack, rolled out to the CRPs in two waves, with
a learning history of pre-assessments, lessons and post-assessments.

Wave 1 is the first half of the CRP teams by name (rounded up), starting about nine months
before "today"; wave 2 the other CRP teams and the sales teams (salespeople learn the same
language), starting about five months before. Both are due 60 days after their start, so by
today wave 1 is mostly certified and wave 2 partly through, its stragglers overdue: the
staggered rollout the impact analysis compares.

The history follows the definitions of ``culturegap.training.services``: an enrollment starts
with the pre-assessment; a lesson is completed by the answer to its last question of the
learner's audience; the enrollment is completed by the post-assessment after the last lesson,
and certified when the post score reaches the pass mark. Rows are written with bulk_create; in
a big demo only a sample of ``MAX_DETAILED_PEOPLE`` learners gets a history (the demo logins
always do), everyone else is enrolled but has not started.

Two demo logins are fixed: crp@ has done the pre-assessment and exactly four lessons, so
whoever tries the demo has a next lesson to take; manager@ has finished and is certified.
"""

import datetime
import math
import random
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Prefetch
from tqdm import tqdm

from culturegap.org.demo import DEMO_EMAILS
from culturegap.org.models import CRP_TEAM_KINDS, Company, Person, Role, Team, TeamKind
from culturegap.training.models import (
    Answer,
    AnswerContext,
    Assessment,
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
from culturegap.training.packs import import_starter_pack

WAVE_1_STARTS_DAYS_AGO = 270  # about nine months
WAVE_2_STARTS_DAYS_AGO = 150  # about five months
DUE_AFTER_DAYS = 60
# Above this many learners only a sample gets a detailed history (about 100 rows each).
MAX_DETAILED_PEOPLE = 5000
BATCH_PEOPLE = 500
BATCH_SIZE = 5000
REMOVE_BATCH = 5000
# The fixed demo CRP has done this many lessons and no more.
DEMO_CRP_LESSONS_DONE = 4

# What became of each wave's learners by today: (finished, in progress, not started) weights.
OUTCOME_WEIGHTS = {1: (86, 10, 4), 2: (60, 28, 12)}
FINISHED, IN_PROGRESS, NOT_STARTED = "finished", "in progress", "not started"
# Chance of a right answer: pre-assessment, first and last lesson, post-assessment (means; each
# learner's own ability moves them).
PRE_RIGHT = 0.60
LESSON_RIGHT_FIRST, LESSON_RIGHT_LAST = 0.65, 0.85
POST_RIGHT = 0.86


@dataclass
class LessonPlan:
    pk: int
    minutes: int
    # audience → [(question id, right option id, [wrong option ids])]
    questions: dict[str, list[tuple[int, int, list[int]]]]


@dataclass
class Content:
    curriculum: Curriculum
    lessons: list[LessonPlan]
    # audience → skill → [(question id, right option id, [wrong option ids])]
    bank: dict[str, dict[str, list[tuple[int, int, list[int]]]]]


@dataclass
class Rows:
    """The rows of one batch of learners, written together."""

    assessments: list[Assessment] = field(default_factory=list)
    # For each assessment: its items as (question id, answer index into ``answers``).
    items: list[list[tuple[int, int]]] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    progress: list[LessonProgress] = field(default_factory=list)


def seed(*, company: Company, rng: random.Random, today: datetime.date, progress: bool) -> None:
    result = import_starter_pack(company=company)
    if not result.ok:
        problems = "; ".join(str(error) for error in result.errors[:10])
        raise RuntimeError(f"The starter pack does not load: {problems}")
    curriculum = Curriculum.objects.get(company=company, key=result.curricula[0])
    zone = ZoneInfo(company.time_zone)
    admin = (
        Person.objects.filter(company=company, email=DEMO_EMAILS[Role.ADMIN]).first()
        or Person.objects.filter(company=company, is_program_admin=True).order_by("pk").first()
    )

    waves = plan_waves(company=company, today=today)
    assignments: dict[int, Assignment] = {}
    for wave, (teams, starts_on, due_on) in waves.items():
        rows = [
            Assignment(
                company=company,
                curriculum=curriculum,
                team=team,
                wave=wave,
                starts_on=starts_on,
                due_on=due_on,
                created_by=admin,
                created_at=_at(starts_on - datetime.timedelta(days=7), 10, 0, zone),
            )
            for team in teams
        ]
        Assignment.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        assignments |= {row.team_id: row for row in rows}

    learners = list(
        Person.objects.filter(company=company, is_active=True, team_id__in=list(assignments))
        .select_related("team")
        .order_by("email")
    )
    detailed = _detailed_sample(learners, rng)
    content = _content(curriculum)
    cutoff = _at(today - datetime.timedelta(days=1), 18, 0, zone)

    pairs = [
        (person, _enrollment(person, assignments[person.team_id], curriculum, rng, zone))
        for person in learners
    ]
    with tqdm(total=len(learners), desc="Training", unit=" learners", disable=not progress) as bar:
        for start in range(0, len(learners), BATCH_PEOPLE):
            batch = pairs[start : start + BATCH_PEOPLE]
            rows = Rows()
            for person, enrollment in batch:
                if person.pk in detailed:
                    _history(person, enrollment, content, rows, rng, zone, cutoff)
            Enrollment.objects.bulk_create([e for _, e in batch], batch_size=BATCH_SIZE)
            _write(rows)
            bar.update(len(batch))


def remove(*, company: Company) -> None:
    """Delete the company's answers in pieces, before the company itself is deleted.

    Deleting an answer sets the rows that point at it (assessment items, reviews) to null, and
    Django gathers those updates for every answer into one statement: with the hundreds of
    thousands of answers of a big demo that exceeds SQLite's limit on query variables. Pieces
    of ``REMOVE_BATCH`` answers stay well within it.
    """
    with transaction.atomic():
        AssessmentItem.objects.filter(assessment__company=company).delete()
        ids = list(Answer.objects.filter(company=company).values_list("pk", flat=True))
        for batch in _batches(ids, REMOVE_BATCH):
            Answer.objects.filter(pk__in=batch).delete()


def plan_waves(
    *, company: Company, today: datetime.date
) -> dict[int, tuple[list[Team], datetime.date, datetime.date]]:
    """wave → (teams, start date, due date): the first half of the CRP teams by name (rounded
    up) in wave 1, the other CRP teams and the sales teams in wave 2."""
    crp_teams = list(Team.objects.filter(company=company, kind__in=CRP_TEAM_KINDS).order_by("name"))
    sales_teams = list(Team.objects.filter(company=company, kind=TeamKind.SALES).order_by("name"))
    half = math.ceil(len(crp_teams) / 2)
    plan = {}
    for wave, teams, days_ago in (
        (1, crp_teams[:half], WAVE_1_STARTS_DAYS_AGO),
        (2, crp_teams[half:] + sales_teams, WAVE_2_STARTS_DAYS_AGO),
    ):
        starts_on = today - datetime.timedelta(days=days_ago)
        plan[wave] = (teams, starts_on, starts_on + datetime.timedelta(days=DUE_AFTER_DAYS))
    return plan


def _at(day: datetime.date, hour: int, minute: int, zone) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=zone)


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _detailed_sample(learners: list[Person], rng: random.Random) -> set[int]:
    fixed = {
        p.pk for p in learners if p.email in (DEMO_EMAILS[Role.CRP], DEMO_EMAILS[Role.MANAGER])
    }
    if len(learners) <= MAX_DETAILED_PEOPLE:
        return {p.pk for p in learners}
    others = [p.pk for p in learners if p.pk not in fixed]
    return fixed | set(rng.sample(others, MAX_DETAILED_PEOPLE - len(fixed)))


def _content(curriculum: Curriculum) -> Content:
    lessons = (
        Lesson.objects.filter(module__curriculum=curriculum)
        .order_by("module__order", "order", "pk")
        .prefetch_related(
            Prefetch("questions", queryset=Question.objects.order_by("order", "pk")),
            Prefetch("questions__options", queryset=Option.objects.order_by("order", "pk")),
        )
    )
    plans = []
    bank: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for lesson in lessons:
        by_audience = defaultdict(list)
        for question in lesson.questions.all():
            options = list(question.options.all())
            right = next(o.pk for o in options if o.is_correct)
            entry = (question.pk, right, [o.pk for o in options if not o.is_correct])
            by_audience[question.audience].append(entry)
            bank[question.audience][question.skill].append(entry)
        plans.append(LessonPlan(pk=lesson.pk, minutes=lesson.minutes, questions=by_audience))
    return Content(curriculum=curriculum, lessons=plans, bank=bank)


def _enrollment(person, assignment, curriculum, rng, zone) -> Enrollment:
    return Enrollment(
        company_id=person.company_id,
        person=person,
        curriculum=curriculum,
        assignment=assignment,
        wave=assignment.wave,
        enrolled_at=_at(assignment.starts_on, 9, 0, zone),
        starts_on=assignment.starts_on,
        due_on=assignment.due_on,
        certificate_code=_uuid(rng),
    )


def _working_moment(day: datetime.date, rng: random.Random, zone) -> datetime.datetime:
    """A moment in the working day; weekends move to the Monday."""
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return _at(day, rng.randint(8, 17), rng.randint(0, 59), zone)


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _history(person, enrollment, content, rows: Rows, rng, zone, cutoff) -> None:
    """One learner's pre-assessment, lessons and post-assessment, as far as they got by
    ``cutoff``; sets the enrollment's started, completed and certified moments."""
    email = person.email
    outcome = rng.choices(
        (FINISHED, IN_PROGRESS, NOT_STARTED), weights=OUTCOME_WEIGHTS[enrollment.wave]
    )[0]
    if email == DEMO_EMAILS[Role.MANAGER]:
        outcome = FINISHED
    elif email == DEMO_EMAILS[Role.CRP]:
        outcome = IN_PROGRESS
    if outcome == NOT_STARTED:
        return
    ability = _clamp(rng.gauss(0, 1), -2.5, 2.5)
    audience = audience_for(person)
    lessons = content.lessons
    lessons_to_do = len(lessons)
    if email == DEMO_EMAILS[Role.CRP]:
        lessons_to_do = DEMO_CRP_LESSONS_DONE
    elif outcome == IN_PROGRESS:
        lessons_to_do = rng.randint(0, len(lessons) - 1)
    # Steady learners take a lesson most working days; others come back every few days.
    mean_gap = _clamp(1.4 - 0.3 * ability + rng.uniform(-0.3, 0.3), 0.6, 3.0)
    must_pass = email == DEMO_EMAILS[Role.MANAGER]
    if must_pass:
        mean_gap = 0.8

    moment = _working_moment(
        enrollment.starts_on + datetime.timedelta(days=rng.randint(0, 9)), rng, zone
    )
    if moment > cutoff:
        return
    bank = content.bank.get(audience, {})
    skills = sorted(skill for skill, entries in bank.items() if len(entries) >= 2)
    pre_picks = {skill: rng.choice(bank[skill]) for skill in skills}
    pre_right = _clamp(PRE_RIGHT + 0.08 * ability, 0.3, 0.9)
    enrollment.started_at = moment
    _, moment = _assessment(
        enrollment, AssessmentKind.PRE, list(pre_picks.values()), pre_right, moment, rows, rng
    )
    moment += datetime.timedelta(minutes=rng.randint(1, 10))

    done = 0
    for index, lesson in enumerate(lessons[:lessons_to_do]):
        if index:
            gap = max(0, round(rng.expovariate(1 / mean_gap)))
            day = moment.date() + datetime.timedelta(days=gap)
            moment = max(moment, _working_moment(day, rng, zone))
        if moment > cutoff:
            break
        started = moment
        share = index / max(1, len(lessons) - 1)
        right = _clamp(
            LESSON_RIGHT_FIRST + (LESSON_RIGHT_LAST - LESSON_RIGHT_FIRST) * share + 0.06 * ability,
            0.3,
            0.98,
        )
        moment += datetime.timedelta(minutes=lesson.minutes)
        for question_id, right_option, wrong_options in lesson.questions.get(audience, []):
            moment += datetime.timedelta(seconds=rng.randint(20, 90))
            correct = rng.random() < right
            rows.answers.append(
                Answer(
                    company_id=enrollment.company_id,
                    person_id=person.pk,
                    question_id=question_id,
                    option_id=right_option if correct else rng.choice(wrong_options),
                    is_correct=correct,
                    context=AnswerContext.LESSON,
                    confident=rng.random() < (0.75 if correct else 0.35),
                    response_ms=rng.randint(6_000, 45_000),
                    answered_at=moment,
                    request_id=_uuid(rng),
                )
            )
        rows.progress.append(
            LessonProgress(
                company_id=enrollment.company_id,
                enrollment=enrollment,
                lesson_id=lesson.pk,
                started_at=started,
                completed_at=moment,
            )
        )
        done += 1
        moment += datetime.timedelta(minutes=rng.randint(1, 20))

    if outcome != FINISHED or done < len(lessons):
        return
    moment = _working_moment(moment.date() + datetime.timedelta(days=rng.randint(0, 4)), rng, zone)
    moment = max(moment, rows.progress[-1].completed_at + datetime.timedelta(minutes=5))
    if moment > cutoff:
        return
    post_picks = []
    for skill in skills:
        others = [entry for entry in bank[skill] if entry[0] != pre_picks[skill][0]]
        post_picks.append(rng.choice(others))
    post_right = _clamp(POST_RIGHT + 0.05 * ability + rng.uniform(-0.05, 0.05), 0.6, 0.99)
    score, finished = _assessment(
        enrollment,
        AssessmentKind.POST,
        post_picks,
        1.0 if must_pass else post_right,
        moment,
        rows,
        rng,
    )
    enrollment.completed_at = finished
    if score is not None and score >= content.curriculum.pass_mark:
        enrollment.certified_at = finished


def _assessment(enrollment, kind, picks, right, moment, rows: Rows, rng):
    """An assessment of ``picks`` started at ``moment``, each answered right with chance
    ``right``; returns its score (percent right) and when it was completed."""
    items = []
    correct_count = 0
    answered = moment
    for question_id, right_option, wrong_options in picks:
        answered += datetime.timedelta(seconds=rng.randint(15, 60))
        correct = rng.random() < right
        correct_count += correct
        items.append((question_id, len(rows.answers)))
        rows.answers.append(
            Answer(
                company_id=enrollment.company_id,
                person_id=enrollment.person_id,
                question_id=question_id,
                option_id=right_option if correct else rng.choice(wrong_options),
                is_correct=correct,
                context=kind,
                answered_at=answered,
                request_id=_uuid(rng),
            )
        )
    score = 100 * correct_count / len(picks) if picks else None
    completed = answered + datetime.timedelta(seconds=30)
    rows.assessments.append(
        Assessment(
            company_id=enrollment.company_id,
            enrollment=enrollment,
            kind=kind,
            started_at=moment,
            completed_at=completed,
            score=score,
        )
    )
    rows.items.append(items)
    return score, completed


def _batches(rows: list, size: int = BATCH_SIZE) -> Iterator[list]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _write(rows: Rows) -> None:
    # The enrollments are saved by now: bulk_create takes their ids from the objects.
    Answer.objects.bulk_create(rows.answers, batch_size=BATCH_SIZE)
    Assessment.objects.bulk_create(rows.assessments, batch_size=BATCH_SIZE)
    LessonProgress.objects.bulk_create(rows.progress, batch_size=BATCH_SIZE)
    AssessmentItem.objects.bulk_create(
        (
            AssessmentItem(
                assessment_id=assessment.pk,
                question_id=question_id,
                order=order,
                answer_id=rows.answers[answer_index].pk,
            )
            for assessment, items in zip(rows.assessments, rows.items, strict=True)
            for order, (question_id, answer_index) in enumerate(items)
        ),
        batch_size=BATCH_SIZE,
    )
