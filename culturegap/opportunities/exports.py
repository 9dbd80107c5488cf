"""The opportunities' CSV export table: needs found by CRPs and what sales made of them."""

from culturegap.opportunities.models import Opportunity
from culturegap.org.exports_support import ExportTable, in_line

TABLES: tuple[ExportTable, ...] = (
    ExportTable(
        slug="opportunities",
        title="Opportunities",
        about="Needs found by CRPs and what sales made of them.",
        columns=(
            ("id", "pk"),
            ("created_at", "created_at"),
            ("customer_external_id", "customer__external_id"),
            ("customer_name", "customer__name"),
            ("service_code", "service__code"),
            ("need", "need"),
            ("urgency", "urgency"),
            ("channel", "channel"),
            ("source", "source"),
            ("found_by_email", "found_by__email"),
            ("found_by_team", "found_by_team__name"),
            ("owner_email", "owner__email"),
            ("status", "status"),
            ("value", "value"),
            ("lost_reason", "lost_reason"),
            ("closed_at", "closed_at"),
        ),
        rows=lambda company: Opportunity.objects.filter(company=company),
        date_field="created_at",
        for_manager=in_line("found_by_id", "owner_id"),
        money_columns=frozenset({"value"}),
    ),
)
