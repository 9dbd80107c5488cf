"""Pages of rollout and learning: my learning, a curriculum, a lesson answered inline, the pre-
and post-assessments and their results, certificates, the team's progress, the rollout.

A learner reaches their own enrollments only (another person's is a 404); certificates and team
progress go through selectors that apply the reporting line.
"""

import csv
import datetime
import uuid
from dataclasses import dataclass

import plotly.graph_objects as go
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from culturegap.charts import chart
from culturegap.csvexport import safe_row
from culturegap.org import scope
from culturegap.org.access import ANY_ROLE, roles_required
from culturegap.org.models import Role
from culturegap.training import selectors, services
from culturegap.training.forms import AssessmentForm, AssignForm, LessonAnswerForm
from culturegap.training.models import (
    Answer,
    AssessmentKind,
    Curriculum,
    Enrollment,
    Lesson,
    Question,
    audience_for,
)

# --- The learner ---------------------------------------------------------------------------------


def _enrollment(request, curriculum_pk: int) -> Enrollment:
    return get_object_or_404(
        selectors.enrollments_of(person=request.user).select_related("company", "person"),
        curriculum_id=curriculum_pk,
    )


def _lesson_and_enrollment(request, pk: int) -> tuple[Lesson, Enrollment]:
    lesson = get_object_or_404(
        Lesson.objects.filter(company_id=request.user.company_id).select_related(
            "module", "module__curriculum"
        ),
        pk=pk,
    )
    return lesson, _enrollment(request, lesson.module.curriculum_id)


@roles_required(*ANY_ROLE)
@require_GET
def my_learning(request):
    progress_list = selectors.learning_list(person=request.user)
    return render(request, "training/my_learning.html", {"progress_list": progress_list})


@roles_required(*ANY_ROLE)
@require_GET
def curriculum_detail(request, pk: int):
    progress = selectors.enrollment_progress(enrollment=_enrollment(request, pk))
    modules: list[tuple[object, list[Lesson]]] = []
    for lesson in progress.lessons:
        if not modules or modules[-1][0] != lesson.module:
            modules.append((lesson.module, []))
        modules[-1][1].append(lesson)
    return render(
        request,
        "training/curriculum.html",
        {"progress": progress, "curriculum": progress.curriculum, "modules": modules},
    )


@dataclass
class QuestionCard:
    """One question on the lesson page: a form to answer, or the feedback once answered."""

    question: Question
    answer: Answer | None = None
    request_id: uuid.UUID | None = None
    error: str = ""
    chosen: int | None = None
    confident: str = ""

    @property
    def better_options(self):
        return [option for option in self.question.options.all() if option.is_correct]


def _next_after(progress: selectors.Progress, lesson: Lesson) -> tuple[str, str]:
    """Label and address of the button shown once ``lesson`` is done."""
    following = progress.lesson_after(lesson)
    if following is not None:
        return f"Next lesson: {following.title}", reverse("training:lesson", args=[following.pk])
    step = progress.next_step
    return step.label, step.url or reverse("training:curriculum", args=[progress.curriculum.pk])


def _lesson_context(request, lesson, enrollment, *, cards=None) -> dict:
    questions = selectors.lesson_questions(lesson=lesson, audience=audience_for(request.user))
    answers = selectors.first_lesson_answers(person=request.user, questions=questions)
    replaced = {card.question.pk: card for card in cards or []}
    cards = [
        replaced.get(q.pk) or QuestionCard(q, answers.get(q.pk), request_id=uuid.uuid4())
        for q in questions
    ]
    progress = selectors.enrollment_progress(enrollment=enrollment)
    done = lesson.pk in progress.done_ids
    next_label, next_url = _next_after(progress, lesson) if done else ("", "")
    return {
        "lesson": lesson,
        "curriculum": lesson.module.curriculum,
        "cards": cards,
        "lesson_done": done,
        "next_label": next_label,
        "next_url": next_url,
        "position": progress.lessons.index(lesson) + 1 if lesson in progress.lessons else None,
        "total": progress.total,
    }


@roles_required(*ANY_ROLE)
@require_GET
def lesson(request, pk: int):
    lesson, enrollment = _lesson_and_enrollment(request, pk)
    try:
        services.open_lesson(enrollment=enrollment, lesson=lesson)
    except services.NotAvailable as reason:
        messages.info(request, str(reason))
        return redirect("training:curriculum", enrollment.curriculum_id)
    return render(request, "training/lesson.html", _lesson_context(request, lesson, enrollment))


def _first_error(form) -> str:
    for field in ("option", "request_id", "response_ms", "confident"):
        if form.errors.get(field):
            return form.errors[field][0]
    return "This answer could not be recorded."


