"""The playbook on the authoring site: a draft's parts edited in place, published ones read-only."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from culturegap.language import selectors as language_selectors
from culturegap.language.models import (
    CommunicationStep,
    GlossaryTerm,
    Playbook,
    PlaybookStatus,
    ValueProposition,
)
from culturegap.training.authoring.forms import (
    CommunicationStepForm,
    ValuePropositionForm,
)
from culturegap.training.authoring.site import (
    TABULAR_TEXT,
    CompanyScopedAdmin,
    CompanyScopedInline,
    authoring_site,
    is_author,
)


class PlaybookPartInline(CompanyScopedInline):
    """Parts of a playbook: editable in a draft, read-only once published or archived."""

    extra = 1

    def _editable(self, request, obj) -> bool:
        return self._allowed(request, obj) and (obj is None or obj.status == PlaybookStatus.DRAFT)

    def has_add_permission(self, request, obj) -> bool:
        return self._editable(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._editable(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._editable(request, obj)


class ValuePropositionInline(PlaybookPartInline, admin.StackedInline):
    model = ValueProposition
    form = ValuePropositionForm
    fields = ["about", "title", "statement", "proof_points", "key", "order"]


class CommunicationStepInline(PlaybookPartInline, admin.StackedInline):
    model = CommunicationStep
    form = CommunicationStepForm
    fields = [
        "name",
        "purpose",
        "what_to_do",
        "crp_phrases",
        "sales_phrases",
        "observable_behaviour",
        "key",
        "order",
    ]


class GlossaryTermInline(PlaybookPartInline, admin.TabularInline):
    model = GlossaryTerm
    formfield_overrides = TABULAR_TEXT
    fields = ["term", "definition", "order"]


@admin.register(Playbook, site=authoring_site)
class PlaybookAdmin(CompanyScopedAdmin):
    list_display = ["title", "version", "status", "published_at", "published_by"]
    list_display_links = ["title", "version"]
    fields = ["title", "summary", "version", "status", "published_at", "published_by"]
    readonly_fields = ["version", "status", "published_at", "published_by"]
    inlines = [ValuePropositionInline, CommunicationStepInline, GlossaryTermInline]
    change_form_template = "authoring/playbook_change_form.html"

    def has_add_permission(self, request) -> bool:
        return (
            is_author(request.user)
            and not Playbook.objects.filter(
                company_id=request.user.company_id, status=PlaybookStatus.DRAFT
            ).exists()
        )

    def has_change_permission(self, request, obj=None) -> bool:
        return self._allowed(request, obj) and (obj is None or obj.status == PlaybookStatus.DRAFT)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_change_permission(request, obj)

    def add_view(self, request, form_url="", extra_context=None):
        """A new version is always a draft made by ``start_draft`` (a copy of the published
        one): this page asks to confirm and posts to it."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "Start a draft",
            "opts": self.model._meta,
            "published": language_selectors.published_playbook(company=request.user.company),
        }
        return TemplateResponse(request, "authoring/start_draft.html", context)
