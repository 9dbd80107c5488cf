"""Pages of the opportunities app: record a need, the lists, the detail page with the pipeline."""

from django.shortcuts import get_object_or_404, render

from culturegap.access import roles_required
from culturegap.opportunities import selectors
from culturegap.org.models import Role


@roles_required(Role.EXECUTIVE, Role.ADMIN, Role.MANAGER, Role.CRP, Role.SALES)
def opportunity_detail(request, pk: int):
    opportunity = get_object_or_404(selectors.opportunities_visible_to(viewer=request.user), pk=pk)
    return render(request, "opportunities/detail.html", {"opportunity": opportunity})
