"""Pages of the organisation: teams, people, customers, services."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from culturegap.org import scope, selectors
from culturegap.org.access import ANY_ROLE, roles_required
from culturegap.org.forms import ServiceForm
from culturegap.org.models import Role, Service

PAGE_SIZE = 50


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@roles_required(Role.EXECUTIVE, Role.ADMIN, Role.MANAGER)
def team_list(request):
    teams = selectors.team_list(viewer=request.user)
    return render(request, "org/team_list.html", {"teams": teams})


@roles_required(Role.EXECUTIVE, Role.ADMIN, Role.MANAGER)
def team_detail(request, pk: int):
    team = get_object_or_404(scope.teams_visible_to(viewer=request.user), pk=pk)
    members = (
        scope.people_visible_to(viewer=request.user).filter(team=team).select_related("manager")
    )
    return render(request, "org/team_detail.html", {"team": team, "members": members})


@roles_required(Role.EXECUTIVE, Role.ADMIN)
def person_list(request):
    people = scope.people_visible_to(viewer=request.user).select_related("team", "manager")
    search = request.GET.get("q", "").strip()
    if search:
        people = people.filter(name__icontains=search) | people.filter(email__icontains=search)
    return render(
        request, "org/person_list.html", {"page": _page(request, people), "search": search}
    )


@roles_required(*ANY_ROLE)
def person_detail(request, pk: int):
    person = get_object_or_404(
        scope.people_visible_to(viewer=request.user).select_related("team", "manager"), pk=pk
    )
    reports = scope.people_visible_to(viewer=request.user).filter(manager=person)
    return render(request, "org/person_detail.html", {"person": person, "reports": reports})


@roles_required(*ANY_ROLE)
def customer_list(request):
    search = request.GET.get("q", "").strip()
    owner = request.user if request.GET.get("mine") else None
    customers = selectors.customer_list(viewer=request.user, search=search, owner=owner)
    return render(
        request,
        "org/customer_list.html",
        {"page": _page(request, customers), "search": search, "mine": bool(owner)},
    )


@roles_required(*ANY_ROLE)
def customer_detail(request, pk: int):
    customer = get_object_or_404(
        selectors.customers_visible_to(viewer=request.user).select_related("sales_owner"), pk=pk
    )
    services = customer.services.select_related("service").order_by("-started_on")
    return render(request, "org/customer_detail.html", {"customer": customer, "services": services})


@roles_required(Role.EXECUTIVE, Role.ADMIN)
def service_list(request):
    services = selectors.service_list(company=request.user.company)
    return render(request, "org/service_list.html", {"services": services})


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def service_create(request):
    form = ServiceForm(request.POST or None, company=request.user.company)
    if request.method == "POST":
        if form.is_valid():
            service = form.save()
            messages.success(request, f"Service “{service.name}” added to the catalog.")
            return redirect("org:service_list")
        return render(request, "org/service_form.html", {"form": form}, status=400)
    return render(request, "org/service_form.html", {"form": form})


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def service_edit(request, pk: int):
    service = get_object_or_404(Service.objects.filter(company=request.user.company), pk=pk)
    form = ServiceForm(request.POST or None, instance=service, company=request.user.company)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, f"Service “{service.name}” saved.")
            return redirect("org:service_list")
        return render(request, "org/service_form.html", {"form": form}, status=400)
    return render(request, "org/service_form.html", {"form": form})
