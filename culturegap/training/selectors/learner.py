"""Read queries of rollout and learning: a learner's progress and next step, assessment results,
certificates, the manager's team progress and the program admin's rollout overview.

Every function takes the requesting person (or the company) and filters by it; pages, CSV exports
and the today page share these, so they always show the same figures.
"""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from culturegap import measures
from culturegap.language.models import CommunicationStep, PlaybookStatus
from culturegap.org.models import Company, Person, Team
from culturegap.org.scope import (
    company_today,
    company_zone,
    reporting_line_ids,
    sees_whole_company,
    teams_visible_to,
)
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
    Question,
)

# How far back the streak looks; a longer streak shows as this many days.
STREAK_WINDOW_DAYS = 366


# --- The learner -------------------------------------------------------------------------------


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


def current_enrollment(*, person: Person) -> Enrollment | None:
    """The curriculum to work on now: the unfinished one that has started and is due first,
    else the next to start, else the most recently finished."""
    enrollments = list(enrollments_of(person=person).select_related("company"))
    if not enrollments:
        return None
    today = company_today(person.company)
    unfinished = [e for e in enrollments if e.completed_at is None]
    started = [e for e in unfinished if e.starts_on <= today]
    if started:
        return min(started, key=lambda e: (e.due_on, e.pk))
    if unfinished:
        return min(unfinished, key=lambda e: (e.starts_on, e.pk))
    return max(enrollments, key=lambda e: (e.completed_at, e.pk))


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
    """The next step, progress, streak and due date for the today page: about six queries."""
    enrollment = current_enrollment(person=person)
    if enrollment is None:
        return None
    today = company_today(person.company)
    progress = enrollment_progress(enrollment=enrollment, today=today)
    days = lesson_answer_days(person=person, today=today)
    return LearnerDay(
        progress=progress, step=progress.next_step, streak=measures.streak(days, today=today)
    )


# --- Assessments ---------------------------------------------------------------------------------


def skill_bank(*, curriculum: Curriculum, audience: str) -> dict[str, list[int]]:
    """Question ids of the curriculum set in ``audience``, by skill, in id order."""
    bank: dict[str, list[int]] = defaultdict(list)
    for question_id, skill in (
        Question.objects.filter(lesson__module__curriculum=curriculum, audience=audience)
        .order_by("pk")
        .values_list("pk", "skill")
    ):
        bank[skill].append(question_id)
    return dict(bank)


def questions_per_skill(available: int) -> int:
    """How many questions of a skill each assessment gets: two when the skill has four or more
    (two for the pre, two others for the post), else one; a skill with a single question is left
    out, so the pre and the post always cover the same skills with different questions."""
    if available >= 4:
        return 2
    return 1 if available >= 2 else 0


def shuffled(question_ids: list[int], *, seed: str) -> list[int]:
    """``question_ids`` in an order that is random but always the same for ``seed``."""
    ordered = sorted(question_ids)
    random.Random(seed).shuffle(ordered)
    return ordered


def draw_assessment(
    *, bank: dict[str, list[int]], seed: str, kind: str, pre: dict[str, list[int]] | None = None
) -> list[int]:
    """The questions of a pre- or post-assessment, in the order they are asked.

    Each skill's questions are shuffled with a seed of the enrollment and the skill; the pre
    takes the first ``questions_per_skill`` of them and the post the next as many, skipping
    any question the pre used. Given ``pre`` (the pre's question ids by skill), the post covers
    exactly the pre's skills, with as many questions each as remain unused.
    """
    chosen: list[int] = []
    skills = sorted(pre) if (kind == AssessmentKind.POST and pre is not None) else sorted(bank)
    for skill in skills:
        ids = shuffled(bank.get(skill, []), seed=f"{seed}:{skill}")
        count = questions_per_skill(len(ids))
        if kind == AssessmentKind.PRE:
            chosen += ids[:count]
            continue
        used = set(pre[skill]) if pre is not None else set(ids[:count])
        wanted = len(pre[skill]) if pre is not None else count
        chosen += [qid for qid in ids if qid not in used][:wanted]
    return shuffled(chosen, seed=f"{seed}:{kind}:order")


def assessment_items(*, assessment: Assessment) -> list[AssessmentItem]:
    return list(
        assessment.items.select_related("question", "answer", "answer__option")
        .prefetch_related("question__options")
        .order_by("order", "pk")
    )


