"""The manager's team page: whom a viewer follows, their progress and scores per skill, as CSV."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from culturegap import measures
from culturegap.org.models import Company, Person, Team
from culturegap.org.scope import (
    company_today,
    company_zone,
    reporting_line_ids,
    sees_whole_company,
    teams_visible_to,
)
from culturegap.training.models import (
    Assessment,
    AssessmentKind,
    Curriculum,
    Enrollment,
    Lesson,
)
from culturegap.training.selectors.assessments import (
    skill_label,
    skill_names,
    skill_order,
    skill_scores,
)


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
