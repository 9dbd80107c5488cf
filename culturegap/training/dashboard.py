"""Training's part of the executive dashboard: enrollments and assessment scores by team, each
person's latest knowledge score, and the day each team's training started."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Min, Q

from culturegap.org.figures import Scope, in_scope
from culturegap.training.models import Assessment, AssessmentKind, Assignment, Enrollment

GAIN = "gain"


@dataclass
class TrainingFigures:
    # team id → {"enrolled", "completed", "certified"} counts
    per_team: dict[int | None, dict]
    # team id → assessment kind (pre, post) or GAIN → the scores, one per enrollment
    scores: dict[int | None, dict[str, list[float]]]
    # person id → latest post-assessment score, else latest pre-assessment score
    knowledge: dict[int, float | None]
    # person id → team id, for everyone with a scored assessment
    team_of: dict[int, int | None]


def training_figures(scope: Scope) -> TrainingFigures:
    """Enrollments counted per team by the database; each enrollment's pre and post scores
    (gain = post − pre of an enrollment with both) and each person's knowledge: their latest
    post-assessment score, else their latest pre-assessment score (as readiness)."""
    company = scope.company
    enrollments = in_scope(Enrollment.objects.filter(company=company), scope, "person__team_id")
    per_team = {
        row["person__team_id"]: row
        for row in enrollments.values("person__team_id").annotate(
            enrolled=Count("pk"),
            completed=Count("pk", filter=Q(completed_at__isnull=False)),
            certified=Count("pk", filter=Q(certified_at__isnull=False)),
        )
    }
    assessments = in_scope(
        Assessment.objects.filter(company=company, completed_at__isnull=False, score__isnull=False),
        scope,
        "enrollment__person__team_id",
    ).values_list(
        "enrollment__person_id", "enrollment__person__team_id", "enrollment_id", "kind", "score"
    )
    by_enrollment: dict[int, dict[str, float]] = defaultdict(dict)
    latest: dict[int, dict[str, float]] = defaultdict(dict)
    team_of: dict[int, int | None] = {}
    enrollment_team: dict[int, int | None] = {}
    for person, team, enrollment, kind, score in assessments.order_by("completed_at", "pk"):
        by_enrollment[enrollment][kind] = score
        latest[person][kind] = score
        team_of[person] = team
        enrollment_team[enrollment] = team
    scores: dict[int | None, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for enrollment, kinds in by_enrollment.items():
        team = enrollment_team[enrollment]
        for kind, score in kinds.items():
            scores[team][kind].append(score)
        if AssessmentKind.PRE in kinds and AssessmentKind.POST in kinds:
            scores[team][GAIN].append(kinds[AssessmentKind.POST] - kinds[AssessmentKind.PRE])
    knowledge = {
        person: kinds.get(AssessmentKind.POST, kinds.get(AssessmentKind.PRE))
        for person, kinds in latest.items()
    }
    return TrainingFigures(per_team=per_team, scores=scores, knowledge=knowledge, team_of=team_of)


def training_starts(scope: Scope) -> dict[int, datetime.date]:
    """team id → the day its training started: the earliest start of an assignment to the team
    or of an enrollment of one of its members."""
    starts: dict[int, datetime.date] = {}
    assignments = in_scope(
        Assignment.objects.filter(company=scope.company, team__isnull=False), scope, "team_id"
    )
    enrollments = in_scope(
        Enrollment.objects.filter(company=scope.company, person__team__isnull=False),
        scope,
        "person__team_id",
    )
    for team, day in list(
        assignments.values_list("team_id").annotate(first=Min("starts_on"))
    ) + list(enrollments.values_list("person__team_id").annotate(first=Min("starts_on"))):
        if team not in starts or day < starts[team]:
            starts[team] = day
    return starts
