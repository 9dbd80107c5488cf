"""Django admin for platform operators: opportunities and their history, read mostly."""

from django.contrib import admin

from culturegap.opportunities.models import Opportunity, OpportunityEvent


class OpportunityEventInline(admin.TabularInline):
    model = OpportunityEvent
    extra = 0
    fields = ["at", "actor", "from_status", "to_status", "assigned_to", "value", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ["customer", "service", "status", "owner", "found_by", "value", "created_at"]
    list_filter = ["company", "status", "source", "urgency", "channel", "customer_agreed"]
    search_fields = ["customer__name", "customer__external_id", "need"]
    raw_id_fields = ["customer", "service", "found_by", "found_by_team", "owner"]
    date_hierarchy = "created_at"
    inlines = [OpportunityEventInline]
    readonly_fields = ["created_at", "updated_at", "last_touched_at", "closed_at", "request_id"]
