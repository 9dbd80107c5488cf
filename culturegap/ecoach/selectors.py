"""Reading the eCoach's questions: the coach queue, a person's own questions, published coach
answers, the question log for quality review, and the company's threshold."""

from django.db.models import Avg, Count, Q, QuerySet

from culturegap.ecoach.models import (
    DEFAULT_CONFIDENCE_THRESHOLD,
    AskedQuestion,
    CoachQuestion,
    CoachQuestionStatus,
    EcoachSettings,
)
from culturegap.org.models import Company, Person
from culturegap.org.scope import reporting_line_ids


def confidence_threshold(*, company: Company) -> float:
    value = (
        EcoachSettings.objects.filter(company=company)
        .values_list("confidence_threshold", flat=True)
        .first()
    )
    return DEFAULT_CONFIDENCE_THRESHOLD if value is None else value


def is_coach(person: Person) -> bool:
    """Managers and program admins answer questions the eCoach could not."""
    return bool(person.company_id and (person.is_manager or person.is_program_admin))


def coach_questions_visible_to(*, viewer: Person) -> QuerySet[CoachQuestion]:
    """Questions a coach may see and answer. Program admins: the whole company's. Managers:
    those of the people in their reporting line, and those of people who report to nobody
    (or have left), so that no question waits without a coach who can see it."""
    questions = CoachQuestion.objects.filter(company_id=viewer.company_id)
    if viewer.is_program_admin:
        return questions
    if viewer.is_manager:
        line = reporting_line_ids(manager=viewer)
        return questions.filter(
            Q(asker_id__in=line)
            | Q(asker__isnull=True)
            | Q(asker__manager__isnull=True)
            | Q(answered_by=viewer)
        )
    return questions.none()


def coach_queue(*, viewer: Person, status: str = CoachQuestionStatus.OPEN) -> QuerySet:
    """Open questions oldest first (the longest wait is answered first); answered ones
    newest first."""
    questions = coach_questions_visible_to(viewer=viewer).filter(status=status)
    order = ["asked_at", "pk"] if status == CoachQuestionStatus.OPEN else ["-answered_at", "-pk"]
    return questions.select_related("asker", "asker__team", "answered_by").order_by(*order)


def coach_question_for(*, viewer: Person, pk: int) -> CoachQuestion | None:
    return coach_questions_visible_to(viewer=viewer).select_related("asker").filter(pk=pk).first()


def questions_of(*, person: Person) -> QuerySet[CoachQuestion]:
    """A person's own questions to a coach, newest first."""
    return (
        CoachQuestion.objects.filter(company_id=person.company_id, asker=person)
        .select_related("answered_by")
        .order_by("-asked_at", "-pk")
    )


def unseen_answers(*, person: Person) -> int:
    """How many answers to the person's questions they have not seen yet."""
    return CoachQuestion.objects.filter(
        company_id=person.company_id,
        asker=person,
        status=CoachQuestionStatus.ANSWERED,
        asker_seen_at__isnull=True,
    ).count()


def coach_answer_for(*, viewer: Person, pk: int) -> CoachQuestion | None:
    """An answered question as a page: published answers are for the whole company; an
    unpublished one only for its asker and the coaches who may see it."""
    answered = CoachQuestion.objects.filter(
        company_id=viewer.company_id, status=CoachQuestionStatus.ANSWERED, pk=pk
    ).select_related("answered_by")
    question = answered.first()
    if question is None or question.published or question.asker_id == viewer.pk:
        return question
    return coach_question_for(viewer=viewer, pk=pk)


def question_log(*, company: Company, limit: int = 50) -> QuerySet[AskedQuestion]:
    """The latest questions asked, for quality review."""
    return AskedQuestion.objects.filter(company=company).order_by("-asked_at", "-pk")[:limit]


def question_log_summary(*, company: Company, since) -> dict:
    return AskedQuestion.objects.filter(company=company, asked_at__gte=since).aggregate(
        asked=Count("pk"),
        answered=Count("pk", filter=Q(answered=True)),
        routed=Count("pk", filter=Q(routed=True)),
        mean_confidence=Avg("confidence"),
    )
