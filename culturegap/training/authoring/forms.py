"""The authoring site's forms: lines as lists, keys made from titles, exactly one right option."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from culturegap.language import selectors as language_selectors
from culturegap.training.models import (
    Curriculum,
)


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
