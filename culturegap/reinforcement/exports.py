"""Reinforcement's CSV export table: every spaced-repetition review."""

from culturegap.org.exports_support import ExportTable, in_line
from culturegap.reinforcement.models import Review

TABLES: tuple[ExportTable, ...] = (
    ExportTable(
        slug="reviews",
        title="Reviews (reinforcement)",
        about="Every spaced-repetition review: rating, result and the memory state it left.",
        columns=(
            ("id", "pk"),
            ("person_email", "person__email"),
            ("question_key", "card__question__key"),
            ("skill", "card__question__skill"),
            ("rating", "rating"),
            ("correct", "correct"),
            ("confident", "confident"),
            ("response_ms", "response_ms"),
            ("answered_at", "answered_at"),
            ("due_before", "scheduled_due_before"),
            ("due_after", "scheduled_due_after"),
            ("stability", "stability_after"),
            ("difficulty", "difficulty_after"),
        ),
        rows=lambda company: Review.objects.filter(company=company),
        date_field="answered_at",
        for_manager=in_line("person_id"),
    ),
)
