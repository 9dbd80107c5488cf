"""A learner's curricula, progress and next step, and what the today page shows them."""

import datetime
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS
from django.db.models import (
    Case,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.urls import reverse
from django.utils import timezone

from culturegap import measures
from culturegap.org.models import Person
from culturegap.org.scope import (
    company_today,
    company_zone,
)
from culturegap.training.models import (
    Answer,
    AnswerContext,
    Assessment,
    AssessmentKind,
    Curriculum,
    Enrollment,
    Lesson,
    LessonProgress,
    Module,
    Question,
)

# How far back the streak looks; a longer streak shows as this many days.
STREAK_WINDOW_DAYS = 366


def enrollments_of(*, person: Person) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(company_id=person.company_id, person=person).select_related(
        "curriculum"
    )


def curriculum_lessons(*, curriculum: Curriculum) -> list[Lesson]:
    return list(
        Lesson.objects.filter(module__curriculum=curriculum)
        .select_related("module")
        .order_by("module__order", "module__pk", "order", "pk")
    )


def lesson_questions(*, lesson: Lesson, audience: str) -> list[Question]:
    """The questions of ``lesson`` set in the learner's audience, with their options."""
    return list(
        Question.objects.filter(lesson=lesson, audience=audience)
        .prefetch_related("options")
        .order_by("order", "pk")
    )


def first_lesson_answers(*, person: Person, questions) -> dict[int, Answer]:
    """The learner's first lesson answer to each of ``questions`` (the one that counts)."""
    answers: dict[int, Answer] = {}
    for answer in (
        Answer.objects.filter(person=person, question__in=questions, context=AnswerContext.LESSON)
        .select_related("option")
        .order_by("answered_at", "pk")
    ):
        answers.setdefault(answer.question_id, answer)
    return answers


@dataclass
class Step:
    """What the learner should do next in a curriculum."""

    kind: str  # wait, pre, lesson, post, results, certificate
    label: str
    url: str = ""
    minutes: int | None = None
    lesson: Lesson | None = None


@dataclass
class Progress:
    """One enrollment's progress: lessons done, assessments, status and the next step."""

    enrollment: Enrollment
    lessons: list[Lesson]
    done_ids: set[int]
    pre: Assessment | None
    post: Assessment | None
    today: datetime.date

    @property
    def curriculum(self) -> Curriculum:
        return self.enrollment.curriculum

    @property
    def total(self) -> int:
        return len(self.lessons)

    @property
    def done(self) -> int:
        return sum(1 for lesson in self.lessons if lesson.pk in self.done_ids)

    @property
    def percent(self) -> int:
        return measures.progress_percent(self.done, self.total)

    @property
    def status(self) -> str:
        enrollment = self.enrollment
        return measures.enrollment_status(
            started_at=enrollment.started_at,
            completed_at=enrollment.completed_at,
            due_on=enrollment.due_on,
            today=self.today,
        )

    @property
    def is_open(self) -> bool:
        """Wave dates are kept: nobody starts before their start date."""
        return self.enrollment.starts_on <= self.today

    @property
    def pre_done(self) -> bool:
        return self.pre is not None and self.pre.completed_at is not None

    @property
    def post_done(self) -> bool:
        return self.post is not None and self.post.completed_at is not None

    @property
    def lessons_done(self) -> bool:
        return self.done == self.total

    @property
    def next_lesson(self) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.pk not in self.done_ids), None)

    def lesson_after(self, lesson: Lesson) -> Lesson | None:
        """The first lesson not done yet that comes after ``lesson``, else the first not done."""
        later = self.lessons[self.lessons.index(lesson) + 1 :] if lesson in self.lessons else []
        return next((x for x in later if x.pk not in self.done_ids), None) or self.next_lesson

    @property
    def next_step(self) -> Step:
        curriculum_id = self.enrollment.curriculum_id
        if not self.is_open:
            starts_on = self.enrollment.starts_on
            return Step("wait", f"Starts on {starts_on.day} {starts_on:%B %Y}")
        if not self.pre_done:
            return Step(
                "pre",
                "Take the starting check",
                reverse("training:pre_assessment", args=[curriculum_id]),
            )
        lesson = self.next_lesson
        if lesson is not None:
            return Step(
                "lesson",
                lesson.title,
                reverse("training:lesson", args=[lesson.pk]),
                minutes=lesson.minutes,
                lesson=lesson,
            )
        if not self.post_done:
            retake = self.post is not None and self.post.attempt > 1
            return Step(
                "post",
                f"Retake the final check (attempt {self.post.attempt})"
                if retake
                else "Take the final check",
                reverse("training:post_assessment", args=[curriculum_id]),
            )
        if self.enrollment.certified_at is not None:
            return Step(
                "certificate",
                "Your certificate",
                reverse("training:certificate", args=[self.enrollment.certificate_code]),
            )
        return Step("results", "Your results", reverse("training:results", args=[curriculum_id]))


def enrollment_progress(*, enrollment: Enrollment, today: datetime.date | None = None) -> Progress:
    """Three queries: the lessons, the lessons done, the assessments."""
    assessments = {a.kind: a for a in Assessment.objects.filter(enrollment=enrollment)}
    return Progress(
        enrollment=enrollment,
        lessons=curriculum_lessons(curriculum=enrollment.curriculum),
        done_ids=set(
            LessonProgress.objects.filter(
                enrollment=enrollment, completed_at__isnull=False
            ).values_list("lesson_id", flat=True)
        ),
        pre=assessments.get(AssessmentKind.PRE),
        post=assessments.get(AssessmentKind.POST),
        today=today or company_today(enrollment.company),
    )


