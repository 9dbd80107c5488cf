"""The program admin's rollout overview: per assignment, who is enrolled, started, done, late."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q

from culturegap.org.models import Company
from culturegap.org.scope import (
    company_today,
)
from culturegap.training.models import (
    Assignment,
    Curriculum,
    Enrollment,
)


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
