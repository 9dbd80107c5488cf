"""Pages of reinforcement: the daily drill, retention for a learner and for a team, the
learner's vacation hold and e-mail choices, the company's settings."""

import datetime
import random

import plotly.graph_objects as go
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from culturegap.charts import chart
from culturegap.org import scope as org_scope
from culturegap.org.access import ANY_ROLE, roles_required
from culturegap.org.models import Role
from culturegap.reinforcement import selectors, services
from culturegap.reinforcement.forms import (
    DrillAnswerForm,
    HoldForm,
    PreferenceForm,
    SettingsForm,
    question_token,
)
from culturegap.reinforcement.models import Card, Drill
from culturegap.training.models import Option

TEAM_ROLES = (Role.EXECUTIVE, Role.ADMIN, Role.MANAGER)
CHART_WEEKS = 12


def _shuffled_options(card: Card, drill: Drill | None) -> list[Option]:
    """The options in an order fixed per card and drill, so the right answer's position is no
    clue and a reload shows the same order."""
    options = list(card.question.options.all())
    random.Random(f"{card.pk}:{drill.pk if drill else 0}").shuffle(options)
    return options


def _drill_context(person, drill: Drill | None, now, *, card: Card | None = None) -> dict:
    # The habit (streak, points) shows only when there is no question on screen, so a
    # question costs no query for it: learners open one many times a day.
    context = {"drill": drill}
    today = selectors.local_date(person.company, now)
    hold = selectors.active_hold(person=person, today=today)
    context["hold"] = hold if hold and hold.starts_on <= today else None
    if drill is None:
        context.update(state="empty", habit=selectors.habit(person=person, now=now))
        return context
    progress = selectors.drill_cards(drill)
    card = card or progress.next
    context["total"] = progress.total
    context["minutes"] = selectors.minutes_for(progress.total)
    if card is None:
        reviews = list(drill.reviews.all())
        context.update(
            state="done",
            right=sum(1 for review in reviews if review.correct),
            answered=len(reviews),
            more_due=selectors.due_count(person=person, now=now),
            habit=selectors.habit(person=person, now=now),
        )
        return context
    context.update(
        state="question",
        card=card,
        position=progress.answered + 1,
        options=_shuffled_options(card, drill),
        token=question_token(card_id=card.pk, drill_id=drill.pk, shown_at=now),
    )
    return context


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%B}"


def _days_until(moment, now) -> int:
    return max(1, round((moment - now).total_seconds() / 86400))


def _render_drill(request, context, status=200):
    template = "reinforcement/_drill.html" if request.htmx else "reinforcement/drill.html"
    return render(request, template, context, status=status)


@roles_required(*ANY_ROLE)
@require_http_methods(["GET", "POST"])
def drill(request):
    """Today's drill, one question at a time; POST starts another round."""
    now = timezone.now()
    person = request.user
    current = services.start_drill(person=person, now=now, another=request.method == "POST")
    if request.method == "POST":
        return redirect("reinforcement:drill")
    return _render_drill(request, _drill_context(person, current, now))


@roles_required(*ANY_ROLE)
@require_POST
def answer(request):
    """Record the answer to the question on screen and show its feedback."""
    now = timezone.now()
    person = request.user
    form = DrillAnswerForm(request.POST)
    form.is_valid()  # a missing option is handled below, with the question shown again
    token = None if "token" in form.errors else form.cleaned_data.get("token")
    if token is None:
        # Unreadable or expired: show the drill where it stands, with the reason.
        current = services.start_drill(person=person, now=now)
        context = {"errors": form.errors.get("token", [])} | _drill_context(person, current, now)
        return _render_drill(request, context, status=400)
    # The card is read once, locked, in the transaction that reviews it; the page is drawn
    # after the transaction ends.
    with transaction.atomic():
        context, status = _record_answer(person, form, token, now)
    return _render_drill(request, context, status=status)


