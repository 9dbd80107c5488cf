"""Pages of coaching: my coaching, a person's coaching, the team table and its CSV, the skills
heatmap, recording an observation or a self-assessment, and the scorecard editor."""

import csv

import plotly.graph_objects as go
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from culturegap import measures
from culturegap.charts import ORANGE_TO_BLUE, chart
from culturegap.coaching import selectors, services
from culturegap.coaching.forms import ObservationForm, ScorecardFormSet, TeamForm
from culturegap.coaching.models import ObservationKind
from culturegap.csvexport import safe_row
from culturegap.measures.readiness import COMPONENT_LABELS
from culturegap.org import scope as org_scope
from culturegap.org.access import ANY_ROLE, roles_required
from culturegap.org.models import Person, Role
from culturegap.org.scope import people_visible_to
from culturegap.org.selectors import customers_visible_to

OBSERVER_ROLES = (Role.MANAGER, Role.ADMIN)
COACH_ROLES = (Role.MANAGER, Role.ADMIN, Role.EXECUTIVE)
# Who talks to customers and may score one of their own conversations.
SELF_ASSESSMENT_ROLES = (Role.CRP, Role.SALES, Role.MANAGER)
CUSTOMER_SEARCH_ROLES = (Role.MANAGER, Role.ADMIN, Role.CRP, Role.SALES)
# The heatmap fits its box up to this many people; wider, each column gets a fixed width.
MIN_PEOPLE_TO_SCROLL = 8
HEATMAP_LABEL_WIDTH = 220
HEATMAP_COLUMN_WIDTH = 34


