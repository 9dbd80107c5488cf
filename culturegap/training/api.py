"""Training: the company's curricula and people's progress through them (enrollments)."""

import datetime

from django.db.models import Count
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from culturegap import measures
from culturegap.org.api_support import (
    ANY_ROLE,
    Id,
    PageQuery,
    PeriodQuery,
    allow,
    page_of,
    paginate,
    person_of,
    resolve_period,
    responses,
)
from culturegap.org.models import Role
from culturegap.org.scope import company_today, people_visible_to
from culturegap.training.models import Curriculum, Enrollment, Lesson, LessonProgress

router = Router(tags=["training"])


class CurriculumOut(Schema):
    id: int
    key: str
    title: str
    description: str
    pass_mark: int
    lessons: int
    enrolled: int


CurriculumPage = page_of(CurriculumOut, "CurriculumPage")


def _curricula(request):
    return (
        Curriculum.objects.filter(company_id=person_of(request).company_id)
        .annotate(
            lessons=Count("modules__lessons", distinct=True),
            enrolled=Count("enrollments", distinct=True),
        )
        .order_by("title", "pk")
    )


@router.get("/curricula", response=responses({200: CurriculumPage}), summary="Curricula")
@allow(Role.EXECUTIVE, Role.ADMIN, Role.MANAGER)
def curriculum_list(request, page: Query[PageQuery]):
    return paginate(_curricula(request), page)


@router.get(
    "/curricula/{curriculum_id}", response=responses({200: CurriculumOut}), summary="One curriculum"
)
@allow(Role.EXECUTIVE, Role.ADMIN, Role.MANAGER)
def curriculum_detail(request, curriculum_id: Id):
    return get_object_or_404(_curricula(request), pk=curriculum_id)


class EnrollmentOut(Schema):
    id: int
    person_id: int
    curriculum_id: int
    wave: int
    starts_on: datetime.date
    due_on: datetime.date
    started_at: datetime.datetime | None
    completed_at: datetime.datetime | None
    certified_at: datetime.datetime | None
    lessons_done: int
    lessons_total: int
    percent: int = Field(description="Lessons done, as a whole percent.")
    status: str = Field(description="assigned, started, completed or overdue.")


EnrollmentPage = page_of(EnrollmentOut, "EnrollmentPage")


class EnrollmentQuery(PeriodQuery):
    curriculum_id: Id | None = None
    person_id: Id | None = None


def _with_progress(enrollments: list[Enrollment], today: datetime.date) -> list[dict]:
    """Lessons done and the status of each enrollment, in two queries for the whole page."""
    totals = dict(
        Lesson.objects.filter(module__curriculum_id__in={e.curriculum_id for e in enrollments})
        .values_list("module__curriculum_id")
        .annotate(n=Count("pk"))
        .values_list("module__curriculum_id", "n")
    )
    done = dict(
        LessonProgress.objects.filter(enrollment__in=enrollments, completed_at__isnull=False)
        .values_list("enrollment_id")
        .annotate(n=Count("pk"))
        .values_list("enrollment_id", "n")
    )
    rows = []
    for enrollment in enrollments:
        total = totals.get(enrollment.curriculum_id, 0)
        finished = done.get(enrollment.pk, 0)
        rows.append(
            {
                "id": enrollment.pk,
                "person_id": enrollment.person_id,
                "curriculum_id": enrollment.curriculum_id,
                "wave": enrollment.wave,
                "starts_on": enrollment.starts_on,
                "due_on": enrollment.due_on,
                "started_at": enrollment.started_at,
                "completed_at": enrollment.completed_at,
                "certified_at": enrollment.certified_at,
                "lessons_done": min(finished, total),
                "lessons_total": total,
                "percent": measures.progress_percent(finished, total),
                "status": measures.enrollment_status(
                    started_at=enrollment.started_at,
                    completed_at=enrollment.completed_at,
                    due_on=enrollment.due_on,
                    today=today,
                ),
            }
        )
    return rows


def _enrollments(request):
    viewer = person_of(request)
    return Enrollment.objects.filter(
        company_id=viewer.company_id, person__in=people_visible_to(viewer=viewer)
    )


@router.get(
    "/enrollments",
    response=responses({200: EnrollmentPage}),
    summary="Progress through curricula",
    description=(
        "Your own enrollments; a manager's also include their reporting line, executives' and "
        "program admins' the whole company. `since`/`until` filter on the day of enrollment."
    ),
)
@allow(*ANY_ROLE)
def enrollment_list(request, query: Query[EnrollmentQuery]):
    resolve_period(query, person_of(request).company)
    enrollments = _enrollments(request).order_by("-enrolled_at", "-pk")
    if query.curriculum_id is not None:
        enrollments = enrollments.filter(curriculum_id=query.curriculum_id)
    if query.person_id is not None:
        enrollments = enrollments.filter(person_id=query.person_id)
    if query.since is not None:
        enrollments = enrollments.filter(enrolled_at__date__gte=query.since)
    if query.until is not None:
        enrollments = enrollments.filter(enrolled_at__date__lte=query.until)
    today = company_today(person_of(request).company)
    return paginate(enrollments, query, convert=lambda page: _with_progress(page, today))


@router.get(
    "/enrollments/{enrollment_id}",
    response=responses({200: EnrollmentOut}),
    summary="One person's progress through one curriculum",
)
@allow(*ANY_ROLE)
def enrollment_detail(request, enrollment_id: Id):
    enrollment = get_object_or_404(_enrollments(request), pk=enrollment_id)
    return _with_progress([enrollment], company_today(person_of(request).company))[0]
