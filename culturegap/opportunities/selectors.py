"""Read queries over opportunities, always scoped to the viewer's company and role."""

from django.db.models import Q, QuerySet

from culturegap.opportunities.models import Opportunity
from culturegap.opportunities.services import may_reassign
from culturegap.org.models import Person
from culturegap.org.selectors import reporting_line_ids


def visibility_filter(*, viewer: Person) -> Q | None:
    """What a viewer may see, as a filter; None means the whole company.

    Executives and program admins see everything. A salesperson sees what they own, the sales
    queue, and what they found themselves. A CRP sees what they found. A manager sees what the
    people in their reporting line (and they) found or own; a manager of a sales team also sees
    the queue they dispatch. Roles add up.
    """
    if viewer.is_executive or viewer.is_program_admin:
        return None
    allowed = Q(found_by=viewer) | Q(owner=viewer)
    if viewer.is_salesperson or may_reassign(actor=viewer):
        allowed |= Q(owner__isnull=True)
    if viewer.is_manager:
        line = reporting_line_ids(manager=viewer)
        allowed |= Q(found_by_id__in=line) | Q(owner_id__in=line)
    return allowed


def opportunities_visible_to(*, viewer: Person) -> QuerySet[Opportunity]:
    opportunities = Opportunity.objects.filter(company_id=viewer.company_id)
    allowed = visibility_filter(viewer=viewer)
    if allowed is not None:
        opportunities = opportunities.filter(allowed)
    return opportunities.select_related("customer", "service", "found_by", "found_by_team", "owner")
