"""Loyalty's CSV export table: customers' answers to loyalty surveys."""

from culturegap.loyalty.models import SurveyResponse
from culturegap.org.exports_support import ExportTable, in_line, team_ids

TABLES: tuple[ExportTable, ...] = (
    ExportTable(
        slug="loyalty_responses",
        title="Loyalty responses",
        about="Customers' answers to loyalty surveys (0–10 and their reason).",
        columns=(
            ("id", "pk"),
            ("answered_at", "answered_at"),
            ("campaign", "campaign__name"),
            ("customer_external_id", "customer__external_id"),
            ("customer_name", "customer__name"),
            ("team", "team__name"),
            ("score", "score"),
            ("reason", "reason"),
        ),
        rows=lambda company: SurveyResponse.objects.filter(company=company),
        date_field="answered_at",
        for_manager=in_line("team_id", ids=team_ids),
    ),
)
