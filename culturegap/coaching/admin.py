"""Django admin for platform operators: scorecards and observations, read mostly."""

from django.contrib import admin

from culturegap.coaching.models import Observation, ObservationRating, Scorecard, ScorecardItem


class ScorecardItemInline(admin.TabularInline):
    model = ScorecardItem
    extra = 0
    fields = ["order", "skill", "behaviour"]


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "is_active", "created_at"]
    list_filter = ["company", "is_active"]
    raw_id_fields = ["playbook_version", "created_by"]
    inlines = [ScorecardItemInline]


class ObservationRatingInline(admin.TabularInline):
    model = ObservationRating
    extra = 0
    fields = ["item", "rating"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):
    list_display = ["person", "observer", "kind", "channel", "observed_on", "company"]
    list_filter = ["company", "kind", "channel"]
    search_fields = ["person__name", "observer__name", "comment"]
    raw_id_fields = ["person", "observer", "customer", "scorecard"]
    date_hierarchy = "observed_on"
    inlines = [ObservationRatingInline]
