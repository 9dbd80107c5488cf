"""Culture survey pages: staff answer the open wave; program admins run waves, add statements
and set targets; executives, program admins and managers read the results and export them."""

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from culturegap.csvexport import safe_row
from culturegap.culture import charts, selectors, services
from culturegap.culture.forms import (
    AnswerForm,
    ResultsForm,
    StatementForm,
    TargetsForm,
    WaveOpenForm,
    default_wave_name,
)
from culturegap.culture.models import OwnStatement
from culturegap.measures.culture import MIN_GROUP
from culturegap.org.access import ANY_ROLE, roles_required
from culturegap.org.models import Role
from culturegap.org.scope import company_today

RESULTS_ROLES = (Role.EXECUTIVE, Role.ADMIN, Role.MANAGER)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


@roles_required(*ANY_ROLE)
@never_cache
@require_http_methods(["GET", "POST"])
def survey(request):
    """The open wave's questions for one person, once; afterwards a thank-you."""
    person = request.user
    wave = selectors.open_wave(company=person.company)
    context = {"wave": wave, "eligible": selectors.is_eligible(person), "min_group": MIN_GROUP}
    if wave is None or not context["eligible"]:
        status = 200 if request.method == "GET" else 403
        return render(request, "culture/survey_none.html", context, status=status)
    if selectors.has_answered(person=person, wave=wave):
        status = 200 if request.method == "GET" else 409
        return render(request, "culture/survey_thanks.html", context, status=status)
    form = AnswerForm(request.POST if request.method == "POST" else None, wave=wave)
    context["form"] = form
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "culture/survey.html", context, status=400)
        try:
            services.submit_answer(
                wave=wave,
                person=person,
                scores=form.scores(),
                open_answer=form.cleaned_data["open_answer"],
            )
        except services.AlreadyAnswered:
            return render(request, "culture/survey_thanks.html", context, status=409)
        except services.WaveClosed:
            return render(request, "culture/survey_none.html", context, status=409)
        except ValidationError as error:
            _add_errors(form, error)
            return render(request, "culture/survey.html", context, status=400)
        return redirect("culture:survey")
    return render(request, "culture/survey.html", context)


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def waves(request):
    """The list of waves, and opening a new one (POST)."""
    company = request.user.company
    today = company_today(company)
    form = WaveOpenForm(request.POST or None, initial={"name": default_wave_name(today)})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                wave = services.open_wave(
                    company=company,
                    name=form.cleaned_data["name"],
                    opened_on=today,
                    opened_by=request.user,
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    f"“{wave.name}” is open to {wave.invited:,} customer-contact staff.",
                )
                return redirect("culture:waves")
        status = 400
    context = {
        "form": form,
        "waves": selectors.wave_list(company=company),
        "open_wave": selectors.open_wave(company=company),
        "eligible": selectors.eligible_staff(company=company).count(),
    }
    return render(request, "culture/waves.html", context, status=status)


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def wave_close(request, pk: int):
    """Closing is a POST; a GET goes back to the list of waves."""
    company = request.user.company
    wave = selectors.wave_detail(company=company, pk=pk)
    if wave is None:
        raise Http404("No such wave.")
    if request.method == "GET":
        return redirect("culture:waves")
    try:
        services.close_wave(wave=wave, closed_on=company_today(company))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{wave.name}” is closed.")
    return redirect("culture:waves")


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def statements(request):
    """The shipped statements and the company's own; adding one (POST)."""
    company = request.user.company
    form = StatementForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                statement = services.add_statement(company=company, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request, f"Added: “{statement.text}”. It is asked from the next wave on."
                )
                return redirect("culture:statements")
        status = 400
    context = {
        "form": form,
        "shipped": services.shipped_statements(),
        "own": OwnStatement.objects.filter(company=company).order_by("dimension", "pk"),
        "labels": selectors.dimension_labels(),
    }
    return render(request, "culture/statements.html", context, status=status)


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def statement_toggle(request, pk: int):
    """Stops or resumes asking an own statement (POST); a GET goes back to the list."""
    statement = OwnStatement.objects.filter(company=request.user.company, pk=pk).first()
    if statement is None:
        raise Http404("No such statement.")
    if request.method == "GET":
        return redirect("culture:statements")
    services.set_statement_active(statement=statement, active=not statement.is_active)
    state = "asked from the next wave on" if statement.is_active else "no longer asked"
    messages.success(request, f"“{statement.text}” is {state}.")
    return redirect("culture:statements")


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def targets(request):
    company = request.user.company
    form = TargetsForm(request.POST or None, initial=selectors.targets(company=company))
    if request.method == "POST":
        if form.is_valid():
            services.set_targets(company=company, targets=form.cleaned_data)
            messages.success(request, "Targets saved.")
            return redirect("culture:targets")
        return render(request, "culture/targets.html", {"form": form}, status=400)
    return render(request, "culture/targets.html", {"form": form})


def _chosen_wave(request):
    """The results' wave: ``?wave=`` when given and valid, else the newest closed wave (or the
    open one if none is closed). (form, wave or None, error)."""
    company = request.user.company
    form = ResultsForm(request.GET or None, company=company)
    if request.GET.get("wave"):
        if not form.is_valid():
            return form, None, True
        return form, form.cleaned_data["wave"], False
    waves = form.fields["wave"].queryset
    wave = waves.exclude(closed_on=None).first() or waves.first()
    form = ResultsForm(initial={"wave": wave}, company=company)
    return form, wave, False


@roles_required(*RESULTS_ROLES)
@require_GET
def results(request):
    form, wave, bad = _chosen_wave(request)
    context = {"form": form, "min_group": MIN_GROUP}
    if bad:
        return render(request, "culture/results.html", context, status=400)
    if wave is not None:
        teams = selectors.results_teams(viewer=request.user)
        figures = selectors.results(request.user.company, wave, teams=teams)
        context |= {
            "figures": figures,
            "tables": figures.tables,
            "whole_company": teams is None,
            "charts": True,
            "heatmap": charts.heatmap(figures) if any(s.shown for s in figures.scores) else None,
            "sales_crp_chart": charts.sales_crp_chart(figures),
            "trend_chart": charts.trend_chart(figures),
        }
    return render(request, "culture/results.html", context)


@roles_required(*RESULTS_ROLES)
@require_GET
def export(request):
    """One results table (``?table=scores|gap|distance|trend``) as CSV, for the chosen wave."""
    form, wave, bad = _chosen_wave(request)
    if bad:
        problems = "; ".join(f"{name}: {' '.join(errs)}" for name, errs in form.errors.items())
        return HttpResponse(
            f"Bad filter: {problems}\n", status=400, content_type="text/plain; charset=utf-8"
        )
    if wave is None:
        raise Http404("No survey wave yet.")
    key = request.GET.get("table", "scores")
    teams = selectors.results_teams(viewer=request.user)
    tables = selectors.results(request.user.company, wave, teams=teams).tables
    if key not in tables:
        raise Http404("No such table.")
    table = tables[key]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    writer = csv.writer(response)
    writer.writerow(safe_row(table.headers))
    writer.writerows(safe_row(row) for row in table.rows)
    response["Content-Disposition"] = (
        f'attachment; filename="culture-{key}-wave-{wave.pk}-{wave.opened_on}.csv"'
    )
    return response