def skill_names(*, company: Company) -> dict[str, str]:
    """Skill key → the name of its communication-model step, in the order of the steps of the
    published playbook (a step only in an older version comes after, from the newest one)."""
    found: dict[str, tuple[bool, int, int, str]] = {}
    steps = CommunicationStep.objects.filter(playbook__company=company).values_list(
        "key", "name", "order", "playbook__status", "playbook__version"
    )
    for key, name, order, status, version in steps:
        rank = (status != PlaybookStatus.PUBLISHED, -version, order, name)
        if key not in found or rank < found[key]:
            found[key] = rank
    return {key: found[key][3] for key in sorted(found, key=lambda k: found[k][:3])}


def skill_label(key: str, names: dict[str, str]) -> str:
    return names.get(key) or key.replace("-", " ").capitalize()


def skill_order(names: dict[str, str]):
    """Sort key for skills: the conversation's order of steps, then unknown skills by name."""
    position = {key: index for index, key in enumerate(names)}
    return lambda key: (position.get(key, len(position)), skill_label(key, names))


@dataclass
class SkillResult:
    skill: str
    name: str
    pre: float | None
    post: float | None

    @property
    def gain(self) -> float | None:
        if self.pre is None or self.post is None:
            return None
        return self.post - self.pre


@dataclass
class Results:
    progress: Progress
    skills: list[SkillResult]
    earlier_attempts: list = field(default_factory=list)  # AssessmentAttempt, oldest first
    retakes_left: int = 0

    @property
    def attempt(self) -> int:
        """The number of the final check's current (or latest) attempt."""
        return self.progress.post.attempt if self.progress.post is not None else 1

    @property
    def attempts_allowed(self) -> int:
        return FINAL_CHECK_ATTEMPTS

    @property
    def pre_score(self) -> float | None:
        return self.progress.pre.score if self.progress.pre_done else None

    @property
    def post_score(self) -> float | None:
        return self.progress.post.score if self.progress.post_done else None


def skill_scores(*, enrollment_ids) -> dict[int, dict[str, dict[str, float]]]:
    """For each enrollment, each completed assessment kind's score per skill:
    ``{enrollment_id: {"pre": {skill: score}, "post": {...}}}``."""
    answered: dict[tuple[int, str], list[tuple[str, bool]]] = defaultdict(list)
    rows = AssessmentItem.objects.filter(
        assessment__enrollment_id__in=enrollment_ids,
        assessment__completed_at__isnull=False,
        answer__isnull=False,
    ).values_list(
        "assessment__enrollment_id", "assessment__kind", "question__skill", "answer__is_correct"
    )
    for enrollment_id, kind, skill, right in rows:
        answered[(enrollment_id, kind)].append((skill, right))
    scores: dict[int, dict[str, dict[str, float]]] = defaultdict(dict)
    for (enrollment_id, kind), results in answered.items():
        scores[enrollment_id][kind] = measures.score_per_skill(results)
    return scores


# A learner who fails the final check may take it this many times in all.
FINAL_CHECK_ATTEMPTS = 3


def retakes_left(*, enrollment: Enrollment, post: Assessment | None) -> int:
    """How many more times the learner may take the final check: none until it is done, none
    once certified."""
    if post is None or post.completed_at is None or enrollment.certified_at is not None:
        return 0
    if post.score is None:  # nothing was asked: there is nothing to retake
        return 0
    return max(0, FINAL_CHECK_ATTEMPTS - post.attempt)


def assessment_results(*, enrollment: Enrollment) -> Results:
    """Overall and per-skill scores of the pre and the (latest) post, side by side, with the
    earlier attempts at the post and how many retakes are left."""
    progress = enrollment_progress(enrollment=enrollment)
    scores = skill_scores(enrollment_ids=[enrollment.pk]).get(enrollment.pk, {})
    pre, post = scores.get(AssessmentKind.PRE, {}), scores.get(AssessmentKind.POST, {})
    names = skill_names(company=enrollment.company)
    skills = [
        SkillResult(skill, skill_label(skill, names), pre.get(skill), post.get(skill))
        for skill in sorted(set(pre) | set(post), key=skill_order(names))
    ]
    earlier = list(progress.post.attempts.all()) if progress.post is not None else []
    return Results(
        progress=progress,
        skills=skills,
        earlier_attempts=earlier,
        retakes_left=retakes_left(enrollment=enrollment, post=progress.post),
    )


# --- Certificates --------------------------------------------------------------------------------


def certificates_visible_to(*, viewer: Person) -> QuerySet[Enrollment]:
    """Certified enrollments a viewer may open: their own; their reporting line's if they are a
    manager; the whole company's for executives and program admins."""
    certified = Enrollment.objects.filter(
        company_id=viewer.company_id, certified_at__isnull=False
    ).select_related("person", "curriculum", "company")
    if sees_whole_company(viewer):
        return certified
    allowed = Q(person=viewer)
    if viewer.is_manager:
        allowed |= Q(person_id__in=reporting_line_ids(manager=viewer))
    return certified.filter(allowed)