def _bad_answer(request, lesson, enrollment, *, card: QuestionCard | None, message: str):
    """400: the question re-rendered with the message (inline or in the whole page), or just
    the message when the question itself is unknown."""
    if card is None:
        template = "training/_bad_request.html" if request.htmx else "training/bad_request.html"
        return render(request, template, {"message": message}, status=400)
    card.error = message
    if request.htmx:
        context = {"card": card, "lesson": lesson}
        return render(request, "training/_question.html", context, status=400)
    context = _lesson_context(request, lesson, enrollment, cards=[card])
    return render(request, "training/lesson.html", context, status=400)


@roles_required(*ANY_ROLE)
@require_http_methods(["GET", "POST"])
def answer(request, pk: int):
    """Records the answer to one question of a lesson. With htmx, returns the question's
    feedback (and, once the lesson is done, the next-lesson button out of band); without,
    redirects back to the question on the lesson page."""
    lesson, enrollment = _lesson_and_enrollment(request, pk)
    if request.method == "GET":
        return redirect("training:lesson", lesson.pk)
    questions = {
        q.pk: q
        for q in selectors.lesson_questions(lesson=lesson, audience=audience_for(request.user))
    }
    form = LessonAnswerForm(request.POST, questions=questions)
    valid = form.is_valid()
    question = form.cleaned_data.get("question")
    card = None
    if question is not None:  # known: re-render it with the learner's choices and a message
        option_id = request.POST.get("option", "")
        card = QuestionCard(
            question,
            request_id=form.cleaned_data.get("request_id") or uuid.uuid4(),
            chosen=int(option_id) if option_id.isdigit() else None,
            confident=request.POST.get("confident", ""),
        )
    if not valid:
        message = form.errors["question"][0] if "question" in form.errors else _first_error(form)
        return _bad_answer(request, lesson, enrollment, card=card, message=message)
    question.lesson = lesson
    try:
        result = services.answer_lesson_question(
            enrollment=enrollment,
            question=question,
            option=form.cleaned_data["option"],
            confident=form.cleaned_data["confident"],
            response_ms=form.cleaned_data["response_ms"],
            request_id=form.cleaned_data["request_id"],
        )
    except ValidationError as error:
        message = " ".join(" ".join(m) for m in error.message_dict.values())
        return _bad_answer(request, lesson, enrollment, card=card, message=message)
    except services.NotAvailable as reason:
        return _bad_answer(request, lesson, enrollment, card=card, message=str(reason))
    if not request.htmx:
        url = reverse("training:lesson", args=[lesson.pk])
        return redirect(f"{url}#question-{question.pk}")
    context = _lesson_context(request, lesson, enrollment)
    answered = QuestionCard(question, result.answer)
    return render(
        request,
        "training/_answered.html",
        {**context, "card": answered, "oob": context["lesson_done"]},
    )


ASSESSMENT_TITLES = {AssessmentKind.PRE: "Starting check", AssessmentKind.POST: "Final check"}


