"""The executive dashboard: one page answering "is the gap closing and is it paying?", and its
tables as CSV."""

import csv

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from culturegap.csvexport import safe_row
from culturegap.dashboard import charts, selectors
from culturegap.org import scope as org_scope
from culturegap.org.access import roles_required
from culturegap.org.models import Role

DASHBOARD_ROLES = (Role.EXECUTIVE, Role.ADMIN, Role.MANAGER)


def _bad_filter(request, problem: selectors.BadFilter, *, as_text: bool = False):
    if as_text:
        return HttpResponse(
            f"Bad filter: {problem}\n", status=400, content_type="text/plain; charset=utf-8"
        )
    context = {"problem": problem, "periods": selectors.PERIODS}
    return render(request, "dashboard/bad_filter.html", context, status=400)


def _filter_context(request, scope: selectors.Scope) -> dict:
    teams = org_scope.teams_visible_to(viewer=request.user).order_by("name")
    query = request.GET.copy()
    query.pop("table", None)
    return {
        "periods": selectors.PERIODS,
        "teams": teams,
        "query": query.urlencode(),
        "whole_company": org_scope.sees_whole_company(request.user) and scope.team is None,
    }


@roles_required(*DASHBOARD_ROLES)
@require_GET
def index(request):
    try:
        scope = selectors.scope_for(viewer=request.user, params=request.GET)
    except selectors.BadFilter as problem:
        return _bad_filter(request, problem)
    figures = selectors.dashboard(scope, now=timezone.now())
    context = {
        "scope": scope,
        "figures": figures,
        "tables": figures.tables,
        "recomputed_minutes": selectors.SLOW_FIGURES_SECONDS // 60,
        "charts": True,
        "culture_chart": charts.culture_chart(figures.culture)
        if figures.culture.available and figures.culture.waves
        else None,
        "opportunity_chart": charts.opportunity_chart(figures.opportunities)
        if figures.opportunities.table.rows
        else None,
        "nps_chart": charts.nps_chart(figures.loyalty) if figures.loyalty.trend else None,
        "impact": [
            (result, charts.event_chart(result) if result.estimate.events else None)
            for result in figures.impact.results
        ],
        **_filter_context(request, scope),
    }
    return render(request, "dashboard/index.html", context)


@roles_required(*DASHBOARD_ROLES)
@require_GET
def export(request):
    """One table of the page (``?table=…``) as CSV, with the page's filters: the same rows."""
    try:
        scope = selectors.scope_for(viewer=request.user, params=request.GET)
    except selectors.BadFilter as problem:
        return _bad_filter(request, problem, as_text=True)
    key = request.GET.get("table") or "impact"
    tables = selectors.dashboard(scope, now=timezone.now()).tables
    if key not in tables:
        raise Http404("No such table.")
    table = tables[key]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    writer = csv.writer(response)
    writer.writerow(table.headers)
    writer.writerows(safe_row(row) for row in table.rows)
    suffix = f"-team{scope.team.pk}" if scope.team else ""
    filename = f"dashboard-{key}-{scope.period}{suffix}-{scope.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
