"""The Today page, what each of the signed-in person's roles should do today, how the
figures are computed, and the cheapest page behind sign-in."""

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
def methods(request):
    """The exact methods behind the plain words pages use ("memory model", "compared with
    teams not yet trained", "how sure"): every page that names one links here."""
    return render(request, "home/methods.html")


@roles_required(*ANY_ROLE)
def me(request):
    """``/healthz/me``: the signed-in person's id and nothing else, read from the session and
    the person (two queries). bench/load.py measures pages against it: it costs what every
    page behind sign-in costs before doing anything of its own."""
    return JsonResponse({"person": request.user.pk})
