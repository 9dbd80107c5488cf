"""Django admin for platform operators: settings, cards and their history, holds, nudges."""

from django.contrib import admin

from culturegap.reinforcement.models import (
    Card,
    Drill,
    Nudge,
    NudgePreference,
    ReinforcementSettings,
    Review,
    VacationHold,
)


@admin.register(ReinforcementSettings)
class ReinforcementSettingsAdmin(admin.ModelAdmin):
    list_display = ["company", "drill_size", "desired_retention", "alert_threshold", "digest_hour"]
    readonly_fields = ["parameters_fitted_at"]


class ReviewInline(admin.TabularInline):
    model = Review
    extra = 0
    fields = ["answered_at", "rating", "correct", "confident", "response_ms", "stability_after"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Card)
class CardAdmin(admin.ModelAdmin):
    """Cards change only through reviews: read-only here."""

    list_display = ["person", "question", "skill", "state", "stability", "due", "reps", "lapses"]
    list_filter = ["company", "skill", "state"]
    search_fields = ["person__name", "person__email"]
    raw_id_fields = ["person", "question"]
    inlines = [ReviewInline]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Drill)
class DrillAdmin(admin.ModelAdmin):
    list_display = ["person", "day", "started_at", "finished_at"]
    list_filter = ["company"]
    raw_id_fields = ["person"]
    date_hierarchy = "started_at"


@admin.register(VacationHold)
class VacationHoldAdmin(admin.ModelAdmin):
    list_display = ["person", "starts_on", "ends_on", "cancelled_at"]
    list_filter = ["company"]
    raw_id_fields = ["person"]

    def has_change_permission(self, request, obj=None):
        return False  # setting or ending a hold moves due dates: the learner's page does it


@admin.register(NudgePreference)
class NudgePreferenceAdmin(admin.ModelAdmin):
    list_display = ["person", "daily_digest", "weekly_alert"]
    list_filter = ["company", "daily_digest", "weekly_alert"]
    raw_id_fields = ["person"]


@admin.register(Nudge)
class NudgeAdmin(admin.ModelAdmin):
    list_display = ["person", "kind", "period_key", "claimed_at", "sent_at", "error"]
    list_filter = ["company", "kind"]
    search_fields = ["person__email", "period_key"]
    raw_id_fields = ["person"]
    readonly_fields = ["claimed_at", "sent_at", "error"]