# --- The manager's team page ---------------------------------------------------------------------


def team_choices(*, viewer: Person) -> QuerySet[Team]:
    """Teams a viewer may pick on the team page."""
    return teams_visible_to(viewer=viewer).order_by("name")


def team_people(*, viewer: Person, team: Team | None) -> QuerySet[Person]:
    """The active people a viewer follows on the team page.

    Managers follow their reporting line (within ``team`` when one is chosen); executives and
    program admins any team of the company, and, without a team, their own reporting line if
    they also manage people — otherwise nobody until they pick a team.
    """
    people = Person.objects.filter(company_id=viewer.company_id, is_active=True)
    sees_all = sees_whole_company(viewer)
    if team is not None and sees_all:
        return people.filter(team=team)
    if not viewer.is_manager:
        return people.none()
    line = people.filter(pk__in=reporting_line_ids(manager=viewer))
    return line.filter(team=team) if team is not None else line


STATUSES = [
    measures.Status.ASSIGNED,
    measures.Status.STARTED,
    measures.Status.COMPLETED,
    measures.Status.OVERDUE,
]
NOT_ASSIGNED = "not assigned"


@dataclass
class TeamRow:
    """One line of the team table: a person and one of their enrollments (or none)."""

    person: Person
    enrollment: Enrollment | None = None
    status: str = NOT_ASSIGNED
    lessons_done: int = 0
    lessons_total: int = 0
    pre_score: float | None = None
    post_score: float | None = None

    @property
    def gain(self) -> float | None:
        if self.pre_score is None or self.post_score is None:
            return None
        return self.post_score - self.pre_score


@dataclass
class SkillSummary:
    skill: str
    name: str
    pre: float | None
    post: float | None
    gain: float | None


@dataclass
class TeamProgress:
    rows: list[TeamRow] = field(default_factory=list)
    skills: list[SkillSummary] = field(default_factory=list)
    weakest: list[SkillSummary] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """Rows per status; "not assigned" is under ``not_assigned``."""
        counts = dict.fromkeys(["not_assigned", *STATUSES], 0)
        for row in self.rows:
            counts[row.status.replace(" ", "_")] += 1
        return counts


TEAM_CSV_HEADER = [
    "person",
    "email",
    "team",
    "curriculum",
    "wave",
    "starts_on",
    "due_on",
    "status",
    "lessons_done",
    "lessons_total",
    "pre_score",
    "post_score",
    "gain",
    "certified_on",
]


def team_progress(
    *, viewer: Person, team: Team | None = None, curriculum: Curriculum | None = None
) -> TeamProgress:
    """Each followed person's status, lessons done and scores, and the team's scores per skill.

    Six queries whatever the team's size. Status is that of ``measures.enrollment_status``;
    a person with no enrollment (in ``curriculum``, when given) shows as "not assigned".
    """
    people = list(team_people(viewer=viewer, team=team).select_related("team").order_by("name"))
    if not people:
        return TeamProgress()
    enrollments = Enrollment.objects.filter(
        company_id=viewer.company_id, person__in=[p.pk for p in people]
    )
    if curriculum is not None:
        enrollments = enrollments.filter(curriculum=curriculum)
    enrollments = list(
        enrollments.select_related("curriculum")
        .annotate(lessons_done=Count("lessons", filter=Q(lessons__completed_at__isnull=False)))
        .order_by("curriculum__title", "pk")
    )
    curriculum_ids = {e.curriculum_id for e in enrollments}
    totals = dict(
        Lesson.objects.filter(module__curriculum_id__in=curriculum_ids)
        .values_list("module__curriculum_id")
        .annotate(count=Count("pk"))
        .values_list("module__curriculum_id", "count")
    )
    enrollment_ids = [e.pk for e in enrollments]
    overall = {
        (enrollment_id, kind): score
        for enrollment_id, kind, score in Assessment.objects.filter(
            enrollment_id__in=enrollment_ids, completed_at__isnull=False
        ).values_list("enrollment_id", "kind", "score")
    }
    per_skill = skill_scores(enrollment_ids=enrollment_ids)
    today = company_today(viewer.company)

    by_person: dict[int, list[Enrollment]] = defaultdict(list)
    for enrollment in enrollments:
        by_person[enrollment.person_id].append(enrollment)
    rows: list[TeamRow] = []
    for person in people:
        if not by_person[person.pk]:
            rows.append(TeamRow(person=person))
        for enrollment in by_person[person.pk]:
            rows.append(
                TeamRow(
                    person=person,
                    enrollment=enrollment,
                    status=measures.enrollment_status(
                        started_at=enrollment.started_at,
                        completed_at=enrollment.completed_at,
                        due_on=enrollment.due_on,
                        today=today,
                    ),
                    lessons_done=enrollment.lessons_done,
                    lessons_total=totals.get(enrollment.curriculum_id, 0),
                    pre_score=overall.get((enrollment.pk, AssessmentKind.PRE)),
                    post_score=overall.get((enrollment.pk, AssessmentKind.POST)),
                )
            )

    pre_scores = [s.get(AssessmentKind.PRE, {}) for s in per_skill.values()]
    post_scores = [s.get(AssessmentKind.POST, {}) for s in per_skill.values()]
    pre_means = measures.mean_per_skill(pre_scores)
    post_means = measures.mean_per_skill(post_scores)
    gains = measures.mean_gain_per_skill(zip(pre_scores, post_scores, strict=True))
    names = skill_names(company=viewer.company)
    skills = {
        key: SkillSummary(
            key, skill_label(key, names), pre_means.get(key), post_means.get(key), gains.get(key)
        )
        for key in set(pre_means) | set(post_means)
    }
    weakest = [skills[key] for key, _ in measures.weakest_skills(pre=pre_means, post=post_means)]
    ordered = [skills[key] for key in sorted(skills, key=skill_order(names))]
    return TeamProgress(rows=rows, skills=ordered, weakest=weakest)


