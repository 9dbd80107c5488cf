"""Loyalty pages: the customer's survey (public, by private link), the loyalty dashboard and its
CSV exports, the opportunity pool, survey campaigns and the profit estimator."""

import csv
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from culturegap import measures
from culturegap.csvexport import safe_row
from culturegap.loyalty import charts, selectors, services
from culturegap.loyalty.forms import (
    CampaignForm,
    DashboardFilterForm,
    EstimatorForm,
    SurveyAnswerForm,
)
from culturegap.org.access import public, roles_required
from culturegap.org.models import Role
from culturegap.org.scope import company_today

# Sending from the page stops here; a bigger campaign is sent by `culturegap send_survey`.
SEND_FROM_PAGE_LIMIT = 1000
PAGE_SIZE = 50

# A link that cannot take an answer: (HTTP status for a GET, for a POST, template).
UNAVAILABLE = {
    selectors.INVALID: (404, 404, "loyalty/survey_invalid.html"),
    selectors.CLOSED: (410, 410, "loyalty/survey_closed.html"),
    selectors.NOT_OPEN: (403, 403, "loyalty/survey_not_open.html"),
    selectors.ANSWERED: (200, 409, "loyalty/survey_answered.html"),
}

DASHBOARD_ROLES = (Role.EXECUTIVE, Role.ADMIN, Role.MANAGER, Role.SALES)


def _unavailable(request, state, invitation):
    get_status, post_status, template = UNAVAILABLE[state]
    # An invalid link shows nothing about any invitation, so unknown tokens all look alike.
    context = {} if state == selectors.INVALID else {"campaign": invitation.campaign}
    status = post_status if request.method == "POST" else get_status
    return render(request, template, context, status=status)


@public
@never_cache
@require_http_methods(["GET", "POST"])
def survey(request, token: str):
    invitation = selectors.invitation_for_token(token)
    state = selectors.link_state(invitation)
    if state != selectors.OPEN:
        return _unavailable(request, state, invitation)
    campaign = invitation.campaign
    form = SurveyAnswerForm(
        request.POST if request.method == "POST" else None,
        campaign=campaign,
        services=selectors.services_offered_to(customer=invitation.customer),
    )
    context = {"form": form, "campaign": campaign, "company": campaign.company}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "loyalty/survey.html", context, status=400)
        try:
            services.submit_answer(token=token, **form.cleaned_data)
        except services.SurveyUnavailable as unavailable:
            return _unavailable(request, unavailable.state, invitation)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
            return render(request, "loyalty/survey.html", context, status=400)
        context["wanted"] = form.cleaned_data["wanted_services"]
        return render(request, "loyalty/survey_thanks.html", context)
    return render(request, "loyalty/survey.html", context)


def _filters(request):
    """The dashboard's filter form and, when valid, its values. The form then shows the period
    it used, defaults filled in."""
    teams = selectors.filter_teams(viewer=request.user)
    today = company_today(request.user.company)
    form = DashboardFilterForm(request.GET, teams=teams, today=today)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    shown = request.GET.copy()
    shown["start"], shown["end"] = data["start"].isoformat(), data["end"].isoformat()
    form = DashboardFilterForm(shown, teams=teams, today=today)
    form.full_clean()
    return form, {
        "start": data["start"],
        "end": data["end"],
        "team": data.get("team"),
        "granularity": data["by"],
    }


def _bad_filter(request, form, template="loyalty/dashboard.html"):
    return render(request, template, {"form": form}, status=400)


@roles_required(*DASHBOARD_ROLES)
@require_GET
def dashboard(request):
    form, filters = _filters(request)
    if filters is None:
        return _bad_filter(request, form)
    figures = selectors.loyalty_figures(viewer=request.user, **filters)
    context = {
        "form": form,
        "figures": figures,
        "tables": figures.tables,
        "query": request.GET.urlencode(),
        "pool_size": figures.segments[("promoter", "one")],
        "charts": True,
        "nps_chart": charts.nps_trend_chart(figures) if figures.trend else None,
        "team_chart": charts.team_trend_chart(figures) if figures.team_trends else None,
        "services_chart": charts.services_trend_chart(figures),
    }
    return render(request, "loyalty/dashboard.html", context)