def learning_list(*, person: Person) -> list[Progress]:
    """Every curriculum the person is enrolled in: open ones first, by due date."""
    today = company_today(person.company)
    progress = [
        enrollment_progress(enrollment=enrollment, today=today)
        for enrollment in enrollments_of(person=person)
    ]
    return sorted(
        progress,
        key=lambda p: (
            p.enrollment.completed_at is not None,
            p.enrollment.due_on,
            p.curriculum.title,
        ),
    )


def _current_first(today: datetime.date) -> list:
    """The order that puts the curriculum to work on now first: the unfinished one that has
    started and is due first, else the next to start, else the most recently finished."""
    unfinished = Q(completed_at__isnull=True)
    started = unfinished & Q(starts_on__lte=today)
    rank = Case(When(started, then=0), When(unfinished, then=1), default=2)
    return [
        rank,
        Case(When(started, then="due_on"), When(unfinished, then="starts_on")),
        F("completed_at").desc(nulls_last=True),
        Case(When(unfinished, then="pk"), default=-F("pk")),
    ]


def current_enrollment(*, person: Person) -> Enrollment | None:
    """The curriculum to work on now: the unfinished one that has started and is due first,
    else the next to start, else the most recently finished."""
    today = company_today(person.company)
    return (
        enrollments_of(person=person)
        .select_related("company")
        .order_by(*_current_first(today))
        .first()
    )


def _fields(model) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


def _build(model, values: list):
    """A model instance from its columns in ``_fields`` order (None when the row has none)."""
    if values[0] is None:
        return None
    return model.from_db(DEFAULT_DB_ALIAS, _fields(model), values)


def current_progress(*, person: Person, today: datetime.date) -> Progress | None:
    """The progress in the current curriculum (``current_enrollment``) in one query: the
    enrollment with its curriculum, its assessments and each lesson with whether it is done,
    one row per lesson. What ``enrollment_progress(enrollment=current_enrollment(...))``
    returns, in one query instead of four: the Today page opens with it."""
    current = enrollments_of(person=person).order_by(*_current_first(today)).values("pk")[:1]
    done = LessonProgress.objects.filter(
        enrollment=OuterRef("pk"),
        lesson=OuterRef("curriculum__modules__lessons__pk"),
        completed_at__isnull=False,
    )
    parts = [
        (Enrollment, ""),
        (Curriculum, "curriculum__"),
        (Assessment, "pre__"),
        (Assessment, "post__"),
        (Module, "curriculum__modules__"),
        (Lesson, "curriculum__modules__lessons__"),
    ]
    rows = (
        Enrollment.objects.filter(company_id=person.company_id, pk=Subquery(current))
        .annotate(
            pre=FilteredRelation("assessments", condition=Q(assessments__kind=AssessmentKind.PRE)),
            post=FilteredRelation(
                "assessments", condition=Q(assessments__kind=AssessmentKind.POST)
            ),
            lesson_done=Exists(done),
        )
        .order_by(
            "curriculum__modules__order",
            "curriculum__modules__pk",
            "curriculum__modules__lessons__order",
            "curriculum__modules__lessons__pk",
        )
        .values_list(
            *(prefix + name for model, prefix in parts for name in _fields(model)), "lesson_done"
        )
    )
    progress = None
    for row in rows:
        values, objects = list(row), []
        for model, _ in parts:
            size = len(_fields(model))
            objects.append(_build(model, values[:size]))
            values = values[size:]
        enrollment, curriculum, pre, post, module, lesson = objects
        if progress is None:
            enrollment.curriculum = curriculum
            enrollment.company = person.company
            progress = Progress(
                enrollment=enrollment,
                lessons=[],
                done_ids=set(),
                pre=pre,
                post=post,
                today=today,
            )
        if lesson is not None:
            lesson.module = module
            progress.lessons.append(lesson)
            if values[0]:
                progress.done_ids.add(lesson.pk)
    return progress


def lesson_answer_days(*, person: Person, today: datetime.date) -> set[datetime.date]:
    """The company-calendar days in the streak window on which the person answered a lesson
    question."""
    zone = company_zone(person.company)
    since = datetime.datetime.combine(
        today - datetime.timedelta(days=STREAK_WINDOW_DAYS), datetime.time.min, tzinfo=zone
    )
    moments = Answer.objects.filter(
        company_id=person.company_id,
        person=person,
        context=AnswerContext.LESSON,
        answered_at__gte=since,
    ).values_list("answered_at", flat=True)
    return {timezone.localtime(moment, zone).date() for moment in moments}


@dataclass
class LearnerDay:
    """What the today page shows a learner."""

    progress: Progress
    step: Step
    streak: int

    @property
    def overdue(self) -> bool:
        return self.progress.status == measures.Status.OVERDUE


def learner_day(*, person: Person) -> LearnerDay | None:
    """The next step, progress, streak and due date for the today page: two queries."""
    today = company_today(person.company)
    progress = current_progress(person=person, today=today)
    if progress is None:
        return None
    days = lesson_answer_days(person=person, today=today)
    return LearnerDay(
        progress=progress, step=progress.next_step, streak=measures.streak(days, today=today)
    )
