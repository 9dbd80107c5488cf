"""The Today page, what each of the signed-in person's roles should do today, and the
cheapest page behind sign-in."""

from django.http import JsonResponse
from django.shortcuts import render

from culturegap.home.sections import home_sections
from culturegap.org.access import ANY_ROLE, roles_required


@roles_required(*ANY_ROLE)
def today(request):
    sections = home_sections(person=request.user)
    charts = any(section.charts for section in sections)
    return render(request, "home/today.html", {"sections": sections, "charts": charts})


@roles_required(*ANY_ROLE)
def me(request):
    """``/healthz/me``: the signed-in person's id and nothing else, read from the session and
    the person (two queries). bench/load.py measures pages against it: it costs what every
    page behind sign-in costs before doing anything of its own."""
    return JsonResponse({"person": request.user.pk})