def _csv_response(table: selectors.Table, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    writer = csv.writer(response)
    writer.writerow(table.headers)
    writer.writerows(safe_row(row) for row in table.rows)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@roles_required(*DASHBOARD_ROLES)
@require_GET
def export(request):
    """One dashboard table (``?table=nps_by_team``, or ``pool`` for the opportunity pool) as
    CSV, with the page's filters."""
    table = request.GET.get("table", "nps_trend")
    form, filters = _filters(request)
    if filters is None:
        problems = "; ".join(f"{name}: {' '.join(errs)}" for name, errs in form.errors.items())
        return HttpResponse(
            f"Bad filter: {problems}\n", status=400, content_type="text/plain; charset=utf-8"
        )
    if table == "pool":
        filters.pop("granularity")
        rows = selectors.opportunity_pool(viewer=request.user, **filters)
    else:
        tables = selectors.loyalty_figures(viewer=request.user, **filters).tables
        if table not in tables:
            raise Http404("No such table.")
        rows = tables[table]
    filename = f"loyalty-{table}-{filters['start']}-{filters['end']}.csv"
    return _csv_response(rows, filename)


@roles_required(*DASHBOARD_ROLES)
@require_GET
def pool(request):
    form, filters = _filters(request)
    if filters is None:
        return _bad_filter(request, form, "loyalty/pool.html")
    filters.pop("granularity")
    table = selectors.opportunity_pool(viewer=request.user, **filters)
    page = Paginator(table.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "loyalty/pool.html",
        {"form": form, "table": table, "page": page, "query": query.urlencode(), **filters},
    )


@roles_required(Role.EXECUTIVE, Role.ADMIN)
@require_GET
def campaign_list(request):
    campaigns = selectors.campaign_list(company=request.user.company)
    return render(request, "loyalty/campaign_list.html", {"campaigns": campaigns})


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    company = request.user.company
    today = company_today(company)
    form = CampaignForm(request.POST or None, company=company, today=today)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "loyalty/campaign_form.html", {"form": form}, status=400)
        data = dict(form.cleaned_data)
        data.pop("audience")
        try:
            campaign = services.create_campaign(company=company, created_by=request.user, **data)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
            return render(request, "loyalty/campaign_form.html", {"form": form}, status=400)
        messages.success(request, f"Campaign “{campaign.name}” created.")
        if campaign.is_open_on(today):
            _send_some(request, campaign)
        return redirect("loyalty:campaign_detail", pk=campaign.pk)
    return render(request, "loyalty/campaign_form.html", {"form": form})


def _send_some(request, campaign):
    base_url = request.build_absolute_uri("/")
    sent = services.send_invitations(
        campaign=campaign, base_url=base_url, limit=SEND_FROM_PAGE_LIMIT
    )
    left = selectors.unanswered_invitations(campaign=campaign).filter(sent_at=None).count()
    text = f"{sent:,} invitation{'s' if sent != 1 else ''} sent."
    if left:
        text += (
            f" {left:,} are still to send: send the next {SEND_FROM_PAGE_LIMIT:,} from this page,"
            f" or all of them with `culturegap send_survey {campaign.pk}`."
        )
    messages.success(request, text)


@roles_required(Role.EXECUTIVE, Role.ADMIN)
@require_http_methods(["GET", "POST"])
def campaign_detail(request, pk: int):
    company = request.user.company
    campaign = selectors.campaign_detail(company=company, pk=pk)
    if campaign is None:
        raise Http404("No such campaign.")
    if request.method == "POST":
        if not request.user.is_program_admin:
            raise PermissionDenied
        if not campaign.is_open:
            messages.error(request, "Invitations go out only while the campaign is open.")
        else:
            _send_some(request, campaign)
        return redirect("loyalty:campaign_detail", pk=campaign.pk)
    unsent = selectors.unanswered_invitations(campaign=campaign).filter(sent_at=None).count()
    return render(
        request,
        "loyalty/campaign_detail.html",
        {
            "campaign": campaign,
            "unsent": unsent,
            "send_limit": SEND_FROM_PAGE_LIMIT,
            "teams": selectors.campaign_team_rates(campaign=campaign),
        },
    )


def _estimator_initial(company) -> dict:
    """The company's own figures, and assumptions to change: a 20 % margin, winning a customer
    costing a year of their revenue, a retention gain of 5 points (or half of today's churn
    when that is less) and one more service per customer."""
    figures = selectors.company_figures(company=company)
    retention = Decimal(str(figures.retention_percent if figures.retention_percent else 90))
    return {
        "customers": figures.customers,
        "revenue_per_customer": round(Decimal(figures.revenue_per_customer), 2),
        "margin_percent": Decimal("20"),
        "retention_percent": retention,
        "acquisition_cost": round(Decimal(figures.revenue_per_customer), 2),
        "retention_gain_points": min(Decimal("5"), round((100 - retention) / 2, 1)),
        "extra_services_per_customer": Decimal("1"),
        "service_value": round(Decimal(figures.service_value), 2),
    }


@roles_required(Role.EXECUTIVE, Role.ADMIN)
@require_GET
def estimator(request):
    """The profit-impact estimate: prefilled from the company's own figures; the inputs are
    sent back by GET so an estimate can be bookmarked and shared."""
    initial = _estimator_initial(request.user.company)
    bound = any(name in request.GET for name in EstimatorForm.base_fields)
    form = EstimatorForm(request.GET if bound else None, initial=initial)
    status = 200
    values = initial
    if bound:
        if form.is_valid():
            values = form.cleaned_data
        else:
            values, status = None, 400
    result = None
    if values is not None:
        result = measures.profit_impact(**{name: float(value) for name, value in values.items()})
    return render(
        request,
        "loyalty/estimator.html",
        {
            "form": form,
            "inputs": values,
            "result": result,
            "reset_url": reverse("loyalty:estimator"),
        },
        status=status,
    )
