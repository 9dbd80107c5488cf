"""Django admin for platform staff: campaigns, invitations and answers, read mostly."""

from django.contrib import admin

from culturegap.loyalty.models import SurveyCampaign, SurveyInvitation, SurveyResponse


@admin.register(SurveyCampaign)
class SurveyCampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "opens_on", "closes_on", "service"]
    list_filter = ["company"]
    search_fields = ["name"]
    raw_id_fields = ["created_by", "service"]


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(admin.ModelAdmin):
    list_display = ["campaign", "customer", "contact", "sent_at", "answered_at"]
    list_filter = ["campaign__company"]
    raw_id_fields = ["campaign", "customer", "contact"]
    # The hash opens nothing, but there is no reason to show or edit it.
    exclude = ["token_hash"]
    list_select_related = ["campaign", "customer", "contact"]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ["customer", "campaign", "team", "score", "answered_at"]
    list_filter = ["campaign__company", "score"]
    raw_id_fields = ["invitation", "customer", "campaign", "team"]
    filter_horizontal = ["wanted_services"]
    list_select_related = ["customer", "campaign", "team"]
