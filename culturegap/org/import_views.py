"""Upload pages for the people and customer CSV imports."""

from django.http import HttpResponse
from django.views.decorators.http import require_http_methods

from culturegap.access import roles_required
from culturegap.org.models import Role


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def import_people(request):
    return HttpResponse("people import")


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def import_customers(request):
    return HttpResponse("customer import")
