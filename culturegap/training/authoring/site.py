"""The authoring site at /author/: program admins write their company's playbook and training
content through Django's admin, and preview a lesson as a learner sees it.

Separate from the platform's own /django-admin/: it lets in active program admins of a company
(``is_staff`` is not needed), shows and saves only rows of their company, and decides access by
role, not by Django's model permissions. Platform operators (no company) get nothing here.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.contrib.admin.widgets import AdminTextareaWidget
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpRequest
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import slugify

from culturegap.language import selectors as language_selectors
from culturegap.language.models import (
    CommunicationStep,
    GlossaryTerm,
    Playbook,
    PlaybookStatus,
    ValueProposition,
)
from culturegap.text import reading_minutes
from culturegap.training.models import (
    Answer,
    Audience,
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


# --- forms --------------------------------------------------------------------------------


class LinesField(forms.Field):
    """A list of short texts edited as one item per line; blank lines are dropped."""

    widget = forms.Textarea(attrs={"rows": 4, "class": "vLargeTextField"})
    default_error_messages = {
        "too_long": "Line %(line)s is longer than %(limit)s characters.",
        "null": "Line %(line)s contains a null character.",
    }

    def __init__(self, *, max_line_length: int = 1000, **kwargs):
        kwargs.setdefault("help_text", "One item per line.")
        super().__init__(**kwargs)
        self.max_line_length = max_line_length

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(str(item) for item in value)
        return "" if value is None else value

    def to_python(self, value) -> list[str]:
        if value in self.empty_values:
            return []
        lines = [str(item) for item in value] if isinstance(value, list | tuple) else value
        if isinstance(lines, str):
            lines = lines.splitlines()
        return [line.strip() for line in lines if line.strip()]

    def validate(self, value: list[str]) -> None:
        super().validate(value)
        for number, line in enumerate(value, start=1):
            if "\x00" in line:
                raise ValidationError(
                    self.error_messages["null"], code="null", params={"line": number}
                )
            if len(line) > self.max_line_length:
                raise ValidationError(
                    self.error_messages["too_long"],
                    code="too_long",
                    params={"line": number, "limit": self.max_line_length},
                )

    def has_changed(self, initial, data) -> bool:
        if self.disabled:
            return False
        return self.to_python(initial) != self.to_python(data)


class AuthoringForm(forms.ModelForm):
    """Base form: ``company`` is set on the class per request by the admin; ``key`` may be
    left blank and is then made from the title when saved."""

    company = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "key" in self.fields:
            self.fields["key"].required = False
            self.fields[
                "key"
            ].help_text = (
                "A short identifier kept across pack imports. Left blank: made from the title."
            )


class CurriculumForm(AuthoringForm):
    def clean_key(self):
        key = self.cleaned_data.get("key")
        if key and self.company is not None:
            taken = Curriculum.objects.filter(company=self.company, key=key)
            if taken.exclude(pk=self.instance.pk).exists():
                raise ValidationError("Another curriculum already has this key.")
        return key


class ValuePropositionForm(AuthoringForm):
    proof_points = LinesField(required=False, help_text="One checkable fact per line.")


class CommunicationStepForm(AuthoringForm):
    what_to_do = LinesField(required=False, help_text="One action per line.")
    crp_phrases = LinesField(
        required=False,
        help_text="What a customer relationship professional might say; one per line.",
    )
    sales_phrases = LinesField(
        required=False, help_text="What a salesperson might say; one per line."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "key" in self.fields:
            self.fields["key"].help_text = (
                "The skill's identifier: questions and scorecards refer to it. Change it only "
                "if you mean to. Left blank: made from the name."
            )


class QuestionForm(AuthoringForm):
    """The skill is chosen among the steps of the company's published or draft playbook."""

    skill = forms.ChoiceField(
        choices=(), help_text="The communication-model step this question trains."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "skill" not in self.fields:
            return
        self.valid_skills = (
            language_selectors.skill_choices(company=self.company) if self.company else []
        )
        choices = [("", "---------"), *self.valid_skills]
        current = self.initial.get("skill")
        if current and current not in dict(self.valid_skills):
            # Shown as it is, so the select does not silently switch to another skill.
            choices.append((current, f"{current} (not in the playbook)"))
        self.fields["skill"].choices = choices
        if not self.valid_skills:
            self.fields[
                "skill"
            ].help_text = (
                "No skills yet: add communication-model steps to the playbook draft first."
            )

    def clean_skill(self):
        skill = self.cleaned_data["skill"]
        if skill not in dict(self.valid_skills):
            raise ValidationError(
                "Choose a step of the company's published or draft playbook as the skill."
            )
        return skill


class OneCorrectOptionFormSet(BaseInlineFormSet):
    """A question has at least two options and exactly one of them is correct."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        correct = sum(1 for data in kept if data.get("is_correct"))
        if len(kept) < 2:
            raise ValidationError("A question needs at least two options.")
        if correct != 1:
            raise ValidationError(f"Mark exactly one option as correct ({correct} are marked now).")


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


# --- the playbook -------------------------------------------------------------------------


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


# --- training content ---------------------------------------------------------------------


class ModuleInline(CompanyScopedInline, admin.TabularInline):
    model = Module
    formfield_overrides = TABULAR_TEXT
    fields = ["title", "summary", "key", "order"]
    extra = 1
    show_change_link = True


@admin.register(Curriculum, site=authoring_site)
class CurriculumAdmin(CompanyScopedAdmin):
    form = CurriculumForm
    list_display = ["title", "key", "pass_mark"]
    search_fields = ["title", "description"]
    fields = ["title", "description", "pass_mark", "key"]
    inlines = [ModuleInline]


LESSON_BODY = {models.TextField: {"widget": AdminTextareaWidget(attrs={"rows": 14})}}


class LessonInline(CompanyScopedInline, admin.StackedInline):
    model = Lesson
    formfield_overrides = LESSON_BODY
    fields = ["title", "objective", "minutes", "body", "key", "order"]
    extra = 0
    show_change_link = True


@admin.register(Module, site=authoring_site)
class ModuleAdmin(CompanyScopedAdmin):
    list_display = ["title", "curriculum", "order"]
    list_filter = [("curriculum", RelatedOnlyFieldListFilter)]
    search_fields = ["title", "summary"]
    fields = ["curriculum", "title", "summary", "key", "order"]
    inlines = [LessonInline]


class QuestionInline(CompanyScopedInline, admin.StackedInline):
    model = Question
    form = QuestionForm
    fields = ["audience", "skill", "scenario", "key", "order"]
    extra = 0
    show_change_link = True


class LessonPreview:
    """What the preview page shows: the lesson and one audience's questions with options."""

    def __init__(self, *, lesson: Lesson, audience: str):
        self.lesson = lesson
        self.audience = audience
        self.questions = list(
            lesson.questions.filter(audience=audience).prefetch_related("options")
        )
        skills = dict(language_selectors.skill_choices(company=lesson.company))
        for question in self.questions:
            question.skill_label = skills.get(
                question.skill, f"{question.skill} (not in the playbook)"
            )
        self.reading_minutes = reading_minutes(lesson.body)


@admin.register(Lesson, site=authoring_site)
class LessonAdmin(CompanyScopedAdmin):
    formfield_overrides = LESSON_BODY
    list_display = ["title", "module", "minutes", "order"]
    list_filter = [("module", RelatedOnlyFieldListFilter)]
    search_fields = ["title", "objective", "body"]
    fields = ["module", "title", "objective", "minutes", "body", "key", "order"]
    inlines = [QuestionInline]
    change_form_template = "authoring/lesson_change_form.html"

    def get_urls(self):
        preview = path(
            "<path:object_id>/preview/",
            self.admin_site.admin_view(self.preview_view),
            name="training_lesson_preview",
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request, object_id):
        lesson = self.get_object(request, object_id)
        if lesson is None or not self.has_view_permission(request, lesson):
            raise Http404("No such lesson.")
        audience = request.GET.get("audience", "")
        if audience not in Audience.values:
            audience = Audience.SERVICE
        preview_url = reverse("authoring:training_lesson_preview", args=[lesson.pk])
        context = {
            "preview": LessonPreview(lesson=lesson, audience=audience),
            "audiences": [
                (value, label, f"{preview_url}?audience={value}")
                for value, label in Audience.choices
            ],
            "audience_label": Audience(audience).label,
            "change_url": reverse("authoring:training_lesson_change", args=[lesson.pk]),
        }
        return TemplateResponse(request, "language/lesson_preview.html", context)


class OptionInline(CompanyScopedInline, admin.TabularInline):
    model = Option
    formfield_overrides = TABULAR_TEXT
    formset = OneCorrectOptionFormSet
    fields = ["text", "is_correct", "feedback", "order"]

    def get_extra(self, request, obj=None, **kwargs) -> int:
        return 4 if obj is None else 1


@admin.register(Question, site=authoring_site)
class QuestionAdmin(CompanyScopedAdmin):
    form = QuestionForm
    list_display = ["__str__", "lesson", "audience", "skill"]
    list_filter = ["audience", ("lesson", RelatedOnlyFieldListFilter)]
    search_fields = ["scenario"]
    fields = ["lesson", "audience", "skill", "scenario", "key", "order"]
    inlines = [OptionInline]
