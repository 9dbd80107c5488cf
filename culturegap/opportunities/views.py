"""Pages of the opportunities app: pass on a customer need, the lists and their CSV export, the
detail page where sales move an opportunity through the pipeline."""

import csv
import uuid

import plotly.graph_objects as go
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from culturegap.charts import chart
from culturegap.csvexport import safe_cell
from culturegap.opportunities import selectors, services
from culturegap.opportunities.forms import AssignForm, FilterForm, MoveForm, RecordForm
from culturegap.opportunities.models import Opportunity, Source
from culturegap.org import scope
from culturegap.org.access import ANY_ROLE, roles_required
from culturegap.org.models import Person, Role

PAGE_SIZE = 50
# Who may record a need: CRPs above all, but a manager or salesperson who hears one may too.
RECORD_ROLES = (Role.CRP, Role.MANAGER, Role.SALES)


def _add_errors(form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


@roles_required(*RECORD_ROLES)
@require_http_methods(["GET", "POST"])
def record(request):
    company = request.user.company
    search = request.GET.get("q", "").strip()[:100]
    without_consent = ""
    if request.method == "POST":
        form = RecordForm(request.POST, company=company)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            if not data["customer_agreed"]:
                # Not an error: the CRP did right to ask. Nothing is written; they learn what
                # to tell the customer instead.
                without_consent = selectors.what_to_say_without_consent(
                    customer=data["customer"], service=data["service"]
                )
                status = 200
            else:
                try:
                    opportunity = services.record_opportunity(
                        company=company,
                        customer=data["customer"],
                        service=data["service"],
                        need=data["need"],
                        urgency=data["urgency"],
                        channel=data["channel"],
                        found_by=request.user,
                        source=Source.SALES
                        if request.user.is_salesperson and not request.user.is_crp
                        else Source.CRP,
                        customer_agreed=True,
                        contact_way=data["contact_way"],
                        contact_when=data["contact_when"],
                        request_id=data["request_id"],
                    )
                except ValidationError as error:
                    _add_errors(form, error)
                else:
                    messages.success(request, _passed_on_message(opportunity))
                    return redirect(reverse("opportunities:list") + "?scope=found")
        selected = request.POST.get("customer", "")
    else:
        form = RecordForm(company=company, initial={"customer": request.GET.get("customer")})
        selected = request.GET.get("customer", "")
        status = 200
    request_id = form.cleaned_data.get("request_id") if form.is_bound else None
    context = {
        "form": form,
        "search": search,
        "customers": _customer_options(request.user, search, selected),
        "request_id": request_id or uuid.uuid4(),
        "without_consent": without_consent,
    }
    return render(request, "opportunities/record.html", context, status=status)


def _passed_on_message(opportunity: Opportunity) -> str:
    how = selectors.contact_words(opportunity)
    if opportunity.owner:
        who = f"{opportunity.owner.name} will contact"
    else:
        who = "a colleague in sales will pick it up and contact"
    when = f" ({how})" if how else ""
    return f"Thank you — {who} {opportunity.customer.name}{when}."


def _customer_options(viewer: Person, search: str, selected: str) -> dict:
    """The radio options of the customer field: the matches of the search, and the customer
    already picked (kept when the search changes so a choice is never silently lost)."""
    matches = selectors.customer_matches(viewer=viewer, search=search)
    chosen = None
    if selected.isdigit():
        chosen = (
            selectors.customers_visible_to(viewer=viewer)
            .select_related("sales_owner")
            .filter(pk=int(selected))
            .first()
        )
    options = ([chosen] if chosen else []) + [c for c in matches if chosen is None or c != chosen]
    return {
        "options": options,
        "selected": chosen.pk if chosen else None,
        "search": search,
        "matched": len(matches),
    }


@roles_required(*RECORD_ROLES)
@require_GET
def customer_search(request):
    """The htmx partial of the customer field: matching customers as radio options."""
    search = request.GET.get("q", "").strip()[:100]
    context = _customer_options(request.user, search, request.GET.get("customer", ""))
    return render(request, "opportunities/_customer_options.html", {"customers": context})


def _filtered(request):
    form = FilterForm(request.GET or None, viewer=request.user)
    if form.is_bound and not form.is_valid():
        return form, None
    filters = form.filters() if form.is_bound else {"scope": form.default_scope, "status": ""}
    return form, filters


@roles_required(*ANY_ROLE)
@require_GET
def opportunity_list(request):
    form, filters = _filtered(request)
    viewer = request.user
    pipeline = selectors.sees_pipeline(viewer)
    template = "opportunities/list.html" if pipeline else "opportunities/passed_on.html"
    if filters is None:
        context = {"form": form, "page": None, "scope": form.default_scope}
        return render(request, template, context, status=400)
    opportunities = selectors.opportunity_list(viewer=viewer, **filters)
    page = Paginator(opportunities, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.mark_stale(page.object_list, company=viewer.company)
    if not pipeline:
        page.object_list = selectors.with_customer_words(page.object_list, company=viewer.company)
        context = {
            "form": form,
            "page": page,
            "scope": filters["scope"],
            "thanks": selectors.thanks_for(person=viewer),
            "filtering": any(filters.get(key) for key in ("status", "since", "until", "team")),
        }
        return render(request, template, context)
    context = {
        "form": form,
        "page": page,
        "scope": filters["scope"],
        "stale_days": request.user.company.opportunity_stale_days,
        "filtering": any(
            filters.get(key) for key in ("status", "since", "until", "team", "service")
        ),
    }
    if filters["scope"] in (selectors.Scope.TEAMS, selectors.Scope.ALL):
        summary = selectors.summarise(opportunities)
        context["summary"] = summary
        if summary.total:
            context["figures"] = _summary_charts(summary)
            context["charts"] = True
    return render(request, "opportunities/list.html", context)


def _summary_charts(summary: selectors.Summary) -> list:
    statuses = go.Figure(
        go.Bar(
            x=[label for label, _ in summary.by_status],
            y=[count for _, count in summary.by_status],
            name="opportunities",
        )
    )
    statuses.update_layout(
        title="Opportunities by status", yaxis_title="opportunities", yaxis_tickformat=",d"
    )
    figures = [chart(statuses, label="Bar chart of the listed opportunities by status")]
    if summary.won_value_by_team:
        teams = list(reversed(summary.won_value_by_team))
        won = go.Figure(
            go.Bar(
                x=[float(total) for _, total in teams],
                y=[name for name, _ in teams],
                orientation="h",
                name="won value",
                marker_color="#1b7f4b",
            )
        )
        won.update_layout(title="Won value by finding team", xaxis_title="value won")
        height = max(240, 40 + 28 * len(teams))
        figures.append(
            chart(won, label="Bar chart of the value won by each finding team", height=height)
        )
    return figures


CSV_HEADER = [
    "id",
    "recorded",
    "customer",
    "customer id",
    "service",
    "need",
    "urgency",
    "channel",
    "source",
    "found by",
    "found by team",
    "owner",
    "status",
    "value",
    "lost reason",
    "last touched",
    "untouched days",
]


# A CRP's download speaks of what happened for the customer, without the pipeline's values.
CUSTOMER_DROPPED = ("value", "lost reason")
CUSTOMER_OUTCOMES = {"won": "the customer now uses it", "lost": "not going ahead for now"}


def csv_rows(opportunities, *, company, pipeline: bool = True):
    now = timezone.now()
    zone = scope.company_zone(company)
    if pipeline:
        yield CSV_HEADER
    else:
        yield [
            "what happened" if c == "status" else c for c in CSV_HEADER if c not in CUSTOMER_DROPPED
        ]
    for opportunity in opportunities.iterator(chunk_size=2000):
        values = _csv_row(opportunity, zone=zone, company=company, now=now)
        row = dict(zip(CSV_HEADER, values, strict=True))
        if not pipeline:
            row["status"] = CUSTOMER_OUTCOMES.get(opportunity.status, "in progress")
            for column in CUSTOMER_DROPPED:
                del row[column]
        yield [safe_cell(item) for item in row.values()]


def _csv_row(opportunity, *, zone, company, now) -> tuple:
    return (
        opportunity.pk,
        opportunity.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        opportunity.customer.name,
        opportunity.customer.external_id,
        opportunity.service.name if opportunity.service else "",
        opportunity.need,
        opportunity.urgency,
        opportunity.channel,
        opportunity.source,
        opportunity.found_by.name if opportunity.found_by else "",
        opportunity.found_by_team.name if opportunity.found_by_team else "",
        opportunity.owner.name if opportunity.owner else "sales queue",
        opportunity.status,
        opportunity.value if opportunity.value is not None else "",
        opportunity.lost_reason,
        opportunity.last_touched_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        selectors.untouched_days(opportunity, company=company, now=now) or "",
    )


@roles_required(*ANY_ROLE)
@require_GET
def opportunity_export(request):
    """Exactly the filtered list, as CSV (UTF-8, one header row)."""
    form, filters = _filtered(request)
    if filters is None:
        problems = "; ".join(
            f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()
        )
        return HttpResponse(
            f"Bad filter: {problems}\n", status=400, content_type="text/plain; charset=utf-8"
        )
    opportunities = selectors.opportunity_list(viewer=request.user, **filters)
    # Built in memory rather than streamed: even the whole demo company's list is tens of
    # megabytes, and a plain response keeps middleware and tests simple.
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    writer = csv.writer(response)
    pipeline = selectors.sees_pipeline(request.user)
    writer.writerows(csv_rows(opportunities, company=request.user.company, pipeline=pipeline))
    stamp = scope.company_today(request.user.company).isoformat()
    response["Content-Disposition"] = f'attachment; filename="opportunities-{stamp}.csv"'
    return response


def _visible(request, pk: int) -> Opportunity:
    return get_object_or_404(selectors.opportunities_visible_to(viewer=request.user), pk=pk)


def _detail(request, opportunity, *, move_form=None, assign_form=None, status=200):
    actor = request.user
    if not selectors.sees_pipeline(actor):
        zone = scope.company_zone(actor.company)
        events = list(opportunity.events.select_related("actor"))
        context = {
            "opportunity": opportunity,
            "for_customer": selectors.for_the_customer(opportunity, events, zone=zone),
            "contact": selectors.contact_words(opportunity),
            "story": selectors.customer_story(opportunity, zone=zone),
            "untouched_days": selectors.untouched_days(opportunity, company=actor.company),
        }
        return render(request, "opportunities/passed_on_detail.html", context, status=status)
    open_ = opportunity.is_open
    may_move = open_ and services.may_work_on(opportunity=opportunity, actor=actor)
    next_statuses = services.TRANSITIONS[opportunity.status]
    if may_move and move_form is None:
        move_form = MoveForm(next_statuses=next_statuses)
    may_assign = open_ and services.may_reassign(actor=actor, company=opportunity.company)
    if may_assign and assign_form is None:
        assign_form = AssignForm()
    context = {
        "opportunity": opportunity,
        "events": opportunity.events.select_related("actor", "assigned_to"),
        "untouched_days": selectors.untouched_days(opportunity, company=actor.company),
        "contact": selectors.contact_words(opportunity),
        "move_form": move_form if may_move else None,
        "may_take": open_ and opportunity.owner_id is None and actor.is_salesperson,
        "assign_form": assign_form if may_assign else None,
        "salespeople": selectors.salespeople_to_assign(actor=actor) if may_assign else [],
    }
    return render(request, "opportunities/detail.html", context, status=status)


@roles_required(*ANY_ROLE)
@require_GET
def opportunity_detail(request, pk: int):
    return _detail(request, _visible(request, pk))


@roles_required(Role.SALES)
@require_http_methods(["GET", "POST"])
def opportunity_move(request, pk: int):
    opportunity = _visible(request, pk)
    if request.method != "POST":
        return redirect("opportunities:detail", pk=pk)
    form = MoveForm(request.POST, next_statuses=services.TRANSITIONS[opportunity.status])
    if form.is_valid():
        data = form.cleaned_data
        try:
            opportunity = services.move_opportunity(
                opportunity=opportunity,
                to_status=data["to_status"],
                actor=request.user,
                value=data["value"],
                reason=data["reason"],
                note=data["note"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"Moved to {opportunity.get_status_display().lower()}.")
            return redirect("opportunities:detail", pk=pk)
    return _detail(request, opportunity, move_form=form, status=400)


@roles_required(Role.SALES)
@require_http_methods(["GET", "POST"])
def opportunity_take(request, pk: int):
    opportunity = _visible(request, pk)
    if request.method != "POST":
        return redirect("opportunities:detail", pk=pk)
    try:
        services.take_opportunity(opportunity=opportunity, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _detail(request, opportunity, status=400)
    messages.success(request, "It is yours now: contact the customer.")
    return redirect("opportunities:detail", pk=pk)


@roles_required(Role.MANAGER, Role.ADMIN)
@require_http_methods(["GET", "POST"])
def opportunity_assign(request, pk: int):
    opportunity = _visible(request, pk)
    if request.method != "POST":
        return redirect("opportunities:detail", pk=pk)
    form = AssignForm(request.POST)
    if form.is_valid():
        email = form.cleaned_data["owner"].strip().lower()
        owner = None
        if email:
            owner = Person.objects.filter(company_id=request.user.company_id, email=email).first()
        if email and owner is None:
            form.add_error("owner", "Nobody in your company has that e-mail address.")
        else:
            try:
                services.assign_opportunity(
                    opportunity=opportunity,
                    owner=owner,
                    actor=request.user,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request, f"Handed to {owner}." if owner else "Returned to the sales queue."
                )
                return redirect("opportunities:detail", pk=pk)
    return _detail(request, opportunity, assign_form=form, status=400)