def _record_answer(person, form: DrillAnswerForm, token: dict, now) -> tuple[dict, int]:
    read = selectors.card_to_review(
        person=person,
        card_id=token["card"],
        drill_id=token["drill"],
        today=selectors.local_date(person.company, now),
    )
    if read is None:
        raise Http404("No such card or drill.")
    card, drill = read.card, read.drill
    chosen = form.cleaned_data.get("option")
    options = list(Option.objects.filter(question_id=card.question_id))
    option = next((option for option in options if option.pk == chosen), None)
    if option is None:
        context = {"errors": ["Choose one of the answers."]}
        return context | _drill_context(person, drill, now, card=card), 400
    response_ms = int((now - token["shown"]).total_seconds() * 1000)
    try:
        result = services.submit_review(
            person=person,
            card=card,
            option=option,
            confident=form.confident,
            response_ms=response_ms,
            request_id=token["request"],
            now=now,
            drill=drill,
            options=options,
            read=read,
        )
    except ValidationError as error:
        context = {"errors": error.messages} | _drill_context(person, drill, now, card=card)
        return context, 400
    context = {
        "state": "feedback",
        "result": result,
        "card": card,
        "drill": drill,
        "days_until_due": _days_until(result.review.scheduled_due_after, now),
    }
    return context, 200


def _skill_rows(by_skill: dict[str, float], names: dict[str, str]) -> list[tuple[str, float]]:
    return [(selectors.skill_label(skill, names), value) for skill, value in by_skill.items()]


def _series_chart(points, values, *, label: str, threshold: float | None = None):
    x = [point.date().isoformat() for point in points]
    figure = go.Figure(
        go.Scatter(x=x, y=values, mode="lines+markers", name="retention", connectgaps=False)
    )
    if threshold is not None:
        figure.add_hline(y=threshold, line_dash="dot", annotation_text="alert threshold")
    figure.update_layout(yaxis={"range": [0, 1], "tickformat": ".0%"}, showlegend=False)
    return chart(figure, label=label)


def _skill_chart(rows: list[tuple[str, float]], *, label: str):
    figure = go.Figure(
        go.Bar(x=[value for _, value in rows], y=[name for name, _ in rows], orientation="h")
    )
    figure.update_layout(xaxis={"range": [0, 1], "tickformat": ".0%"}, showlegend=False)
    return chart(figure, label=label, height=max(288, 36 * len(rows) + 80))


@roles_required(*ANY_ROLE)
def retention(request, pk: int | None = None):
    """A person's predicted retention now, per skill, and over the last weeks: one's own, or
    (for managers, admins and executives) someone they may see."""
    now = timezone.now()
    people = org_scope.people_visible_to(viewer=request.user)
    person = get_object_or_404(people, pk=pk) if pk is not None else request.user
    company = request.user.company
    current = selectors.retention_of(person=person, now=now)
    names = selectors.skill_names(company=company)
    skills = _skill_rows(current.by_skill, names)
    points, values = selectors.retention_series(
        company=company, person_ids=[person.pk], now=now, weeks=CHART_WEEKS
    )
    charts = []
    if current.cards:
        charts = [
            _skill_chart(skills, label=f"Bar chart of {person.name}'s retention per skill"),
        ]
    if any(value is not None for value in values):
        charts.insert(
            0,
            _series_chart(
                points,
                values,
                label=f"Line chart of {person.name}'s predicted retention over the last "
                f"{CHART_WEEKS} weeks",
            ),
        )
    context = {
        "person": person,
        "own": person.pk == request.user.pk,
        "current": current,
        "skills": skills,
        "charts": charts,
        "habit": selectors.habit(person=person, now=now),
        "due": selectors.due_count(person=person, now=now),
        "threshold": selectors.settings_for(company).alert_threshold,
    }
    return render(request, "reinforcement/retention.html", context)


@roles_required(*TEAM_ROLES)
def team_list(request):
    rows = selectors.team_overview(viewer=request.user, now=timezone.now())
    threshold = selectors.settings_for(request.user.company).alert_threshold
    return render(request, "reinforcement/team_list.html", {"rows": rows, "threshold": threshold})


