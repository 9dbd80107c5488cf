"""Training content on the authoring site: curricula, modules, lessons with a preview, questions."""

from django.contrib import admin
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.contrib.admin.widgets import AdminTextareaWidget
from django.db import models
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from culturegap.language import selectors as language_selectors
from culturegap.text import reading_minutes
from culturegap.training.authoring.forms import (
    CurriculumForm,
    OneCorrectOptionFormSet,
    QuestionForm,
)
from culturegap.training.authoring.site import (
    TABULAR_TEXT,
    CompanyScopedAdmin,
    CompanyScopedInline,
    authoring_site,
)
from culturegap.training.models import (
    Audience,
    Curriculum,
    Lesson,
    Module,
    Option,
    Question,
)


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