def _rounded(value: float | None) -> int | str:
    return "" if value is None else round(value)


def team_csv_rows(progress: TeamProgress, *, company: Company):
    """The team table as CSV rows, header first; scores are whole percents."""
    yield TEAM_CSV_HEADER
    zone = company_zone(company)
    for row in progress.rows:
        enrollment = row.enrollment
        certified = (
            timezone.localtime(enrollment.certified_at, zone).date().isoformat()
            if enrollment and enrollment.certified_at
            else ""
        )
        yield [
            row.person.name,
            row.person.email,
            row.person.team.name if row.person.team else "",
            enrollment.curriculum.title if enrollment else "",
            enrollment.wave if enrollment else "",
            enrollment.starts_on.isoformat() if enrollment else "",
            enrollment.due_on.isoformat() if enrollment else "",
            row.status,
            row.lessons_done if enrollment else "",
            row.lessons_total if enrollment else "",
            _rounded(row.pre_score),
            _rounded(row.post_score),
            _rounded(row.gain),
            certified,
        ]


# --- Rollout -------------------------------------------------------------------------------------


@dataclass
class AssignmentCounts:
    assignment: Assignment
    enrolled: int = 0
    started: int = 0
    completed: int = 0
    overdue: int = 0


@dataclass
class CurriculumRollout:
    curriculum: Curriculum
    assignments: list[AssignmentCounts]
    enrolled: int


def rollout_overview(*, company: Company) -> list[CurriculumRollout]:
    """Each curriculum of the company with its assignments and, per assignment, how many people
    it enrolled and how many of them have started, completed or are overdue. Three queries."""
    today = company_today(company)
    counts = {
        row["assignment_id"]: row
        for row in Enrollment.objects.filter(company=company)
        .values("assignment_id")
        .annotate(
            enrolled=Count("pk"),
            started=Count("pk", filter=Q(started_at__isnull=False)),
            completed=Count("pk", filter=Q(completed_at__isnull=False)),
            overdue=Count("pk", filter=Q(completed_at__isnull=True, due_on__lt=today)),
        )
    }
    enrolled = dict(
        Enrollment.objects.filter(company=company)
        .values_list("curriculum_id")
        .annotate(count=Count("pk"))
        .values_list("curriculum_id", "count")
    )
    curricula = Curriculum.objects.filter(company=company).prefetch_related(
        Prefetch(
            "assignments",
            queryset=Assignment.objects.select_related("team", "person").order_by(
                "wave", "starts_on", "pk"
            ),
        )
    )
    overview = []
    for curriculum in curricula:
        rows = []
        for assignment in curriculum.assignments.all():
            found = counts.get(assignment.pk, {})
            rows.append(
                AssignmentCounts(
                    assignment=assignment,
                    enrolled=found.get("enrolled", 0),
                    started=found.get("started", 0),
                    completed=found.get("completed", 0),
                    overdue=found.get("overdue", 0),
                )
            )
        overview.append(CurriculumRollout(curriculum, rows, enrolled.get(curriculum.pk, 0)))
    return overview


def overdue_count(*, company: Company, person_ids) -> int:
    """How many of these people's enrollments are past due and not completed."""
    return Enrollment.objects.filter(
        company=company,
        person_id__in=person_ids,
        completed_at__isnull=True,
        due_on__lt=company_today(company),
    ).count()
