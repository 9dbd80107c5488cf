"""Coaching's CSV export table: observations and self-assessments."""

from django.db.models import Avg, Count, Q

from culturegap.coaching.models import Observation
from culturegap.org.exports_support import ExportTable, in_line

TABLES: tuple[ExportTable, ...] = (
    ExportTable(
        slug="observations",
        title="Observations",
        about="Observed customer interactions and self-assessments, with the mean rating.",
        columns=(
            ("id", "pk"),
            ("person_email", "person__email"),
            ("observer_email", "observer__email"),
            ("kind", "kind"),
            ("scorecard", "scorecard__name"),
            ("customer_external_id", "customer__external_id"),
            ("channel", "channel"),
            ("observed_on", "observed_on"),
            ("behaviours_rated", "behaviours_rated"),
            ("mean_rating", "mean_rating"),
            ("comment", "comment"),
        ),
        rows=lambda company: Observation.objects.filter(company=company).annotate(
            behaviours_rated=Count("ratings", filter=Q(ratings__rating__isnull=False)),
            mean_rating=Avg("ratings__rating"),
        ),
        date_field="observed_on",
        for_manager=in_line("person_id"),
    ),
)