def _add_errors(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, problems in error.message_dict.items():
        form.add_error(name if name in form.fields else None, problems)


def _weights() -> list[tuple[str, int]]:
    return [
        (COMPONENT_LABELS[name], round(weight * 100))
        for name, weight in measures.READINESS_WEIGHTS.items()
    ]


# --- A person's coaching -------------------------------------------------------------------------


def _person_page(request, person: Person):
    viewer = request.user
    evidence = selectors.readiness_of(person=person)
    context = {
        "person": person,
        "is_self": person.pk == viewer.pk,
        "evidence": evidence,
        "skills": selectors.skill_rows(
            evidence=evidence, skill_list=selectors.skills(company=person.company)
        ),
        "observations": selectors.observations_of(person=person, kind=ObservationKind.MANAGER),
        "self_assessments": selectors.observations_of(person=person, kind=ObservationKind.SELF),
        "weights": _weights(),
        "window_days": selectors.BEHAVIOUR_WINDOW_DAYS,
        "observe_every_days": selectors.OBSERVE_EVERY_DAYS,
        "may_observe": selectors.may_observe(observer=viewer, person=person),
        "may_self_assess": person.pk == viewer.pk
        and any(viewer.has_role(role) for role in SELF_ASSESSMENT_ROLES),
        "has_scorecard": selectors.active_scorecard(company=person.company) is not None,
    }
    return render(request, "coaching/person.html", context)


@roles_required(*ANY_ROLE)
@require_GET
def mine(request):
    return _person_page(request, request.user)


@roles_required(*ANY_ROLE)
@require_GET
def person_detail(request, pk: int):
    person = get_object_or_404(people_visible_to(viewer=request.user), pk=pk)
    return _person_page(request, person)


@roles_required(*ANY_ROLE)
@require_GET
def observation_detail(request, pk: int):
    observation = get_object_or_404(
        selectors.observations_visible_to(viewer=request.user).select_related(
            "person", "observer", "customer"
        ),
        pk=pk,
    )
    context = {
        "observation": observation,
        "ratings": selectors.observation_ratings(observation=observation),
        "window_days": selectors.BEHAVIOUR_WINDOW_DAYS,
    }
    return render(request, "coaching/observation_detail.html", context)


# --- Recording -----------------------------------------------------------------------------------


def _customer_options(viewer: Person, search: str, selected: str) -> dict:
    """The customer radios: the matches of the search and the customer already picked."""
    matches = selectors.customer_matches(viewer=viewer, search=search)
    chosen = None
    if selected.isdigit():
        chosen = customers_visible_to(viewer=viewer).filter(pk=int(selected)).first()
    options = ([chosen] if chosen else []) + [c for c in matches if c != chosen]
    return {
        "options": options,
        "selected": chosen.pk if chosen else None,
        "search": search,
        "matched": len(matches),
    }


@roles_required(*CUSTOMER_SEARCH_ROLES)
@require_GET
def customer_search(request):
    """The htmx partial of the customer field: matching customers as radio options."""
    search = request.GET.get("q", "").strip()[:100]
    context = _customer_options(request.user, search, request.GET.get("customer", ""))
    return render(request, "coaching/_customer_options.html", {"customers": context})


def _record(request, *, self_assessment: bool):
    viewer = request.user
    scorecard = selectors.active_scorecard(company=viewer.company)
    items = selectors.scorecard_items(scorecard=scorecard)
    names = dict(selectors.skills(company=viewer.company))
    for item in items:
        item.skill_name = names.get(item.skill, "")
    search = request.GET.get("q", "").strip()[:100]
    status = 200
    if request.method == "POST":
        form = ObservationForm(
            request.POST, observer=viewer, items=items, self_assessment=self_assessment
        )
        if scorecard is None:
            form.add_error(None, "There is no scorecard yet: a program admin builds it first.")
        elif form.is_valid():
            data = form.cleaned_data
            try:
                observation = services.record_observation(
                    observer=viewer,
                    person=viewer if self_assessment else data["person"],
                    customer=data["customer"],
                    channel=data["channel"],
                    observed_on=data["observed_on"],
                    ratings=form.ratings(),
                    comment=data["comment"],
                    kind=ObservationKind.SELF if self_assessment else ObservationKind.MANAGER,
                    scorecard=scorecard,
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                if self_assessment:
                    messages.success(request, "Your self-assessment is saved.")
                else:
                    messages.success(
                        request, f"Observation of {observation.person.name} saved. Thank you."
                    )
                return redirect("coaching:observation_detail", pk=observation.pk)
        status = 400
        selected = request.POST.get("customer", "")
    else:
        initial = {"observed_on": org_scope.company_today(viewer.company), "channel": "phone"}
        if request.GET.get("person", "").isdigit():
            initial["person"] = request.GET["person"]
        form = ObservationForm(
            initial=initial, observer=viewer, items=items, self_assessment=self_assessment
        )
        selected = request.GET.get("customer", "")
    context = {
        "form": form,
        "scorecard": scorecard,
        "self_assessment": self_assessment,
        "search": search,
        "customers": _customer_options(viewer, search, selected),
        "action": reverse("coaching:self_assess" if self_assessment else "coaching:observe"),
    }
    return render(request, "coaching/record.html", context, status=status)


@roles_required(*OBSERVER_ROLES)
@require_http_methods(["GET", "POST"])
def observe(request):
    return _record(request, self_assessment=False)


@roles_required(*SELF_ASSESSMENT_ROLES)
@require_http_methods(["GET", "POST"])
def self_assess(request):
    return _record(request, self_assessment=True)


# --- The team ------------------------------------------------------------------------------------


def _team(request):
    """The chosen team (``?team=``) or the viewer's default; a bad choice gives the form's
    error and no team."""
    form = TeamForm(request.GET or None, viewer=request.user)
    if form.is_bound and not form.is_valid():
        return form, None, 400
    team = form.cleaned_data.get("team") if form.is_bound else None
    team = team or selectors.default_team(viewer=request.user)
    if not form.is_bound:
        form = TeamForm(initial={"team": team}, viewer=request.user)
    return form, team, 200


@roles_required(*COACH_ROLES)
@require_GET
def team(request):
    form, chosen, status = _team(request)
    coaching = selectors.team_coaching(viewer=request.user, team=chosen)
    context = {
        "form": form,
        "coaching": coaching,
        "headers": selectors.TEAM_TABLE_HEADERS,
        "rows": [
            (evidence, list(zip(selectors.TEAM_TABLE_HEADERS, cells, strict=True)))
            for evidence, cells in zip(
                coaching.people, selectors.team_table_rows(coaching), strict=True
            )
        ],
        "weights": _weights(),
        "window_days": selectors.BEHAVIOUR_WINDOW_DAYS,
        "observe_every_days": selectors.OBSERVE_EVERY_DAYS,
        "may_observe": request.user.is_manager or request.user.is_program_admin,
    }
    return render(request, "coaching/team.html", context, status=status)


@roles_required(*COACH_ROLES)
@require_GET
def team_export(request):
    """The team table of the page, as CSV: the same rows and cells."""
    form, chosen, status = _team(request)
    if status != 200:
        problems = "; ".join(f"{name}: {' '.join(e)}" for name, e in form.errors.items())
        return HttpResponse(
            f"Bad filter: {problems}\n", status=400, content_type="text/plain; charset=utf-8"
        )
    coaching = selectors.team_coaching(viewer=request.user, team=chosen)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    writer = csv.writer(response)
    writer.writerow(selectors.TEAM_TABLE_HEADERS)
    writer.writerows(safe_row(row) for row in selectors.team_table_rows(coaching))
    name = chosen.name if chosen else "no-team"
    slug = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
    response["Content-Disposition"] = f'attachment; filename="coaching-{slug}.csv"'
    return response


def _heatmap_chart(heatmap: selectors.Heatmap):
    names = [person.name for person in heatmap.people]
    skill_names = [name for _, name in heatmap.skills]
    text = [["–" if v is None else f"{v:.0f}" for v in row] for row in heatmap.cells]
    figure = go.Figure(
        go.Heatmap(
            z=heatmap.cells,
            x=names,
            y=skill_names,
            text=text,
            texttemplate="%{text}",
            zmin=0,
            zmax=100,
            colorscale=ORANGE_TO_BLUE,
            colorbar={"title": {"text": "readiness"}},
            hovertemplate="%{y} · %{x}: %{text}<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    figure.update_layout(yaxis={"autorange": "reversed"}, xaxis={"tickangle": -40, "side": "top"})
    height = max(320, 140 + 48 * len(skill_names))
    if len(names) > MIN_PEOPLE_TO_SCROLL:
        # Wide teams keep readable cells: the chart gets its own width and scrolls sideways.
        figure.update_layout(width=HEATMAP_LABEL_WIDTH + HEATMAP_COLUMN_WIDTH * len(names))
    return chart(
        figure,
        label="Heatmap of each person's readiness in each skill; the same figures are in the "
        "table below",
        height=height,
    )


@roles_required(*COACH_ROLES)
@require_GET
def heatmap(request):
    form, chosen, status = _team(request)
    coaching = selectors.team_coaching(viewer=request.user, team=chosen)
    figures = selectors.team_heatmap(coaching=coaching, company=request.user.company)
    context = {
        "form": form,
        "coaching": coaching,
        "heatmap": figures,
        "rows": list(zip(figures.skills, figures.cells, strict=True)),
        "weights": _weights(),
        "window_days": selectors.BEHAVIOUR_WINDOW_DAYS,
    }
    if not figures.is_empty:
        context["figure"] = _heatmap_chart(figures)
        context["charts"] = True
    return render(request, "coaching/heatmap.html", context, status=status)


# --- The scorecard -------------------------------------------------------------------------------


def _scorecard_page(request, *, formset=None, problems=(), status=200):
    company = request.user.company
    scorecard = selectors.active_scorecard(company=company)
    items = selectors.scorecard_items(scorecard=scorecard)
    skill_choices = selectors.skills(company=company)
    if formset is None and scorecard is not None:
        formset = ScorecardFormSet(
            prefix="items",
            initial=[
                {"item": item.pk, "skill": item.skill, "behaviour": item.behaviour, "ORDER": n}
                for n, item in enumerate(items, start=1)
            ],
            form_kwargs={"skill_choices": skill_choices},
        )
    context = {
        "scorecard": scorecard,
        "items": items,
        "formset": formset,
        "skill_names": dict(skill_choices),
        "playbook": selectors.published_playbook(company=company),
        "observation_count": scorecard.observations.count() if scorecard else 0,
        "problems": problems,
    }
    return render(request, "coaching/scorecard.html", context, status=status)


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def scorecard(request):
    if request.method != "POST":
        return _scorecard_page(request)
    company = request.user.company
    current = selectors.active_scorecard(company=company)
    skill_choices = selectors.skills(company=company)
    formset = ScorecardFormSet(
        request.POST, prefix="items", form_kwargs={"skill_choices": skill_choices}
    )
    if current is None:
        return _scorecard_page(request, status=400)
    if formset.is_valid():
        specs = [
            services.ItemSpec(
                skill=form.cleaned_data["skill"],
                behaviour=form.cleaned_data["behaviour"],
                pk=form.cleaned_data.get("item"),
            )
            for form in formset.ordered_forms
        ]
        try:
            services.update_scorecard(
                scorecard=current,
                items=specs,
                skills={key for key, _ in skill_choices},
                actor=request.user,
            )
        except ValidationError as error:
            problems = [
                f"{name}: {text}" for name, texts in error.message_dict.items() for text in texts
            ]
            return _scorecard_page(request, formset=formset, problems=problems, status=400)
        messages.success(request, "The scorecard is saved.")
        return redirect("coaching:scorecard")
    return _scorecard_page(request, formset=formset, status=400)


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def scorecard_generate(request):
    if request.method != "POST":
        return redirect("coaching:scorecard")
    try:
        created = services.generate_scorecard(company=request.user.company, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _scorecard_page(request, status=400)
    messages.success(request, f"Scorecard built with {created.items.count()} behaviours.")
    return redirect("coaching:scorecard")
