"""Forms of rollout and learning: assigning a curriculum, answering a lesson question, taking an
assessment. They parse and check input; the services decide."""

import re

from django import forms

from culturegap.org.models import Person, Team
from culturegap.training.models import Curriculum, Question

# A response time beyond this (the learner left the tab open) says nothing: it is not kept.
MAX_RESPONSE_MS = 60 * 60 * 1000


class AssignForm(forms.Form):
    curriculum = forms.ModelChoiceField(queryset=Curriculum.objects.none())
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Everyone active in these teams is enrolled.",
    )
    people = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="E-mail addresses of people to enrol one by one, separated by commas, spaces "
        "or new lines.",
    )
    wave = forms.IntegerField(min_value=1, max_value=99, initial=1)
    # A date input takes only ISO dates: in the site's format the suggested dates would not show.
    starts_on = forms.DateField(
        label="Start date", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    due_on = forms.DateField(
        label="Due date", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.company = company
        self.fields["curriculum"].queryset = Curriculum.objects.filter(company=company)
        self.fields["teams"].queryset = Team.objects.filter(company=company).order_by("name")

    def clean_people(self) -> list[Person]:
        emails = [e.lower() for e in re.split(r"[\s,;]+", self.cleaned_data["people"]) if e]
        emails = list(dict.fromkeys(emails))
        found = {
            person.email: person
            for person in Person.objects.filter(
                company=self.company, is_active=True, email__in=emails
            )
        }
        unknown = [email for email in emails if email not in found]
        if unknown:
            raise forms.ValidationError(
                "Nobody active in your company has the e-mail address %(emails)s.",
                params={"emails": ", ".join(unknown)},
            )
        return [found[email] for email in emails]

    def clean(self):
        data = super().clean()
        starts_on, due_on = data.get("starts_on"), data.get("due_on")
        if starts_on and due_on and due_on < starts_on:
            self.add_error("due_on", "The due date cannot be before the start date.")
        if "teams" in data and "people" in data and not data["teams"] and not data["people"]:
            self.add_error("teams", "Choose at least one team, or list people below.")
        return data


class LessonAnswerForm(forms.Form):
    """One answer to one question of a lesson; the question must be one of ``questions``."""

    question = forms.IntegerField()
    option = forms.IntegerField(error_messages={"required": "Choose an answer."})
    confident = forms.ChoiceField(
        choices=[("", "Not said"), ("sure", "I'm sure"), ("guessed", "I'm guessing")],
        required=False,
    )
    request_id = forms.UUIDField()
    response_ms = forms.IntegerField(required=False, min_value=0)

    def __init__(self, *args, questions: dict[int, Question], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions

    def clean_question(self) -> Question:
        question = self.questions.get(self.cleaned_data["question"])
        if question is None:
            raise forms.ValidationError("This question is not one of this lesson's for you.")
        return question

    def clean_confident(self) -> bool | None:
        return {"sure": True, "guessed": False}.get(self.cleaned_data["confident"])

    def clean_response_ms(self) -> int | None:
        value = self.cleaned_data["response_ms"]
        return value if value is not None and value <= MAX_RESPONSE_MS else None

    def clean(self):
        data = super().clean()
        question, option_id = data.get("question"), data.get("option")
        if question is not None and option_id is not None:
            option = next((o for o in question.options.all() if o.pk == option_id), None)
            if option is None:
                self.add_error("option", "This is not one of the question's options.")
            else:
                data["option"] = option
        return data


class AssessmentForm(forms.Form):
    """Every question of an assessment, one radio group each (``item-<id>``)."""

    request_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"item-{item.pk}"] = forms.TypedChoiceField(
                label=item.question.scenario,
                choices=[(o.pk, o.text) for o in item.question.options.all()],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Choose an answer.",
                    "invalid_choice": "This is not one of the question's options.",
                },
            )

    def choices(self) -> dict[int, object]:
        """Item id → chosen option, once the form is valid."""
        chosen = {}
        for item in self.items:
            option_id = self.cleaned_data[f"item-{item.pk}"]
            chosen[item.pk] = next(o for o in item.question.options.all() if o.pk == option_id)
        return chosen

    def questions(self):
        """(item, bound field) pairs for the template."""
        return [(item, self[f"item-{item.pk}"]) for item in self.items]
