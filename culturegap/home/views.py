"""The Today page: what each of the signed-in person's roles should do today."""

from django.shortcuts import render

from culturegap.access import ANY_ROLE, roles_required
from culturegap.home.sections import home_sections


@roles_required(*ANY_ROLE)
def today(request):
    sections = home_sections(person=request.user)
    charts = any(section.charts for section in sections)
    return render(request, "home/today.html", {"sections": sections, "charts": charts})
