"""Pages of the eCoach: ask a question (also from the box in every page's header), your
questions and their answers, a published coach answer, and the coach queue."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from culturegap.ecoach import selectors, services
from culturegap.ecoach.forms import AnswerForm, AskCoachForm, AskForm, ThresholdForm
from culturegap.ecoach.models import AskedQuestion, CoachQuestionStatus
from culturegap.org.access import ANY_ROLE, roles_required
from culturegap.org.models import Role

COACH_ROLES = (Role.MANAGER, Role.ADMIN)
REVIEW_DAYS = 30


def _add_errors(form, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@roles_required(*ANY_ROLE)
@require_GET
def ask(request):
    """``?q=`` asks; without it, the page invites a question."""
    form = AskForm(request.GET) if "q" in request.GET else AskForm()
    answer = None
    status = 200
    if form.is_bound:
        if form.is_valid():
            try:
                answer = services.ask(person=request.user, question=form.cleaned_data["q"])
            except ValidationError as error:
                _add_errors(form, error)
        if not form.is_valid():
            status = 400
    context = {
        "form": form,
        "answer": answer,
        "unseen": selectors.unseen_answers(person=request.user),
    }
    return render(request, "ecoach/ask.html", context, status=status)


@roles_required(*ANY_ROLE)
@require_http_methods(["GET", "POST"])
def ask_a_coach(request):
    """ "Not helpful? Ask a coach": a question the eCoach answered goes to the coach queue."""
    if request.method == "GET":
        return redirect("ecoach:ask")
    form = AskCoachForm(request.POST)
    if not form.is_valid():
        context = {"form": AskForm(), "errors": ["The question to pass on is missing."]}
        return render(request, "ecoach/ask.html", context, status=400)
    asked = AskedQuestion.objects.filter(
        pk=form.cleaned_data["asked"], company_id=request.user.company_id, person=request.user
    ).first()
    if asked is None:
        raise Http404("No such question of yours.")
    services.ask_a_coach(person=request.user, asked=asked)
    messages.success(
        request, "Your question is with a coach. You will get an e-mail when they answer."
    )
    return redirect("ecoach:my_questions")


@roles_required(*ANY_ROLE)
@require_GET
def my_questions(request):
    questions = list(selectors.questions_of(person=request.user))
    new = {
        q.pk
        for q in questions
        if q.status == CoachQuestionStatus.ANSWERED and q.asker_seen_at is None
    }
    if new:
        services.mark_answers_seen(person=request.user)
    context = {"questions": questions, "new": new}
    return render(request, "ecoach/my_questions.html", context)


@roles_required(*ANY_ROLE)
@require_GET
def coach_answer(request, pk: int):
    question = selectors.coach_answer_for(viewer=request.user, pk=pk)
    if question is None:
        raise Http404("No such answer.")
    return render(request, "ecoach/coach_answer.html", {"question": question})


def _queue_context(request, *, threshold_form=None) -> dict:
    status = request.GET.get("status", CoachQuestionStatus.OPEN)
    if status not in CoachQuestionStatus.values:
        status = None
    viewer = request.user
    context = {
        "status": status or CoachQuestionStatus.OPEN,
        "questions": selectors.coach_queue(viewer=viewer, status=status or "open")[:200],
        "open_count": selectors.coach_queue(viewer=viewer).count(),
        "bad_status": status is None,
    }
    if viewer.is_program_admin:
        company = viewer.company
        threshold = selectors.confidence_threshold(company=company)
        context |= {
            "threshold": threshold,
            "threshold_form": threshold_form or ThresholdForm(initial={"threshold": threshold}),
            "review_days": REVIEW_DAYS,
            "summary": selectors.question_log_summary(
                company=company, since=timezone.now() - timedelta(days=REVIEW_DAYS)
            ),
            "log": selectors.question_log(company=company),
        }
    return context


@roles_required(*COACH_ROLES)
@require_GET
def queue(request):
    context = _queue_context(request)
    status = 400 if context["bad_status"] else 200
    return render(request, "ecoach/queue.html", context, status=status)


@roles_required(*COACH_ROLES)
@require_http_methods(["GET", "POST"])
def answer_question(request, pk: int):
    question = selectors.coach_question_for(viewer=request.user, pk=pk)
    if question is None:
        raise Http404("No such question in your queue.")
    status = 200
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                services.answer_question(
                    coach=request.user,
                    question=question,
                    answer=form.cleaned_data["answer"],
                    published_question=form.cleaned_data["published_question"],
                    publish=form.cleaned_data["publish"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    "Thank you: your answer is sent"
                    + (" and in the knowledge base." if form.cleaned_data["publish"] else "."),
                )
                return redirect("ecoach:queue")
        status = 400
    else:
        form = AnswerForm(
            initial={
                "answer": question.answer_text,
                "published_question": question.published_question,
                "publish": question.published or question.status == CoachQuestionStatus.OPEN,
            }
        )
    context = {"question": question, "form": form}
    return render(request, "ecoach/answer_question.html", context, status=status)


@roles_required(Role.ADMIN)
@require_POST
def threshold(request):
    form = ThresholdForm(request.POST)
    if form.is_valid():
        try:
            services.set_confidence_threshold(
                company=request.user.company,
                actor=request.user,
                threshold=form.cleaned_data["threshold"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "The eCoach's threshold is saved.")
            return redirect("ecoach:queue")
    context = _queue_context(request, threshold_form=form)
    return render(request, "ecoach/queue.html", context, status=400)
