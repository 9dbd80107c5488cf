"""Integrations pages: CSV exports, the purchases import, webhooks and their delivery log, and
xAPI learning records (download and the LRS link)."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from culturegap.csvexport import streaming_csv_response
from culturegap.integrations import exports, webhooks, xapi
from culturegap.integrations.forms import DateRangeForm, LrsEndpointForm, WebhookEndpointForm
from culturegap.integrations.models import (
    DeliveryStatus,
    LrsEndpoint,
    WebhookDelivery,
    WebhookEndpoint,
)
from culturegap.integrations.purchases import PURCHASE_COLUMNS, import_purchases
from culturegap.org.access import roles_required
from culturegap.org.models import Role
from culturegap.org.scope import company_today, company_zone, sees_whole_company
from culturegap.org.uploads import CsvUploadForm, ImportPage, import_page

EXPORT_ROLES = (Role.ADMIN, Role.EXECUTIVE, Role.MANAGER)
PAGE_SIZE = 50

PURCHASES = ImportPage(
    kind="purchases",
    title="Import purchases",
    columns=PURCHASE_COLUMNS,
    example="""\
C-1001,BOOKKEEPING,2019-04-01,
C-1001,PAYROLL,2019-04-01,2023-12-31
C-1002,TAX,2022-11-15,
""",
    run=import_purchases,
)


def _problems(form) -> str:
    return "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())


@roles_required(Role.ADMIN)
@require_GET
def home(request):
    company = request.user.company
    context = {
        "endpoints": WebhookEndpoint.objects.filter(company=company).count(),
        "failed": WebhookDelivery.objects.filter(
            company=company, status=DeliveryStatus.FAILED
        ).count(),
        "lrs": LrsEndpoint.objects.filter(company=company).first(),
    }
    return render(request, "integrations/home.html", context)


# --- Exports -------------------------------------------------------------------------------------


@roles_required(*EXPORT_ROLES)
@require_GET
def export_list(request):
    form = DateRangeForm(request.GET or None)
    valid = form.is_valid() if request.GET else True
    tables = [(table, exports.may_export(table, request.user)) for table in exports.TABLES.values()]
    context = {
        "form": form,
        "tables": tables,
        "query": request.GET.urlencode() if valid else "",
        "whole_company": sees_whole_company(request.user),
    }
    return render(request, "integrations/exports.html", context, status=200 if valid else 400)


@roles_required(*EXPORT_ROLES)
@require_GET
def export_table(request):
    """``?table=people&date_from=…&date_to=…``: one table as a streamed CSV file."""
    table = request.GET.get("table", "")
    chosen = exports.TABLES.get(table)
    if chosen is None:
        return HttpResponse(
            f"Bad table: “{table}”; choose one of {', '.join(exports.TABLES)}.\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    if not exports.may_export(chosen, request.user):
        raise PermissionDenied("Managers export only the tables about their reporting line.")
    form = DateRangeForm(request.GET)
    if not form.is_valid():
        return HttpResponse(
            f"Bad filter: {_problems(form)}\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    company = request.user.company
    dates = {
        "date_from": form.cleaned_data["date_from"],
        "date_to": form.cleaned_data["date_to"],
    }
    rows = exports.table_rows(chosen, company=company, viewer=request.user, **dates)
    name = exports.filename(chosen, company=company, **dates)
    return streaming_csv_response(chosen.header_for(company), rows, filename=name)


# --- Purchases import ----------------------------------------------------------------------------


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def purchases_import(request):
    form = (
        CsvUploadForm(request.POST, request.FILES) if request.method == "POST" else CsvUploadForm()
    )
    return import_page(request, PURCHASES, form, template="integrations/import_purchases.html")


# --- Webhooks ------------------------------------------------------------------------------------


def _endpoint(request, pk) -> WebhookEndpoint:
    return get_object_or_404(WebhookEndpoint, pk=pk, company=request.user.company)


def _show_secret(request, endpoint: WebhookEndpoint, *, new: bool):
    return render(request, "integrations/webhook_secret.html", {"endpoint": endpoint, "new": new})


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def webhook_list(request):
    company = request.user.company
    form = WebhookEndpointForm(initial={"is_active": True})
    status = 200
    if request.method == "POST":
        form = WebhookEndpointForm(request.POST, instance=WebhookEndpoint(company=company))
        if form.is_valid():
            return _show_secret(request, form.save(), new=True)
        status = 400
    endpoints = WebhookEndpoint.objects.filter(company=company)
    context = {"form": form, "endpoints": endpoints}
    return render(request, "integrations/webhooks.html", context, status=status)


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def webhook_edit(request, pk):
    endpoint = _endpoint(request, pk)
    form = WebhookEndpointForm(instance=endpoint)
    status = 200
    if request.method == "POST":
        form = WebhookEndpointForm(request.POST, instance=endpoint)
        if form.is_valid():
            form.save()
            messages.success(request, f"Saved {endpoint.url}.")
            return redirect("integrations:webhook_list")
        status = 400
    recent = endpoint.deliveries.select_related("endpoint")[:10]
    context = {
        "form": form,
        "endpoint": endpoint,
        "recent": recent,
        "zone": company_zone(request.user.company),
    }
    return render(request, "integrations/webhook_edit.html", context, status=status)


# Actions are POSTs; a GET by someone allowed goes back to the page the action is on.


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def webhook_secret(request, pk):
    endpoint = _endpoint(request, pk)
    if request.method == "GET":
        return redirect("integrations:webhook_edit", pk=endpoint.pk)
    webhooks.regenerate_secret(endpoint=endpoint)
    return _show_secret(request, endpoint, new=False)


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def webhook_delete(request, pk):
    endpoint = _endpoint(request, pk)
    if request.method == "GET":
        return redirect("integrations:webhook_edit", pk=endpoint.pk)
    endpoint.delete()
    messages.success(request, f"Removed {endpoint.url} and its delivery log.")
    return redirect("integrations:webhook_list")


@roles_required(Role.ADMIN)
@require_GET
def delivery_list(request):
    deliveries = WebhookDelivery.objects.filter(company=request.user.company).select_related(
        "endpoint"
    )
    status = request.GET.get("status", "")
    if status and status not in DeliveryStatus.values:
        return HttpResponse(
            f"Bad filter: status must be one of {', '.join(DeliveryStatus.values)}.\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    if status:
        deliveries = deliveries.filter(status=status)
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "statuses": DeliveryStatus.choices,
        "zone": company_zone(request.user.company),
    }
    return render(request, "integrations/deliveries.html", context)


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def redeliver(request, pk):
    delivery = get_object_or_404(WebhookDelivery, pk=pk, company=request.user.company)
    if request.method == "GET":
        return redirect("integrations:delivery_list")
    webhooks.redeliver(delivery=delivery)
    messages.success(request, f"{delivery.event} to {delivery.endpoint.url} is being sent again.")
    return redirect("integrations:delivery_list")


# --- xAPI ----------------------------------------------------------------------------------------


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def xapi_page(request):
    company = request.user.company
    lrs = LrsEndpoint.objects.filter(company=company).first()
    form = LrsEndpointForm(instance=lrs)
    status = 200
    if request.method == "POST":
        form = LrsEndpointForm(request.POST, instance=lrs or LrsEndpoint(company=company))
        if form.is_valid():
            form.save()
            messages.success(request, "Learning Record Store saved.")
            return redirect("integrations:xapi")
        status = 400
    context = {"form": form, "lrs": lrs, "since_form": DateRangeForm()}
    return render(request, "integrations/xapi.html", context, status=status)


@roles_required(Role.ADMIN)
@require_POST
def xapi_send(request):
    lrs = LrsEndpoint.objects.filter(company=request.user.company).first()
    if lrs is None or not lrs.is_active:
        messages.error(request, "Set up an active Learning Record Store first.")
        return redirect("integrations:xapi")
    if request.POST.get("from_start"):
        lrs.sent_until = None
        lrs.save(update_fields=["sent_until"])
    xapi.queue_send(company=request.user.company)
    messages.success(request, "Statements are being sent in the background.")
    return redirect("integrations:xapi")


@roles_required(Role.ADMIN)
@require_POST
def xapi_export(request):
    """The statements as a streamed JSON file (a form POST: ``date_from``, ``date_to``)."""
    form = DateRangeForm(request.POST)
    if not form.is_valid():
        return HttpResponse(
            f"Bad filter: {_problems(form)}\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    company = request.user.company
    zone = company_zone(company)
    since = until = None
    if form.cleaned_data["date_from"]:
        # ``since`` is exclusive: start just before the first day.
        since = datetime.datetime.combine(
            form.cleaned_data["date_from"], datetime.time.min, tzinfo=zone
        ) - datetime.timedelta(microseconds=1)
    if form.cleaned_data["date_to"]:
        until = datetime.datetime.combine(
            form.cleaned_data["date_to"], datetime.time.max, tzinfo=zone
        )
    chunks = xapi.json_array_chunks(xapi.statements(company=company, since=since, until=until))
    response = StreamingHttpResponse(chunks, content_type="application/json; charset=utf-8")
    stamp = company_today(company).isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="{company.slug}-xapi-statements-{stamp}.json"'
    )
    return response