def _assessment(request, pk: int, kind: str):
    enrollment = _enrollment(request, pk)
    try:
        assessment = services.open_assessment(enrollment=enrollment, kind=kind)
    except services.NotAvailable as reason:
        messages.info(request, str(reason))
        return redirect("training:curriculum", pk)
    if assessment.completed_at is not None:  # done already, or a retried submission
        return redirect("training:results", pk)
    items = selectors.assessment_items(assessment=assessment)
    form = AssessmentForm(
        request.POST if request.method == "POST" else None,
        items=items,
        initial={"request_id": uuid.uuid4()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_assessment(
                assessment=assessment,
                choices=form.choices(),
                request_id=form.cleaned_data["request_id"],
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            if kind == AssessmentKind.PRE:
                messages.success(request, "Starting check done. Now the lessons.")
                return redirect("training:curriculum", pk)
            return redirect("training:results", pk)
    context = {
        "form": form,
        "curriculum": enrollment.curriculum,
        "kind": kind,
        "title": ASSESSMENT_TITLES[kind],
        "count": len(items),
        "attempt": assessment.attempt,
        "attempts_allowed": selectors.FINAL_CHECK_ATTEMPTS,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "training/assessment.html", context, status=status)


@roles_required(*ANY_ROLE)
@require_http_methods(["GET", "POST"])
def pre_assessment(request, pk: int):
    return _assessment(request, pk, AssessmentKind.PRE)


@roles_required(*ANY_ROLE)
@require_http_methods(["GET", "POST"])
def post_assessment(request, pk: int):
    return _assessment(request, pk, AssessmentKind.POST)


@roles_required(*ANY_ROLE)
@require_http_methods(["GET", "POST"])
def retake_final_check(request, pk: int):
    """Another attempt at a failed final check (``services.retake_final_check``). Retaking is a
    POST; a GET goes back to the results."""
    enrollment = _enrollment(request, pk)
    if request.method == "GET":
        return redirect("training:results", pk)
    try:
        services.retake_final_check(enrollment=enrollment)
    except services.NotAvailable as reason:
        messages.info(request, str(reason))
        return redirect("training:results", pk)
    return redirect("training:post_assessment", pk)


@roles_required(*ANY_ROLE)
@require_GET
def results(request, pk: int):
    found = selectors.assessment_results(enrollment=_enrollment(request, pk))
    return render(
        request,
        "training/results.html",
        {"results": found, "progress": found.progress, "curriculum": found.progress.curriculum},
    )


@roles_required(*ANY_ROLE)
@require_GET
def certificate(request, code: uuid.UUID):
    enrollment = get_object_or_404(
        selectors.certificates_visible_to(viewer=request.user), certificate_code=code
    )
    post = enrollment.assessments.filter(kind=AssessmentKind.POST).first()
    certified_on = timezone.localtime(
        enrollment.certified_at, scope.company_zone(enrollment.company)
    ).date()
    return render(
        request,
        "training/certificate.html",
        {
            "enrollment": enrollment,
            "score": post.score if post else None,
            "certified_on": certified_on,
        },
    )


# --- The team's progress -------------------------------------------------------------------------


def _chosen(request, name: str, queryset):
    """The object picked by the ``name`` query parameter from ``queryset``; None when absent,
    404 when it is not a valid choice."""
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise Http404(f"No such {name}.")
    return get_object_or_404(queryset, pk=int(value))


def _team_filters(request):
    team = _chosen(request, "team", selectors.team_choices(viewer=request.user))
    curricula = Curriculum.objects.filter(company_id=request.user.company_id)
    return team, _chosen(request, "curriculum", curricula), curricula


def _skills_chart(progress: selectors.TeamProgress):
    """Horizontal bars, one pair per skill: skill names stay readable on a phone."""
    skills = list(reversed(progress.skills))  # Plotly draws the first bar at the bottom
    names = [skill.name for skill in skills]
    figure = go.Figure(
        [
            go.Bar(name="Starting check", y=names, x=[s.pre for s in skills], orientation="h"),
            go.Bar(name="Final check", y=names, x=[s.post for s in skills], orientation="h"),
        ]
    )
    figure.update_layout(
        barmode="group",
        xaxis={"title": "% right", "range": [0, 100]},
        yaxis={"automargin": True},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
    )
    return chart(
        figure,
        label="Bar chart of the team's mean score per skill before and after the lessons",
        height=120 + 44 * len(skills),
    )


@roles_required(Role.EXECUTIVE, Role.ADMIN, Role.MANAGER)
@require_GET
def team_progress(request):
    team, curriculum, curricula = _team_filters(request)
    progress = selectors.team_progress(viewer=request.user, team=team, curriculum=curriculum)
    figure = _skills_chart(progress) if progress.skills else None
    return render(
        request,
        "training/team.html",
        {
            "progress": progress,
            "team": team,
            "curriculum": curriculum,
            "teams": selectors.team_choices(viewer=request.user),
            "curricula": curricula,
            "figure": figure,
            "charts": figure is not None,
            "query": request.GET.urlencode(),
            "needs_team": team is None and not request.user.is_manager,
        },
    )


@roles_required(Role.EXECUTIVE, Role.ADMIN, Role.MANAGER)
@require_GET
def team_progress_csv(request):
    team, curriculum, _ = _team_filters(request)
    progress = selectors.team_progress(viewer=request.user, team=team, curriculum=curriculum)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    writer = csv.writer(response)
    writer.writerows(
        safe_row(row) for row in selectors.team_csv_rows(progress, company=request.user.company)
    )
    stamp = scope.company_today(request.user.company).isoformat()
    response["Content-Disposition"] = f'attachment; filename="team-learning-{stamp}.csv"'
    return response


# --- Rollout -------------------------------------------------------------------------------------


# The due date the assignment form suggests: a 30-lesson curriculum at a lesson a working day.
DEFAULT_WEEKS_TO_COMPLETE = 6


@roles_required(Role.ADMIN)
@require_GET
def rollout(request):
    overview = selectors.rollout_overview(company=request.user.company)
    return render(request, "training/rollout.html", {"overview": overview})


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def assign(request):
    company = request.user.company
    if request.method == "GET":
        today = scope.company_today(company)
        initial = {
            "wave": 1,
            "curriculum": request.GET.get("curriculum", ""),
            "starts_on": today,
            "due_on": today + datetime.timedelta(weeks=DEFAULT_WEEKS_TO_COMPLETE),
        }
        form = AssignForm(company=company, initial=initial)
        return render(request, "training/assign.html", {"form": form})
    form = AssignForm(request.POST, company=company)
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = services.assign_curriculum(
                curriculum=data["curriculum"],
                teams=data["teams"],
                people=data["people"],
                wave=data["wave"],
                starts_on=data["starts_on"],
                due_on=data["due_on"],
                actor=request.user,
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            text = (
                f"{data['curriculum'].title}, wave {data['wave']}: {result.enrolled} "
                f"{'person' if result.enrolled == 1 else 'people'} enrolled"
            )
            if result.already_enrolled:
                text += f", {result.already_enrolled} already enrolled and left as they were"
            messages.success(request, text + ".")
            return redirect("training:rollout")
    return render(request, "training/assign.html", {"form": form}, status=400)
