"""The authoring site at /author/: program admins write their company's playbook and training
content through Django's admin, and preview a lesson as a learner sees it.

Separate from the platform's own /django-admin/: it lets in active program admins of a company
(``is_staff`` is not needed), shows and saves only rows of their company, and decides access by
role, not by Django's model permissions. Platform operators (no company) get nothing here.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminTextareaWidget
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest
from django.utils.text import slugify

from culturegap.language.models import (
    CommunicationStep,
    GlossaryTerm,
    ValueProposition,
)
from culturegap.training.authoring.forms import AuthoringForm
from culturegap.training.models import (
    Answer,
    Curriculum,
    Lesson,
    LessonProgress,
    Module,
    Option,
    Question,
)


def is_author(user) -> bool:
    """May use the authoring site: an active program admin who belongs to a company."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.company_id
        and getattr(user, "is_program_admin", False)
    )


class AuthoringAuthenticationForm(AuthenticationForm):
    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not is_author(user):
            raise ValidationError(
                "This site is for your company's program admins. Sign in with a program "
                "admin's account, or go back to culturegap.",
                code="not_author",
            )


class AuthoringSite(admin.AdminSite):
    site_header = "culturegap authoring"
    site_title = "culturegap authoring"
    index_title = "Playbook and training content"
    login_form = AuthoringAuthenticationForm
    # The admin's own pages, with the product's icon (else browsers ask for /favicon.ico).
    index_template = "authoring/index.html"
    app_index_template = "authoring/app_index.html"
    login_template = "authoring/login.html"
    logout_template = "authoring/logged_out.html"

    def has_permission(self, request: HttpRequest) -> bool:
        return is_author(request.user)


authoring_site = AuthoringSite(name="authoring")


# --- company scoping ----------------------------------------------------------------------

# How a row reaches its company, for models without a ``company`` column of their own.
COMPANY_PATHS = {
    ValueProposition: "playbook__company",
    GlossaryTerm: "playbook__company",
    CommunicationStep: "playbook__company",
    Option: "question__company",
}


def company_path(model) -> str | None:
    if model in COMPANY_PATHS:
        return COMPANY_PATHS[model]
    if any(field.name == "company" for field in model._meta.get_fields()):
        return "company"
    return None


def company_id_of(obj) -> int | None:
    path = company_path(type(obj))
    if path is None:
        return None
    *hops, last = path.split("__")
    for hop in hops:
        obj = getattr(obj, hop)
    return getattr(obj, f"{last}_id")


# Where a blank key is made from, and which rows it must differ from.
KEY_SOURCES = {
    Curriculum: ("title", "company"),
    Module: ("title", "curriculum"),
    Lesson: ("title", "module"),
    Question: (None, "lesson"),
    ValueProposition: ("title", "playbook"),
    CommunicationStep: ("name", "playbook"),
}


def fill_key(obj, *, reserved: frozenset[str] = frozenset()) -> None:
    """Give ``obj`` a key made from its title, unique among its siblings (and ``reserved``,
    the keys typed for rows saved with it), when it has none."""
    model = type(obj)
    if model not in KEY_SOURCES or obj.key:
        return
    source, parent = KEY_SOURCES[model]
    text = getattr(obj, source) if source else f"{obj.skill}-{obj.audience}"
    base = slugify(text)[:70].strip("-") or model._meta.model_name
    siblings = model.objects.filter(**{f"{parent}_id": getattr(obj, f"{parent}_id")}).exclude(
        pk=obj.pk
    )
    taken = set(siblings.values_list("key", flat=True)) | reserved
    key, number = base, 2
    while key in taken:
        key, number = f"{base}-{number}", number + 1
    obj.key = key


def has_learner_records(obj) -> bool:
    """Content that learners' enrollments, progress or answers hang on is not deleted here:
    deleting it would delete their records too."""
    if isinstance(obj, Curriculum):
        return obj.enrollments.exists() or obj.assignments.exists()
    if isinstance(obj, Module):
        return LessonProgress.objects.filter(lesson__module=obj).exists() or (
            Answer.objects.filter(question__lesson__module=obj).exists()
        )
    if isinstance(obj, Lesson):
        return (
            LessonProgress.objects.filter(lesson=obj).exists()
            or Answer.objects.filter(question__lesson=obj).exists()
        )
    if isinstance(obj, Question):
        return obj.answers.exists()
    return False


class CompanyScopedMixin:
    """Rows of the signed-in admin's company only; access by role, not model permissions."""

    form = AuthoringForm
    formfield_overrides = {models.TextField: {"widget": AdminTextareaWidget(attrs={"rows": 3})}}

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        path = company_path(self.model)
        if not is_author(request.user) or path is None:
            return queryset.none()
        return queryset.filter(**{path: request.user.company_id})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        path = company_path(related)
        if path is None or not is_author(request.user):
            kwargs["queryset"] = related._default_manager.none()
        else:
            kwargs["queryset"] = related._default_manager.filter(**{path: request.user.company_id})
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _allowed(self, request, obj=None) -> bool:
        if not is_author(request.user):
            return False
        return obj is None or company_id_of(obj) == request.user.company_id

    def has_module_permission(self, request) -> bool:
        return is_author(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._allowed(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._allowed(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._allowed(request, obj) and not (obj is not None and has_learner_records(obj))


# Text boxes narrow enough for a row of a table.
TABULAR_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 36})}}


class CompanyScopedInline(CompanyScopedMixin):
    def has_add_permission(self, request, obj) -> bool:
        return self._allowed(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._allowed(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        # ``obj`` is the parent here; each child's own records are checked when deleting it.
        return self._allowed(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.company = request.user.company  # a fresh class per call
        return formset


class CompanyScopedAdmin(CompanyScopedMixin, admin.ModelAdmin):
    """Base of every model on the authoring site."""

    change_list_template = "authoring/change_list.html"
    change_form_template = "authoring/change_form.html"
    delete_confirmation_template = "authoring/delete_confirmation.html"
    delete_selected_confirmation_template = "authoring/delete_selected_confirmation.html"
    object_history_template = "authoring/object_history.html"

    def has_add_permission(self, request) -> bool:
        return is_author(request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.company = request.user.company  # a fresh class per call
        return form

    def save_model(self, request, obj, form, change):
        if company_path(type(obj)) == "company":
            obj.company = request.user.company
        fill_key(obj)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        typed = frozenset(getattr(obj, "key", "") for obj in instances) - {""}
        for obj in instances:
            if company_path(type(obj)) == "company":
                obj.company = request.user.company
            fill_key(obj, reserved=typed)
            obj.save()
        for obj in formset.deleted_objects:
            if has_learner_records(obj):
                messages.warning(
                    request, f"“{obj}” was kept: learners' progress or answers depend on it."
                )
                continue
            obj.delete()
        formset.save_m2m()