@roles_required(*TEAM_ROLES)
def team_detail(request, pk: int):
    now = timezone.now()
    company = request.user.company
    team = get_object_or_404(org_scope.teams_visible_to(viewer=request.user), pk=pk)
    people = list(
        org_scope.people_visible_to(viewer=request.user).filter(team=team).order_by("name")
    )
    ids = [person.pk for person in people]
    group = selectors.retention_of_people(company=company, person_ids=ids, now=now)
    settings = selectors.settings_for(company)
    wrong = selectors.confidently_wrong(
        person_ids=ids, company=company, since=now - datetime.timedelta(days=30)
    )
    due = selectors.due_counts(person_ids=ids, company=company, now=now)
    rows = [
        {
            "person": person,
            "retention": group.people.get(person.pk),
            "due": due.get(person.pk, 0),
            "confidently_wrong": wrong.get(person.pk, 0),
        }
        for person in people
    ]
    names = selectors.skill_names(company=company)
    skills = _skill_rows(group.by_skill, names)
    points, values = selectors.retention_series(
        company=company, person_ids=ids, now=now, weeks=CHART_WEEKS
    )
    charts = []
    if group.people:
        charts = [
            _series_chart(
                points,
                values,
                label=f"Line chart of {team.name}'s predicted retention over the last "
                f"{CHART_WEEKS} weeks",
                threshold=settings.alert_threshold,
            ),
            _skill_chart(skills, label=f"Bar chart of {team.name}'s retention per skill"),
        ]
    context = {
        "team": team,
        "rows": rows,
        "group": group,
        "skills": skills,
        "charts": charts,
        "threshold": settings.alert_threshold,
    }
    return render(request, "reinforcement/team_detail.html", context)


@roles_required(*ANY_ROLE)
@require_http_methods(["GET", "POST"])
def preferences(request):
    """The learner's vacation hold and which e-mails they receive."""
    now = timezone.now()
    person = request.user
    today = selectors.local_date(person.company, now)
    preference = selectors.nudge_preference(person=person)
    hold_form = HoldForm(prefix="hold")
    preference_form = PreferenceForm(
        prefix="mail",
        initial={"daily_digest": preference.daily_digest, "weekly_alert": preference.weekly_alert},
    )
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "hold":
            hold_form = HoldForm(request.POST, prefix="hold")
            if hold_form.is_valid():
                try:
                    hold = services.set_vacation_hold(
                        person=person,
                        starts_on=hold_form.cleaned_data["starts_on"],
                        ends_on=hold_form.cleaned_data["ends_on"],
                        now=now,
                    )
                except ValidationError as error:
                    hold_form.add_error(None, error)
                else:
                    messages.success(
                        request,
                        f"Enjoy your time away. Drills pause from {_day(hold.starts_on)} to "
                        f"{_day(hold.ends_on)}.",
                    )
                    return redirect("reinforcement:preferences")
            status = 400
        elif action == "cancel_hold":
            if services.cancel_vacation_hold(person=person, now=now):
                messages.success(request, "Welcome back: your drills are on again.")
            return redirect("reinforcement:preferences")
        elif action == "mail":
            preference_form = PreferenceForm(request.POST, prefix="mail")
            if preference_form.is_valid():
                services.set_nudge_preference(person=person, **preference_form.cleaned_data)
                messages.success(request, "Your e-mail choices are saved.")
                return redirect("reinforcement:preferences")
            status = 400
        else:
            status = 400
    context = {
        "hold": selectors.active_hold(person=person, today=today),
        "today": today,
        "hold_form": hold_form,
        "preference_form": preference_form,
    }
    return render(request, "reinforcement/preferences.html", context, status=status)


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def company_settings(request):
    company = request.user.company
    current = selectors.settings_for(company)
    if request.method == "POST":
        form = SettingsForm(request.POST, instance=current)
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in SettingsForm.Meta.fields}
            try:
                services.update_settings(company=company, **fields)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Reinforcement settings saved.")
                return redirect("reinforcement:settings")
        return render(request, "reinforcement/settings.html", {"form": form}, status=400)
    form = SettingsForm(instance=current)
    return render(request, "reinforcement/settings.html", {"form": form})
